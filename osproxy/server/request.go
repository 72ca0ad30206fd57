package server

import (
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/osproxy/osproxy/osproxy/h1"
)

// chunkedTE is the TransferEncoding of a chunked request; handlers only read it.
var chunkedTE = []string{"chunked"}

// prepare turns a parsed head into the connection's *http.Request, readies
// the body and the response writer. It refuses a target net/url cannot read.
func (c *conn) prepare(hr *h1.Request) *h1.Error {
	u, err := url.ParseRequestURI(hr.Target)
	if err != nil {
		return &h1.Error{Status: 400, Code: h1.CodeMalformed, Rule: "HTTP-3", Reason: "the request target is not a valid URI"}
	}
	c.minor = hr.Minor
	r := &c.req
	r.Method, r.URL, r.RequestURI = hr.Method, u, hr.Target
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, hr.Minor
	if hr.Minor == 0 {
		r.Proto = "HTTP/1.0"
	}
	r.Host = hr.Host
	if u.Host != "" {
		r.Host = u.Host // absolute-form: the target's authority wins over Host
	}
	r.Close, r.ContentLength, r.TransferEncoding = hr.Close, hr.ContentLength, nil
	if hr.Chunked {
		r.TransferEncoding = chunkedTE
	}
	r.RemoteAddr, r.TLS = c.remote, c.tls
	r.Form, r.PostForm, r.MultipartForm, r.Trailer, r.GetBody = nil, nil, nil, nil, nil
	c.fillHeader(hr.Fields)
	c.body.reset(hr)
	r.Body = &c.body
	if hr.ContentLength == 0 {
		r.Body = http.NoBody
	}
	c.resp.reset(c, hr.Method == "HEAD", hr.Close)
	return nil
}

// fillHeader builds the request's header map, reused across requests, from
// the fields: canonical names, Host and Transfer-Encoding left out as
// net/http leaves them out, every value in one reused slice.
func (c *conn) fillHeader(fields []h1.Field) {
	h := c.req.Header
	clear(h)
	if cap(c.vals) < len(fields) {
		c.vals = make([]string, len(fields))
	}
	vals := c.vals[:len(fields)]
	for i, f := range fields {
		k := h1.CanonicalName(f.Name)
		if k == "Host" || k == "Transfer-Encoding" {
			continue
		}
		vals[i] = f.Value
		if old, ok := h[k]; ok {
			h[k] = append(old, f.Value)
			continue
		}
		h[k] = vals[i : i+1 : i+1]
	}
}

// reqBody is the request body handed to the handler: the connection's input
// framed by h1.Body, with "100 Continue" sent on the first read (HTTP-9).
type reqBody struct {
	c        *conn
	b        h1.Body
	expect   bool // 100-continue asked and not yet sent
	expected bool // 100-continue was asked
	readErr  error
	// ownDeadline: the handler set the body's read deadline itself.
	ownDeadline bool
}

func (b *reqBody) reset(hr *h1.Request) {
	b.b.Reset(&b.c.br, hr.ContentLength, hr.Chunked)
	b.expect, b.expected, b.readErr, b.ownDeadline = hr.Expect100, hr.Expect100, nil, false
}

func (b *reqBody) Read(p []byte) (int, error) {
	if b.expect {
		b.expect = false
		if _, err := io.WriteString(b.c.nc, "HTTP/1.1 100 Continue\r\n\r\n"); err != nil {
			b.readErr = err
			return 0, err
		}
	}
	if stall := b.c.srv.cfg.BodyStallTimeout; stall > 0 && !b.ownDeadline && !b.b.Available() {
		// The read waits for the client: for this long at most, and never
		// past the request's own read deadline.
		_ = b.c.nc.SetReadDeadline(earlier(time.Now().Add(stall), b.c.readUntil))
	}
	n, err := b.b.Read(p)
	if err != nil && err != io.EOF {
		b.readErr = err
	}
	return n, err
}

// earlier is the earlier of d and limit; a zero limit is no limit.
func earlier(d, limit time.Time) time.Time {
	if !limit.IsZero() && limit.Before(d) {
		return limit
	}
	return d
}

// Close is a no-op: what the handler left unread is drained or costs the
// connection after the response.
func (b *reqBody) Close() error { return nil }

// maxDrain is how much unread request body the server reads and discards
// to keep a connection, rather than closing it.
const maxDrain = 256 << 10

// drain reads what the handler left of the body, up to maxDrain, and reports
// whether the connection can carry another request.
func (b *reqBody) drain() bool {
	switch {
	case b.readErr != nil:
		return false
	case b.b.Complete():
		return true
	case b.expect:
		return false // the client may or may not send a body it was never asked for
	}
	var scratch [4096]byte
	for read := 0; read <= maxDrain; {
		n, err := b.b.Read(scratch[:])
		read += n
		if err == io.EOF {
			return b.b.Complete()
		}
		if err != nil {
			return false
		}
	}
	return false
}
