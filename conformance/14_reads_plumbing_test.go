package conformance_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// Endpoints refused, node discovery and the gate (READ-36..40, READ-42): on the mock and,
// behind a recording proxy, on a real cluster.
var _ = Describe("14 reads: plumbing", Label("profile:tenancy-reads"), func() {
	var (
		mock          *mockupstream.Server
		base          string
		name, version string // the cluster's, as GET / relays them (TEN-12)
	)
	BeforeEach(func() {
		mock = startUpstream()
		if upstreamMode == "mock" {
			mock.Handle("GET", "/", mockClusterRoot)
		}
		base = readsProxy(mock)
		root := send("GET", base+"/", "").JSON()
		name, version = root["cluster_name"].(string), dig(root, "version", "number").(string)
		mock.Reset()
	})

	It("READ-36: refuses field capabilities, which list the shared mapping", Label("rule:READ-36"), func() {
		for _, c := range [][2]string{{"GET", "/orders/_field_caps?fields=*"}, {"POST", "/_field_caps?fields=a"},
			{"GET", "/orders,invoices/_field_caps"}, {"POST", "/orders/_field_caps"}} {
			expectError(asAcme(c[0], base+c[1], ""), 400, "unsupported_endpoint")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("READ-37: refuses search templates, which the cluster renders after the proxy judged them", Label("rule:READ-37"), func() {
		for _, c := range [][2]string{{"POST", "/orders/_search/template"}, {"GET", "/_search/template"}, {"POST", "/_msearch/template"},
			{"POST", "/orders/_msearch/template"}, {"POST", "/_render/template"}, {"GET", "/_render/template/tpl"}} {
			expectError(asAcme(c[0], base+c[1], `{"source":{"query":{"match_all":{}}}}`), 400, "unsupported_endpoint")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("READ-38: refuses the endpoints of every tenant's points in time", Label("rule:READ-38"), func() {
		for _, m := range []string{"GET", "DELETE"} {
			expectError(asAcme(m, base+"/_search/point_in_time/_all", ""), 400, "unsupported_endpoint")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("READ-39: answers node discovery with the proxy itself, at the address the client used", Label("rule:READ-39"), func() {
		addr := strings.TrimPrefix(base, "http://")
		for _, path := range []string{"/_nodes/http", "/_nodes/_all/http", "/_nodes", "/_nodes/_local", "/_nodes/_all/http,jvm", "/_nodes/*/_all"} {
			r := send("GET", base+path, "")
			Expect(r.Status).To(Equal(200), "%s: %s", path, r.Body)
			res := r.JSON()
			Expect(res["_nodes"]).To(Equal(map[string]any{"total": 1.0, "successful": 1.0, "failed": 0.0}))
			Expect(res["cluster_name"]).To(Equal(name))
			nodes := res["nodes"].(map[string]any)
			Expect(nodes).To(HaveLen(1))
			for id, n := range nodes {
				Expect(id).To(MatchRegexp(`^[A-Za-z0-9_-]{22}$`))
				Expect(n).To(And(HaveKeyWithValue("version", version), HaveKeyWithValue("roles", ConsistOf("data", "ingest"))))
				Expect(dig(n, "http", "publish_address")).To(Equal(addr))
			}
		}
		req, err := http.NewRequest("GET", base+"/_nodes/http", nil)
		Expect(err).NotTo(HaveOccurred())
		req.Host = "proxy.example:9443"
		resp, err := client.Do(req)
		Expect(err).NotTo(HaveOccurred())
		named, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		Expect(string(named)).To(ContainSubstring(`"publish_address":"proxy.example:9443"`))
		Expect(send("HEAD", base+"/_nodes/http", "").Status).To(Equal(200))
		sameJSON(send("GET", base+"/_nodes/nobody/http", "").Body, `{"_nodes":{"total":0,"successful":0,"failed":0},"cluster_name":"`+name+`","nodes":{}}`)
		expectError(send("GET", base+"/_nodes/_all/secrets", ""), 400, "unsupported_endpoint")
		expectError(send("GET", base+"/_nodes/http?level=x", ""), 400, "unsupported_parameter")
		for _, rec := range mock.Requests() {
			Expect(rec.Method+" "+rec.RequestURI).To(Equal("GET /"), "only the cluster's root is asked")
		}
	})

	It("READ-40: applies filter_path to its node answer itself", Label("rule:READ-40"), func() {
		addr := strings.TrimPrefix(base, "http://")
		r := send("GET", base+"/_nodes?filter_path=nodes.*.version,nodes.*.http.publish_address,nodes.*.ip", "")
		Expect(r.Status).To(Equal(200))
		for _, n := range r.JSON()["nodes"].(map[string]any) {
			Expect(n).To(Equal(map[string]any{"version": version, "ip": strings.Split(addr, ":")[0],
				"http": map[string]any{"publish_address": addr}}))
		}
		sameJSON(send("GET", base+"/_nodes/http?filter_path=_nodes.total,cluster_name", "").Body, `{"_nodes":{"total":1},"cluster_name":"`+name+`"}`)
		sameJSON(send("GET", base+"/_nodes/http?filter_path=**.publish_address", "").Body,
			`{"nodes":{"`+firstNodeID(base)+`":{"http":{"publish_address":"`+addr+`"}}}}`)
		r = send("GET", base+"/_nodes/http?filter_path=-nodes,-_nodes", "")
		sameJSON(r.Body, `{"cluster_name":"`+name+`"}`)
		sameJSON(send("GET", base+"/_nodes/http?filter_path=nothing.here", "").Body, `{}`)
	})

	It("READ-42: passes the gate before any read reaches the cluster", Label("rule:READ-42"), func() {
		tokens := readsProxy(mock, "OSPROXY_TOKENS", "tok-a=svc:acme")
		guarded := readsProxy(mock, "OSPROXY_ALLOW_CLEARTEXT_MUTATION", "false")
		mock.Reset()
		for _, c := range [][3]string{{"GET", "/orders/_count", ""}, {"POST", "/_msearch", "{}\n{}\n"}, {"GET", "/_nodes/http", ""},
			{"GET", "/_cluster/health", ""}, {"POST", "/_search/scroll", `{"scroll_id":"x"}`}, {"POST", "/orders/_delete_by_query", `{}`},
			{"POST", "/orders/_search/point_in_time?keep_alive=1m", ""}, {"DELETE", "/_search/point_in_time", `{"pit_id":"x"}`}} {
			expectError(send(c[0], tokens+c[1], c[2]), 401, "authentication_required")
			if !strings.HasPrefix(c[1], "/_nodes") && !strings.HasPrefix(c[1], "/_cluster") { // no tenant there
				expectError(send(c[0], tokens+c[1], c[2], "Authorization", "Bearer tok-a", "x-tenant", "globex"), 403, "tenant_forbidden")
			}
			expectError(send(c[0], guarded+c[1], c[2], "x-tenant", "acme"), 403, "tls_required")
		}
		for _, target := range []string{"/orders/_count", "/_search/scroll", "/_msearch"} {
			expectError(send("POST", base+target, `{}`), 400, "tenant_required")
		}
		Expect(mock.Requests()).To(BeEmpty())
		Expect(send("GET", tokens+"/_nodes/http", "", "Authorization", "Bearer tok-a").Status).To(Equal(200))
	})

})

// Cluster health and relayed errors with answers the mock scripts (READ-41, READ-43); a
// real cluster's are in 14_reads_real_test.go.
var _ = Describe("14 reads: plumbing, scripted answers", Label("profile:tenancy-reads", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	BeforeEach(func() {
		mock = startMock()
		base = readsProxy(mock)
	})

	It("READ-41: relays cluster health read-only with cluster-wide figures only", Label("rule:READ-41"), func() {
		mock.Handle("GET", "/_cluster/health", mockupstream.JSON(200, `{"cluster_name":"conformance","status":"yellow","timed_out":false,`+
			`"number_of_nodes":1,"number_of_data_nodes":1,"active_primary_shards":4,"active_shards":4,"unassigned_shards":2,`+
			`"active_shards_percent_as_number":66.6,"indices":{"osproxy-shared":{"status":"yellow"}},"extra":"x"}`))
		r := send("GET", base+"/_cluster/health?wait_for_status=yellow&timeout=5s&local=true&level=cluster", "")
		Expect(r.Status).To(Equal(200))
		sameJSON(r.Body, `{"cluster_name":"conformance","status":"yellow","timed_out":false,"number_of_nodes":1,"number_of_data_nodes":1,`+
			`"active_primary_shards":4,"active_shards":4,"unassigned_shards":2,"active_shards_percent_as_number":66.6}`)
		rec, _ := mock.LastRequest()
		q, _ := url.ParseQuery(rec.RawQuery)
		Expect(rec.Method + " " + rec.RawPath).To(Equal("GET /_cluster/health"))
		Expect(q).To(Equal(url.Values{"wait_for_status": {"yellow"}, "timeout": {"5s"}, "local": {"true"}, "level": {"cluster"}}))
		mock.Handle("GET", "/_cluster/health", mockupstream.JSON(408, `{"cluster_name":"conformance","status":"red","timed_out":true}`))
		r = send("GET", base+"/_cluster/health?wait_for_status=green&timeout=1ms", "")
		Expect(r.Status).To(Equal(408))
		sameJSON(r.Body, `{"cluster_name":"conformance","status":"red","timed_out":true}`)
		mock.Reset()
		expectError(send("GET", base+"/_cluster/health/orders", ""), 400, "unsupported_endpoint")
		for _, q := range []string{"level=indices", "level=shards", "routing=x"} {
			expectError(send("GET", base+"/_cluster/health?"+q, ""), 400, "unsupported_parameter")
		}
		expectError(send("PUT", base+"/_cluster/health", ""), 400, "unsupported_endpoint")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("READ-43: relays a cluster error to any read sanitized for its view", Label("rule:READ-43"), func() {
		mock.Handle("", "/*", mockupstream.JSON(404, `{"error":{"root_cause":[{"type":"search_context_missing_exception",`+
			`"reason":"No search context found in [osproxy-shared] for [acme:orders:1]","index":"osproxy-shared","index_uuid":"u"}],`+
			`"type":"search_phase_execution_exception","reason":"all shards failed"},"status":404}`))
		want := `{"error":{"root_cause":[{"type":"search_context_missing_exception","reason":"No search context found in [orders] for [1]","index":"orders"}],` +
			`"type":"search_phase_execution_exception","reason":"all shards failed"},"status":404}`
		for _, c := range [][3]string{{"GET", "/orders/_count", ""}, {"POST", "/orders/_msearch", "{}\n{}\n"},
			{"POST", "/orders/_delete_by_query", `{}`}, {"POST", "/orders/_update_by_query", `{}`}, {"POST", "/orders/_validate/query", `{}`},
			{"POST", "/orders/_search?scroll=1m", `{}`}, {"POST", "/orders/_search/point_in_time?keep_alive=1m", ``}} {
			r := asAcme(c[0], base+c[1], c[2])
			Expect(r.Status).To(Equal(404), "%s: %s", c[1], r.Body)
			sameJSON(r.Body, want)
		}
		mock.Handle("POST", "/osproxy-shared/_search", mockupstream.JSON(200, searchPage(`"_scroll_id":"R"`)))
		id := jsonField(asAcme("POST", base+"/orders/_search?scroll=1m", `{}`), "_scroll_id")
		r := asAcme("POST", base+"/_search/scroll", `{"scroll_id":"`+id+`"}`)
		Expect(r.Status).To(Equal(404))
		sameJSON(r.Body, want)
	})
})

// firstNodeID reads the proxy's node id.
func firstNodeID(base string) string {
	for id := range send("GET", base+"/_nodes/http", "").JSON()["nodes"].(map[string]any) {
		return id
	}
	return ""
}
