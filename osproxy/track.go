package osproxy

import (
	"context"
	"io"
	"net/http"
	"sync"

	"github.com/osproxy/osproxy/osproxy/observe"
	"github.com/osproxy/osproxy/osproxy/route"
)

// tracked is a request on its way through the proxy, as operations see it: the
// response writer every handler writes through, which notes the status and the
// bytes, and the holder of the request's observe.Record, its request id and the
// buffer bytes it holds. Handlers reach it from the request (trackedOf), so
// classification, refusals and upstream exchanges are recorded in one place
// each, never per handler.
type tracked struct {
	http.ResponseWriter
	p          *Proxy
	rec        *observe.Record
	kind       route.Kind
	idv        []string // the X-Request-Id value: its own allocation, as the head may go out after t is recycled
	status     int      // written, 0 until the head
	written    int64
	read       int64 // request body bytes read
	clientGone bool  // a write to the client failed
	leftEarly  bool  // the client left before the proxy had an answer
	reserved   int64 // bytes held from the buffer budget (OPS-11)
	body       countingBody
}

// trackedKey is the context key under which a request's tracked is found.
type trackedKey struct{}

// valueSetter is a request context that takes one value in place (the proxy's
// own server loop), sparing a copy of the request per request.
type valueSetter interface{ SetValue(key, val any) bool }

// trackedPool recycles tracked when the upstream clients are the proxy's own,
// which never read a request body after the handler returned. An
// http.RoundTripper given with WithTransport may, so tracked is not recycled then.
var trackedPool = sync.Pool{New: func() any { return new(tracked) }}

// trackedOf is the tracked of r, or nil for a request that did not come
// through ServeHTTP (a handler called directly by a test).
func trackedOf(r *http.Request) *tracked {
	t, _ := r.Context().Value(trackedKey{}).(*tracked)
	return t
}

// track starts the record of r: its request id (a valid inbound X-Request-Id is
// kept, OPS-5), mode and endpoint class, and returns the writer and the request
// the handlers get.
func (p *Proxy) track(w http.ResponseWriter, r *http.Request, mode observe.Mode, class int, kind route.Kind) (*tracked, *http.Request) {
	var id string
	if v := r.Header["X-Request-Id"]; len(v) > 0 { // the canonical name: no Get's canonicalising
		id = v[0]
	}
	if !observe.ValidRequestID(id) {
		id = observe.NewRequestID()
	}
	var t *tracked
	if p.transport == nil {
		t = trackedPool.Get().(*tracked)
	} else {
		t = new(tracked)
	}
	*t = tracked{ResponseWriter: w, p: p, kind: kind}
	t.idv = []string{id}
	t.rec = p.obs.Begin(mode, class, r.Method, id)
	w.Header()["X-Request-Id"] = t.idv
	if r.Body != nil && r.Body != http.NoBody {
		t.body = countingBody{ReadCloser: r.Body, t: t}
		r.Body = &t.body // r is the server's for this request only: its body may be wrapped
	}
	if s, ok := r.Context().(valueSetter); ok && s.SetValue(trackedKey{}, t) {
		return t, r
	}
	return t, r.WithContext(context.WithValue(r.Context(), trackedKey{}, t))
}

// finish ends the record: the status answered (ClientClosed when the client left
// before an answer), and which side cut a response short when aborted says one was;
// it releases the request's buffer bytes. The record goes back to its pool: t
// must not be used afterwards.
func (p *Proxy) finish(t *tracked, aborted bool) {
	rec := t.rec
	rec.Status, rec.BytesOut, rec.BytesIn = t.status, t.written, t.read
	if rec.Status == 0 {
		rec.Status = http.StatusOK // a handler that wrote nothing answered an empty 200
	}
	switch {
	case t.leftEarly:
		// Whatever the handler wrote after, it reached no one.
		rec.Status, rec.Code, rec.Abort = observe.ClientClosed, "", observe.ClientAbort
	case t.clientGone:
		rec.Abort = observe.ClientAbort
		if t.status == 0 {
			rec.Status = observe.ClientClosed
		}
	case aborted:
		rec.Abort = observe.UpstreamAbort
	}
	p.release(t)
	p.obs.End(rec)
	if p.transport == nil {
		*t = tracked{}
		trackedPool.Put(t)
	}
}

// WriteHeader notes the status and sets the request id last, so an upstream's
// own X-Request-Id cannot replace it.
func (t *tracked) WriteHeader(code int) {
	if t.status == 0 && code >= 200 {
		t.status = code
		t.ResponseWriter.Header()["X-Request-Id"] = t.idv
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *tracked) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.WriteHeader(http.StatusOK)
	}
	n, err := t.ResponseWriter.Write(b)
	t.written += int64(n)
	if err != nil {
		t.clientGone = true
	}
	return n, err
}

// Flush passes a flush on (http.Flusher), for streamed answers.
func (t *tracked) Flush() {
	if t.status == 0 {
		t.WriteHeader(http.StatusOK)
	}
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the server's writer (deadlines,
// full duplex).
func (t *tracked) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// refused notes the code of an error the proxy answered with (OPS-3).
func (t *tracked) refused(code Code) {
	if t.rec.Code == "" {
		t.rec.Code = string(code)
	}
}

// countingBody counts the request body bytes read.
type countingBody struct {
	io.ReadCloser
	t *tracked
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.t.read += int64(n)
	return n, err
}
