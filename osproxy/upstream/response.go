package upstream

import (
	"context"
	"io"
	"net/http"
	"runtime"
	"time"

	"github.com/osproxy/osproxy/osproxy/h1"
)

// Response is an upstream response whose head has arrived.
type Response struct {
	Status int
	Header http.Header
	// ContentLength is the declared body length, or -1 when unknown.
	ContentLength int64
	// Body streams the body. Reading it to io.EOF, or closing it, ends the
	// exchange; the connection is reused only after a clean end.
	Body io.ReadCloser
}

// maxHead bounds a response head.
const maxHead = h1.MaxHead

// watchAfter is how long a response head may take before the wait starts
// watching for the client going away. Quick answers never pay for the watch.
const watchAfter = 50 * time.Millisecond

// awaitHead reads the response head, skipping interim (1xx) responses, within
// the head timeout.
func (c *conn) awaitHead(req *Request) (h1.Response, error) {
	var deadline time.Time
	if t := c.ep.opts.HeaderTimeout; t > 0 {
		deadline = time.Now().Add(t)
	}
	for {
		head, err := c.readHead(req.Ctx, deadline)
		if err != nil {
			return h1.Response{}, err
		}
		r, err := h1.ParseResponse(head, c.fields)
		c.fields = r.Fields[:0]
		if err != nil {
			return r, &Error{Op: "read response", Err: ErrBadResponse}
		}
		switch {
		case r.Status == http.StatusSwitchingProtocols:
			return r, &Error{Op: "read response", Err: ErrBadResponse}
		case r.Status >= 200:
			return r, nil
		}
	}
}

// readHead reads one head before deadline (none when zero). When it takes
// longer than watchAfter, a second goroutine watches ctx and cuts the wait
// short when it ends. ctx.Done is only asked for then: a server may start
// watching its client connection when it is.
func (c *conn) readHead(ctx context.Context, deadline time.Time) ([]byte, error) {
	var early time.Time
	if ctx != nil {
		early = time.Now().Add(watchAfter)
		if deadline.IsZero() || early.Before(deadline) {
			_ = c.nc.SetReadDeadline(early)
		} else {
			early = time.Time{}
		}
	}
	if c.br.Buffered() == 0 && c.ep.inflight.Load() > 1 {
		// The head was just asked for and other exchanges are under way: let
		// them run first, so the read finds the head rather than costing a
		// system call that finds nothing.
		runtime.Gosched()
	}
	head, err := c.br.ReadHead(maxHead)
	if err != nil && !early.IsZero() && isNetTimeout(err) {
		head, err = c.watchedReadHead(ctx.Done(), deadline)
	}
	switch {
	case ctx != nil && ctx.Err() != nil:
		return nil, &Error{Op: "await response", Err: context.Canceled}
	case isNetTimeout(err):
		return nil, &Error{Op: "await response", Err: ErrTimeout}
	case err != nil:
		return nil, &Error{Op: "read response", Err: err}
	}
	return head, nil
}

// watchedReadHead goes on reading a head until deadline while a second
// goroutine watches done and, when it closes, cuts the read short.
func (c *conn) watchedReadHead(done <-chan struct{}, deadline time.Time) ([]byte, error) {
	_ = c.nc.SetReadDeadline(deadline)
	if done == nil {
		return c.br.ReadHead(maxHead)
	}
	stop, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		select {
		case <-done:
			_ = c.nc.SetReadDeadline(time.Unix(1, 0))
		case <-stop:
		}
	}()
	head, err := c.br.ReadHead(maxHead)
	close(stop)
	<-exited
	return head, err
}

// respond builds the Response and readies the body.
func (c *conn) respond(req *Request, r h1.Response) *Response {
	length := r.ContentLength
	if h1.Bodiless(req.Method, r.Status) {
		c.body.Reset(&c.br, 0, false)
		if req.Method != "HEAD" {
			length = 0
		}
	} else {
		c.body.Reset(&c.br, r.ContentLength, r.Chunked)
	}
	if !r.Chunked && r.ContentLength >= 0 && int64(c.br.Buffered()) >= r.ContentLength {
		// The whole body is here: nothing more is read, so no deadline is left
		// to fire; the next request sets its own.
	} else if c.ep.opts.HeaderTimeout > 0 {
		// The body is not time-bounded once its head has arrived.
		_ = c.nc.SetReadDeadline(time.Time{})
	}
	keep := !r.Close && (r.Chunked || r.ContentLength >= 0 || h1.Bodiless(req.Method, r.Status))
	return &Response{Status: r.Status, Header: toHeader(r.Fields), ContentLength: length,
		Body: &body{c: c, keep: keep}}
}

// toHeader builds an http.Header of fields: one map, and one slice holding
// every value.
func toHeader(fields []h1.Field) http.Header {
	h := make(http.Header, len(fields))
	vals := make([]string, len(fields))
	for i, f := range fields {
		k := h1.CanonicalName(f.Name)
		vals[i] = f.Value
		if old, ok := h[k]; ok {
			h[k] = append(old, f.Value)
			continue
		}
		h[k] = vals[i : i+1 : i+1]
	}
	return h
}

// body is a response body handle. It owns the connection until the body ends.
type body struct {
	c         *conn
	keep      bool // the connection may carry another exchange after this body
	deadlined bool // a stall deadline was set, to be cleared before the connection is reused
}

func (b *body) Read(p []byte) (int, error) {
	if b.c == nil {
		return 0, io.EOF
	}
	stall := b.c.ep.opts.StallTimeout
	if stall > 0 && !b.c.body.Available() {
		// The read will wait for the network: it may wait this long, no longer.
		_ = b.c.nc.SetReadDeadline(time.Now().Add(stall))
		b.deadlined = true
	}
	n, err := b.c.body.Read(p)
	if err != nil {
		b.finish()
		switch {
		case err == io.EOF:
		case stall > 0 && isNetTimeout(err):
			err = &Error{Op: "read response body", Err: ErrStalled}
		default:
			err = &Error{Op: "read response body", Err: err}
		}
	}
	return n, err
}

// Close ends the exchange; a body not read to its end costs the connection.
func (b *body) Close() error {
	if b.c != nil {
		b.finish()
	}
	return nil
}

func (b *body) finish() {
	c := b.c
	b.c = nil
	c.ep.inflight.Add(-1)
	if b.keep && c.body.Complete() && c.br.Buffered() == 0 {
		if b.deadlined {
			_ = c.nc.SetReadDeadline(time.Time{})
		}
		c.br.Release()
		c.ep.put(c)
		return
	}
	c.close()
}

// Available reports whether the next Read returns without waiting for the
// network, so a relay knows when to flush what it has.
func (b *body) Available() bool { return b.c == nil || b.c.body.Available() }
