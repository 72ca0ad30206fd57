package load

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Spec describes one timed cell: where to send what, how many connections,
// and when to stop.
type Spec struct {
	Addr string
	// Requests are sent in rotation; each must be a complete HTTP/1.1 message.
	Requests [][]byte
	Conns    int
	// Warmup runs untimed before the measured window, so connection set-up
	// and cold pools stay out of the numbers.
	Warmup time.Duration
	// The measured window ends at Duration once MinRequests have completed,
	// at MaxRequests, or at MaxDuration, whichever comes first.
	Duration    time.Duration
	MinRequests int
	MaxRequests int
	MaxDuration time.Duration
	// OnMeasure runs at each edge of the measured window (start=true, then
	// start=false), so process counters are read at the same instants.
	OnMeasure func(start bool)
}

// Result is what one cell measured.
type Result struct {
	Latency  Summary
	Requests int
	// Errors counts transport failures; NonOK counts responses outside 2xx.
	Errors, NonOK int
	Statuses      map[int]int
	Elapsed       time.Duration
	FirstError    string
}

// RPS is completed timed requests per second of measured window.
func (r Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

const (
	phaseWarmup int32 = iota
	phaseMeasure
	phaseStop
)

// worker is one connection's loop and its private sample buffer, so the hot
// path never shares memory with other workers except two atomics.
type worker struct {
	samples  []int64
	statuses [600]int
	errors   int
	firstErr error
}

// RunClosed runs a closed loop: each connection sends its next request as
// soon as the previous response has been read.
func RunClosed(s Spec) (Result, error) {
	if s.Conns < 1 || len(s.Requests) == 0 {
		return Result{}, fmt.Errorf("running closed loop: need at least one connection and request")
	}
	var phase atomic.Int32
	var done atomic.Int64
	var stoppedAt atomic.Pointer[time.Time]
	ready := new(atomic.Int64)
	hardStop := time.Now().Add(s.Warmup + s.MaxDuration + 20*time.Second)
	workers := make([]*worker, s.Conns)
	per := s.MaxRequests/s.Conns + 64
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{samples: make([]int64, 0, per)}
		workers[i] = w
		wg.Add(1)
		go func(offset int) {
			defer wg.Done()
			w.closedLoop(s, offset, &loopState{&phase, &done, &stoppedAt, ready}, hardStop)
		}(i)
	}
	// Warm-up starts once every connection has had its first answer (or
	// after 10 s): at c=256 the initial connect burst alone can outlast a
	// fixed warm-up, and the window would time the burst, not the proxy.
	waitConnected(ready, s.Conns, 10*time.Second)
	time.Sleep(s.Warmup)
	if s.OnMeasure != nil {
		s.OnMeasure(true)
	}
	start := time.Now()
	phase.Store(phaseMeasure)
	waitWindow(s, start, &done, &phase)
	phase.Store(phaseStop)
	elapsed := time.Since(start)
	if at := stoppedAt.Load(); at != nil {
		// The worker that completed request MaxRequests closed the window.
		elapsed = at.Sub(start)
	}
	if s.OnMeasure != nil {
		s.OnMeasure(false)
	}
	wg.Wait()
	return merge(workers, elapsed), nil
}

// waitWindow polls the completion count; 2 ms polling costs nothing next to
// the requests and keeps the window edge within 2 ms of its target.
func waitWindow(s Spec, start time.Time, done *atomic.Int64, phase *atomic.Int32) {
	for phase.Load() == phaseMeasure {
		time.Sleep(2 * time.Millisecond)
		n := int(done.Load())
		el := time.Since(start)
		if (el >= s.Duration && n >= s.MinRequests) || el >= s.MaxDuration {
			return
		}
	}
}

// loopState is what the workers of one cell share.
type loopState struct {
	phase     *atomic.Int32
	done      *atomic.Int64
	stoppedAt *atomic.Pointer[time.Time]
	// ready counts connections that have completed their first request.
	ready *atomic.Int64
}

func waitConnected(ready *atomic.Int64, conns int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for ready.Load() < int64(conns) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
}

// count records one completed timed request; the one that reaches
// MaxRequests closes the window itself, so the count is not overshot by
// the controller's polling interval.
func (st *loopState) count(max int) {
	n := st.done.Add(1)
	if max > 0 && n >= int64(max) && st.phase.CompareAndSwap(phaseMeasure, phaseStop) {
		now := time.Now()
		st.stoppedAt.Store(&now)
	}
}

func (w *worker) closedLoop(s Spec, offset int, st *loopState, hardStop time.Time) {
	phase := st.phase
	first := true
	var c *Conn
	defer func() {
		if c != nil {
			_ = c.Close()
		}
	}()
	for i := offset; phase.Load() != phaseStop && time.Now().Before(hardStop); i++ {
		if c == nil {
			var err error
			if c, err = dialUntil(s.Addr, hardStop, bigReadBuf); err != nil {
				w.fail(err)
				time.Sleep(10 * time.Millisecond)
				continue
			}
		}
		req := s.Requests[i%len(s.Requests)]
		t0 := time.Now()
		status, closed, err := c.Do(req)
		lat := time.Since(t0)
		if err != nil {
			w.fail(err)
			_ = c.Close()
			c = nil
			continue
		}
		if closed {
			_ = c.Close()
			c = nil
		}
		if first {
			first = false
			st.ready.Add(1)
		}
		// A request counts when it completes inside the window, wherever it
		// started: requiring both ends inside would drop the slow ones
		// whenever latency is not small next to the window, and bias both
		// the latency and the count.
		if phase.Load() == phaseMeasure {
			w.samples = append(w.samples, int64(lat))
			w.statuses[status%600]++
			st.count(s.MaxRequests)
		}
	}
}

func dialUntil(addr string, deadline time.Time, bufSize int) (*Conn, error) {
	c, err := Dial(addr, 2*time.Second, bufSize)
	if err != nil {
		return nil, err
	}
	return c, c.SetDeadline(deadline)
}

func (w *worker) fail(err error) {
	w.errors++
	if w.firstErr == nil {
		w.firstErr = err
	}
}

func merge(workers []*worker, elapsed time.Duration) Result {
	r := Result{Elapsed: elapsed, Statuses: map[int]int{}}
	total := 0
	for _, w := range workers {
		total += len(w.samples)
	}
	all := make([]int64, 0, total)
	for _, w := range workers {
		all = append(all, w.samples...)
		r.Errors += w.errors
		if w.firstErr != nil && r.FirstError == "" {
			r.FirstError = w.firstErr.Error()
		}
		for code, n := range w.statuses {
			if n > 0 {
				r.Statuses[code] += n
				if code < 200 || code > 299 {
					r.NonOK += n
				}
			}
		}
	}
	r.Requests = len(all)
	r.Latency = Summarize(all)
	return r
}
