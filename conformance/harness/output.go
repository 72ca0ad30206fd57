package harness

import "sync"

// outputLimit bounds what is kept of each output stream. A chatty or
// misbehaving proxy must not exhaust the suite's memory, and the end of a
// stream is where the reason for an exit is written.
const outputLimit = 1 << 20

// tailBuffer is an io.Writer, safe for concurrent use, that keeps the last
// limit bytes written to it.
type tailBuffer struct {
	mu    sync.Mutex
	limit int
	buf   []byte
}

func newTailBuffer(limit int) *tailBuffer {
	return &tailBuffer{limit: limit}
}

// Write never fails, so the process writing into the pipe is never blocked
// or killed by the harness's bookkeeping.
func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	// Compact only at twice the limit so that steady output costs amortised
	// O(1) per byte instead of a copy of the whole tail on every write.
	if len(b.buf) > 2*b.limit {
		n := copy(b.buf, b.buf[len(b.buf)-b.limit:])
		b.buf = b.buf[:n]
	}
	return len(p), nil
}

// String returns at most the last limit bytes written.
func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf) > b.limit {
		return string(b.buf[len(b.buf)-b.limit:])
	}
	return string(b.buf)
}
