package load

import (
	"fmt"
	"sync"
	"time"
)

// ConnResult is the outcome of a connection-handling cell.
type ConnResult struct {
	Latency Summary
	// Attempts is how many requests were tried; Errors counts transport
	// failures and NonOK non-2xx answers among them.
	Attempts, Errors, NonOK int
	FirstError              string
}

func (r *ConnResult) record(status int, err error) {
	r.Attempts++
	switch {
	case err != nil:
		r.Errors++
		if r.FirstError == "" {
			r.FirstError = err.Error()
		}
	case status < 200 || status > 299:
		r.NonOK++
	}
}

// Sequential sends n requests one after another. With fresh set, each goes
// on a new connection (dial plus first request is timed); otherwise one warm
// connection carries them all. The two together give the cost of a connect.
func Sequential(addr string, req []byte, n int, fresh bool, limit time.Duration) ConnResult {
	var r ConnResult
	deadline := time.Now().Add(limit)
	samples := make([]int64, 0, n)
	var warm *Conn
	defer func() {
		if warm != nil {
			_ = warm.Close()
		}
	}()
	for i := 0; i < n && time.Now().Before(deadline); i++ {
		t0 := time.Now()
		c := warm
		var err error
		if c == nil {
			c, err = dialUntil(addr, deadline, smallReadBuf)
		}
		status := 0
		if err == nil {
			status, _, err = c.Do(req)
		}
		lat := time.Since(t0)
		r.record(status, err)
		if err == nil {
			samples = append(samples, int64(lat))
		}
		switch {
		case c == nil:
		case fresh || err != nil:
			_ = c.Close()
			warm = nil
		default:
			warm = c
		}
	}
	r.Latency = Summarize(samples)
	return r
}

// Storm opens n connections at once, each sending one request, and times
// each from the common start: the tail is how long the last comers waited.
func Storm(addr string, req []byte, n int, limit time.Duration) ConnResult {
	return fanOut(addr, req, n, 1, limit)
}

// Concurrent holds n connections open together, each sending perConn
// requests in turn; the gate is that none of them fails.
func Concurrent(addr string, req []byte, n, perConn int, limit time.Duration) ConnResult {
	return fanOut(addr, req, n, perConn, limit)
}

func fanOut(addr string, req []byte, n, perConn int, limit time.Duration) ConnResult {
	deadline := time.Now().Add(limit)
	results := make([]ConnResult, n)
	samples := make([][]int64, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			samples[i] = oneClient(addr, req, perConn, t0, deadline, &results[i])
		}(i)
	}
	t0 = time.Now()
	close(start)
	wg.Wait()
	var total ConnResult
	all := make([]int64, 0, n*perConn)
	for i := range results {
		total.Attempts += results[i].Attempts
		total.Errors += results[i].Errors
		total.NonOK += results[i].NonOK
		if total.FirstError == "" {
			total.FirstError = results[i].FirstError
		}
		all = append(all, samples[i]...)
	}
	total.Latency = Summarize(all)
	return total
}

// oneClient dials and sends perConn requests; the first is timed from the
// storm's start (t0), the rest from their own send.
func oneClient(addr string, req []byte, perConn int, t0, deadline time.Time, r *ConnResult) []int64 {
	samples := make([]int64, 0, perConn)
	c, err := dialUntil(addr, deadline, smallReadBuf)
	if err != nil {
		for i := 0; i < perConn; i++ {
			r.record(0, fmt.Errorf("connecting: %w", err))
		}
		return samples
	}
	defer func() { _ = c.Close() }()
	for i := 0; i < perConn; i++ {
		from := time.Now()
		if i == 0 {
			from = t0
		}
		status, closed, err := c.Do(req)
		r.record(status, err)
		if err != nil {
			return samples
		}
		samples = append(samples, int64(time.Since(from)))
		if closed {
			return samples
		}
	}
	return samples
}

// HoldIdle opens n connections, sends one request on each and leaves them
// open and idle. The returned function closes them all.
func HoldIdle(addr string, req []byte, n int, limit time.Duration) (ConnResult, func()) {
	var r ConnResult
	deadline := time.Now().Add(limit)
	conns := make([]*Conn, 0, n)
	for i := 0; i < n && time.Now().Before(deadline); i++ {
		c, err := dialUntil(addr, deadline.Add(time.Minute), smallReadBuf)
		if err != nil {
			r.record(0, err)
			continue
		}
		status, _, err := c.Do(req)
		r.record(status, err)
		conns = append(conns, c)
	}
	return r, func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}
}
