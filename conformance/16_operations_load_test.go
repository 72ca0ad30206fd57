package conformance_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/report"
	"github.com/osproxy/osproxy/internal/proc"
	"github.com/osproxy/osproxy/mockupstream"
)

// slowBody sends a search whose head declares size bytes and whose body then
// trickles: piece bytes every interval, until the proxy answers. It returns the
// status the proxy answered ("reset" when the connection broke first).
func slowBody(addr string, size, piece int, every time.Duration, deadline time.Time) (status string, retryAfter string) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return "dial: " + err.Error(), ""
	}
	defer c.Close()
	_ = c.SetDeadline(deadline)
	head := fmt.Sprintf("POST /orders/_search HTTP/1.1\r\nHost: proxy\r\nx-tenant: acme\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\n\r\n", size)
	answered := make(chan struct{})
	go func() { // the body: {"size":0} padded with spaces, a valid search once whole
		body := []byte(`{"size":0}` + strings.Repeat(" ", piece-len(`{"size":0}`)))
		if _, err := io.WriteString(c, head); err != nil {
			return
		}
		pad := []byte(strings.Repeat(" ", piece))
		for sent := 0; sent < size; {
			n := min(piece, size-sent)
			if _, err := c.Write(body[:n]); err != nil {
				return
			}
			body = pad
			sent += n
			select {
			case <-answered:
				return
			case <-time.After(every):
			}
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	close(answered)
	if err != nil {
		return "reset", ""
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.Status[:3], resp.Header.Get("Retry-After")
}

var _ = Describe("16 operations: overload and soak", Label("profile:operations", "upstream:mock"), func() {
	It("OPS-11: refuses bodies past max_buffered_bytes with 429 and keeps memory under its bound", Label("rule:OPS-11"), func() {
		const clients, declared, limit = 200, 8 << 20, 32 << 20
		m := startMock()
		m.Handle("", "/osproxy-shared/_search*", mockupstream.SearchEnvelope(nil, 0))
		env := tenancyEnv(m.URL())
		env["OSPROXY_MAX_BUFFERED_BYTES"] = fmt.Sprint(limit)
		p := startProxy(env)
		Expect(send("POST", p.URL+"/orders/_search", `{}`, "x-tenant", "acme").Status).To(Equal(200))
		time.Sleep(time.Second)
		idle, err := proc.RSS(p.PID)
		Expect(err).NotTo(HaveOccurred())
		statuses := map[string]int{}
		var mu sync.Mutex
		var retryAfterSeen atomic.Bool
		peak, err := proc.PeakRSSDuring(p.PID, 10*time.Millisecond, func() {
			var wg sync.WaitGroup
			deadline := time.Now().Add(45 * time.Second)
			for range clients {
				wg.Go(func() {
					// 64 KiB every 50 ms: 1.25 MiB/s each, an 8 MiB body in 6.4 s.
					status, ra := slowBody(p.Addr, declared, 64<<10, 50*time.Millisecond, deadline)
					if status == "429" && ra != "" {
						retryAfterSeen.Store(true)
					}
					mu.Lock()
					statuses[status]++
					mu.Unlock()
				})
			}
			wg.Wait()
		})
		Expect(err).NotTo(HaveOccurred())
		bound := idle + 2*limit + 64<<20
		report.Measure("overload_idle_rss_bytes", float64(idle))
		report.Measure("overload_peak_rss_bytes", float64(peak))
		GinkgoWriter.Printf("overload: %d clients declaring 8 MiB each, max_buffered_bytes 32 MiB: %v; idle %.1f MiB, peak %.1f MiB (bound %.1f MiB)\n",
			clients, statuses, mib(idle), mib(peak), mib(bound))
		Expect(statuses["429"]).To(BeNumerically(">", clients/2), "the excess is refused: %v", statuses)
		Expect(retryAfterSeen.Load()).To(BeTrue(), "429 carries Retry-After")
		Expect(statuses["200"]+statuses["429"]).To(Equal(clients), "every client gets 200 or 429: %v", statuses)
		Expect(peak).To(BeNumerically("<", bound), "peak RSS %.1f MiB over the bound %.1f MiB", mib(peak), mib(bound))
		Expect(send("GET", p.URL+"/_osproxy/live", "").Status).To(Equal(200), "the proxy keeps serving")
		Eventually(func() float64 { return value(scrape(p.URL), "osproxy_buffered_bytes") }).Should(Equal(0.0))
	})

	It("OPS-18: returns to its baseline after a bounded soak of mixed traffic and faults", Label("rule:OPS-18", "rule:OPS-10"), func() {
		const warmup, duration, workers = 2000, 40 * time.Second, 8
		m, err := mockupstream.StartWith(mockupstream.Options{MaxRecordedBody: -1})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(m.Close)
		m.Handle("", "/osproxy-shared/_search*", mockupstream.SearchEnvelope([]string{`{"_index":"osproxy-shared","_id":"acme:orders:1","_source":{"_tenant":"acme","_logical_index":"orders","a":1}}`}, 0))
		m.Handle("", "/osproxy-shared/_doc/*", mockupstream.JSON(201, `{"_index":"osproxy-shared","_id":"acme:orders:1","result":"created"}`))
		m.Handle("", "/legacy/_reset", mockupstream.ResetAfter(200, 32<<10))
		m.Handle("", "/legacy/_slow", mockupstream.Delay(200*time.Millisecond, nil))
		m.Handle("", "/legacy/_big", mockupstream.Generated(200, nil, 1<<20, 'x'))
		p := startProxy(opsEnv(m, "OSPROXY_PASSTHROUGH_INDICES", "legacy", "OSPROXY_ACCESS_LOG", "true"))
		c := opsClient()
		var sent, failed atomic.Int64
		mix := soakMix(c, p.URL, &failed)
		run := func(n int64, until time.Time) {
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for i := w; ; i += workers {
						if n > 0 && sent.Load() >= n || !until.IsZero() && time.Now().After(until) {
							return
						}
						mix(i)
						sent.Add(1)
					}
				})
			}
			wg.Wait()
		}
		run(warmup, time.Time{})
		c.CloseIdleConnections()
		baseline := settleFirst(p, m)
		sent.Store(0)
		start := time.Now()
		run(0, start.Add(duration))
		took := time.Since(start)
		c.CloseIdleConnections()
		after := settlesAt(p, m, baseline, 20*time.Second)
		growth := int64(after.rss) - int64(baseline.rss)
		report.Measure("soak_requests", float64(sent.Load()))
		report.Measure("soak_seconds", took.Seconds())
		report.Measure("soak_rss_growth_bytes", float64(growth))
		report.Measure("soak_goroutines_before", float64(baseline.goroutines))
		report.Measure("soak_goroutines_after", float64(after.goroutines))
		report.Measure("soak_fds_before", float64(baseline.fds))
		report.Measure("soak_fds_after", float64(after.fds))
		GinkgoWriter.Printf("soak: %d requests in %.1f s (%d unexpected); before %s; after %s; RSS growth %.2f MiB\n",
			sent.Load(), took.Seconds(), failed.Load(), describe(baseline), describe(after), float64(growth)/(1<<20))
		Expect(failed.Load()).To(BeZero(), "every request of the mix gets its expected outcome")
		Expect(growth).To(BeNumerically("<=", 8<<20), "RSS grew %.2f MiB over the soak", float64(growth)/(1<<20))
	})
})

// soakMix returns the soak's request i: mostly successes of both modes, with
// refusals, upstream resets, client aborts and streams mixed in. An outcome
// other than the one expected counts in failed.
func soakMix(c *http.Client, base string, failed *atomic.Int64) func(i int) {
	expect := func(ok bool, what string, status int, err error) {
		if !ok && failed.Add(1) <= 5 { // the first few, to tell a flake from a bug
			GinkgoWriter.Printf("soak: unexpected outcome of %s: status %d, error %v\n", what, status, err)
		}
	}
	do := func(method, path, body string, h ...string) (int, error) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		for i := 0; i+1 < len(h); i += 2 {
			req.Header.Set(h[i], h[i+1])
		}
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, err
	}
	json := []string{"Content-Type", "application/json", "x-tenant", "acme"}
	return func(i int) {
		switch {
		case i%100 == 7: // a client that leaves while the upstream thinks
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			req, _ := http.NewRequestWithContext(ctx, "GET", base+"/legacy/_slow", nil)
			resp, err := c.Do(req)
			cancel()
			status := 0
			if resp != nil {
				status = resp.StatusCode
				resp.Body.Close()
			}
			expect(err != nil, "a client that leaves", status, err)
		case i%50 == 3: // an upstream that resets mid-body
			status, err := do("GET", "/legacy/_reset", "")
			expect(err != nil, "an upstream reset mid-body", status, err)
		case i%20 == 5:
			status, err := do("GET", "/legacy/_big", "")
			expect(err == nil && status == 200, "a 1 MiB passthrough answer", status, err)
		case i%10 == 1: // refused: no tenant
			status, err := do("POST", "/orders/_search", `{}`, "Content-Type", "application/json")
			expect(err == nil && status == 400, "a search without a tenant", status, err)
		case i%3 == 0:
			status, err := do("PUT", "/orders/_doc/1", `{"a":1}`, json...)
			expect(err == nil && status == 201, "a tenancy write", status, err)
		case i%3 == 1:
			status, err := do("POST", "/orders/_search", `{"query":{"match_all":{}}}`, json...)
			expect(err == nil && status == 200, "a tenancy search", status, err)
		default:
			status, err := do("GET", "/legacy/_doc/1", "")
			expect(err == nil && status == 200, "a passthrough read", status, err)
		}
	}
}
