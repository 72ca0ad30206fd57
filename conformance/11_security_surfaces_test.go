package conformance_test

import (
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// Response surfaces a single-shard test cluster does not produce, scripted on the mock:
// partial shard failures, errors that echo the wrapped query or name the layout deep in
// a cause chain, hits nested in aggregations and inner hits at once, deprecation
// warnings and a Location naming the physical path. Whatever the upstream says, the
// attacker reads no physical name, uuid, physical id, routing or reserved field
// (ISO-14..17, ISO-24).

// surfaceUUID is the index uuid the scripted answers carry.
const surfaceUUID = "SuRfAcEuUiD0123456789a"

// surfaceHit is a hit as OpenSearch writes it for acme's document 1.
const surfaceHit = `{"_index":"osproxy-shared","_id":"acme:orders:1","_routing":"acme","_score":1.0,` +
	`"_source":{"_tenant":"acme","_logical_index":"orders","msg":"acme-doc"},` +
	`"fields":{"_id":["acme:orders:1"],"_index":["osproxy-shared"],"_routing":["acme"],"_tenant.keyword":["acme"],"n":[1]},` +
	`"highlight":{"_tenant":["<em>acme</em>"],"msg":["<em>acme</em>"]}}`

var surfaceCases = []struct {
	labels                     Labels
	name, method, target, body string
	status                     int
	header                     http.Header
	answer                     string
}{
	{Label("rule:ISO-16", "profile:security"), "an error echoing the wrapped query", "POST", "/orders/_search", `{"query":{"match":{"n":"x"}}}`, 400, nil,
		`{"error":{"root_cause":[{"type":"query_shard_exception","reason":"failed to create query: {\"bool\":{\"filter\":[{\"term\":{\"_tenant\":{\"value\":\"acme\"}}},{\"term\":{\"_logical_index\":{\"value\":\"orders\"}}}]}}","index":"osproxy-shared","index_uuid":"` + surfaceUUID + `"}],"type":"search_phase_execution_exception","reason":"all shards failed"},"status":400}`},
	{Label("rule:ISO-16", "profile:security"), "an index_not_found naming the physical index", "POST", "/orders/_search", `{}`, 404, nil,
		`{"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [osproxy-shared]","index":"osproxy-shared","resource.id":"osproxy-shared","index_uuid":"_na_"}],"type":"index_not_found_exception","reason":"no such index [osproxy-shared]","index":"osproxy-shared","index_uuid":"_na_"},"status":404}`},
	{Label("rule:ISO-16", "profile:security"), "a cause chain naming the layout four deep", "POST", "/orders/_search", `{}`, 500, nil,
		`{"error":{"root_cause":[{"type":"x","reason":"[osproxy-shared][0] x"}],"type":"a","reason":"a","caused_by":{"type":"b","reason":"on [acme:orders:1]","caused_by":{"type":"c","reason":"shard [osproxy-shared][0]","index_uuid":"` + surfaceUUID + `","caused_by":{"type":"d","reason":"routing [acme] of [acme:orders:1] in [osproxy-shared/` + surfaceUUID + `]"}}}},"status":500}`},
	{Label("rule:ISO-15", "profile:security"), "partial shard failures naming the layout", "POST", "/orders/_search", `{}`, 200, nil,
		`{"took":1,"timed_out":false,"_shards":{"total":2,"successful":1,"skipped":0,"failed":1,"failures":[{"shard":1,"index":"osproxy-shared","node":"n1","reason":{"type":"query_shard_exception","reason":"failed on [acme:orders:2] in [osproxy-shared]","index":"osproxy-shared","index_uuid":"` + surfaceUUID + `"}}]},"hits":{"total":{"value":1,"relation":"eq"},"max_score":1.0,"hits":[` + surfaceHit + `]}}`},
	{Label("rule:ISO-14", "profile:security"), "hits in inner hits and in top_hits under a terms aggregation", "POST", "/orders/_search",
		`{"sort":[{"_id":"asc"}],"query":{"nested":{"path":"items","query":{"match_all":{}},"inner_hits":{"name":"i"}}},"aggs":{"t":{"terms":{"field":"color"},"aggs":{"h":{"top_hits":{}}}}}}`, 200, nil,
		`{"took":1,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"hits":{"total":{"value":1,"relation":"eq"},"max_score":1.0,"hits":[` +
			strings.TrimSuffix(surfaceHit, "}") + `,"inner_hits":{"i":{"hits":{"total":{"value":1,"relation":"eq"},"max_score":1.0,"hits":[` + surfaceHit + `]}}},"sort":["acme:orders:1"]}` +
			`]},"aggregations":{"t":{"buckets":[{"key":"red","doc_count":1,"h":{"hits":{"total":{"value":1,"relation":"eq"},"max_score":1.0,"hits":[` + surfaceHit + `]}}}]}}}`},
	{Label("rule:ISO-24", "profile:security"), "a deprecation warning naming the physical index", "POST", "/orders/_search", `{}`, 200,
		http.Header{"Warning": {`299 OpenSearch-2.19.6 "[osproxy-shared] the field [_tenant] of [acme:orders:1] is deprecated"`}},
		`{"took":1,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"hits":{"total":{"value":0,"relation":"eq"},"max_score":null,"hits":[]}}`},
	{Label("rule:ISO-17", "profile:security"), "a created document whose Location is physical", "PUT", "/orders/_doc/1", `{"msg":"x"}`, 201,
		http.Header{"Location": {"/osproxy-shared/_doc/acme%3Aorders%3A1?routing=acme"}},
		`{"_index":"osproxy-shared","_id":"acme:orders:1","_version":1,"result":"created","_shards":{"total":1,"successful":1,"failed":0},"_seq_no":0,"_primary_term":1}`},
	{Label("rule:ISO-16", "profile:security"), "a version conflict naming the physical id", "PUT", "/orders/_create/1", `{"msg":"x"}`, 409, nil,
		`{"error":{"root_cause":[{"type":"version_conflict_engine_exception","reason":"[acme:orders:1]: version conflict, document already exists (current version [1])","index":"osproxy-shared","shard":"0","index_uuid":"` + surfaceUUID + `"}],"type":"version_conflict_engine_exception","reason":"[acme:orders:1]: version conflict, document already exists (current version [1])","index":"osproxy-shared","shard":"0","index_uuid":"` + surfaceUUID + `"},"status":409}`},
	{Label("rule:ISO-14", "profile:security"), "a document read carrying every metadata field", "GET", "/orders/_doc/1", ``, 200, nil,
		`{"_index":"osproxy-shared","_id":"acme:orders:1","_version":1,"_seq_no":0,"_primary_term":1,"_routing":"acme","found":true,` +
			`"_source":{"_tenant":"acme","_logical_index":"orders","msg":"acme-doc"},"fields":{"_routing":["acme"],"_tenant":["acme"]}}`},
	{Label("rule:ISO-16", "profile:security"), "a document read failing with the layout in its reason", "GET", "/orders/_doc/1", ``, 400, nil,
		`{"error":{"root_cause":[{"type":"illegal_argument_exception","reason":"routing [acme] is required for [osproxy-shared] and [acme:orders:1]"}],"type":"illegal_argument_exception","reason":"routing [acme] is required for [osproxy-shared] and [acme:orders:1]"},"status":400}`},
}

var _ = Describe("11 security: surfaces scripted on the mock", Ordered, ContinueOnFailure, Label("profile:security", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		addr string
	)
	BeforeAll(func() {
		mock = startMock()
		addr = startProxy(tenancyEnv(mock.URL())).Addr
	})
	for _, c := range surfaceCases {
		It(strings.TrimPrefix(ruleOf(c.labels), "rule:")+": "+c.name, c.labels, func() {
			header := http.Header{"Content-Type": {"application/json"}}
			for k, v := range c.header {
				header[k] = v
			}
			mock.Handle("", "/*", mockupstream.Canned(c.status, header, []byte(c.answer)))
			r, err := rawSend(addr, c.method, c.target, []string{"x-tenant", "acme"}, c.body)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Status).To(Equal(c.status), "body: %s", r.Body)
			texts := responseTexts(r)
			for _, needle := range []string{"osproxy-shared", surfaceUUID, "index_uuid", "acme:orders:", "_routing", "_tenant", "_logical_index"} {
				for _, t := range texts {
					Expect(t).NotTo(ContainSubstring(needle), "ISO-24: %s leaks %q\nheaders %v\nbody %s", c.name, needle, r.Header, r.Body)
				}
			}
			if loc := r.Header.Get("Location"); loc != "" {
				Expect(loc).To(Equal("/orders/_doc/1"))
			}
		})
	}
})
