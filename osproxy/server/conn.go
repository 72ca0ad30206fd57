package server

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/osproxy/osproxy/osproxy/h1"
)

// Connection states, for shutdown: only an idle connection may be closed
// under a client's feet.
const (
	stateIdle int32 = iota
	stateActive
	stateClosing
)

// conn is one client connection and everything reused across its requests.
type conn struct {
	srv    *Server
	nc     net.Conn
	tls    *tls.ConnectionState
	remote string
	minor  int // of the request being served
	// idleSince is when the connection last went idle, while it waits.
	idleSince time.Time
	state     atomic.Int32

	br     h1.Reader
	wbuf   []byte   // response body bytes not yet written; borrowed while active
	wbp    *[]byte  // the pool's handle of wbuf
	hbuf   []byte   // the response head being formatted
	iov    [][]byte // head, body, chunk framing: one writev
	out    net.Buffers
	fields []h1.Field
	vals   []string

	req  http.Request
	body reqBody
	// readUntil and writeUntil are the request's own read and write deadlines
	// (ReadTimeout, WriteTimeout), which no stall deadline may extend; zero for none.
	readUntil, writeUntil time.Time
	linger                bool // close with lingerClose: unread request body
	writeStalled          bool // a stall deadline was set on a write of the last response
	resp                  response
	ctx                   reqCtx

	watch    sync.Mutex // guards watching and handling
	watching chan struct{}
	// handling is true while the handler runs: only then may a watch start. The
	// request context outlives its request in any goroutine that kept it, and is
	// reused by the next one; a Done called late must not start a read that
	// competes with the server's own reads of the next request.
	handling  bool
	peeked    [1]byte
	hasPeeked bool
}

var wbufs = sync.Pool{New: func() any { b := make([]byte, 0, wbufSize); return &b }}

// wbufSize is the response buffer: a response this small goes out in the
// same write as its head, with a Content-Length.
const wbufSize = 8 << 10

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{srv: s, nc: nc, remote: nc.RemoteAddr().String()}
	c.br.Reset(nc)
	c.resp.header = make(http.Header)
	c.req.Header = make(http.Header)
	c.ctx.c = c
	c.body.c = c
	c.req = *c.req.WithContext(&c.ctx)
	return c
}

// serve runs the connection's requests one after another.
func (c *conn) serve() { c.loop(false) }

// serveIdle waits for an idle connection's next request, then serves on.
func (c *conn) serveIdle() {
	if !c.awaitIdle() {
		c.close()
		return
	}
	c.loop(true)
}

// loop serves requests; ready says the first one is already arriving.
func (c *conn) loop(ready bool) {
	for {
		if !ready {
			switch c.awaitRequest() {
			case waitEnd:
				c.close()
				return
			case waitIdle:
				// The connection went idle: it waits on a new goroutine, whose stack
				// is small, and this one ends with the stack its requests grew.
				go c.serveIdle()
				return
			}
		}
		ready = false
		if !c.serveOne() {
			c.close()
			return
		}
	}
}

// quickWait is how long a connection waits for its next request with a
// buffer in hand. A keep-alive client under load sends its next request at
// once, and reading it straight into the buffer costs one system call less
// than waiting without one; past quickWait the buffer goes back to its pool.
const quickWait = 200 * time.Millisecond

// Outcomes of awaitRequest.
const (
	waitReady = iota // a request is arriving
	waitIdle         // none within quickWait: wait on, without a buffer
	waitEnd          // the connection ends
)

// awaitRequest waits up to quickWait for the next request's first bytes,
// with the read buffer in hand.
func (c *conn) awaitRequest() int {
	if c.br.Buffered() > 0 || c.hasPeeked {
		return c.activate()
	}
	if idle := c.srv.cfg.IdleTimeout; idle >= 0 && idle <= quickWait {
		return waitIdle
	}
	if c.srv.active.Load() > 0 {
		// The client is reading the answer just sent while other connections
		// have work: let them run first, so the read finds the next request
		// rather than costing a system call that finds nothing.
		runtime.Gosched()
	}
	c.idleSince = time.Now()
	_ = c.nc.SetReadDeadline(c.idleSince.Add(quickWait))
	if _, err := c.br.Peek(); err == nil {
		return c.activate()
	} else if !isTimeout(err) || c.srv.shuttingDown() {
		return waitEnd
	}
	return waitIdle
}

// awaitIdle waits for an idle connection's next request without a buffer,
// until IdleTimeout after it went idle, and reports whether one arrives.
func (c *conn) awaitIdle() bool {
	if c.idleSince.IsZero() {
		c.idleSince = time.Now()
	}
	c.release()
	var deadline time.Time
	if idle := c.srv.cfg.IdleTimeout; idle >= 0 {
		deadline = c.idleSince.Add(idle)
	}
	_ = c.nc.SetReadDeadline(deadline)
	c.idleSince = time.Time{}
	return waitReadable(c.nc, &c.br) && c.activate() == waitReady
}

// activate marks the connection busy, unless shutdown closed it meanwhile.
func (c *conn) activate() int {
	if c.state.CompareAndSwap(stateIdle, stateActive) {
		return waitReady
	}
	return waitEnd
}

// release gives the buffers back while the connection is idle.
func (c *conn) release() {
	c.br.Release()
	if c.wbp != nil {
		*c.wbp = c.wbuf[:0]
		wbufs.Put(c.wbp)
		c.wbp, c.wbuf = nil, nil
	}
}

// serveOne reads, handles and answers one request, and reports whether the
// connection may carry another.
func (c *conn) serveOne() bool {
	if c.wbp == nil {
		c.wbp = wbufs.Get().(*[]byte)
		c.wbuf = (*c.wbp)[:0]
	}
	head, err := c.readHead()
	if err != nil {
		if e, ok := err.(*h1.Error); ok {
			c.refuse(e, "")
		}
		return false
	}
	hr, e := h1.ParseRequest(head, c.fields)
	c.fields = hr.Fields[:0]
	if e == nil {
		e = c.prepare(&hr)
	}
	if e != nil {
		c.refuse(e, hr.Method)
		return false
	}
	c.bound(&hr)
	c.srv.active.Add(1)
	ok := c.handle()
	c.srv.active.Add(-1)
	if !ok {
		return false
	}
	keep := c.resp.finish() && c.body.drain()
	// A response that went out whole while the client may still be sending a
	// body nobody read (a refusal): close so that the client reads it first.
	c.linger = !keep && c.resp.failed == nil && c.body.readErr == nil && !c.body.b.Complete()
	c.ctx.end() // a goroutine that kept the context sees the request over
	if !keep || c.srv.shuttingDown() {
		return false
	}
	return c.state.CompareAndSwap(stateActive, stateIdle)
}

// bound sets the deadlines of a request being served: the body, when it has
// not all arrived, gets until ReadTimeout (none by default: the head's
// deadline must not cut a body that takes its time), and the response until
// WriteTimeout.
func (c *conn) bound(hr *h1.Request) {
	cfg := &c.srv.cfg
	c.readUntil, c.writeUntil = time.Time{}, time.Time{}
	if hr.ContentLength != 0 && int64(c.br.Buffered()) < hr.ContentLength || hr.Chunked {
		if cfg.ReadTimeout > 0 {
			c.readUntil = time.Now().Add(cfg.ReadTimeout)
		}
		_ = c.nc.SetReadDeadline(c.readUntil)
	}
	if cfg.WriteTimeout > 0 {
		c.writeUntil = time.Now().Add(cfg.WriteTimeout)
		_ = c.nc.SetWriteDeadline(c.writeUntil)
	} else if c.writeStalled {
		_ = c.nc.SetWriteDeadline(time.Time{}) // the last response's stall deadline must not outlive it
	}
	c.writeStalled = false
}

// readHead reads a request head: what arrived with the first bytes under the
// idle deadline; if the head is not complete, the rest under
// ReadHeaderTimeout, so a trickled head cannot hold the connection.
func (c *conn) readHead() ([]byte, error) {
	if c.hasPeeked {
		c.br.Feed(c.peeked[:])
		c.hasPeeked = false
	}
	head, err := c.br.BufferedHead(h1.MaxHead)
	if head == nil && err == nil {
		_ = c.nc.SetReadDeadline(time.Now().Add(c.srv.cfg.ReadHeaderTimeout))
		head, err = c.br.ReadHead(h1.MaxHead)
	}
	if err != nil {
		if e, ok := err.(*h1.Error); ok && e.Status == 431 && c.br.LongFirstLine(h1.MaxRequestLine) {
			return nil, &h1.Error{Status: 414, Code: h1.CodeURITooLong, Rule: "HTTP-3", Reason: "the request line exceeds the length limit"}
		}
		return nil, err
	}
	return head, nil
}

// handle calls the handler, containing its panics: http.ErrAbortHandler, or
// any other, ends the connection with the response cut where it stood.
func (c *conn) handle() (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				c.srv.logf("server: handler panic: %v", v)
			}
			c.stopWatch()
			c.resp.abort()
			ok = false
		}
	}()
	c.ctx.reset()
	c.watch.Lock()
	c.handling = true
	c.watch.Unlock()
	c.srv.cfg.Handler.ServeHTTP(&c.resp, &c.req)
	c.stopWatch()
	return true
}

// refuse answers a request the parser refused, then the connection ends
// (HTTP-11).
func (c *conn) refuse(e *h1.Error, method string) {
	if method == "" {
		method = "GET"
	}
	c.minor = 1
	c.resp.reset(c, method == "HEAD", true)
	c.req.Method = method
	c.srv.cfg.Refuse(&c.resp, &c.req, e)
	c.resp.finish()
}

func (c *conn) close() {
	c.state.Store(stateClosing)
	c.stopWatch()
	if c.linger {
		c.lingerClose()
	}
	_ = c.nc.Close()
	c.release()
	c.br.Reset(nil)
	c.srv.untrack(c)
}

// lingerTime and lingerBytes bound what a lingering close waits for and reads.
const (
	lingerTime  = 500 * time.Millisecond
	lingerBytes = 256 << 10
)

// lingerClose half-closes a connection whose client may still be sending a
// body, then reads and discards what arrives for a short while. Closing at once
// with unread input would reset the connection, and a client's kernel drops the
// response it has not read yet when the reset arrives: the client would see a
// reset instead of the refusal it was sent (a 413 or a 429, say).
func (c *conn) lingerClose() {
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	_ = c.nc.SetReadDeadline(time.Now().Add(lingerTime))
	var scratch [4096]byte
	for read := 0; read < lingerBytes; {
		n, err := c.nc.Read(scratch[:])
		read += n
		if err != nil {
			return
		}
	}
}

// writev writes c.iov in one system call where the connection allows.
func (c *conn) writev() (int64, error) {
	c.out = c.iov
	n, err := c.out.WriteTo(c.nc)
	c.out = nil
	clear(c.iov)
	c.iov = c.iov[:0]
	return n, err
}

var _ io.Reader = (*reqBody)(nil)
