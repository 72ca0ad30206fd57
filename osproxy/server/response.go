package server

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/osproxy/osproxy/osproxy/h1"
)

// Framing of a response body, decided at the first write that cannot wait.
const (
	undecided = iota
	fixed     // Content-Length
	chunked   // Transfer-Encoding: chunked (HTTP/1.1)
	toClose   // delimited by closing the connection (HTTP/1.0, length unknown)
	none      // no body: HEAD, 1xx, 204, 304
)

// response is the connection's http.ResponseWriter, reused per request. Body
// bytes collect in the connection's write buffer; the head is formatted only
// when they must go out, so a handler that finishes within the buffer gets a
// Content-Length and one write for head and body.
type response struct {
	c         *conn
	header    http.Header
	status    int
	framing   int
	length    int64 // declared by the handler's Content-Length, or -1
	written   int64 // body bytes accepted
	headSent  bool
	wrote     bool // WriteHeader was called
	closing   bool // the connection ends after this response
	head      bool // the request was HEAD
	continued bool // a piece of the response has been written
	failed    error
}

var errBodyNotAllowed = http.ErrBodyNotAllowed

func (w *response) reset(c *conn, head bool, closing bool) {
	clear(w.header)
	*w = response{c: c, header: w.header, length: -1, head: head, closing: closing}
}

func (w *response) Header() http.Header { return w.header }

// WriteHeader records the status; the head goes out with the first bytes.
func (w *response) WriteHeader(code int) {
	if w.wrote || code < 200 {
		return // interim responses are not relayed: the upstream's 100 was the proxy's to read
	}
	w.wrote, w.status = true, code
	if cl := w.header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
			w.length = n
		} else {
			w.header.Del("Content-Length")
		}
	}
	switch {
	case w.head || code == 204 || code == 304:
		w.framing = none
	case w.length >= 0:
		w.framing = fixed
	}
	if h1.HasToken(w.header.Get("Connection"), "close") {
		w.closing = true
	}
}

func (w *response) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	switch {
	case w.failed != nil:
		return 0, w.failed
	case w.framing == none:
		if w.head {
			return len(p), nil
		}
		return 0, errBodyNotAllowed
	case w.framing == fixed && w.written+int64(len(p)) > w.length:
		return 0, http.ErrContentLength
	}
	w.written += int64(len(p))
	c := w.c
	if len(c.wbuf)+len(p) <= cap(c.wbuf) {
		c.wbuf = append(c.wbuf, p...)
		return len(p), nil
	}
	if err := w.send(p, false); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush sends everything written so far (http.Flusher).
func (w *response) Flush() {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	_ = w.send(nil, false)
}

// FlushError is Flush that reports the failure (http.ResponseController).
func (w *response) FlushError() error {
	w.Flush()
	return w.failed
}

// SetReadDeadline bounds the next reads of the request body
// (http.ResponseController).
// A handler that sets its own takes over from BodyStallTimeout for the request.
func (w *response) SetReadDeadline(t time.Time) error {
	w.c.body.ownDeadline = true
	return w.c.nc.SetReadDeadline(t)
}

// SetWriteDeadline bounds the next writes of the response
// (http.ResponseController).
func (w *response) SetWriteDeadline(t time.Time) error { return w.c.nc.SetWriteDeadline(t) }

// EnableFullDuplex is a no-op: the request body stays readable while the
// response is written (http.ResponseController).
func (w *response) EnableFullDuplex() error { return nil }

// send writes the head if it is not out yet, the buffered body and then p,
// in one write, with chunk framing if chunked; last ends the body.
func (w *response) send(p []byte, last bool) error {
	if w.failed != nil {
		return w.failed
	}
	c := w.c
	body := c.wbuf
	if w.headSent && len(body)+len(p) == 0 && (!last || w.framing != chunked) {
		return nil // nothing to write: no empty write
	}
	if !w.headSent {
		w.decide(last, len(body)+len(p))
		c.hbuf = w.appendHead(c.hbuf[:0])
		w.headSent = true
	} else {
		c.hbuf = c.hbuf[:0]
	}
	iov := append(c.iov[:0], c.hbuf)
	n := len(body) + len(p)
	if w.framing == chunked && n > 0 {
		iov[0] = h1.AppendChunkHeader(iov[0], n)
	}
	iov = append(iov, body, p)
	if w.framing == chunked {
		switch {
		case n > 0 && last:
			iov = append(iov, crlfLastChunk)
		case n > 0:
			iov = append(iov, crlfLastChunk[:2])
		case last:
			iov = append(iov, crlfLastChunk[2:])
		}
	}
	c.iov = iov
	if stall := c.srv.cfg.WriteStallTimeout; stall > 0 && w.headSent && w.continued {
		// A streamed body's later pieces: each may wait this long for the
		// client to read, never past the response's own write deadline.
		_ = c.nc.SetWriteDeadline(earlier(time.Now().Add(stall), c.writeUntil))
		c.writeStalled = true
	}
	w.continued = true
	_, err := c.writev()
	c.wbuf = c.wbuf[:0]
	if err != nil {
		w.failed = err
	}
	return err
}

// crlfLastChunk ends chunk data and, whole, the body.
var crlfLastChunk = []byte("\r\n" + h1.LastChunk)

// decide fixes the framing of a body whose head goes out now: a known total
// becomes a Content-Length, an open-ended one chunked (HTTP/1.1) or delimited
// by the connection's close (HTTP/1.0).
func (w *response) decide(last bool, n int) {
	switch {
	case w.framing != undecided:
	case last:
		w.framing, w.length = fixed, int64(n)
		w.header.Set("Content-Length", strconv.Itoa(n))
	case w.c.minor == 1:
		w.framing = chunked
	default:
		w.framing, w.closing = toClose, true
	}
}

// appendHead formats the status line and fields.
func (w *response) appendHead(b []byte) []byte {
	if w.c.minor == 1 {
		b = append(b, "HTTP/1.1 "...)
	} else {
		b = append(b, "HTTP/1.0 "...)
	}
	b = strconv.AppendInt(b, int64(w.status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(w.status)...)
	b = append(b, "\r\n"...)
	for k, vs := range w.header {
		if !validName(k) || k == "Transfer-Encoding" || k == "Connection" {
			continue
		}
		for _, v := range vs {
			b = appendField(b, k, v)
		}
	}
	if w.framing == chunked {
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	}
	if _, ok := w.header["Date"]; !ok {
		b = append(b, "Date: "...)
		b = append(b, httpDate()...)
		b = append(b, "\r\n"...)
	}
	switch {
	case w.closing && w.c.minor == 1:
		b = append(b, "Connection: close\r\n"...)
	case !w.closing && w.c.minor == 0:
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	return append(b, "\r\n"...)
}

// appendField writes one field line; a line break in a value becomes a space,
// so no value can start a field of its own.
func appendField(b []byte, k, v string) []byte {
	b = append(b, k...)
	b = append(b, ": "...)
	start := len(b)
	b = append(b, v...)
	for i := start; i < len(b); i++ {
		if c := b[i]; c < ' ' && c != '\t' || c == 0x7f {
			b[i] = ' '
		}
	}
	return append(b, "\r\n"...)
}

func validName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

// finish completes the response after the handler returned. It reports
// whether the response is complete, so the connection may carry another.
func (w *response) finish() bool {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.failed != nil {
		return false
	}
	if err := w.send(nil, true); err != nil {
		return false
	}
	if w.framing == fixed && w.written < w.length && !w.head {
		return false // the handler wrote less than it declared: the client must see the cut
	}
	return !w.closing
}

// abort sends what was written, never completing the body, before the
// connection is dropped.
func (w *response) abort() {
	if w.failed != nil || w.framing == none {
		return
	}
	if !w.headSent && w.framing == undecided && w.c.minor == 0 {
		return // a close-delimited body would look complete: send nothing
	}
	_ = w.send(nil, false)
}

// dateValue holds the Date value; a ticker formats it once a second, so a
// response costs no clock read for it.
var (
	dateValue atomic.Pointer[string]
	dateOnce  sync.Once
)

func httpDate() string {
	dateOnce.Do(func() {
		tick := func() {
			s := time.Now().UTC().Format(http.TimeFormat)
			dateValue.Store(&s)
		}
		tick()
		go func() {
			for range time.Tick(time.Second) {
				tick()
			}
		}()
	})
	return *dateValue.Load()
}
