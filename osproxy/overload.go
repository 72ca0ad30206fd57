package osproxy

import (
	"errors"
	"sync/atomic"
	"time"
)

// budget caps the bytes of request bodies the proxy holds in memory at once,
// across every request (OPS-11): the bodies it must read whole to rewrite them.
// Each request takes bytes as its buffer grows and gives them back when it ends,
// so however many clients send large bodies, and however slowly, memory stays
// under the cap and the excess is refused at once with 429 rather than queued.
type budget struct {
	limit int64 // zero: no cap
	used  atomic.Int64
}

// errOverloaded is a body that would take the budget past its cap.
var errOverloaded = errors.New("the proxy is buffering its limit of request bodies")

// take reserves n bytes and reports whether they fit under the cap.
func (b *budget) take(n int64) bool {
	if b.limit <= 0 {
		b.used.Add(n)
		return true
	}
	for {
		used := b.used.Load()
		if used+n > b.limit {
			return false
		}
		if b.used.CompareAndSwap(used, used+n) {
			return true
		}
	}
}

func (b *budget) give(n int64) { b.used.Add(-n) }

// hold takes n more bytes from the budget for t's request; they are given back
// when the request ends (release). A request not tracked holds nothing.
func (t *tracked) hold(n int64) bool {
	if t == nil || n <= 0 {
		return true
	}
	if !t.p.budget.take(n) {
		return false
	}
	t.reserved += n
	return true
}

// release gives back everything t's request held.
func (p *Proxy) release(t *tracked) {
	if t.reserved > 0 {
		p.budget.give(t.reserved)
		t.reserved = 0
	}
}

// overloaded is the answer to a body refused by the budget: 429, retry in a
// second, and the connection closes, since the rest of the body is not read.
func overloaded() *Error {
	return &Error{Code: CodeTooManyRequests, RetryAfter: time.Second, Close: true,
		Reason: "the proxy is holding its limit of request bodies (max_buffered_bytes); retry shortly"}
}
