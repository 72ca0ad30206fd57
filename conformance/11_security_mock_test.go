package conformance_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// What reaches the cluster, which a real cluster cannot show: for an accepted body
// that looks like an attack, the search sent upstream is the proxy's canonical
// re-emission (ISO-3) with the tenant filter at the root of query (SRCH-2), holding
// no indirection (ISO-5), no escaped member name, no reserved field outside the
// filter, and ids in physical form (ISO-9); a refused body sends nothing (ISO-1).

// upstreamCase is one accepted attack-looking search and what its re-emission holds.
type upstreamCase struct {
	labels             Labels
	name, target, body string
	holds              map[string]string // JSON path (dot separated, [i] for arrays) -> JSON value
}

// acmeFilter is the tenant filter of SRCH-2 for acme in orders.
const acmeFilter = `[{"term":{"_tenant":"acme"}},{"term":{"_logical_index":"orders"}}]`

// indirections are members a re-emitted body never holds: refused, or sent decoded.
var indirections = []string{"wrapper", "search_pipeline", "ext", "suggest", "percolate", "has_child", "has_parent",
	"global", "significant_terms", "significant_text", "knn", "pit", "slice", "runtime_mappings", "derived",
	"indices_boost", "stats", "template", "script", "script_score", "script_fields"}

var upstreamCases = []upstreamCase{
	{Label("rule:ISO-5", "profile:security"), "a wrapper is sent inline", "/orders/_search", `{"query":` + wrapper(`{"match_all":{}}`) + `}`,
		map[string]string{"query.bool.must": `[{"match_all":{}}]`}},
	{Label("rule:ISO-5", "profile:security"), "a wrapper inside a wrapper is sent inline", "/orders/_search", `{"query":` + wrapper(wrapper(`{"bool":{"must_not":[{"match":{"msg":"acme"}}]}}`)) + `}`,
		map[string]string{"query.bool.must": `[{"bool":{"must_not":[{"match":{"msg":"acme"}}]}}]`}},
	{Label("rule:ISO-5", "profile:security"), "a wrapper in post_filter is sent inline below the root filter", "/orders/_search", `{"post_filter":` + wrapper(`{"match_none":{}}`) + `}`,
		map[string]string{"post_filter": `{"match_none":{}}`, "query.bool.must": `[{"match_all":{}}]`}},
	{Label("rule:ISO-3", "profile:security"), "numbers written as strings and fractions are sent as integers", "/orders/_search", `{"size":"5","from":0.9,"terminate_after":"1e2"}`,
		map[string]string{"size": `5`, "from": `0`, "terminate_after": `100`}},
	{Label("rule:ISO-3", "profile:security"), "booleans written as strings are sent as literals", "/orders/_search", `{"track_total_hits":"true","version":"true","explain":"false","profile":"false"}`,
		map[string]string{"track_total_hits": `true`, "version": `true`, "explain": `false`, "profile": `false`}},
	{Label("rule:ISO-3", "profile:security"), "a min_doc_count of 1.5 is sent as 1", "/orders/_search", `{"size":0,"aggs":{"t":{"terms":{"field":"color","min_doc_count":"1.5"}}}}`,
		map[string]string{"aggs.t.terms.min_doc_count": `1`}},
	{Label("rule:ISO-3", "profile:security"), "enumerated values are sent in lower case", "/orders/_search", `{"query":{"match":{"msg":{"query":"a","operator":"AND","zero_terms_query":"ALL"}}}}`,
		map[string]string{"query.bool.must[0].match.msg.operator": `"and"`, "query.bool.must[0].match.msg.zero_terms_query": `"all"`}},
	{Label("rule:ISO-3", "profile:security"), "a negation of everything stays under the root filter", "/orders/_search", `{"query":{"bool":{"must_not":[{"match_all":{}}]}}}`,
		map[string]string{"query.bool.must": `[{"bool":{"must_not":[{"match_all":{}}]}}]`}},
	{Label("rule:ISO-3", "profile:security"), "a body without a query gets one under the root filter", "/orders/_search", `{"size":0,"aggs":{"f":{"filter":{"bool":{"must_not":[{"match_all":{}}]}}}}}`,
		map[string]string{"query.bool.must": `[{"match_all":{}}]`, "aggs.f.filter": `{"bool":{"must_not":[{"match_all":{}}]}}`}},
	{Label("rule:ISO-9", "profile:security"), "ids are sent physical, the victim's too", "/orders/_search", `{"query":{"ids":{"values":["victim-id-k9q1","globex:orders:1",7]}}}`,
		map[string]string{"query.bool.must[0].ids.values": `["acme:orders:victim-id-k9q1","acme:orders:globex:orders:1","acme:orders:7"]`}},
	{Label("rule:ISO-9", "profile:security"), "term and terms on _id are sent physical", "/orders/_search", `{"query":{"bool":{"should":[{"term":{"_id":"globex:orders:1"}},{"terms":{"_id":["1"]}}]}}}`,
		map[string]string{"query.bool.must[0].bool.should": `[{"term":{"_id":"acme:orders:globex:orders:1"}},{"terms":{"_id":["acme:orders:1"]}}]`}},
	{Label("rule:ISO-9", "profile:security"), "a search_after at an _id sort is sent physical", "/orders/_search", `{"sort":[{"_id":"asc"}],"search_after":["globex:orders:1"]}`,
		map[string]string{"search_after": `["acme:orders:globex:orders:1"]`}},
	{Label("rule:ISO-4", "profile:security"), "URL parameters that change the search are folded into the body", "/orders/_search?size=5&sort=n:desc&_source=false&explain=false&preference=_local&filter_path=hits",
		`{"size":1}`, map[string]string{"size": `5`, "_source": `false`, "explain": `false`}},
	{Label("rule:ISO-3", "profile:security"), "every place a query sits keeps the root filter", "/orders/_search",
		`{"query":{"match_all":{}},"post_filter":{"bool":{"must_not":[{"match_all":{}}]}},"rescore":{"query":{"rescore_query":{"match_all":{}}}},"highlight":{"fields":{"msg":{}},"highlight_query":{"match_all":{}}},"aggs":{"a":{"filters":{"filters":{"x":{"match_all":{}}}}}}}`,
		map[string]string{"query.bool.must": `[{"match_all":{}}]`}},
	{Label("rule:ISO-4", "profile:security"), "q in the URL is folded below the root filter", "/orders/_search?q=*", ``,
		map[string]string{"query.bool.must": `[{"query_string":{"query":"*","lenient":true}}]`}},
}

// refusedUpstream are bodies and targets refused before any upstream call.
var refusedUpstream = []struct{ name, target, body string }{
	{"a reserved field in the query", "/orders/_search", `{"query":{"term":{"_tenant":"globex"}}}`},
	{"a reserved field under an escaped name", "/orders/_search", `{"query":{"term":{"\u005ftenant":"globex"}}}`},
	{"a wrapper holding a reserved field", "/orders/_search", `{"query":` + wrapper(`{"term":{"_tenant":"globex"}}`) + `}`},
	{"a global aggregation", "/orders/_search", `{"aggs":{"g":{"global":{}}}}`},
	{"a body search_pipeline", "/orders/_search", `{"search_pipeline":{"request_processors":[]}}`},
	{"min_doc_count 0 as a string", "/orders/_search", termsMinDocCount(`"0"`)},
	{"explain as a string", "/orders/_search", `{"explain":"true"}`},
	{"q naming _tenant in the URL", "/orders/_search?q=_tenant:globex", ``},
	{"routing in the URL", "/orders/_search?routing=globex", ``},
	{"a script with scripts off", "/orders/_search", `{"script_fields":{"x":{"script":"1"}}}`},
}

var _ = Describe("11 security: what reaches the cluster", Ordered, ContinueOnFailure, Label("profile:security", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		addr string
	)
	BeforeAll(func() {
		mock = startMock()
		mock.Handle("", "/*", mockupstream.SearchEnvelope(nil, 0))
		addr = startProxy(tenancyEnv(mock.URL())).Addr
	})
	for _, c := range upstreamCases {
		It(strings.TrimPrefix(ruleOf(c.labels), "rule:")+": "+c.name, c.labels, func() {
			mock.Reset()
			r, err := rawSend(addr, "POST", c.target, []string{"x-tenant", "acme"}, c.body)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Status).To(Equal(200), "body: %s", r.Body)
			rec := onlyRequest(mock)
			expectForwardedQuery(rec.RawQuery)
			body := expectRootFilter(rec.BodyPrefix)
			for path, want := range c.holds {
				sameJSON(mustMarshal(jsonAt(body, path)), want)
			}
		})
	}
	for _, c := range refusedUpstream {
		It("ISO-1: sends nothing upstream for "+c.name, Label("rule:ISO-1"), func() {
			mock.Reset()
			r, err := rawSend(addr, "POST", c.target, []string{"x-tenant", "acme"}, c.body)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Status).To(Equal(400), "body: %s", r.Body)
			Expect(mock.Requests()).To(BeEmpty())
		})
	}
})

// expectForwardedQuery checks the upstream query string: routing to acme once, and
// otherwise only the response-format parameters ISO-4 forwards.
func expectForwardedQuery(raw string) {
	q, err := url.ParseQuery(raw)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	ExpectWithOffset(1, q["routing"]).To(Equal([]string{"acme"}), "query %s", raw)
	forwarded := []string{"routing", "typed_keys", "rest_total_hits_as_int", "allow_partial_search_results", "batched_reduce_size",
		"max_concurrent_shard_requests", "pre_filter_shard_size", "request_cache", "preference", "cancel_after_time_interval",
		"phase_took", "filter_path", "pretty", "human", "error_trace"}
	for k := range q {
		ExpectWithOffset(1, forwarded).To(ContainElement(k), "query %s forwards %s", raw, k)
	}
}

// escapedKey finds a member name written with an escape.
var escapedKey = regexp.MustCompile(`"(?:[^"\\]|\\.)*\\(?:[^"\\]|\\.)*"\s*:`)

// expectRootFilter checks SRCH-2's root and that nothing refused or escaped remains.
func expectRootFilter(raw []byte) map[string]any {
	var body map[string]any
	ExpectWithOffset(1, json.Unmarshal(raw, &body)).To(Succeed(), "upstream body: %s", raw)
	ExpectWithOffset(1, escapedKey.Find(raw)).To(BeNil(), "upstream body has an escaped member name: %s", raw)
	query, _ := body["query"].(map[string]any)
	ExpectWithOffset(1, query).To(HaveLen(1), "upstream body: %s", raw)
	boolean, _ := query["bool"].(map[string]any)
	ExpectWithOffset(1, boolean).To(HaveLen(2), "upstream body: %s", raw)
	sameJSON(mustMarshal(boolean["filter"]), acmeFilter)
	ExpectWithOffset(1, boolean["must"]).To(HaveLen(1), "upstream body: %s", raw)
	keys := map[string]int{}
	countKeys(body, keys)
	ExpectWithOffset(1, keys["_tenant"]).To(Equal(1), "upstream body: %s", raw)
	ExpectWithOffset(1, keys["_logical_index"]).To(Equal(1), "upstream body: %s", raw)
	for _, k := range indirections {
		ExpectWithOffset(1, keys[k]).To(BeZero(), "upstream body holds %s: %s", k, raw)
	}
	return body
}

func countKeys(v any, into map[string]int) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			into[k]++
			countKeys(x, into)
		}
	case []any:
		for _, x := range v {
			countKeys(x, into)
		}
	}
}

// jsonAt follows a path such as "query.bool.must[0].ids.values".
func jsonAt(v any, path string) any {
	for _, part := range strings.Split(path, ".") {
		name, index, _ := strings.Cut(part, "[")
		m, ok := v.(map[string]any)
		ExpectWithOffset(2, ok).To(BeTrue(), "no object at %q of %s", name, path)
		v = m[name]
		if index != "" {
			var i int
			_, err := fmt.Sscanf(index, "%d]", &i)
			ExpectWithOffset(2, err).NotTo(HaveOccurred())
			a, _ := v.([]any)
			ExpectWithOffset(2, i < len(a)).To(BeTrue(), "no element %d at %s", i, path)
			v = a[i]
		}
	}
	return v
}
