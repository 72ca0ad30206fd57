package mockupstream

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
)

// Responder writes the mock's answer to one request. req is a private copy
// of the request's recording, plus its Context and, for a BodyStreamer, its
// Body. Respond must return once req.Context() ends: Server.Close waits for it.
type Responder interface {
	Respond(w http.ResponseWriter, req *Request)
}

// ResponderFunc adapts a function to a Responder, for one-off behaviour.
type ResponderFunc func(w http.ResponseWriter, req *Request)

// Respond calls f(w, req).
func (f ResponderFunc) Respond(w http.ResponseWriter, req *Request) { f(w, req) }

// BodyStreamer is implemented by a Responder that reads the request body
// itself, through Request.Body, while it responds. The mock then does not
// drain the body first, and lets the response flow while the body arrives.
// Whatever the responder leaves unread is recorded as not received.
type BodyStreamer interface {
	StreamsBody() bool
}

// chooser is implemented by responders whose behaviour is decided per call
// (Sequence, and wrappers around one). The server takes the decision before
// it drains the body, because the chosen responder may be a BodyStreamer.
type chooser interface {
	choose() Responder
}

// choose returns the responder that will handle this call.
func choose(r Responder) Responder {
	if c, ok := r.(chooser); ok {
		return c.choose()
	}
	return r
}

// streamsBody reports whether r reads the request body itself.
func streamsBody(r Responder) bool {
	s, ok := r.(BodyStreamer)
	return ok && s.StreamsBody()
}

type canned struct {
	status int
	header http.Header
	body   []byte
}

// JSON answers with status and body, as application/json.
func JSON(status int, body string) Responder {
	return &canned{
		status: status,
		header: http.Header{"Content-Type": {"application/json"}},
		body:   []byte(body),
	}
}

// Canned answers with status, header and body. Content-Length is set to the
// body's length unless header declares its own framing.
func Canned(status int, header http.Header, body []byte) Responder {
	return &canned{status: status, header: header.Clone(), body: bytes.Clone(body)}
}

func (c *canned) Respond(w http.ResponseWriter, _ *Request) {
	copyHeader(w.Header(), c.header)
	setLength(w.Header(), int64(len(c.body)))
	w.WriteHeader(c.status)
	// A write error means the client has gone; there is no one left to tell.
	_, _ = w.Write(c.body)
}

type generated struct {
	status int
	header http.Header
	size   int64
	frame  []byte
}

// Generated answers with status, header and a body of size copies of fill,
// written from one repeated frame so that even a huge body costs a frame.
// Content-Length is set unless header declares its own framing.
func Generated(status int, header http.Header, size int64, fill byte) Responder {
	size = max(size, 0)
	return &generated{status: status, header: header.Clone(), size: size, frame: filledFrame(fill, size)}
}

func (g *generated) Respond(w http.ResponseWriter, _ *Request) {
	copyHeader(w.Header(), g.header)
	setLength(w.Header(), g.size)
	w.WriteHeader(g.status)
	_ = writeRepeated(w, g.frame, g.size)
}

type echo struct{ status int }

// Echo answers with status and streams the request body back as it arrives,
// with the request's Content-Type (application/octet-stream if none). It
// reads the body itself, so the sender must read the response while sending.
func Echo(status int) Responder { return echo{status: status} }

// StreamsBody reports true: Echo reads the body while responding.
func (echo) StreamsBody() bool { return true }

func (e echo) Respond(w http.ResponseWriter, req *Request) {
	ct := req.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/octet-stream"
	}
	// No Content-Length: with chunked framing the client sees the end of the
	// echo only after Respond returns, by which time the recording is sealed.
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(e.status)
	rc := http.NewResponseController(w)
	_ = rc.Flush()

	bp := framePool.Get().(*[]byte)
	defer framePool.Put(bp)
	body := req.Body()
	for {
		n, err := body.Read(*bp)
		if n > 0 {
			if _, werr := w.Write((*bp)[:n]); werr != nil {
				return
			}
			// Flushing each frame keeps the echo visibly streaming.
			_ = rc.Flush()
		}
		if err != nil {
			return
		}
	}
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = slices.Clone(vs)
	}
}

// setLength declares n as Content-Length unless the header already frames
// the body, so a script can deliberately send a wrong or chunked framing.
func setLength(h http.Header, n int64) {
	if h.Get("Content-Length") != "" || len(h.Values("Transfer-Encoding")) > 0 {
		return
	}
	h.Set("Content-Length", strconv.FormatInt(n, 10))
}
