package query

import (
	"errors"
	"testing"
)

var acme = Filter{TenantField: "_tenant", IndexField: "_logical_index", Tenant: "acme", Index: "orders"}

const filter = `"query":{"bool":{"filter":[{"term":{"_tenant":"acme"}},{"term":{"_logical_index":"orders"}}],"must":[`

func TestWrap_Bodies_QueryWrappedOthersKept(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"empty", ``, `{` + filter + `{"match_all":{}}]}}}`},
		{"no query", `{"size":3}`, `{"size":3,` + filter + `{"match_all":{}}]}}}`},
		{"query in the middle", `{"a":1,"query":{"term":{"_tenant":"globex"}},"b":[2]}`,
			`{"a":1,` + filter + `{"term":{"_tenant":"globex"}}]}},"b":[2]}`},
		{"escaped key", `{"\u0071uery":{"match_all":{}}}`, `{` + filter + `{"match_all":{}}]}}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Wrap(nil, []byte(tc.body), acme)
			if err != nil || string(got) != tc.want {
				t.Fatalf("got %s, %v\nwant %s", got, err, tc.want)
			}
		})
	}
}

func TestScreen_Bodies_Verdict(t *testing.T) {
	cases := []struct {
		name, body string
		refused    bool
	}{
		{"plain", `{"query":{"match":{"msg":"hi"}},"aggs":{"t":{"terms":{"field":"x","min_doc_count":1}}}}`, false},
		{"suggest", `{"suggest":{"s":{"prefix":"g","completion":{"field":"f"}}}}`, true},
		{"profile", `{"profile":true}`, true},
		{"profile false", `{"profile":false}`, false},
		{"explain", `{"explain":true}`, true},
		{"global", `{"aggs":{"all":{"global":{},"aggs":{"t":{"terms":{"field":"_tenant"}}}}}}`, true},
		{"nested global", `{"aggregations":{"a":{"terms":{"field":"x"},"aggs":{"b":{"global":{}}}}}}`, true},
		{"significant", `{"aggs":{"s":{"significant_terms":{"field":"tags"}}}}`, true},
		{"min_doc_count 0", `{"aggs":{"n":{"terms":{"field":"c","min_doc_count":0}}}}`, true},
		{"terms lookup", `{"query":{"terms":{"owner":{"index":"os","id":"g:1","path":"o"}}}}`, true},
		{"terms list", `{"query":{"terms":{"owner":["a","b"]}}}`, false},
		{"mlt docs", `{"query":{"more_like_this":{"fields":["b"],"like":[{"_index":"os","_id":"g:1"}]}}}`, true},
		{"mlt text", `{"query":{"more_like_this":{"fields":["b"],"like":["some text"]}}}`, false},
		{"percolate", `{"query":{"percolate":{"field":"q","index":"os","id":"g:7"}}}`, true},
		{"indexed shape", `{"query":{"geo_shape":{"l":{"indexed_shape":{"index":"os","id":"g"}}}}}`, true},
		{"stored script", `{"query":{"script_score":{"query":{"match_all":{}},"script":{"id":"s"}}}}`, true},
		{"inline script", `{"query":{"script_score":{"query":{"match_all":{}},"script":{"source":"1"}}}}`, false},
		{"lookup in post_filter", `{"post_filter":{"terms":{"o":{"index":"x","id":"1"}}}}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Screen([]byte(tc.body))
			var r *Refusal
			if got := errors.As(err, &r); got != tc.refused {
				t.Fatalf("refused=%v (%v), want %v", got, err, tc.refused)
			}
		})
	}
}
