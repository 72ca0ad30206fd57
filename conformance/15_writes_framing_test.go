package conformance_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// goodItems is n index items of about 100 bytes each, ids g0…g{n-1}.
func goodItems(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "{\"index\":{\"_id\":\"g%d\"}}\n{\"msg\":\"%s\"}\n", i, strings.Repeat("m", 64))
	}
	return b.String()
}

// The framing of a _bulk body (WR-1..7) and how it travels upstream (WR-8), seen from
// the mock: a body refused whole never reaches the upstream complete.
var _ = Describe("15 writes: _bulk framing", Label("profile:tenancy-writes", "upstream:mock"), func() {
	var (
		mock *mockupstream.Server
		base string
	)
	BeforeEach(func() {
		mock, base = writesMock()
	})
	refusedWhole := func(body string) {
		expectError(bulkTo(base, "/orders/_bulk", body), 400, "malformed_body")
		for _, rec := range settledRequests(mock) {
			ExpectWithOffset(1, rec.BodyComplete).To(BeFalse(), "the upstream received a complete body for %q", body)
		}
		mock.Reset()
	}

	It("WR-1: refuses whole a body with a line that is not an action where an action goes", Label("rule:WR-1"), func() {
		item := nd(`{"index":{"_id":"1"}}`, `{"a":1}`)
		for _, bad := range []string{
			`{"foo":{}}`, `{"INDEX":{}}`, `{"index":{},"delete":{"_id":"2"}}`, `{"index":1}`, `{"delete":"2"}`,
			`{"index":null}`, `[{"index":{}}]`, `{}`, `"index"`, `not json`, `{"index":{}`,
		} {
			refusedWhole(nd(bad, `{"a":1}`))
			refusedWhole(item + nd(bad, `{"a":1}`))
		}
		// A delete has no source: the line after it is read where an action goes.
		refusedWhole(nd(`{"delete":{"_id":"1"}}`, `{"a":1}`))
	})

	It("WR-2: refuses whole a body with a blank or white-space line anywhere", Label("rule:WR-2"), func() {
		for _, body := range []string{
			"\n" + nd(`{"index":{"_id":"1"}}`, `{"a":1}`),
			nd(`{"index":{"_id":"1"}}`, ``, `{"a":1}`),
			nd(`{"index":{"_id":"1"}}`, `{"a":1}`, ``),
			nd(`{"index":{"_id":"1"}}`, `{"a":1}`, "  \t ", `{"delete":{"_id":"2"}}`),
			nd(`{"delete":{"_id":"1"}}`, ` `),
			"{\"index\":{\"_id\":\"1\"}}\r\n\r\n{\"a\":1}\r\n",
		} {
			refusedWhole(body)
		}
	})

	It("WR-3: drops a carriage return before each newline and refuses a body whose last line has none", Label("rule:WR-3"), func() {
		r := bulkTo(base, "/orders/_bulk", "{\"index\":{\"_id\":\"1\"}}\r\n{\"a\":1}\r\n{\"delete\":{\"_id\":\"2\"}}\r\n")
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		expectSent(mock, sent{"index", phys("orders", "1"), injected("orders", `{"a":1}`)}, sent{verb: "delete", action: phys("orders", "2")})
		mock.Reset()
		refusedWhole(`{"index":{"_id":"1"}}` + "\n" + `{"a":1}`)
		refusedWhole(`{"delete":{"_id":"1"}}`)
		refusedWhole(goodItems(3) + `{"delete":{"_id":"1"}}`)
	})

	It("WR-4: refuses whole a body whose index, create or update action has no source line", Label("rule:WR-4"), func() {
		for _, action := range []string{`{"index":{"_id":"1"}}`, `{"create":{"_id":"1"}}`, `{"update":{"_id":"1"}}`, `{"index":{}}`} {
			refusedWhole(nd(action))
			refusedWhole(goodItems(2) + nd(action))
		}
	})

	It("WR-5: refuses a body with no action", Label("rule:WR-5"), func() {
		expectError(bulkTo(base, "/orders/_bulk", ""), 400, "malformed_body")
		expectError(bulkTo(base, "/_bulk", ""), 400, "malformed_body")
		Expect(mock.Requests()).To(BeEmpty())
	})

	It("WR-6: executes nothing of a body refused whole, however far into the body its fault lies", Label("rule:WR-6"), func() {
		head := goodItems(20000) // about 2 MiB, past any buffer: the upstream has begun to receive it
		for _, tail := range []string{
			nd(``, `{"delete":{"_id":"x"}}`),
			nd(`{"nope":{}}`, `{"a":1}`),
			nd(`{"index":{"_id":"x"}}`),
			`{"delete":{"_id":"x"}}`,
		} {
			refusedWhole(head + tail)
		}
	})

	It("WR-7: accepts NDJSON or JSON, decodes gzip, and refuses other content types", Label("rule:WR-7"), func() {
		body := nd(`{"index":{"_id":"1"}}`, `{"a":1}`)
		for _, ct := range []string{"application/x-ndjson", "application/json", "application/x-ndjson; charset=UTF-8", "application/json;charset=utf-8"} {
			mock.Reset()
			Expect(bulkTo(base, "/orders/_bulk", body, "Content-Type", ct).Status).To(Equal(200), ct)
			expectSent(mock, sent{"index", phys("orders", "1"), injected("orders", `{"a":1}`)})
		}
		mock.Reset()
		for _, ct := range []string{"text/plain", "application/yaml", "application/x-www-form-urlencoded", "application/cbor", "application/smile"} {
			r := send("POST", base+"/orders/_bulk", body, "x-tenant", "acme", "Content-Type", ct)
			expectError(r, 415, "unsupported_media_type")
		}
		expectError(bulkTo(base, "/orders/_bulk", body, "Content-Encoding", "br"), 415, "unsupported_media_type")
		Expect(mock.Requests()).To(BeEmpty())
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		_, _ = zw.Write([]byte(body))
		Expect(zw.Close()).To(Succeed())
		Expect(bulkTo(base, "/orders/_bulk", gz.String(), "Content-Encoding", "gzip").Status).To(Equal(200))
		rec := expectSent(mock, sent{"index", phys("orders", "1"), injected("orders", `{"a":1}`)})
		Expect(rec.Header.Get("Content-Encoding")).To(BeEmpty())
	})

	It("WR-8: sends the body upstream as one POST to the physical index, transformed", Label("rule:WR-8"), func() {
		r := bulkTo(base, "/orders/_bulk", nd(`{"index":{"_id":"1"}}`, `{"a":1}`, `{"create":{"_index":"users","_id":"2"}}`, `{"b":2}`,
			`{"update":{"_id":"3"}}`, `{"doc":{"c":3}}`, `{"delete":{"_id":"4"}}`))
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		rec := expectSent(mock,
			sent{"index", phys("orders", "1"), injected("orders", `{"a":1}`)},
			sent{"create", phys("users", "2"), injected("users", `{"b":2}`)},
			sent{"update", phys("orders", "3"), `{"doc":` + injected("orders", `{"c":3}`) + `}`},
			sent{verb: "delete", action: phys("orders", "4")})
		Expect(rec.RequestURI).To(Equal("/osproxy-shared/_bulk"))
	})

	It("WR-8: forwards the first items while the client is still sending the body", Label("rule:WR-8"), func() {
		pr, pw := io.Pipe()
		DeferCleanup(pw.Close) // a failure below must not leave the request waiting for the rest of its body
		req, err := http.NewRequest("POST", base+"/orders/_bulk", pr)
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("x-tenant", "acme")
		done := make(chan response, 1)
		go func() {
			defer GinkgoRecover()
			resp, err := client.Do(req)
			Expect(err).NotTo(HaveOccurred())
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			done <- response{Status: resp.StatusCode, Body: b}
		}()
		_, err = io.WriteString(pw, nd(`{"index":{"_id":"first"}}`, `{"a":1}`, `{"index":{"_id":"second"}}`, `{"a":2}`))
		Expect(err).NotTo(HaveOccurred())
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		Expect(mock.WaitFor(ctx, func() bool {
			last, ok := mock.LastRequest()
			return ok && bytes.Contains(last.BodyPrefix, []byte(`"acme:orders:first"`))
		})).To(Succeed(), "the upstream saw the first item before the body ended")
		_, err = io.WriteString(pw, nd(`{"delete":{"_id":"last"}}`))
		Expect(err).NotTo(HaveOccurred())
		Expect(pw.Close()).To(Succeed())
		var r response
		Eventually(done, 30*time.Second).Should(Receive(&r))
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		expectSent(mock, sent{"index", phys("orders", "first"), injected("orders", `{"a":1}`)},
			sent{"index", phys("orders", "second"), injected("orders", `{"a":2}`)}, sent{verb: "delete", action: phys("orders", "last")})
	})
})
