package conformance_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
)

// The tenancy flows and the documented failures against a real OpenSearch with
// its security plugin (spec/12-secured-upstream.md).
var _ = Describe("12 secured upstream on a secured OpenSearch", Label("profile:secured-upstream", "upstream:opensearch-secured"), func() {
	var (
		node     securedNode
		physical string
	)
	BeforeEach(func() {
		node = secured()
		physical = node.newSecuredIndex()
	})
	basic := func() map[string]string {
		return map[string]string{"OSPROXY_UPSTREAM_USER": "osproxy", "OSPROXY_UPSTREAM_PASSWORD_FILE": node.file("osproxy.password")}
	}
	startOn := func(extra map[string]string) *harness.Proxy {
		p := startProxy(node.proxyEnv(physical, extra))
		Eventually(p.Stderr, 30*time.Second).Should(ContainSubstring("osproxy: upstream " + node.url + ": "))
		return p
	}

	// tenancyFlows writes, reads, searches and deletes through base as two
	// tenants and checks what the node stored.
	tenancyFlows := func(base string) {
		for _, t := range []string{"acme", "globex"} {
			r := send("PUT", base+"/orders/_doc/1?refresh=true", `{"owner":"`+t+`"}`, "x-tenant", t)
			Expect(r.Status).To(Equal(201), "%s: %s", t, r.Body)
			Expect(r.JSON()).To(And(HaveKeyWithValue("_index", "orders"), HaveKeyWithValue("_id", "1")))
		}
		got := send("GET", base+"/orders/_doc/1", "", "x-tenant", "acme")
		Expect(got.Status).To(Equal(200), "body: %s", got.Body)
		sameJSON(mustMarshal(got.JSON()["_source"]), `{"owner":"acme"}`)
		for _, t := range []string{"acme", "globex"} {
			res := send("POST", base+"/orders/_search", `{"query":{"match_all":{}}}`, "x-tenant", t)
			Expect(res.Status).To(Equal(200), "body: %s", res.Body)
			hits := dig(res.JSON(), "hits", "hits").([]any)
			Expect(hits).To(HaveLen(1), t)
			Expect(hits[0]).To(And(HaveKeyWithValue("_index", "orders"), HaveKeyWithValue("_id", "1")))
			Expect(dig(hits[0], "_source", "owner")).To(Equal(t))
		}
		Expect(send("DELETE", base+"/orders/_doc/1?refresh=true", "", "x-tenant", "acme").Status).To(Equal(200))
		Expect(send("GET", base+"/orders/_doc/1", "", "x-tenant", "acme").Status).To(Equal(404))
		Expect(node.asAdmin("GET", "/"+physical+"/_doc/acme:orders:1?routing=acme", "").Status).To(Equal(404))
		stored := node.asAdmin("GET", "/"+physical+"/_doc/globex:orders:1?routing=globex", "")
		Expect(stored.Status).To(Equal(200))
		sameJSON(mustMarshal(stored.JSON()["_source"]), `{"_tenant":"globex","_logical_index":"orders","owner":"globex"}`)
	}

	It("UPS-9: serves the tenancy flows over HTTPS with basic auth from a password file", Label("rule:UPS-9", "rule:UPS-1", "rule:UPS-5", "rule:UPS-8"), func() {
		p := startOn(basic())
		Expect(p.Stderr()).To(ContainSubstring("osproxy: upstream " + node.url + ": reachable (HTTP 200)"))
		root := send("GET", p.URL+"/", "")
		Expect(root.Status).To(Equal(200), "body: %s", root.Body)
		Expect(dig(root.JSON(), "version", "number")).NotTo(BeEmpty())
		tenancyFlows(p.URL)
	})

	It("UPS-9: serves bulk, mget, update, refresh and a logical index's deletion with the proxy's narrow rights", Label("rule:UPS-9"), func() {
		base := startOn(basic()).URL
		bulk := `{"index":{"_id":"1"}}` + "\n" + `{"n":1}` + "\n" + `{"index":{"_id":"2"}}` + "\n" + `{"n":2}` + "\n"
		for _, t := range []string{"acme", "globex"} {
			r := send("POST", base+"/orders/_bulk", bulk, "x-tenant", t, "Content-Type", "application/x-ndjson")
			Expect(r.Status).To(Equal(200), "%s: %s", t, r.Body)
			Expect(r.JSON()).To(HaveKeyWithValue("errors", false), "%s: %s", t, r.Body)
		}
		up := send("POST", base+"/orders/_update/1", `{"doc":{"n":10}}`, "x-tenant", "acme")
		Expect(up.Status).To(Equal(200), "body: %s", up.Body)
		Expect(send("POST", base+"/orders/_refresh", "", "x-tenant", "acme").Status).To(Equal(200))
		mget := send("POST", base+"/orders/_mget", `{"ids":["1","2"]}`, "x-tenant", "acme")
		Expect(mget.Status).To(Equal(200), "body: %s", mget.Body)
		docs := mget.JSON()["docs"].([]any)
		Expect(docs).To(HaveLen(2))
		Expect(dig(docs[0], "_source", "n")).To(BeNumerically("==", 10))
		Expect(send("DELETE", base+"/orders", "", "x-tenant", "acme").Status).To(Equal(200))
		Expect(node.asAdmin("POST", "/"+physical+"/_refresh", "").Status).To(Equal(200))
		left := node.asAdmin("POST", "/"+physical+"/_search", `{"size":10,"query":{"match_all":{}}}`)
		Expect(dig(left.JSON(), "hits", "total", "value")).To(BeNumerically("==", 2), "only globex's two remain: %s", left.Body)
	})

	It("UPS-9: serves the tenancy flows with a client certificate alone", Label("rule:UPS-9", "rule:UPS-3"), func() {
		p := startOn(map[string]string{"OSPROXY_UPSTREAM_CLIENT_CERT": node.file("osproxy-client.pem"),
			"OSPROXY_UPSTREAM_CLIENT_KEY": node.file("osproxy-client-key.pem")})
		Expect(p.Stderr()).To(ContainSubstring("reachable (HTTP 200)"))
		tenancyFlows(p.URL)
	})

	It("UPS-5: passes requests through to the secured node with the passthrough cluster's credentials", Label("rule:UPS-5"), func() {
		env := merge(basic(), map[string]string{"OSPROXY_PASSTHROUGH_CLUSTER": "secured", "OSPROXY_PASSTHROUGH_ENDPOINT": node.url,
			"OSPROXY_PASSTHROUGH_INDICES": "osproxy-", "OSPROXY_PASSTHROUGH_CA_FILE": node.file("ca.pem"),
			"OSPROXY_PASSTHROUGH_USER": "osproxy", "OSPROXY_PASSTHROUGH_PASSWORD_FILE": node.file("osproxy.password")})
		p := startOn(env)
		r := send("PUT", p.URL+"/"+physical+"/_doc/raw?refresh=true", `{"_tenant":"t","_logical_index":"l"}`, "Authorization", "Basic Zm9vOmJhcg==")
		Expect(r.Status).To(Equal(201), "body: %s", r.Body)
		Expect(send("GET", p.URL+"/"+physical+"/_doc/raw", "").Status).To(Equal(200))
	})

	It("UPS-1: refuses the node when upstream_ca_file is another CA", Label("rule:UPS-1", "rule:UPS-7", "rule:UPS-8"), func() {
		p := startOn(merge(basic(), map[string]string{"OSPROXY_UPSTREAM_CA_FILE": node.file("other-ca.pem")}))
		Expect(p.Stderr()).To(MatchRegexp(`not usable: TLS: .*trusted CA`))
		expectTLSFailure(send("POST", p.URL+"/orders/_search", `{}`, "x-tenant", "acme"), "not signed by a trusted CA")
	})

	It("UPS-6: answers upstream_auth_failed when the node refuses the proxy's password", Label("rule:UPS-6", "rule:UPS-8"), func() {
		wrong := writeSpecFile("wrong-password", []byte("not-the-password\n"))
		p := startOn(map[string]string{"OSPROXY_UPSTREAM_USER": "osproxy", "OSPROXY_UPSTREAM_PASSWORD_FILE": wrong})
		Expect(p.Stderr()).To(ContainSubstring("not usable: the upstream rejected the proxy's credentials"))
		r := send("PUT", p.URL+"/orders/_doc/1", `{"a":1}`, "x-tenant", "acme")
		expectError(r, 502, "upstream_auth_failed")
		Expect(r.Header.Values("Www-Authenticate")).To(BeEmpty())
		Expect(string(r.Body)).NotTo(ContainSubstring("not-the-password"))
	})

	It("UPS-3: fails as TLS when the proxy's client certificate has expired", Label("rule:UPS-3", "rule:UPS-7"), func() {
		p := startOn(map[string]string{"OSPROXY_UPSTREAM_CLIENT_CERT": node.file("expired-client.pem"),
			"OSPROXY_UPSTREAM_CLIENT_KEY": node.file("expired-client-key.pem")})
		expectTLSFailure(send("GET", p.URL+"/orders/_doc/1", "", "x-tenant", "acme"), "ended the handshake")
	})
})
