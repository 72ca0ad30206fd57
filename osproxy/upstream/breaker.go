package upstream

import (
	"sync"
	"sync/atomic"
	"time"
)

// BreakerState is a circuit breaker's state.
type BreakerState int

// The states, in the order their metric values take.
const (
	// Closed lets every request through.
	Closed BreakerState = iota
	// HalfOpen lets one trial request through after the cool-down.
	HalfOpen
	// Open refuses every request until the cool-down ends.
	Open
)

func (s BreakerState) String() string {
	return [...]string{"closed", "half_open", "open"}[s]
}

// Breaker stops sending requests to a cluster that keeps failing, so clients
// get a quick refusal instead of each waiting out a timeout, and a recovering
// cluster is not met by the whole backlog at once. After Failures consecutive
// failed exchanges it opens for Cooldown; then one trial request is let
// through: its success closes the breaker, its failure opens it again.
//
// A failure is a transport failure (no connection, no response head in time, a
// reset before the head); any response head is a success, whatever its status.
// A request whose client went away is neither. The zero Breaker never opens.
type Breaker struct {
	// Failures is how many consecutive failures open the breaker; zero or less disables it.
	Failures int
	// Cooldown is how long it stays open before a trial request.
	Cooldown time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// clean is set while the breaker is closed with no failure counted: the
	// common case, answered without the lock.
	clean atomic.Bool

	mu       sync.Mutex
	state    BreakerState
	failed   int
	openedAt time.Time
	trial    bool // a half-open trial is under way
	opened   int64
}

func (b *Breaker) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// Allow reports whether a request may be sent now; when not, retryAfter is how
// long until the breaker will let a trial through. A request allowed must be
// followed by exactly one of Success, Failure or Abandon.
func (b *Breaker) Allow() (ok bool, retryAfter time.Duration) {
	if b == nil || b.Failures <= 0 || b.clean.Load() {
		return true, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case Closed:
		b.clean.Store(b.failed == 0)
		return true, 0
	case Open:
		left := b.Cooldown - b.now().Sub(b.openedAt)
		if left > 0 {
			return false, left
		}
		b.state = HalfOpen
	}
	if b.trial {
		return false, b.Cooldown
	}
	b.trial = true
	return true, 0
}

// Success records an exchange that got a response head.
func (b *Breaker) Success() {
	if b == nil || b.Failures <= 0 || b.clean.Load() {
		return
	}
	b.mu.Lock()
	b.state, b.failed, b.trial = Closed, 0, false
	b.clean.Store(true)
	b.mu.Unlock()
}

// Failure records a failed exchange.
func (b *Breaker) Failure() {
	if b == nil || b.Failures <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.clean.Store(false)
	b.failed++
	if b.state == HalfOpen || b.failed >= b.Failures {
		if b.state != Open {
			b.opened++
		}
		b.state, b.openedAt, b.trial = Open, b.now(), false
	}
}

// Abandon records an allowed request that ended without telling anything
// about the cluster (its client went away): a half-open trial may be retried.
func (b *Breaker) Abandon() {
	if b == nil || b.Failures <= 0 {
		return
	}
	b.mu.Lock()
	if b.state == HalfOpen {
		b.trial = false
	}
	b.mu.Unlock()
}

// State reports the state now, and how many times the breaker has opened.
func (b *Breaker) State() (BreakerState, int64) {
	if b == nil {
		return Closed, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == Open && b.now().Sub(b.openedAt) >= b.Cooldown {
		return HalfOpen, b.opened
	}
	return b.state, b.opened
}
