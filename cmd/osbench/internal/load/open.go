package load

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// OpenSpec describes an open-loop cell: requests are due at a fixed rate
// whatever the server does, and each latency is timed from when the request
// was due, not from when a connection was free to send it. A stall therefore
// shows up in every request it delayed (no coordinated omission).
type OpenSpec struct {
	Addr     string
	Requests [][]byte
	// Conns is the pool the schedule is served from; it must comfortably
	// exceed rate × latency, or the pool itself becomes the queue.
	Conns    int
	Rate     float64
	Warmup   time.Duration
	Duration time.Duration
	// OnMeasure runs when the first timed request is due and after the last
	// one finished.
	OnMeasure func(start bool)
}

// RunOpen runs the schedule and returns the latencies of the requests due
// inside the measured window.
func RunOpen(s OpenSpec) (Result, error) {
	if s.Conns < 1 || s.Rate <= 0 || len(s.Requests) == 0 {
		return Result{}, fmt.Errorf("running open loop: need connections, a rate and a request")
	}
	interval := time.Duration(float64(time.Second) / s.Rate)
	total := int64((s.Warmup + s.Duration) / interval)
	firstTimed := int64(s.Warmup / interval)
	var next atomic.Int64
	t0 := time.Now()
	hardStop := t0.Add(s.Warmup + 2*s.Duration + 10*time.Second)
	workers := make([]*worker, s.Conns)
	per := int(total-firstTimed)/s.Conns + 64
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{samples: make([]int64, 0, per)}
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.openLoop(s, t0, interval, total, firstTimed, &next, hardStop)
		}()
	}
	time.Sleep(time.Until(t0.Add(s.Warmup)))
	if s.OnMeasure != nil {
		s.OnMeasure(true)
	}
	wg.Wait()
	elapsed := time.Since(t0.Add(s.Warmup))
	if s.OnMeasure != nil {
		s.OnMeasure(false)
	}
	return merge(workers, elapsed), nil
}

func (w *worker) openLoop(s OpenSpec, t0 time.Time, interval time.Duration,
	total, firstTimed int64, next *atomic.Int64, hardStop time.Time) {
	var c *Conn
	defer func() {
		if c != nil {
			_ = c.Close()
		}
	}()
	for {
		i := next.Add(1) - 1
		if i >= total || time.Now().After(hardStop) {
			return
		}
		due := t0.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		if c == nil {
			var err error
			if c, err = dialUntil(s.Addr, hardStop, bigReadBuf); err != nil {
				w.fail(err)
				continue
			}
		}
		status, closed, err := c.Do(s.Requests[int(i)%len(s.Requests)])
		lat := time.Since(due)
		if err != nil || closed {
			_ = c.Close()
			c = nil
		}
		if err != nil {
			w.fail(err)
			continue
		}
		if i >= firstTimed {
			w.samples = append(w.samples, int64(lat))
			w.statuses[status%600]++
		}
	}
}
