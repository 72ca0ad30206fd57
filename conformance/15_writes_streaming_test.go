package conformance_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
	"github.com/osproxy/osproxy/conformance/report"
	"github.com/osproxy/osproxy/mockupstream"
)

// The bound of WR-9: four 64 MiB bulks grow the proxy's resident set by at most 10 MiB.
const bulkMaxGrowth = 10 << 20

// bulkBody yields n index items of exactly size bytes each, one at a time, never
// holding the body.
type bulkBody struct {
	n, size, next int
	buf           []byte
	off           int
}

func (r *bulkBody) Read(p []byte) (int, error) {
	for r.off == len(r.buf) {
		if r.next == r.n {
			return 0, io.EOF
		}
		r.buf = fmt.Appendf(r.buf[:0], "{\"index\":{\"_id\":\"%08d\"}}\n{\"f\":\"", r.next)
		pad := r.size - len(r.buf) - len("\"}\n")
		r.buf = append(append(r.buf, strings.Repeat("x", pad)...), "\"}\n"...)
		r.off, r.next = 0, r.next+1
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

// bulkSink reads a _bulk body to its end through a bounded buffer, counting its action
// lines (every item of bulkBody has a source), then answers one created item per
// action, as OpenSearch does once it has the whole body.
type bulkSink struct{ actions atomic.Int64 }

// StreamsBody reports true: the sink reads the body itself, frame by frame.
func (*bulkSink) StreamsBody() bool { return true }

func (s *bulkSink) Respond(w http.ResponseWriter, req *mockupstream.Request) {
	br := bufio.NewReaderSize(req.Body(), 64<<10)
	lines := 0
	for {
		_, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			break
		}
		lines++
	}
	s.actions.Store(int64(lines / 2))
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	bw := bufio.NewWriterSize(w, 32<<10)
	_, _ = bw.WriteString(`{"took":1,"errors":false,"items":[`)
	for i := range lines / 2 {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		_, _ = fmt.Fprintf(bw, `{"index":{"_index":"osproxy-shared","_id":"acme:orders:%08d","_version":1,"result":"created",`+
			`"_shards":{"total":1,"successful":1,"failed":0},"_seq_no":%d,"_primary_term":1,"status":201}}`, i, i)
	}
	_, _ = bw.WriteString("]}")
	_ = bw.Flush()
}

var _ = Describe("15 writes: streaming a 64 MiB _bulk", Label("profile:tenancy-writes", "upstream:mock"), func() {
	DescribeTable("WR-9: passes a 64 MiB bulk through with the proxy's resident set growing by at most 10 MiB",
		func(itemBytes int) {
			growth := measureBulkGrowth(itemBytes)
			Expect(growth).To(BeNumerically("<=", bulkMaxGrowth), "a bulk must stream, not buffer: RSS grew %.2f MiB", mib(growth))
		},
		Entry("of 16,384 items of 4 KiB", Label("rule:WR-9"), 4<<10),
		Entry("of 64 items of 1 MiB", Label("rule:WR-9"), 1<<20),
	)
})

// measureBulkGrowth sends four 64 MiB bulks of items of itemBytes through the proxy to
// a mock that drains them, sampling the proxy's RSS from outside as the seed's cases do,
// and returns the growth over the idle figure.
func measureBulkGrowth(itemBytes int) uint64 {
	mock := startMock()
	sink := &bulkSink{}
	mock.Handle("POST", "/osproxy-shared/_bulk", sink)
	p := startProxy(tenancyEnv(mock.URL()))
	count := bigBody / itemBytes
	transfer := func(items int) {
		req, err := http.NewRequest("POST", p.URL+"/orders/_bulk", &bulkBody{n: items, size: itemBytes})
		Expect(err).NotTo(HaveOccurred())
		req.ContentLength = int64(items * itemBytes)
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("x-tenant", "acme")
		resp, err := client.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		var ans struct {
			Errors bool
			Items  []map[string]struct {
				ID     string `json:"_id"`
				Status int
			}
		}
		Expect(resp.StatusCode).To(Equal(200))
		Expect(json.NewDecoder(resp.Body).Decode(&ans)).To(Succeed())
		Expect(ans.Errors).To(BeFalse())
		Expect(ans.Items).To(HaveLen(items))
		Expect(ans.Items[items-1]["index"].ID).To(Equal(fmt.Sprintf("%08d", items-1)))
		Expect(sink.actions.Load()).To(Equal(int64(items)), "the upstream received every item")
	}
	transfer(max(4, (1<<20)/itemBytes)) // warm the paths a bulk takes before the idle figure
	time.Sleep(time.Second)             // the seed's settle time before the idle figure
	idle, err := harness.RSS(p.PID)
	Expect(err).NotTo(HaveOccurred())
	peak, err := harness.PeakRSSDuring(p.PID, sampleEvery, func() {
		for range 4 {
			transfer(count)
		}
	})
	Expect(err).NotTo(HaveOccurred())
	growth := uint64(0)
	if peak > idle {
		growth = peak - idle
	}
	reqs := settledRequests(mock) // the mock seals a streamed body's record after it answered
	last := reqs[len(reqs)-1]
	Expect(last.BodyComplete).To(BeTrue())
	Expect(last.BodySize).To(BeNumerically(">", int64(bigBody)), "the transformed body is the client's plus the layout")
	name := "writes_bulk_" + strconv.Itoa(itemBytes>>10) + "k"
	report.Measure(name+"_idle_rss_bytes", float64(idle))
	report.Measure(name+"_rss_growth_bytes", float64(growth))
	GinkgoWriter.Printf("WR-9: %d items of %d KiB: idle %.1f MiB, peak %.1f MiB, growth %.2f MiB over four 64 MiB bulks\n",
		count, itemBytes>>10, mib(idle), mib(peak), mib(growth))
	AddReportEntry("WR-9 RSS growth (MiB)", fmt.Sprintf("%.2f", mib(growth)))
	return growth
}
