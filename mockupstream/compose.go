package mockupstream

import (
	"bufio"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

type sequence struct {
	rs    []Responder
	calls atomic.Int64
}

// Sequence answers its i-th call with rs[i] and every call after the last
// with the last. With no responders it answers like the default route.
// The count is kept by the Sequence, across every route and Server using it.
func Sequence(rs ...Responder) Responder {
	if len(rs) == 0 {
		return defaultResponder
	}
	s := &sequence{rs: make([]Responder, len(rs))}
	for i, r := range rs {
		s.rs[i] = orDefault(r)
	}
	return s
}

func (s *sequence) choose() Responder {
	i := min(s.calls.Add(1)-1, int64(len(s.rs)-1))
	return choose(s.rs[i])
}

func (s *sequence) Respond(w http.ResponseWriter, req *Request) {
	s.choose().Respond(w, req)
}

type delay struct {
	d    time.Duration
	next Responder
}

// Delay waits d before delegating to next. If the client goes away or the
// Server closes first, it hangs up without answering. Unless next streams the
// body, the body has been drained before the wait, as a slow node reads a
// request before it is slow to answer.
func Delay(d time.Duration, next Responder) Responder {
	return &delay{d: d, next: orDefault(next)}
}

func (d *delay) choose() Responder { return &delay{d: d.d, next: choose(d.next)} }

// StreamsBody reports whether next reads the body itself.
func (d *delay) StreamsBody() bool { return streamsBody(d.next) }

func (d *delay) Respond(w http.ResponseWriter, req *Request) {
	if d.d > 0 {
		t := time.NewTimer(d.d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-req.Context().Done():
			// Returning without a word would let net/http send an empty
			// 200; whoever is still listening must see a failure instead.
			hangUp(w)
			return
		}
	}
	d.next.Respond(w, req)
}

type headersOut struct {
	h    http.Header
	next Responder
}

// HeadersOut adds the values in h to next's response headers, after next's
// own, when the head is written. It is meant for headers a proxy must not pass
// on (Connection, Keep-Alive, Proxy-Authenticate ...) and for odd duplicates.
func HeadersOut(h http.Header, next Responder) Responder {
	return &headersOut{h: h.Clone(), next: orDefault(next)}
}

func (o *headersOut) choose() Responder { return &headersOut{h: o.h, next: choose(o.next)} }

// StreamsBody reports whether next reads the body itself.
func (o *headersOut) StreamsBody() bool { return streamsBody(o.next) }

func (o *headersOut) Respond(w http.ResponseWriter, req *Request) {
	a := &headerAdder{ResponseWriter: w, extra: o.h}
	o.next.Respond(a, req)
	// A responder that wrote nothing still gets an implicit head, and the
	// headers belong on it too.
	a.apply()
}

// headerAdder adds extra headers just before the head goes out, so they are
// added to whatever the wrapped responder set rather than overwritten by it.
// It passes Flush and Hijack through so failure responders work inside it.
type headerAdder struct {
	http.ResponseWriter
	extra   http.Header
	applied bool
}

func (a *headerAdder) apply() {
	if a.applied {
		return
	}
	a.applied = true
	h := a.ResponseWriter.Header()
	for k, vs := range a.extra {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
}

func (a *headerAdder) WriteHeader(status int) {
	a.apply()
	a.ResponseWriter.WriteHeader(status)
}

func (a *headerAdder) Write(p []byte) (int, error) {
	a.apply()
	return a.ResponseWriter.Write(p)
}

// Flush sends the head and any buffered body.
func (a *headerAdder) Flush() {
	a.apply()
	_ = http.NewResponseController(a.ResponseWriter).Flush()
}

// Hijack takes over the connection from the wrapped writer.
func (a *headerAdder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(a.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the wrapped writer.
func (a *headerAdder) Unwrap() http.ResponseWriter { return a.ResponseWriter }
