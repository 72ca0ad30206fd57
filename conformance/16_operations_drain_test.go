package conformance_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
	"github.com/osproxy/osproxy/conformance/report"
	"github.com/osproxy/osproxy/mockupstream"
)

// drainLoad is the traffic of the drain spec: what each request was, when it
// started and how it ended, judged against the moment of the signal.
type drainLoad struct {
	signalled atomic.Int64 // unix nanoseconds of the signal, 0 before
	mu        sync.Mutex
	inFlight  int // requests started before the signal
	dropped   []string
	answered  int
}

// run sends one request and books its outcome: a request started before the
// signal must be answered in full; one started after may be refused.
func (d *drainLoad) run(c *http.Client, url string, slowRead bool) {
	before := d.signalled.Load() == 0
	resp, err := c.Get(url)
	if err == nil {
		if slowRead { // an open stream the drain must let finish
			buf := make([]byte, 1<<20)
			for err == nil {
				_, err = resp.Body.Read(buf)
				time.Sleep(20 * time.Millisecond)
			}
			if errors.Is(err, io.EOF) {
				err = nil
			}
		} else {
			_, err = io.Copy(io.Discard, resp.Body)
		}
		resp.Body.Close()
		if err == nil && resp.StatusCode != 200 {
			err = errors.New(resp.Status)
		}
	}
	started := before
	if started && d.signalled.Load() == 0 {
		return // it ended before the signal: not part of the drain
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !started {
		return
	}
	d.inFlight++
	if err != nil {
		d.dropped = append(d.dropped, url+": "+err.Error())
		return
	}
	d.answered++
}

var _ = Describe("16 operations: drain", Label("profile:operations", "upstream:mock"), func() {
	It("OPS-9: under load, turns readiness off, then stops accepting, answers every request in flight and exits 0", Label("rule:OPS-9"), func() {
		m := startMock()
		m.Handle("", "/legacy/_slow", mockupstream.Delay(2*time.Second, nil))
		m.Handle("", "/legacy/_stream", mockupstream.Generated(200, nil, 64<<20, 'x'))
		admin := harness.FreeAddr()
		p := startProxy(opsEnv(m, "OSPROXY_ADMIN_BIND", admin, "OSPROXY_SHUTDOWN_DELAY", "1s", "OSPROXY_SHUTDOWN_TIMEOUT", "20s"))
		Eventually(func() error { return dialOnce(admin) }).WithTimeout(10 * time.Second).Should(Succeed())
		Expect(send("GET", "http://"+admin+"/_osproxy/ready", "").Status).To(Equal(200))

		var load drainLoad
		c := opsClient()
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for range 16 { // c=16 of quick requests until the listener closes
			wg.Go(func() {
				for ctx.Err() == nil {
					load.run(c, p.URL+"/legacy/_doc/1", false)
				}
			})
		}
		for range 8 {
			wg.Go(func() { load.run(c, p.URL+"/legacy/_slow", false) })
		}
		wg.Go(func() { load.run(c, p.URL+"/legacy/_stream", true) })
		wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := m.WaitRequests(wctx, 40)
		cancel()
		Expect(err).NotTo(HaveOccurred())
		time.Sleep(300 * time.Millisecond) // the slow ones and the stream are under way
		inFlightMetric := value(scrape("http://"+admin), "osproxy_requests_in_flight")

		load.signalled.Store(time.Now().UnixNano())
		Expect(p.Signal(syscall.SIGTERM)).To(Succeed())
		Eventually(func() int { return send("GET", "http://"+admin+"/_osproxy/ready", "").Status }).
			WithTimeout(500 * time.Millisecond).WithPolling(20 * time.Millisecond).Should(Equal(503))
		Expect(dialOnce(p.Addr)).To(Succeed(), "during shutdown_delay the listener still accepts")
		Eventually(func() error { return dialOnce(p.Addr) }).WithTimeout(5*time.Second).WithPolling(50*time.Millisecond).
			Should(MatchError(syscall.ECONNREFUSED), "after shutdown_delay new connections are refused")
		stop()
		wg.Wait()
		code, err := p.Wait(30 * time.Second)
		Expect(err).NotTo(HaveOccurred())
		Expect(code).To(Equal(0), "stderr: %s", p.Stderr())

		report.Measure("drain_in_flight_at_signal", float64(load.inFlight))
		report.Measure("drain_in_flight_metric_before_signal", inFlightMetric)
		report.Measure("drain_dropped", float64(len(load.dropped)))
		GinkgoWriter.Printf("drain: %d requests in flight at the signal (metric just before: %.0f), %d answered, %d dropped\n",
			load.inFlight, inFlightMetric, load.answered, len(load.dropped))
		Expect(load.inFlight).To(BeNumerically(">=", 9), "the slow requests and the stream were in flight")
		Expect(load.dropped).To(BeEmpty(), "requests in flight at the signal must be answered")
	})
})
