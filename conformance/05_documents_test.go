package conformance_test

import (
	"net/url"
	"regexp"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

var _ = Describe("05 documents", Label("profile:tenancy", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	BeforeEach(func() {
		mock = startMock()
		base = startProxy(tenancyEnv(mock.URL())).URL
	})

	It("DOC-1: stores a document by id, and with op_type=create through _create", Label("rule:DOC-1"), func() {
		mock.Handle("", "/*", mockupstream.JSON(201, `{"_index":"osproxy-shared","_id":"acme:orders:7","_version":1,"result":"created"}`))
		Expect(send("POST", base+"/orders/_doc/7", `{"a":1}`, "x-tenant", "acme").Status).To(Equal(201))
		Expect(send("PUT", base+"/orders/_create/7", `{"a":1}`, "x-tenant", "acme").Status).To(Equal(201))
		reqs := mock.Requests()
		Expect(reqs).To(HaveLen(2))
		for i, wantQuery := range []url.Values{{"routing": {"acme"}}, {"routing": {"acme"}, "op_type": {"create"}}} {
			index, id, q := docTarget(reqs[i])
			Expect([]string{reqs[i].Method, index, id}).To(Equal([]string{"PUT", "osproxy-shared", "acme:orders:7"}))
			Expect(q).To(Equal(wantQuery))
		}
		sameJSON(reqs[1].BodyPrefix, `{"_tenant":"acme","_logical_index":"orders","a":1}`)
	})

	It("DOC-2: gives a document posted without an id a new random 20-character id", Label("rule:DOC-2"), func() {
		mock.Handle("", "/*", mockupstream.ResponderFunc(func(w2 httpWriter, req *mockupstream.Request) {
			echoID(w2, req)
		}))
		r1 := send("POST", base+"/orders/_doc", `{"a":1}`, "x-tenant", "acme")
		r2 := send("POST", base+"/orders/_doc", `{"a":2}`, "x-tenant", "acme")
		Expect(r1.Status).To(Equal(201))
		id1, id2 := r1.JSON()["_id"].(string), r2.JSON()["_id"].(string)
		Expect(id1).To(MatchRegexp(`^[A-Za-z0-9_-]{20}$`))
		Expect(id2).To(MatchRegexp(`^[A-Za-z0-9_-]{20}$`))
		Expect(id1).NotTo(Equal(id2))
		_, id, q := docTarget(mock.Requests()[0])
		Expect(id).To(Equal("acme:orders:" + id1))
		Expect(q["routing"]).To(Equal([]string{"acme"}))
	})

	It("DOC-3: keeps an id as one path segment upstream and refuses empty or oversized ids", Label("rule:DOC-3"), func() {
		mock.Handle("", "/*", mockupstream.JSON(200, `{"_index":"osproxy-shared","_id":"x","found":false}`))
		send("GET", base+"/orders/_doc/..%2F..%2Fosproxy-shared%2F_doc%2Fglobex%3A1", "", "x-tenant", "acme")
		// One path segment, whatever characters it escapes: docTarget requires
		// exactly /{index}/_doc/{id}.
		_, id, _ := docTarget(onlyRequest(mock))
		Expect(id).To(HaveSuffix(":../../osproxy-shared/_doc/globex:1"), "the client's id, decoded once, ends the physical id (TEN-7 fixes the rest)")
		long := regexp.MustCompile(`.`).ReplaceAllString(string(make([]byte, 513)), "a")
		expectError(send("GET", base+"/orders/_doc/"+long, "", "x-tenant", "acme"), 400, "invalid_document_id")
		expectError(send("GET", base+"/orders/_doc/", "", "x-tenant", "acme"), 400, "invalid_document_id")
	})

	It("DOC-4: reads a document as a hit, and a missing one as found:false with logical names", Label("rule:DOC-4"), func() {
		mock.Handle("GET", "/*", mockupstream.JSON(200, `{"_index":"osproxy-shared","_id":"acme:orders:7","_version":2,"_routing":"acme","found":true,"_source":{"_tenant":"acme","_logical_index":"orders","msg":"hi"}}`))
		r := send("GET", base+"/orders/_doc/7", "", "x-tenant", "acme")
		Expect(r.Status).To(Equal(200))
		sameJSON(r.Body, `{"_index":"orders","_id":"7","_version":2,"found":true,"_source":{"msg":"hi"}}`)
		_, id, q := docTarget(mock.Requests()[0])
		Expect(id).To(Equal("acme:orders:7"))
		Expect(q["routing"]).To(Equal([]string{"acme"}))
		mock.Handle("GET", "/*", mockupstream.JSON(404, `{"_index":"osproxy-shared","_id":"acme:orders:9","found":false}`))
		r = send("GET", base+"/orders/_doc/9", "", "x-tenant", "acme")
		Expect(r.Status).To(Equal(404))
		sameJSON(r.Body, `{"_index":"orders","_id":"9","found":false}`)
		mock.Handle("HEAD", "/*", mockupstream.JSON(404, ``))
		r = send("HEAD", base+"/orders/_doc/9", "", "x-tenant", "acme")
		Expect(r.Status).To(Equal(404))
		Expect(r.Body).To(BeEmpty())
	})

	It("DOC-5: deletes the tenant's document", Label("rule:DOC-5"), func() {
		mock.Handle("", "/*", mockupstream.JSON(200, `{"_index":"osproxy-shared","_id":"acme:orders:7","result":"deleted"}`))
		r := send("DELETE", base+"/orders/_doc/7?refresh=true", "", "x-tenant", "acme")
		Expect(r.Status).To(Equal(200))
		// The physical id's layout is TEN-7's, the parameters DOC-7's: here, a
		// delete of the tenant's document 7 in the physical index.
		rec := onlyRequest(mock)
		index, id, _ := docTarget(rec)
		Expect([]string{rec.Method, index}).To(Equal([]string{"DELETE", "osproxy-shared"}))
		Expect(id).To(And(HavePrefix("acme:"), HaveSuffix(":7")))
	})

	It("DOC-6: answers deletes with the upstream's status and logical names", Label("rule:DOC-6"), func() {
		mock.Handle("", "/*", mockupstream.JSON(404, `{"_index":"osproxy-shared","_id":"acme:orders:7","_version":2,"result":"not_found","_shards":{"total":1,"successful":1,"failed":0}}`))
		r := send("DELETE", base+"/orders/_doc/7", "", "x-tenant", "acme")
		Expect(r.Status).To(Equal(404))
		sameJSON(r.Body, `{"_index":"orders","_id":"7","_version":2,"result":"not_found","_shards":{"total":1,"successful":1,"failed":0}}`)
	})

	It("DOC-6: answers writes with the upstream's status and logical names", Label("rule:DOC-6"), func() {
		requireForwardedWrite(base, mock)
		mock.Handle("", "/*", mockupstream.JSON(200, `{"_index":"osproxy-shared","_id":"acme:orders:7","_version":3,"result":"updated","_shards":{"total":1,"successful":1,"failed":0},"_seq_no":4,"_primary_term":1}`))
		r := send("PUT", base+"/orders/_doc/7", `{"a":1}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(200))
		sameJSON(r.Body, `{"_index":"orders","_id":"7","_version":3,"result":"updated","_shards":{"total":1,"successful":1,"failed":0},"_seq_no":4,"_primary_term":1}`)
		mock.Handle("", "/*", mockupstream.JSON(409, `{"error":{"root_cause":[{"type":"version_conflict_engine_exception","reason":"[acme:orders:7]: version conflict","index":"osproxy-shared"}],"type":"version_conflict_engine_exception","reason":"[acme:orders:7]: version conflict","index":"osproxy-shared"},"status":409}`))
		r = send("PUT", base+"/orders/_create/7", `{"a":1}`, "x-tenant", "acme")
		Expect(r.Status).To(Equal(409))
		Expect(string(r.Body)).To(Equal(`{"error":{"root_cause":[{"type":"version_conflict_engine_exception","reason":"[7]: version conflict","index":"orders"}],"type":"version_conflict_engine_exception","reason":"[7]: version conflict","index":"orders"},"status":409}`))
	})

	It("DOC-7: refuses a read parameter that is not allowed", Label("rule:DOC-7"), func() {
		expectError(send("GET", base+"/orders/_doc/7?if_seq_no=1", "", "x-tenant", "acme"), 400, "unsupported_parameter")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("DOC-7: forwards only the allowed write parameters", Label("rule:DOC-7"), func() {
		mock.Handle("", "/*", mockupstream.JSON(201, `{"_index":"osproxy-shared","_id":"acme:orders:7","result":"created"}`))
		requireForwardedWrite(base, mock)
		send("PUT", base+"/orders/_doc/7?refresh=wait_for&timeout=1m&if_seq_no=1&if_primary_term=1", `{"a":1}`, "x-tenant", "acme")
		_, _, q := docTarget(onlyRequest(mock))
		Expect(q).To(Equal(url.Values{"routing": {"acme"}, "refresh": {"wait_for"}, "timeout": {"1m"}, "if_seq_no": {"1"}, "if_primary_term": {"1"}}))
		for _, q := range []string{"pipeline=evil", "op_type=index", "require_alias=true", "routing=globex"} {
			expectError(send("PUT", base+"/orders/_doc/7?"+q, `{"a":1}`, "x-tenant", "acme"), 400, "unsupported_parameter")
		}
		Expect(mock.Requests()).To(HaveLen(1))
	})
})
