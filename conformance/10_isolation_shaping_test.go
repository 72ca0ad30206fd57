package conformance_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
	"github.com/osproxy/osproxy/mockupstream"
)

// A stored hit as the cluster returns it, physical everywhere the layout shows.
const physicalHit = `{"_index":"osproxy-shared","_id":"acme:orders:7","_score":1.0,"_routing":"acme",` +
	`"_source":{"_tenant":"acme","_logical_index":"orders","x":1},` +
	`"fields":{"_id":["acme:orders:7"],"_index":["osproxy-shared"],"_routing":["acme"],"_tenant":["acme"],"x":[1]},"sort":["acme:orders:7"]}`

// expectLogical asserts a hit shows the tenant's view only.
func expectLogical(hit any, sortID bool) {
	h, ok := hit.(map[string]any)
	ExpectWithOffset(1, ok).To(BeTrue())
	ExpectWithOffset(1, h).To(And(HaveKeyWithValue("_index", "orders"), HaveKeyWithValue("_id", "7"), Not(HaveKey("_routing"))))
	ExpectWithOffset(1, h["_source"]).To(Equal(map[string]any{"x": float64(1)}))
	ExpectWithOffset(1, h["fields"]).To(Equal(map[string]any{"_id": []any{"7"}, "_index": []any{"orders"}, "x": []any{float64(1)}}))
	if sortID {
		ExpectWithOffset(1, h["sort"]).To(Equal([]any{"7"}))
	}
}

var _ = Describe("10 isolation: shaping every surface", Label("profile:security", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	BeforeEach(func() {
		mock = startMock()
		base = startProxy(tenancyEnv(mock.URL())).URL
	})

	It("ISO-14: shapes a hit whose member names the cluster wrote with escapes, as it shapes them unescaped", Label("rule:ISO-14"), func() {
		escaped := strings.NewReplacer(`"_index":"osproxy-shared"`, `"\u005findex":"osproxy-shared"`,
			`"_id":"acme:orders:7"`, `"\u005f\u0069d":"acme:orders:7"`, `"_routing":"acme"`, `"\u005frouting":"acme"`,
			`"_source":{"_tenant"`, `"\u005fsource":{"\u005ftenant"`, `"_logical_index"`, `"_logical\u005findex"`).Replace(physicalHit)
		Expect(escaped).NotTo(ContainSubstring(`"_source"`)) // the replacements took
		mock.Handle("POST", "/*", mockupstream.JSON(200, `{"took":1,"hits":{"total":{"value":1},"hits":[`+escaped+`]}}`))
		r := send("POST", base+"/orders/_search", `{"sort":[{"_id":"asc"}],"fields":["_id","_*","x"]}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(200))
		Expect(string(r.Body)).NotTo(Or(ContainSubstring("osproxy-shared"), ContainSubstring("acme:"), ContainSubstring("tenant"), ContainSubstring("routing")))
		expectLogical(dig(r.JSON(), "hits", "hits").([]any)[0], true)
	})

	It("ISO-14: shapes top-level hits, fields and sort values on _id, and the hits of top_hits at any depth", Label("rule:ISO-14"), func() {
		// A top_hits hit has no sort on _id: only the top-level sort may have one (ISO-9).
		nested := strings.Replace(physicalHit, `,"sort":["acme:orders:7"]`, ``, 1)
		mock.Handle("POST", "/*", mockupstream.JSON(200, `{"took":1,"hits":{"total":{"value":1},"hits":[`+physicalHit+`]},`+
			`"aggregations":{"t":{"buckets":[{"key":"a","doc_count":1,"top":{"hits":{"total":{"value":1},"hits":[`+nested+`]}}}]},`+
			`"top_hits#typed":{"hits":{"hits":[`+nested+`]}}}}`))
		r := send("POST", base+"/orders/_search?typed_keys=true", `{"sort":[{"_id":"asc"}],"fields":["_id","_*","x"],`+
			`"aggs":{"t":{"terms":{"field":"k"},"aggs":{"top":{"top_hits":{}}}},"typed":{"top_hits":{}}}}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(200))
		Expect(string(r.Body)).NotTo(Or(ContainSubstring("osproxy-shared"), ContainSubstring("acme:"), ContainSubstring("_tenant"), ContainSubstring("_routing")))
		res := r.JSON()
		expectLogical(dig(res, "hits", "hits").([]any)[0], true)
		bucket := dig(res, "aggregations", "t", "buckets").([]any)[0]
		expectLogical(dig(bucket, "top", "hits", "hits").([]any)[0], false)
		expectLogical(dig(res, "aggregations", "top_hits#typed", "hits", "hits").([]any)[0], false)
	})

	It("ISO-15: names the logical index in _shards.failures and drops index_uuid", Label("rule:ISO-15"), func() {
		mock.Handle("POST", "/*", mockupstream.JSON(200, `{"took":1,"_shards":{"total":2,"successful":1,"failed":1,"failures":[`+
			`{"shard":1,"index":"osproxy-shared","node":"n1","reason":{"type":"script_exception","reason":"boom in [osproxy-shared] on [acme:orders:7]",`+
			`"index":"osproxy-shared","index_uuid":"Zq3"}}]},"hits":{"hits":[]}}`))
		r := send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(200))
		failure := dig(r.JSON(), "_shards", "failures").([]any)[0]
		Expect(failure).To(HaveKeyWithValue("index", "orders"))
		Expect(dig(failure, "reason")).To(Equal(map[string]any{"type": "script_exception", "reason": "boom in [orders] on [7]", "index": "orders"}))
	})

	It("ISO-16: sanitizes an upstream error: logical index and ids, no index_uuid, no echo of the layout", Label("rule:ISO-16"), func() {
		warning := `299 OpenSearch-2 "Deprecated field [x] used in [osproxy-shared]"`
		mock.Handle("POST", "/*", mockupstream.HeadersOut(http.Header{"Warning": {warning}}, mockupstream.JSON(400, `{"error":{"root_cause":[{"type":"query_shard_exception","reason":"failed to create query: `+
			`{\"bool\":{\"filter\":[{\"term\":{\"_tenant\":\"acme\"}}]}}","index":"osproxy-shared","index_uuid":"Zq3"}],"type":"search_phase_execution_exception",`+
			`"reason":"all shards failed","failed_shards":[{"shard":0,"index":"osproxy-shared","reason":{"type":"x","reason":"doc [acme:orders:7] in [osproxy-shared]"}}]},"status":400}`)))
		r := send("POST", base+"/orders/_search", `{}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(400))
		Expect(r.Header.Get("Warning")).To(Equal(`299 OpenSearch-2 "Deprecated field [x] used in [orders]"`))
		Expect(string(r.Body)).NotTo(Or(ContainSubstring("osproxy-shared"), ContainSubstring("index_uuid"), ContainSubstring("_tenant"), ContainSubstring("acme:")))
		res := r.JSON()
		Expect(dig(res, "error", "root_cause").([]any)[0]).To(HaveKeyWithValue("reason",
			"the query failed; the cluster's message named the proxy's layout and was withheld"))
		Expect(dig(dig(res, "error", "failed_shards").([]any)[0], "reason", "reason")).To(Equal("doc [7] in [orders]"))
	})

	It("ISO-17: answers a write with the logical Location", Label("rule:ISO-17"), func() {
		mock.Handle("PUT", "/*", mockupstream.HeadersOut(http.Header{"Location": {"/osproxy-shared/_doc/acme%3Aorders%3Aa%2Fb?routing=acme"}},
			mockupstream.JSON(201, `{"_index":"osproxy-shared","_id":"acme:orders:a/b","result":"created"}`)))
		requireForwardedWrite(base, mock)
		r := send("PUT", base+"/orders/_doc/a%2Fb", `{"x":1}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(201))
		Expect(r.Header.Get("Location")).To(Equal("/orders/_doc/a%2Fb"))
		sameJSON(r.Body, `{"_index":"orders","_id":"a/b","result":"created"}`)
	})

	It("ISO-18: streams a document larger than any buffer through the shaper", Label("rule:ISO-18"), func() {
		big := strings.Repeat("abcdefgh", 3<<20/8)
		mock.Handle("GET", "/*", mockupstream.JSON(200, `{"_index":"osproxy-shared","_id":"acme:orders:1","_version":1,"_routing":"acme",`+
			`"found":true,"_source":{"_tenant":"acme","big":"`+big+`","_logical_index":"orders","n":1}}`))
		r := send("GET", base+"/orders/_doc/1", "", "x-tenant", "acme")
		Expect(r.Status).To(Equal(200))
		res := r.JSON()
		Expect(res).To(And(HaveKeyWithValue("_index", "orders"), HaveKeyWithValue("_id", "1"), Not(HaveKey("_routing"))))
		Expect(res["_source"]).To(Equal(map[string]any{"big": big, "n": float64(1)}))
	})

	It("ISO-23: refuses an id whose physical form would exceed 512 bytes, before the upstream", Label("rule:ISO-23"), func() {
		mock.Handle("", "/*", mockupstream.JSON(200, `{}`))
		ok := strings.Repeat("i", 512-len("acme:orders:"))
		Expect(send("GET", base+"/orders/_doc/"+ok, "", "x-tenant", "acme").Status).To(Equal(200))
		expectError(send("GET", base+"/orders/_doc/"+ok+"i", "", "x-tenant", "acme"), 400, "invalid_document_id")
		expectError(send("PUT", base+"/orders/_doc/"+ok+"i", `{}`, "x-tenant", "acme"), 400, "invalid_document_id")
		Expect(mock.Requests()).To(HaveLen(1))
	})
})

var _ = Describe("10 isolation: hardening", Label("profile:security", "upstream:mock"), func() {
	It("ISO-19: reserves no memory for a declared Content-Length before the bytes arrive", Label("rule:ISO-19"), func() {
		mock := startMock()
		p := startProxy(tenancyEnv(mock.URL()))
		idle, err := harness.RSS(p.PID)
		Expect(err).NotTo(HaveOccurred())
		var conns []net.Conn
		DeferCleanup(func() {
			for _, c := range conns {
				_ = c.Close()
			}
		})
		peak, err := harness.PeakRSSDuring(p.PID, 5*time.Millisecond, func() {
			for range 50 {
				c, err := net.Dial("tcp", p.Addr)
				Expect(err).NotTo(HaveOccurred())
				conns = append(conns, c)
				_, err = fmt.Fprintf(c, "POST /orders/_search HTTP/1.1\r\nHost: x\r\nx-tenant: acme\r\nContent-Type: application/json\r\nContent-Length: 8000000\r\n\r\n{")
				Expect(err).NotTo(HaveOccurred())
			}
			time.Sleep(time.Second) // let every handler start its read
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(peak-idle).To(BeNumerically("<", 32<<20), "RSS grew from %d to %d", idle, peak)
	})

	It("ISO-20: ends a request whose body stops arriving after body_read_timeout with 408", Label("rule:ISO-20"), func() {
		mock := startMock()
		env := tenancyEnv(mock.URL())
		env["OSPROXY_BODY_READ_TIMEOUT"] = "300ms"
		p := startProxy(env)
		c, err := net.Dial("tcp", p.Addr)
		Expect(err).NotTo(HaveOccurred())
		defer c.Close()
		_, err = fmt.Fprintf(c, "POST /orders/_search HTTP/1.1\r\nHost: x\r\nx-tenant: acme\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
		Expect(err).NotTo(HaveOccurred())
		Expect(c.SetReadDeadline(time.Now().Add(10 * time.Second))).To(Succeed())
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(408))
		Expect(resp.Close).To(BeTrue(), "the connection must close")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("ISO-21: passes a comma list through only when every item matches a prefix", Label("rule:ISO-21"), func() {
		mock := startMock()
		mock.Handle("", "/*", mockupstream.JSON(200, `{"hits":{"hits":[]}}`))
		env := passthroughEnv(mock.URL())
		env["OSPROXY_PASSTHROUGH_INDICES"] = "logs-"
		base := startProxy(env).URL
		Expect(send("GET", base+"/logs-a,logs-b/_search", "").Status).To(Equal(200))
		Expect(onlyRequest(mock).RawPath).To(Equal("/logs-a,logs-b/_search"))
		for _, target := range []string{"/logs-a,osproxy-shared/_search", "/logs-a%2Cosproxy-shared/_search", "/logs-a,*/_search", "/logs-*,-logs-x/_search"} {
			expectError(send("GET", base+target, "", "x-tenant", "acme"), 400, "invalid_index_name")
		}
		Expect(mock.Requests()).To(HaveLen(1))
	})

	It("ISO-22: answers a malformed percent-encoding in the target with the OpenSearch envelope", Label("rule:ISO-22"), func() {
		mock := startMock()
		p := startProxy(tenancyEnv(mock.URL()))
		for _, target := range []string{"/orders%zz/_search", "/orders/_doc/a%zz", "/orders/_search?size=%zz"} {
			c, err := net.Dial("tcp", p.Addr)
			Expect(err).NotTo(HaveOccurred())
			_, err = fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nx-tenant: acme\r\n\r\n", target)
			Expect(err).NotTo(HaveOccurred())
			Expect(c.SetReadDeadline(time.Now().Add(10 * time.Second))).To(Succeed())
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			Expect(err).NotTo(HaveOccurred())
			body, err := io.ReadAll(resp.Body)
			Expect(err).NotTo(HaveOccurred())
			c.Close()
			expectError(response{Status: resp.StatusCode, Header: resp.Header, Body: body}, 400, "malformed_request")
		}
		Expect(mock.Requests()).To(BeEmpty())
	})
})
