package server

import (
	"context"
	"sync"
	"time"
)

// reqCtx is the context of the request a connection is serving. It is reused
// from request to request; Done starts the watch on the client connection.
type reqCtx struct {
	c    *conn
	mu   sync.Mutex
	done chan struct{}
	err  error
	key  any // the one value a handler attached (SetValue), until the request ends
	val  any
}

var _ context.Context = (*reqCtx)(nil)

func (x *reqCtx) Deadline() (time.Time, bool) { return time.Time{}, false }

// Value is the value SetValue attached under key, or nil.
func (x *reqCtx) Value(key any) any {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.key != nil && key == x.key {
		return x.val
	}
	return nil
}

// SetValue attaches one value to the request's context for as long as the
// request lasts, and reports whether it could: a handler's per-request state
// without the copy of the request that context.WithValue and
// http.Request.WithContext would cost. A second key replaces the first.
func (x *reqCtx) SetValue(key, val any) bool {
	x.mu.Lock()
	x.key, x.val = key, val
	x.mu.Unlock()
	return true
}

// Done returns a channel closed when the client goes away while the handler
// runs. The first call starts watching the connection. Once the request has
// ended its context is done (end), so a goroutine that kept it and asks late
// gets a closed channel and starts nothing.
func (x *reqCtx) Done() <-chan struct{} {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.done == nil {
		x.done = make(chan struct{})
		if x.err != nil {
			close(x.done)
		} else {
			x.c.watchClose()
		}
	}
	return x.done
}

func (x *reqCtx) Err() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.err
}

// cancel ends the context with context.Canceled.
func (x *reqCtx) cancel() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.err != nil {
		return
	}
	x.err = context.Canceled
	if x.done != nil {
		close(x.done)
	}
}

// end marks the request over: its context is done from now until reset.
func (x *reqCtx) end() { x.cancel() }

// reset readies the context for the next request, as its handler starts.
func (x *reqCtx) reset() {
	x.mu.Lock()
	x.done, x.err, x.key, x.val = nil, nil, nil, nil
	x.mu.Unlock()
}

func (x *reqCtx) String() string { return "osproxy request context" }
