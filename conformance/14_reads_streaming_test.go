package conformance_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// bigPage answers with head, then n letters, then tail, never holding them.
func bigPage(head string, n int, tail string) mockupstream.Responder {
	return mockupstream.ResponderFunc(func(w http.ResponseWriter, _ *mockupstream.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		if _, err := io.WriteString(w, head); err != nil {
			return
		}
		frame := bytes.Repeat([]byte("a"), 32<<10)
		for left := n; left > 0; left -= len(frame) {
			if _, err := w.Write(frame[:min(left, len(frame))]); err != nil {
				return
			}
		}
		_, _ = io.WriteString(w, tail)
	})
}

// A scroll's next page and a multi-search answer stream like a search (READ-44).
var _ = Describe("14 reads: streaming", Label("profile:tenancy-reads", "upstream:mock"), func() {
	It("READ-44: streams a scroll page and a multi-search answer with a 64 MiB member beside their hits", Label("rule:READ-44"), func() {
		mock := startMock()
		hit := physHit("acme", "orders", "1", `"n":1`)
		mock.Handle("POST", "/osproxy-shared/_search", mockupstream.JSON(200, searchPage(`"_scroll_id":"R1"`, hit)))
		mock.Handle("POST", "/_search/scroll", bigPage(`{"_scroll_id":"R2","took":1,"hits":{"hits":[`+hit+`]},"aggregations":{"blob":"`, bigBody, `"}}`))
		mock.Handle("POST", "/_msearch", bigPage(`{"took":1,"responses":[{"hits":{"hits":[`+hit+`]},"blob":"`, bigBody, `","status":200}]}`))
		p := startProxy(tenancyEnv(mock.URL()))
		seedReady(p, "/ready")
		r := asAcme("POST", p.URL+"/orders/_search?scroll=1m", `{}`)
		id := jsonField(r, "_scroll_id")
		fetch := func(target, body string, prefix string) {
			req, _ := http.NewRequest("POST", p.URL+target, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("x-tenant", "acme")
			resp, err := client.Do(req)
			Expect(err).NotTo(HaveOccurred())
			head := make([]byte, len(prefix))
			_, err = io.ReadFull(resp.Body, head)
			Expect(err).NotTo(HaveOccurred())
			n, _ := drainCounting(resp.Body)
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(200))
			Expect(string(head)).To(Equal(prefix))
			Expect(n).To(BeNumerically(">", bigBody))
		}
		growths := map[string]uint64{}
		measureGrowth(p, "reads_scroll_page", growths, "scroll", func() {
			fetch("/_search/scroll", `{"scroll_id":"`+id+`"}`, `{"_scroll_id":"`)
		})
		measureGrowth(p, "reads_msearch", growths, "msearch", func() {
			fetch("/orders/_msearch", "{}\n{}\n", `{"took":1,"responses":[{"hits":{"hits":[{"_index":"orders","_id":"1"`)
		})
	})
})
