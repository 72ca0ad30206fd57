package query

import (
	"errors"
	"testing"
)

var (
	multiPolicy = &Policy{Filter: Filter{TenantField: "_tenant", IndexField: "_logical_index", Tenant: "acme", Indices: []string{"orders", "invoices"}}}
	allPolicy   = &Policy{Filter: Filter{TenantField: "_tenant", IndexField: "_logical_index", Tenant: "acme", AllIndices: true}}
)

func TestJudgeSearch_SeveralOrAllIndices_FilterByView(t *testing.T) {
	cases := []struct {
		pol  *Policy
		want string
	}{
		{multiPolicy, `{"query":{"bool":{"filter":[{"term":{"_tenant":"acme"}},{"terms":{"_logical_index":["orders","invoices"]}}],"must":[{"match_all":{}}]}}}`},
		{allPolicy, `{"query":{"bool":{"filter":[{"term":{"_tenant":"acme"}}],"must":[{"match_all":{}}]}}}`},
	}
	for _, tc := range cases {
		s, err := JudgeSearch(nil, nil, nil, tc.pol)
		if err != nil || string(s.Body) != tc.want {
			t.Errorf("got %s, %v\nwant %s", s.Body, err, tc.want)
		}
	}
}

func TestJudgeSearch_IDsInSeveralIndices_Refused(t *testing.T) {
	for _, body := range []string{`{"query":{"ids":{"values":["1"]}}}`, `{"query":{"term":{"_id":"1"}}}`,
		`{"query":{"terms":{"_id":["1"]}}}`, `{"sort":["_id"]}`, `{"sort":[{"_id":"asc"}],"search_after":["1"]}`} {
		for _, pol := range []*Policy{multiPolicy, allPolicy} {
			_, err := judgeString(t, body, "", pol)
			var r *Refusal
			if !errors.As(err, &r) {
				t.Errorf("%s accepted over several indices: %v", body, err)
			}
		}
	}
}

func TestJudgeSearch_Q_FoldedAsJudgedQueryString(t *testing.T) {
	cases := map[string]string{
		// Without df, a query_string searches every field and is sent lenient (ISO-10).
		"q=msg:hi": `{` + wrapped + `{"query_string":{"query":"msg:hi","lenient":true}}]}}}`,
		"q=x&df=msg&default_operator=AND&analyzer=std&analyze_wildcard=true&lenient=false": `{` + wrapped +
			`{"query_string":{"query":"x","default_field":"msg","default_operator":"and","analyzer":"std","analyze_wildcard":true,"lenient":false}}]}}}`,
	}
	for params, want := range cases {
		got, err := judgeString(t, `{"query":{"match_all":{}}}`, params, acmePolicy)
		if err != nil || string(got.Body) != want {
			t.Errorf("%s: got %s, %v\nwant %s", params, got.Body, err, want)
		}
	}
	for _, params := range []string{"q=_tenant:x", "q=x&df=_routing", "q=v*:x", "q=x&default_operator=xor", "q=x&lenient=maybe"} {
		_, err := judgeString(t, ``, params, acmePolicy)
		var r *Refusal
		if !errors.As(err, &r) || r.Path[0] != 'q' {
			t.Errorf("%s: got %v, want a refusal under q", params, err)
		}
	}
}

func TestParseParamsFor_Endpoints_TheirOwnTables(t *testing.T) {
	ok := map[Endpoint]string{
		EndpointCount:         "terminate_after=2.5&min_score=1e0&preference=x&q=a",
		EndpointMultiSearch:   "max_concurrent_searches=%222%22&typed_keys=true",
		EndpointDeleteByQuery: "conflicts=Proceed&slices=auto&wait_for_completion=true&requests_per_second=-1",
		EndpointScroll:        "scroll=1m&rest_total_hits_as_int=true&scroll_id=abc",
		EndpointCreatePIT:     "keep_alive=10m&allow_partial_pit_creation=true",
		EndpointFormatOnly:    "pretty&filter_path=a",
	}
	forwarded := map[Endpoint]string{
		EndpointCount:         "terminate_after=2&min_score=1&preference=x",
		EndpointMultiSearch:   "",
		EndpointDeleteByQuery: "conflicts=proceed&slices=auto&wait_for_completion=true&requests_per_second=-1",
		EndpointScroll:        "scroll=1m&rest_total_hits_as_int=true",
		EndpointCreatePIT:     "keep_alive=10m&allow_partial_pit_creation=true",
		EndpointFormatOnly:    "pretty&filter_path=a",
	}
	for e, raw := range ok {
		ps, err := ParseParamsFor(raw, e)
		if e == EndpointMultiSearch {
			if err == nil {
				t.Errorf("endpoint %d: a quoted number accepted", e)
			}
			continue
		}
		if err != nil || ps.Forward != forwarded[e] {
			t.Errorf("endpoint %d: forwarded %q, %v; want %q", e, psForward(ps), err, forwarded[e])
		}
	}
	for e, raw := range map[Endpoint]string{EndpointCount: "size=1", EndpointValidate: "explain=true", EndpointScroll: "q=x",
		EndpointCreatePIT: "routing=acme", EndpointDeleteByQuery: "wait_for_completion=false", EndpointUpdateByQuery: "pipeline=p",
		EndpointFormatOnly: "scroll_id=x", EndpointSearch: "df=x"} {
		var perr *ParamError
		if _, err := ParseParamsFor(raw, e); !errors.As(err, &perr) {
			t.Errorf("endpoint %d: %s accepted (%v)", e, raw, err)
		}
	}
}

func psForward(ps *Params) string {
	if ps == nil {
		return ""
	}
	return ps.Forward
}

func TestJudgeCount_Bodies_OnlyAWrappedQuery(t *testing.T) {
	got, err := JudgeCount(nil, []byte(`{"query":{"term":{"a":"b"}}}`), nil, acmePolicy)
	if err != nil || string(got) != `{`+wrapped+`{"term":{"a":"b"}}]}}}` {
		t.Fatalf("got %s, %v", got, err)
	}
	ps, _ := ParseParamsFor("q=x", EndpointCount)
	if _, err := JudgeCount(nil, []byte(`{}`), ps, acmePolicy); err == nil {
		t.Fatal("q beside a count body accepted")
	}
	if _, err := JudgeCount(nil, []byte(`{"size":0}`), nil, acmePolicy); err == nil {
		t.Fatal("size in a count body accepted")
	}
}

func TestJudgeHeader_Members_JudgedAndIndicesSplit(t *testing.T) {
	h, err := JudgeHeader([]byte(`{"indices":["a","b,c"],"preference":"p","request_cache":"true"}`))
	if err != nil || len(h.Indices) != 3 || h.Indices[2] != "c" || string(h.Rest) != `,"preference":"p","request_cache":true` {
		t.Fatalf("got %+v %s, %v", h, h.Rest, err)
	}
	for _, line := range []string{`{"routing":"x"}`, `{"search_type":"dfs_query_then_fetch"}`, `{"index":1}`, `{"expand_wildcards":"all"}`} {
		var r *Refusal
		if _, err := JudgeHeader([]byte(line)); !errors.As(err, &r) {
			t.Errorf("%s: %v, want a refusal", line, err)
		}
	}
}

func TestJudgeCursorBody_Forms_IDsAndKeepAlive(t *testing.T) {
	cb, err := JudgeCursorBody([]byte(`{"scroll":"2m","scroll_id":["a","b"]}`), "scroll_id", true)
	if err != nil || len(cb.IDs) != 2 || string(cb.KeepAlive) != `"2m"` {
		t.Fatalf("got %+v, %v", cb, err)
	}
	for _, body := range []string{`{"scroll_id":1}`, `{"scroll":"forever","scroll_id":"a"}`, `{"scroll_id":"a","size":1}`} {
		if _, err := JudgeCursorBody([]byte(body), "scroll_id", true); err == nil {
			t.Errorf("%s accepted", body)
		}
	}
	if _, err := JudgeCursorBody([]byte(`{"pit_id":"a","scroll":"1m"}`), "pit_id", false); err == nil {
		t.Error("scroll beside pit_id accepted")
	}
}

func TestPITID_Bodies_IDWhenThereIsOne(t *testing.T) {
	for body, want := range map[string]string{`{"pit":{"id":"abc"}}`: "abc", `{"pit":{"id":1}}`: "", `{"size":1}`: "", `[]`: "", ``: ""} {
		got, ok := PITID([]byte(body))
		if string(got) != want || ok != (want != "") {
			t.Errorf("%s: %q %v", body, got, ok)
		}
	}
	if _, err := JudgeSearch(nil, []byte(`{"pit":{"id":"x"}}`), nil, acmePolicy); err == nil {
		t.Fatal("a pit accepted without an opened cursor")
	}
	pol := *acmePolicy
	pol.PIT = []byte("RAW")
	s, err := JudgeSearch(nil, []byte(`{"pit":{"id":"sealed","keep_alive":"1m"}}`), nil, &pol)
	if err != nil || string(s.Body) != `{"pit":{"id":"RAW","keep_alive":"1m"},`+wrapped+`{"match_all":{}}]}}}` {
		t.Fatalf("got %s, %v", s.Body, err)
	}
}
