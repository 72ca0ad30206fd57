package query

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// FuzzJudgeSearch holds the judge to its contract on any body: what it accepts comes out
// as one JSON object whose query is the tenant filter at the root around exactly one
// client query, and judging that output again (the client query unwrapped) gives the
// same bytes, so the canonical form is a fixed point: what the cluster reads is what
// the proxy judged.
func FuzzJudgeSearch(f *testing.F) {
	f.Add([]byte(typicalSearch), "")
	for _, s := range []string{``, `{}`, `{"query":{"wrapper":{"query":"eyJ0ZXJtIjp7ImEiOiJiIn19"}}}`,
		`{"size":"10","aggs":{"t":{"terms":{"field":"c","min_doc_count":"1"}}}}`, `{"sort":[{"_id":"desc"}],"search_after":["5"]}`,
		`{"query":{"query_string":{"query":"a:b AND c"}}}`, `{"query":{"function_score":{"query":{"match_all":{}},"gauss":{"d":{"origin":"now","scale":"1d"}}}}}`,
		`{"highlight":{"fields":[{"*":{"type":"plain"}}]},"_source":false,"collapse":{"field":"u","inner_hits":{"name":"x","size":2}}}`} {
		f.Add([]byte(s), "")
	}
	f.Add([]byte(`{"size":1}`), "size=2&sort=a:asc&_source=true&track_total_hits=10")
	f.Fuzz(func(t *testing.T, body []byte, rawParams string) {
		ps, err := ParseParams(rawParams)
		if err != nil {
			return
		}
		s, err := JudgeSearch(nil, body, ps, acmePolicy)
		if err != nil {
			return
		}
		if jsonstream.Validate(s.Body, 0) != nil {
			t.Fatalf("accepted %q but emitted invalid JSON %q", body, s.Body)
		}
		inner := wrappedQuery(t, s.Body)
		if bytes.Contains(s.Body, []byte("acme:orders:")) {
			return // translated ids would be translated again: not a fixed point by design
		}
		again, err := JudgeSearch(nil, replaceQuery(t, s.Body, inner), nil, acmePolicy)
		if err != nil || !bytes.Equal(again.Body, s.Body) {
			t.Fatalf("not a fixed point:\n in   %q\n out  %q\n again %q (%v)", body, s.Body, again.Body, err)
		}
	})
}

// wrappedQuery checks that the query of out is the tenant filter around one query and
// returns that query's bytes.
func wrappedQuery(t *testing.T, out []byte) []byte {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(out, &top); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	var q struct {
		Bool map[string]json.RawMessage `json:"bool"`
	}
	if err := json.Unmarshal(top["query"], &q); err != nil || len(q.Bool) != 2 {
		t.Fatalf("query is not bool{filter,must}: %q", top["query"])
	}
	var filter, must []json.RawMessage
	_ = json.Unmarshal(q.Bool["filter"], &filter)
	_ = json.Unmarshal(q.Bool["must"], &must)
	want := []json.RawMessage{json.RawMessage(`{"term":{"_tenant":"acme"}}`), json.RawMessage(`{"term":{"_logical_index":"orders"}}`)}
	if !reflect.DeepEqual(filter, want) || len(must) != 1 {
		t.Fatalf("the tenant filter is not at the root: %q", top["query"])
	}
	return must[0]
}

// replaceQuery rebuilds out with its query member replaced by q.
func replaceQuery(t *testing.T, out, q []byte) []byte {
	var b []byte
	b = append(b, '{')
	n := 0
	err := jsonstream.Members(out, func(k, v []byte) error {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(append(append(b, '"'), k...), '"', ':')
		if jsonstream.KeyIs(k, "query") {
			v = q
		}
		b = append(b, v...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '}')
}
