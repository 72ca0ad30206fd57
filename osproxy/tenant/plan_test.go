package tenant

import (
	"bytes"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

func shapeWith(t *testing.T, sh *Shaping, root uint8, in string) []byte {
	t.Helper()
	var out bytes.Buffer
	src := iotest.HalfReader(strings.NewReader(in))
	if _, err := jsonstream.Transform(&out, src, sh, root, sh.Capture, jsonstream.Options{}); err != nil {
		t.Fatalf("%v; wrote %s", err, out.Bytes())
	}
	return out.Bytes()
}

func acmeShaping(hitAggs bool, sortIDs uint64) *Shaping {
	s := NewShaper("acme", "orders")
	s.SortIDs = sortIDs
	return &Shaping{Shaper: s, Errors: NewSanitizer("os-shared", "acme", "orders"), HitAggs: hitAggs}
}

const physicalHit = `{"_index":"os-shared","_id":"acme:orders:7","_routing":"acme","_source":{"_tenant":"acme","_logical_index":"orders","x":1},` +
	`"fields":{"_id":["acme:orders:7"],"_index":["os-shared"],"_routing":["acme"],"_tenant.keyword":["acme"],"x":[1]},"sort":["acme:orders:7",3]}`

const logicalHit = `{"_index":"orders","_id":"7","_source":{"x":1},"fields":{"_id":["7"],"_index":["orders"],"x":[1]},"sort":["7",3]}`

func TestShaping_SearchResponse_EverySurfaceLogical(t *testing.T) {
	in := `{"took":1,"_shards":{"total":1,"failed":1,"failures":[{"shard":0,"index":"os-shared","node":"n",` +
		`"reason":{"type":"x","reason":"boom on [os-shared][acme:orders:7]","index_uuid":"u"}}]},` +
		`"hits":{"total":{"value":1},"hits":[` + physicalHit + `]},` +
		`"aggregations":{"t":{"buckets":[{"key":"a","doc_count":1,"top":{"hits":{"total":{"value":1},"hits":[` + physicalHit + `]}}}]},` +
		`"top_hits#typed":{"hits":{"hits":[` + physicalHit + `]}},"hits":{"buckets":[]}}}`
	want := `{"took":1,"_shards":{"total":1,"failed":1,"failures":[{"shard":0,"index":"orders","node":"n",` +
		`"reason":{"type":"x","reason":"boom on [orders][7]"}}]},` +
		`"hits":{"total":{"value":1},"hits":[` + logicalHit + `]},` +
		`"aggregations":{"t":{"buckets":[{"key":"a","doc_count":1,"top":{"hits":{"total":{"value":1},"hits":[` + nestedLogical + `]}}}]},` +
		`"top_hits#typed":{"hits":{"hits":[` + nestedLogical + `]}},"hits":{"buckets":[]}}}`
	assertSameJSON(t, shapeWith(t, acmeShaping(true, 1), SearchRoot, in), want)
}

// A hit of top_hits keeps its sort values: only the top-level sort may be on _id.
var nestedLogical = strings.Replace(logicalHit, `"sort":["7",3]`, `"sort":["acme:orders:7",3]`, 1)

func TestShaping_NoHitAggregations_AggregationsCopiedVerbatim(t *testing.T) {
	in := `{"hits":{"hits":[]},"aggregations":{"a":{"hits":{"hits":[{"_id":"kept"}]}}}}`
	if got := shapeWith(t, acmeShaping(false, 0), SearchRoot, in); string(got) != in {
		t.Fatalf("got %s", got)
	}
}

func TestShaping_Document_StreamsLogical(t *testing.T) {
	in := `{"_index":"os-shared","_id":"acme:orders:a%2Fb","_version":2,"_routing":"acme","found":true,` +
		`"_source":{"n":1,"_tenant":"acme","deep":{"_tenant":"kept"},"_logical_index":"orders"},"fields":{"_routing":["acme"],"x":["y"]}}`
	want := `{"_index":"orders","_id":"a%2Fb","_version":2,"found":true,"_source":{"n":1,"deep":{"_tenant":"kept"}},"fields":{"x":["y"]}}`
	assertSameJSON(t, shapeWith(t, acmeShaping(false, 0), DocumentRoot, in), want)
}

func TestSanitizer_ErrorBodies_NoLayout(t *testing.T) {
	s := NewSanitizer("os-shared", "acme", "orders")
	cases := []struct{ in, want string }{
		{`{"error":{"type":"index_not_found_exception","reason":"no such index [os-shared]","index":"os-shared","index_uuid":"abc"},"status":404}`,
			`{"error":{"type":"index_not_found_exception","reason":"no such index [orders]","index":"orders"},"status":404}`},
		{`{"_index":"os-shared","_id":"acme:orders:1","found":false}`, `{"_index":"orders","_id":"1","found":false}`},
		{`{"error":{"reason":"failed to parse [{\"bool\":{\"filter\":[{\"term\":{\"_tenant\":\"acme\"}}]}}]"}}`,
			`{"error":{"reason":"` + Withheld + `"}}`},
		{`not json os-shared`, `not json orders`},
	}
	for _, tc := range cases {
		got := s.Append(nil, []byte(tc.in))
		if tc.in[0] != '{' {
			if string(got) != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			continue
		}
		assertSameJSON(t, got, tc.want)
	}
}
