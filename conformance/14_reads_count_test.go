package conformance_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// _count, _validate/query and the by-query endpoints (READ-9, READ-12, READ-19, READ-20):
// what reaches the upstream, on the mock and, behind a recording proxy, a real cluster.
var _ = Describe("14 reads: count, validation and by-query", Label("profile:tenancy-reads"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	BeforeEach(func() {
		mock = searchUpstream()
		base = readsProxy(mock)
	})

	It("READ-9: sends a count as POST to the physical index, routed, with only the wrapped query", Label("rule:READ-9"), func() {
		asAcme("GET", base+"/orders/_count", "")
		rec := onlyRequest(mock)
		Expect(rec.Method).To(Equal("POST"))
		Expect(rec.RequestURI).To(Equal("/osproxy-shared/_count?routing=acme"))
		Expect(string(rec.BodyPrefix)).To(Equal(`{"query":` + wrappedIn(ordersTerm, matchAllQ) + `}`))
		mock.Reset()
		asAcme("POST", base+"/orders/_count", `{ "query" : {"match":{"msg":{"query":"a","operator":"AND"}}} }`)
		Expect(string(onlyRequest(mock).BodyPrefix)).To(Equal(`{"query":` + wrappedIn(ordersTerm, `{"match":{"msg":{"query":"a","operator":"and"}}}`) + `}`))
		mock.Reset()
		for _, b := range []string{`{"size":1}`, `{"query":{"match_all":{}},"aggs":{}}`, `{"query":{"term":{"_tenant":"globex"}}}`} {
			expectError(asAcme("POST", base+"/orders/_count", b), 400, "unsupported_query")
		}
		expectError(asAcme("POST", base+"/orders/_count", `{"query":`), 400, "malformed_body")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("READ-12: judges a validation like a count, sends it without routing and refuses what shows the wrapped query", Label("rule:READ-12"), func() {
		asAcme("POST", base+"/orders/_validate/query", `{"query":{"term":{"s":"x"}}}`)
		rec := onlyRequest(mock)
		Expect(rec.Method + " " + rec.RequestURI).To(Equal("POST /osproxy-shared/_validate/query"))
		Expect(string(rec.BodyPrefix)).To(Equal(`{"query":` + wrappedIn(ordersTerm, `{"term":{"s":"x"}}`) + `}`))
		mock.Reset()
		for _, q := range []string{"explain=true", "rewrite=true", "all_shards=true", "explain=false"} {
			expectError(asAcme("GET", base+"/orders/_validate/query?"+q, ""), 400, "unsupported_parameter")
		}
		expectError(asAcme("POST", base+"/orders/_validate/query", `{"query":{"percolate":{}}}`), 400, "unsupported_query")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("READ-19: sends a by-query request routed, with its body and parameters judged and its query wrapped", Label("rule:READ-19"), func() {
		asAcme("POST", base+"/orders,invoices/_delete_by_query?conflicts=proceed&refresh=true&max_docs=10.0&requests_per_second=-1",
			`{"max_docs":"5","query":{"range":{"n":{"gte":"1"}}},"conflicts":"ABORT"}`)
		rec := onlyRequest(mock)
		Expect(rec.RequestURI).To(Equal("/osproxy-shared/_delete_by_query?routing=acme&conflicts=proceed&refresh=true&max_docs=10&requests_per_second=-1"))
		Expect(string(rec.BodyPrefix)).To(Equal(`{"max_docs":5,"query":` + wrappedIn(twoIndexTerm, `{"range":{"n":{"gte":"1"}}}`) + `,"conflicts":"abort"}`))
		mock.Reset()
		asAcme("POST", base+"/orders/_update_by_query", ``)
		rec = onlyRequest(mock)
		Expect(rec.RequestURI).To(Equal("/osproxy-shared/_update_by_query?routing=acme"))
		Expect(string(rec.BodyPrefix)).To(Equal(`{"query":` + wrappedIn(ordersTerm, matchAllQ) + `}`))
		mock.Reset()
		for _, b := range []string{`{"script":{"source":"ctx._source._tenant='globex'"}}`, `{"query":{"match_all":{}},"size":1}`,
			`{"slice":{"id":0,"max":2}}`, `{"max_docs":0}`} {
			expectError(asAcme("POST", base+"/orders/_update_by_query", b), 400, "unsupported_query")
		}
		expectError(asAcme("POST", base+"/orders/_delete_by_query", `{"script":{"source":"1"}}`), 400, "unsupported_query")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("READ-19: judges an update-by-query script by the script policy when inline scripts are allowed", Label("rule:READ-19"), func() {
		scripts := readsProxy(mock, "OSPROXY_ALLOW_INLINE_SCRIPTS", "true")
		expectError(asAcme("POST", scripts+"/orders/_update_by_query", `{"script":{"source":"ctx._source.n = 1"}}`), 400, "unsupported_query")
		expectError(asAcme("POST", scripts+"/orders/_update_by_query", `{"script":{"id":"stored"}}`), 400, "unsupported_query")
		Expect(mock.Requests()).To(BeEmpty())
		asAcme("POST", scripts+"/orders/_update_by_query", `{"script":{"source":"doc['n'].value > 1","lang":"PAINLESS"}}`)
		Expect(rawMember(onlyRequest(mock).BodyPrefix, "script")).To(Equal(`{"source":"doc['n'].value > 1","lang":"painless"}`))
	})

	It("READ-20: refuses a by-query request that would run as a background task", Label("rule:READ-20"), func() {
		for _, q := range []string{"wait_for_completion=false", "wait_for_completion=no", "wait_for_completion="} {
			expectError(asAcme("POST", base+"/orders/_delete_by_query?"+q, `{}`), 400, "unsupported_parameter")
			expectError(asAcme("POST", base+"/orders/_update_by_query?"+q, `{}`), 400, "unsupported_parameter")
		}
		Expect(mock.Requests()).To(BeEmpty())
		asAcme("POST", base+"/orders/_delete_by_query?wait_for_completion=true", `{}`)
		Expect(onlyRequest(mock).RawQuery).To(Equal("routing=acme&wait_for_completion=true"))
	})

})

// Answers the mock scripts: a count's _shards, a validation, by-query failures (READ-10,
// READ-12, READ-21); a real cluster's are in 14_reads_real_test.go.
var _ = Describe("14 reads: count and by-query, scripted answers", Label("profile:tenancy-reads", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	BeforeEach(func() {
		mock = startMock()
		base = readsProxy(mock)
	})

	It("READ-10: relays the count with its _shards shaped and its errors sanitized", Label("rule:READ-10"), func() {
		mock.Handle("", "/*", mockupstream.JSON(200, `{"count":3,"_shards":{"total":2,"successful":1,"skipped":0,"failed":1,`+
			`"failures":[{"shard":0,"index":"osproxy-shared","node":"n","reason":{"type":"x","reason":"boom on [osproxy-shared][acme:orders:7]","index_uuid":"u"}}]}}`))
		r := asAcme("GET", base+"/orders/_count", "")
		Expect(r.Status).To(Equal(200))
		sameJSON(r.Body, `{"count":3,"_shards":{"total":2,"successful":1,"skipped":0,"failed":1,`+
			`"failures":[{"shard":0,"index":"orders","node":"n","reason":{"type":"x","reason":"boom on [orders][7]"}}]}}`)
		mock.Handle("", "/*", mockupstream.JSON(400, `{"error":{"root_cause":[{"type":"q","reason":"bad [osproxy-shared]","index":"osproxy-shared","index_uuid":"u"}],"type":"q","reason":"bad"},"status":400}`))
		r = asAcme("GET", base+"/orders/_count", "")
		Expect(r.Status).To(Equal(400))
		sameJSON(r.Body, `{"error":{"root_cause":[{"type":"q","reason":"bad [orders]","index":"orders"}],"type":"q","reason":"bad"},"status":400}`)
	})

	It("READ-12: relays a validation's answer as the cluster gave it", Label("rule:READ-12"), func() {
		mock.Handle("", "/*", mockupstream.JSON(200, `{"_shards":{"total":1,"successful":1,"failed":0},"valid":true}`))
		r := asAcme("POST", base+"/orders/_validate/query", `{"query":{"term":{"s":"x"}}}`)
		Expect(r.Status).To(Equal(200))
		sameJSON(r.Body, `{"_shards":{"total":1,"successful":1,"failed":0},"valid":true}`)
	})

	It("READ-21: names the logical index and ids in a by-query answer's failures", Label("rule:READ-21"), func() {
		mock.Handle("", "/*", mockupstream.JSON(200, `{"took":3,"timed_out":false,"total":2,"deleted":0,"batches":1,"version_conflicts":2,`+
			`"failures":[{"index":"osproxy-shared","id":"acme:invoices:7","cause":{"type":"version_conflict_engine_exception",`+
			`"reason":"[acme:invoices:7]: version conflict","index":"osproxy-shared","shard":"0","index_uuid":"u"},"status":409},`+
			`{"index":"osproxy-shared","id":"acme:orders:x:y","cause":{"type":"v","reason":"[acme:orders:x:y]: v","index":"osproxy-shared"},"status":409}]}`))
		r := asAcme("POST", base+"/orders,invoices/_delete_by_query", `{}`)
		Expect(r.Status).To(Equal(200))
		sameJSON(r.Body, `{"took":3,"timed_out":false,"total":2,"deleted":0,"batches":1,"version_conflicts":2,`+
			`"failures":[{"index":"invoices","id":"7","cause":{"type":"version_conflict_engine_exception","reason":"[7]: version conflict",`+
			`"index":"invoices","shard":"0"},"status":409},{"index":"orders","id":"x:y","cause":{"type":"v","reason":"[x:y]: v","index":"orders"},"status":409}]}`)
		r = asAcme("POST", base+"/orders/_delete_by_query", `{}`)
		Expect(string(r.Body)).NotTo(Or(ContainSubstring("osproxy-shared"), ContainSubstring("acme:"), ContainSubstring("index_uuid")))
	})
})
