package mockupstream

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Request is the recording of one request the mock received.
type Request struct {
	Method string
	Proto  string
	// RequestURI is the request target exactly as on the wire.
	RequestURI string
	// RawPath and RawQuery are RequestURI split at its first "?", undecoded.
	// For an absolute-form target the scheme and authority are left out of
	// RawPath.
	RawPath  string
	RawQuery string
	// Header is the header as net/http parsed it; Host is in Host.
	Header http.Header
	Host   string
	// ContentLength is as declared, or -1 when chunked or unknown.
	ContentLength    int64
	TransferEncoding []string
	// BodySize is how many body bytes have been read so far. It grows while
	// the body arrives and is final once BodySHA256 is set.
	BodySize int64
	// BodyPrefix holds the first MaxRecordedBody bytes of the body.
	BodyPrefix []byte
	// BodySHA256 is the hex SHA-256 of every body byte read, set when the body
	// ends or breaks off.
	BodySHA256 string
	// BodyComplete reports whether the body was read to its end, rather than
	// cut short by the sender or left unread by a streaming responder.
	BodyComplete bool
	// Trailer holds trailers of a chunked body, once it is complete.
	Trailer  http.Header
	Received time.Time

	// ctx and body are set only on the copy handed to a Responder.
	ctx  context.Context
	body io.Reader
}

// Context returns the request's context, which ends when the client goes
// away or the Server closes. Recordings returned by Requests have none and
// report context.Background.
func (r *Request) Context() context.Context {
	if r.ctx == nil {
		return context.Background()
	}
	return r.ctx
}

// Body returns the request body for a BodyStreamer to read during Respond;
// reading it records size, prefix and hash in the Server's recording (the
// body fields of the copy a BodyStreamer receives stay empty). For any other
// responder the mock has already drained the body, and Body returns an empty
// reader.
func (r *Request) Body() io.Reader {
	if r.body == nil {
		return http.NoBody
	}
	return r.body
}

// clone returns a deep copy without the responder-only fields.
func (r *Request) clone() Request {
	c := *r
	c.ctx, c.body = nil, nil
	c.Header = r.Header.Clone()
	c.Trailer = r.Trailer.Clone()
	c.TransferEncoding = slices.Clone(r.TransferEncoding)
	c.BodyPrefix = bytes.Clone(r.BodyPrefix)
	return c
}

func newRecording(r *http.Request, at time.Time, limit int) Request {
	rawPath, rawQuery := splitRequestURI(r.RequestURI)
	rec := Request{
		Method:           r.Method,
		Proto:            r.Proto,
		RequestURI:       r.RequestURI,
		RawPath:          rawPath,
		RawQuery:         rawQuery,
		Header:           r.Header.Clone(),
		Host:             r.Host,
		ContentLength:    r.ContentLength,
		TransferEncoding: slices.Clone(r.TransferEncoding),
		Received:         at,
	}
	// A declared length lets the prefix be sized once instead of regrown.
	if n := min(r.ContentLength, int64(limit)); n > 0 {
		rec.BodyPrefix = make([]byte, 0, n)
	}
	return rec
}

func splitRequestURI(uri string) (rawPath, rawQuery string) {
	rawPath, rawQuery, _ = strings.Cut(uri, "?")
	if strings.HasPrefix(rawPath, "/") {
		return rawPath, rawQuery
	}
	// Absolute form, as sent to forward proxies: drop scheme and authority.
	if _, rest, ok := strings.Cut(rawPath, "://"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return rest[i:], rawQuery
		}
		return "/", rawQuery
	}
	return rawPath, rawQuery
}

// Requests returns deep copies of the recordings, in order of arrival.
// A request whose body is still arriving is included as far as it has come.
func (s *Server) Requests() []Request {
	return s.rec.all()
}

// LastRequest returns a deep copy of the most recently arrived request, and
// reports whether there was one.
func (s *Server) LastRequest() (Request, bool) {
	return s.rec.last()
}

// Reset forgets the recordings. Routes and counters stay.
func (s *Server) Reset() {
	s.rec.reset()
}

// WaitFor blocks until cond reports true or ctx ends. cond is evaluated now
// and again after every change the mock observes (a request arriving, body
// bytes arriving, a request served, a connection opened or closed), so a test
// can wait for asynchronous upstream traffic without polling or sleeping.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	for {
		changed := s.rec.watch()
		if cond() {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("waiting for the mock upstream: %w", ctx.Err())
		}
	}
}

// WaitRequests blocks until at least n recorded requests have been served,
// then returns all recordings as Requests does.
func (s *Server) WaitRequests(ctx context.Context, n int) ([]Request, error) {
	if err := s.WaitFor(ctx, func() bool { return s.rec.doneCount() >= n }); err != nil {
		return nil, err
	}
	return s.Requests(), nil
}

// recorder keeps the recordings. Each entry is updated in place as its body
// arrives; every read hands out a deep copy, so no caller shares memory with
// a request still being written.
type recorder struct {
	mu      sync.Mutex
	entries []*entry
	changed chan struct{} // closed on the next change; nil while nobody waits
}

type entry struct {
	req  Request
	done bool // the responder has returned
}

func (r *recorder) arrive(req Request) *entry {
	e := &entry{req: req}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries = append(r.entries, e)
	r.notifyLocked()
	return e
}

func (r *recorder) addBody(e *entry, p []byte, limit int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e.req.BodySize += int64(len(p))
	if room := limit - len(e.req.BodyPrefix); room > 0 {
		e.req.BodyPrefix = appendCapped(e.req.BodyPrefix, p[:min(room, len(p))], limit)
	}
	r.notifyLocked()
}

// appendCapped appends p to prefix, doubling its capacity up to limit when it
// must grow. append's own growth slows to 1.25x for large slices, which would
// allocate several times the limit on the way to it for a chunked body.
func appendCapped(prefix, p []byte, limit int) []byte {
	if need := len(prefix) + len(p); need > cap(prefix) {
		grown := make([]byte, len(prefix), min(max(need, 2*cap(prefix)), limit))
		copy(grown, prefix)
		prefix = grown
	}
	return append(prefix, p...)
}

func (r *recorder) endBody(e *entry, sum string, complete bool, trailer http.Header) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e.req.BodySHA256, e.req.BodyComplete, e.req.Trailer = sum, complete, trailer
	r.notifyLocked()
}

func (r *recorder) markDone(e *entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e.done = true
	r.notifyLocked()
}

func (r *recorder) snapshot(e *entry) Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return e.req.clone()
}

func (r *recorder) all() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Request, len(r.entries))
	for i, e := range r.entries {
		out[i] = e.req.clone()
	}
	return out
}

func (r *recorder) last() (Request, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.entries) == 0 {
		return Request{}, false
	}
	return r.entries[len(r.entries)-1].req.clone(), true
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries = nil
	r.notifyLocked()
}

func (r *recorder) doneCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.entries {
		if e.done {
			n++
		}
	}
	return n
}

// watch returns a channel closed at the next change.
func (r *recorder) watch() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.changed == nil {
		r.changed = make(chan struct{})
	}
	return r.changed
}

func (r *recorder) notify() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notifyLocked()
}

func (r *recorder) notifyLocked() {
	if r.changed != nil {
		close(r.changed)
		r.changed = nil
	}
}
