package conformance_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
	"github.com/osproxy/osproxy/conformance/report"
	"github.com/osproxy/osproxy/mockupstream"
)

// The seed's figures: 64 MiB bodies, four transfers, a 16 MiB bound, 5 ms sampling.
const (
	bigBody        = 64 << 20
	seedMaxGrowth  = 16 << 20
	ownTargetBytes = 4 << 20
	sampleEvery    = 5 * time.Millisecond
)

// seedReady waits as the seed does: until a small request to path gets any
// answer, then lets start-up allocations settle for one second. path must
// be one whose answer is small, or the idle figure would be taken after a
// full transfer.
func seedReady(p *harness.Proxy, path string) {
	Eventually(func() error {
		resp, err := client.Post(p.URL+path, "application/json", strings.NewReader("x"))
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return err
	}, 30*time.Second, 500*time.Millisecond).Should(Succeed())
	time.Sleep(time.Second) // the seed's settle time before the idle figure
}

// measureGrowth runs four transfers while sampling the proxy's RSS from outside,
// records the growth in growths[key] (STR-4 judges it, whatever this case's
// verdict), and asserts the seed's bound.
func measureGrowth(p *harness.Proxy, name string, growths map[string]uint64, key string, transfer func()) {
	idle, err := harness.RSS(p.PID)
	Expect(err).NotTo(HaveOccurred())
	peak, err := harness.PeakRSSDuring(p.PID, sampleEvery, func() {
		for i := 0; i < 4; i++ {
			transfer()
		}
	})
	Expect(err).NotTo(HaveOccurred())
	growth := uint64(0)
	if peak > idle {
		growth = peak - idle
	}
	growths[key] = growth
	report.Measure(name+"_idle_rss_bytes", float64(idle))
	report.Measure(name+"_rss_growth_bytes", float64(growth))
	GinkgoWriter.Printf("%s: idle %.1f MiB, peak %.1f MiB, growth %.2f MiB over a 64 MiB body\n",
		name, mib(idle), mib(peak), mib(growth))
	Expect(growth).To(BeNumerically("<", seedMaxGrowth),
		"the proxy must stream, not buffer: RSS grew %.1f MiB", mib(growth))
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// patternReader yields n bytes of a repeating pattern without holding them.
type patternReader struct{ left int64 }

func (r *patternReader) Read(b []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > r.left {
		b = b[:r.left]
	}
	for i := range b {
		b[i] = 'x'
	}
	r.left -= int64(len(b))
	return len(b), nil
}

// drainCounting reads a body to its end, counting and hashing, never holding it.
func drainCounting(body io.Reader) (int64, string) {
	h := sha256.New()
	n, err := io.Copy(h, body)
	Expect(err).NotTo(HaveOccurred())
	return n, hex.EncodeToString(h.Sum(nil))
}

var _ = Describe("07 streaming", Ordered, ContinueOnFailure, Label("profile:streaming", "upstream:mock"), func() {
	// Ordered: STR-4 judges the figures STR-1..3 measured, which Ginkgo then
	// runs first. ContinueOnFailure: one failed case must not skip the others,
	// each of which is its own rule.
	var growths = map[string]uint64{}

	It("STR-1: streams a 64 MiB passthrough request body with bounded memory", Label("rule:STR-1"), func() {
		mock := startMock()
		mock.Handle("", "/*", mockupstream.JSON(201, `{"result":"created"}`))
		p := startProxy(passthroughEnv(mock.URL()))
		seedReady(p, "/raw/_doc")
		measureGrowth(p, "seed_request", growths, "request", func() {
			req, _ := http.NewRequest("POST", p.URL+"/raw/_doc", &patternReader{left: bigBody})
			req.ContentLength = bigBody
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			Expect(err).NotTo(HaveOccurred())
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			Expect(resp.StatusCode).To(BeNumerically(">=", 200))
			Expect(resp.StatusCode).To(BeNumerically("<", 300), "streamed, not refused")
		})
		last, ok := mock.LastRequest()
		Expect(ok).To(BeTrue())
		Expect(last.BodySize).To(Equal(int64(bigBody)))
	})

	It("STR-2: streams a 64 MiB passthrough response body with bounded memory", Label("rule:STR-2"), func() {
		mock := startMock()
		mock.Handle("", "/*", mockupstream.Generated(200, nil, bigBody, 'y'))
		mock.Handle("", "/ready", mockupstream.JSON(200, `{}`))
		p := startProxy(passthroughEnv(mock.URL()))
		seedReady(p, "/ready")
		measureGrowth(p, "seed_response", growths, "response", func() {
			resp, err := client.Post(p.URL+"/raw/_doc", "application/json", strings.NewReader("x"))
			Expect(err).NotTo(HaveOccurred())
			n, _ := drainCounting(resp.Body)
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(200))
			Expect(n).To(Equal(int64(bigBody)))
		})
	})

	It("STR-3: streams a search response with a 64 MiB aggregations sibling through the hit transform", Label("rule:STR-3"), func() {
		mock := startMock()
		mock.Handle("", "/*", mockupstream.SearchEnvelope(nil, bigBody))
		// The readiness probe writes a document: its answer stays small.
		mock.Handle("", "/osproxy-shared/_doc*", mockupstream.JSON(201, `{"result":"created"}`))
		want := expectedEnvelopeDigest(mock)
		p := startProxy(tenancyEnv(mock.URL()))
		seedReady(p, "/raw/_doc")
		measureGrowth(p, "seed_search_response", growths, "search", func() {
			req, _ := http.NewRequest("POST", p.URL+"/orders/_search", strings.NewReader(`{"query":{"match_all":{}}}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("x-tenant", "acme")
			resp, err := client.Do(req)
			Expect(err).NotTo(HaveOccurred())
			_, digest := drainCounting(resp.Body)
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(200))
			Expect(digest).To(Equal(want), "with no hits the body is byte-identical")
		})
	})

	It("STR-4: keeps each seed case at or below 4 MiB of growth", Label("rule:STR-4"), func() {
		if len(growths) == 0 {
			Skip("needs the seed cases STR-1..3 to have measured in this process (none did)")
		}
		for name, g := range growths {
			Expect(g).To(BeNumerically("<=", ownTargetBytes), "%s grew %.2f MiB", name, mib(g))
		}
	})

	It("STR-5: starts relaying a search response before the upstream has finished it", Label("rule:STR-5"), func() {
		release := make(chan struct{})
		mock := startMock()
		mock.Handle("", "/*", mockupstream.ResponderFunc(func(w http.ResponseWriter, _ *mockupstream.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"took":1,"hits":{"total":{"value":1},"hits":[{"_index":"osproxy-shared","_id":"acme:orders:1","_source":{"_tenant":"acme","n":1}}`)
			_, _ = w.Write(bytes.Repeat([]byte(" "), 64<<10)) // past any write buffer
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-time.After(30 * time.Second):
			}
			_, _ = io.WriteString(w, `]}}`)
		}))
		p := startProxy(tenancyEnv(mock.URL()))
		req, _ := http.NewRequest("POST", p.URL+"/orders/_search", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("x-tenant", "acme")
		resp, err := client.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		first := make([]byte, 40)
		_, err = io.ReadFull(resp.Body, first)
		Expect(err).NotTo(HaveOccurred(), "the head of the body arrived while the upstream was still sending")
		close(release)
		rest, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		// How the hit is shaped is SRCH-9's business; here the body must be
		// the whole response, one hit, relayed as JSON.
		var body struct {
			Took int
			Hits struct{ Hits []json.RawMessage }
		}
		Expect(json.Unmarshal(append(first, rest...), &body)).To(Succeed(), "body: %s", append(first, rest...))
		Expect(body.Took).To(Equal(1))
		Expect(body.Hits.Hits).To(HaveLen(1))
	})
})

// expectedEnvelopeDigest fetches the mock's envelope directly and hashes it.
func expectedEnvelopeDigest(mock *mockupstream.Server) string {
	resp, err := client.Post(mock.URL()+"/osproxy-shared/_search", "application/json", strings.NewReader("{}"))
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	_, digest := drainCounting(resp.Body)
	mock.Reset()
	return digest
}
