package upstream

import (
	"crypto/tls"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/osproxy/osproxy/osproxy/h1"
)

// conn is one upstream connection.
type conn struct {
	ep        *Endpoint
	nc        net.Conn
	br        h1.Reader
	body      h1.Body
	fields    []h1.Field
	idleSince time.Time
	reused    bool // taken from the pool rather than dialled for this request
	closed    bool
}

func newConn(e *Endpoint, nc net.Conn) *conn {
	c := &conn{ep: e, nc: nc}
	c.br.Reset(nc)
	return c
}

func (c *conn) close() {
	if c.closed {
		return
	}
	c.closed = true
	c.br.Reset(nil)
	_ = c.nc.Close()
	c.ep.release()
}

// alive reports whether an idle connection is still open: the upstream has
// neither closed it nor sent anything unasked.
func (c *conn) alive() bool {
	nc := c.nc
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	return peekAlive(nc)
}

// bufSize is the write buffer: a head and a body of up to 64 KiB go in one
// write, and a streamed body moves in pieces of this size.
const bufSize = 68 << 10

var bufs = sync.Pool{New: func() any { b := make([]byte, 0, bufSize); return &b }}

// appendHead appends the request line, Host, the caller's fields, the
// credentials and the framing of req.
func (c *conn) appendHead(b []byte, req *Request) []byte {
	e := c.ep
	b = append(b, req.Method...)
	b = append(b, ' ')
	b = append(b, e.basePath...)
	b = append(b, req.Target...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, e.host...)
	b = append(b, "\r\n"...)
	b = append(b, req.Fields...)
	if e.opts.Authorize != nil {
		if v := e.opts.Authorize(); v != "" {
			b = append(b, "Authorization: "...)
			b = append(b, v...)
			b = append(b, "\r\n"...)
		}
	}
	switch {
	case req.Stream != nil && req.StreamLength < 0:
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	case req.Stream != nil:
		b = appendLength(b, req.StreamLength)
	case req.Body != nil || needsLength(req.Method):
		b = appendLength(b, int64(len(req.Body)))
	}
	return append(b, "\r\n"...)
}

func appendLength(b []byte, n int64) []byte {
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, n, 10)
	return append(b, "\r\n"...)
}

// needsLength reports whether a bodiless request of method still states a
// zero length, as clients do for methods that usually carry a body.
func needsLength(method string) bool {
	return method == "POST" || method == "PUT" || method == "PATCH"
}
