package upstream

import (
	"context"
	"errors"
	"io"
	"net"
	"time"

	"github.com/osproxy/osproxy/osproxy/h1"
)

// Request is one request to send.
type Request struct {
	Method string
	// Target is the request-target after the endpoint's base path, as it
	// goes on the wire: "/" and the rest, escaped, with the query.
	Target string
	// Fields are the end-to-end header lines, each "Name: value\r\n". Host,
	// framing and credentials are the client's to write.
	Fields []byte
	// Body is a body in memory, sent with its Content-Length. A request with
	// neither Body nor Stream has no body.
	Body []byte
	// Stream is a body read while it is sent: StreamLength bytes, or chunked
	// when StreamLength is negative.
	Stream       io.Reader
	StreamLength int64
	// Ctx, when done, ends the wait for a slow upstream: the client went away.
	Ctx context.Context
}

// Do sends req and returns the response once its head has arrived. The
// caller must read the body to its end or close it; only then does the
// connection go back to the pool. A request without a streamed body is sent
// again, once, on a new connection when a pooled one turns out to have been
// closed before any of the response arrived.
func (e *Endpoint) Do(req *Request) (*Response, error) {
	e.inflight.Add(1)
	for attempt := 0; ; attempt++ {
		c, err := e.get(req.Ctx)
		if err != nil {
			e.inflight.Add(-1)
			return nil, err
		}
		resp, err, fresh := c.exchange(req)
		if err == nil {
			return resp, nil
		}
		c.close()
		if !(fresh && c.reused && req.Stream == nil && attempt == 0) {
			e.inflight.Add(-1)
			return nil, err
		}
	}
}

// exchange sends req on c and reads the response head. fresh reports that
// the failure came before any byte of a response, so a replayable request
// may be sent again.
func (c *conn) exchange(req *Request) (resp *Response, err error, fresh bool) {
	if err := c.send(req); err != nil {
		return nil, err, !errors.Is(err, ErrRequestBody)
	}
	r, err := c.awaitHead(req)
	if err != nil {
		return nil, err, c.br.Buffered() == 0 && !IsTimeout(err) && !IsCanceled(err)
	}
	return c.respond(req, r), nil, false
}

// send writes the head and the body. A body in memory, or the first piece of
// a streamed one, goes in the same write as the head.
func (c *conn) send(req *Request) error {
	bp := bufs.Get().(*[]byte)
	defer bufs.Put(bp)
	b := c.appendHead((*bp)[:0], req)
	*bp = b[:0]
	if t := c.ep.opts.HeaderTimeout; t > 0 {
		// Covers the write and the wait for the head; a streamed body moves
		// the write deadline on as it goes.
		_ = c.nc.SetDeadline(time.Now().Add(t))
	}
	var err error
	switch {
	case req.Stream != nil:
		err = c.stream(b, req)
	case len(b)+len(req.Body) <= cap(b):
		_, err = c.nc.Write(append(b, req.Body...))
	default:
		bufs := net.Buffers{b, req.Body}
		_, err = bufs.WriteTo(c.nc)
	}
	if err != nil && !errors.Is(err, ErrRequestBody) {
		err = &Error{Op: "write", Err: err}
	}
	return err
}

// stream copies req.Stream after head, one write per read, so the body moves
// as fast as the client sends it (PT-5). A chunked body gets chunk framing,
// and its last chunk only when the client's body ended cleanly: a body that
// fails mid-way reaches the upstream as an incomplete message, never as a
// shorter complete one. A declared length is held to exactly.
func (c *conn) stream(head []byte, req *Request) error {
	buf := head[:cap(head)]
	off, left := len(head), req.StreamLength
	for {
		n, rerr := c.readPiece(buf, off, left, req.Stream)
		out := buf[:off+n]
		if left < 0 {
			out = frameChunk(buf, off, n, rerr == io.EOF)
		} else if left -= int64(n); left == 0 {
			rerr = io.EOF
		} else if rerr == io.EOF {
			rerr = io.ErrUnexpectedEOF
		}
		if len(out) > 0 {
			if t := c.ep.opts.HeaderTimeout; t > 0 {
				_ = c.nc.SetWriteDeadline(time.Now().Add(t))
			}
			if _, err := c.nc.Write(out); err != nil {
				return err
			}
		}
		switch {
		case rerr == io.EOF:
			return nil
		case rerr != nil:
			return &Error{Op: "read request body", Err: errors.Join(ErrRequestBody, rerr)}
		}
		off = 0
	}
}

// chunkReserve is room for a chunk-size line of up to 16 hex digits.
const chunkReserve = 18

// readPiece reads the next piece of a streamed body into buf after off (and
// after room for a chunk-size line when left < 0), at most left bytes. A
// chunked body moves one read at a time, so it keeps pace with a client that
// sends it in bursts (PT-5); a declared length fills the piece first, as far
// as the body goes, so a body the client sends at once goes out in one write
// whatever pieces the network handed it in.
func (c *conn) readPiece(buf []byte, off int, left int64, src io.Reader) (int, error) {
	start, end := off, cap(buf)-len(h1.LastChunk)-2
	if left < 0 {
		return src.Read(buf[start+chunkReserve : end])
	}
	end = min(end, start+int(min(left, int64(end-start))))
	n := 0
	for start+n < end {
		m, err := src.Read(buf[start+n : end])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// frameChunk turns the n bytes read after buf[off+chunkReserve] into a chunk
// at buf[off:], followed by the last chunk when the body ended.
func frameChunk(buf []byte, off, n int, last bool) []byte {
	out := buf[:off]
	if n > 0 {
		out = h1.AppendChunkHeader(out, n)
		// The data moves down to meet its size line; append copies with memmove.
		out = append(out, buf[off+chunkReserve:off+chunkReserve+n]...)
		out = append(out, '\r', '\n')
	}
	if last {
		out = append(out, h1.LastChunk...)
	}
	return out
}
