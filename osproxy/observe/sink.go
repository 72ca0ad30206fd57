package observe

import (
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Sink is an io.Writer that collects log lines in memory and writes them to
// its destination in the background, at least every flush interval, so a
// request never waits for a log write's system call. It holds at most
// MaxBuffered bytes: while its destination does not keep up, further lines are
// dropped and counted rather than held, so logging can never run the process
// out of memory or stall it.
type Sink struct {
	out   io.Writer
	every time.Duration

	mu      sync.Mutex
	buf     []byte
	spare   []byte
	closed  bool
	dropped atomic.Uint64

	kick chan struct{}
	done chan struct{}
	wg   sync.WaitGroup
}

// MaxBuffered bounds the bytes a Sink holds; flushAt starts a write early.
const (
	MaxBuffered = 4 << 20
	flushAt     = 64 << 10
)

// NewSink starts a Sink writing to out every interval (100 ms when zero or less).
func NewSink(out io.Writer, interval time.Duration) *Sink {
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	s := &Sink{out: out, every: interval, kick: make(chan struct{}, 1), done: make(chan struct{}),
		buf: make([]byte, 0, 4*flushAt), spare: make([]byte, 0, 4*flushAt)}
	s.wg.Add(1)
	go s.run()
	return s
}

// Write keeps p, which must be whole lines, for the next flush. It never fails:
// a line that does not fit is dropped and counted.
func (s *Sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_, err := s.out.Write(p) // after Close, write through: nothing would flush it
		return len(p), err
	}
	if len(s.buf)+len(p) > MaxBuffered {
		s.mu.Unlock()
		s.dropped.Add(1)
		return len(p), nil
	}
	s.buf = append(s.buf, p...)
	full := len(s.buf) >= flushAt
	s.mu.Unlock()
	if full {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// Dropped is the number of lines dropped because the destination did not keep up.
func (s *Sink) Dropped() uint64 { return s.dropped.Load() }

// Flush writes what is held now.
func (s *Sink) Flush() {
	s.mu.Lock()
	b := s.buf
	s.buf = s.spare[:0]
	s.mu.Unlock()
	if len(b) > 0 {
		_, _ = s.out.Write(b)
	}
	s.mu.Lock()
	if cap(b) <= 8*flushAt {
		s.spare = b[:0] // the buffer that went out is the next spare
	} else {
		s.spare = make([]byte, 0, 4*flushAt) // one burst must not pin a large buffer
	}
	s.mu.Unlock()
}

// Close flushes what is held and stops the background writer; later writes go
// straight to the destination.
func (s *Sink) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	close(s.done)
	s.wg.Wait()
	s.Flush()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

func (s *Sink) run() {
	defer s.wg.Done()
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		case <-s.kick:
		}
		s.Flush()
	}
}
