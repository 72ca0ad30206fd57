package server

import (
	"errors"
	"net"
	"syscall"
	"time"

	"github.com/osproxy/osproxy/osproxy/h1"
)

var syscallEMFILE = syscall.EMFILE

// watchClose starts reading the connection in the background, so the request
// context ends when the client closes it. A byte that arrives instead (the
// client's next request, pipelined) is kept for the next read. Nothing is
// watched while the request body is unread: those bytes are the handler's.
// A Done called when no handler runs (late, from a goroutine that kept an
// ended request's context) starts nothing.
func (c *conn) watchClose() {
	c.watch.Lock()
	defer c.watch.Unlock()
	if !c.handling || c.watching != nil || c.br.Buffered() > 0 || c.hasPeeked || !c.body.b.Complete() {
		return
	}
	exited := make(chan struct{})
	c.watching = exited
	_ = c.nc.SetReadDeadline(time.Time{})
	go func() {
		defer close(exited)
		n, err := c.nc.Read(c.peeked[:])
		switch {
		case n == 1:
			c.hasPeeked = true
		case isTimeout(err):
			// stopWatch woke the read: the handler is done.
		default:
			c.ctx.cancel()
		}
	}()
}

// stopWatch ends the background read, if any, and waits for it.
func (c *conn) stopWatch() {
	c.watch.Lock()
	w := c.watching
	c.watching, c.handling = nil, false
	c.watch.Unlock()
	if w == nil {
		return
	}
	_ = c.nc.SetReadDeadline(time.Unix(1, 0))
	<-w
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// waitReadable waits until the connection has input, without a buffer for a
// plain TCP connection (a kernel peek), else by reading into br.
func waitReadable(nc net.Conn, br *h1.Reader) bool {
	if tc, ok := nc.(*net.TCPConn); ok {
		return peekReadable(tc)
	}
	_, err := br.Peek()
	return err == nil
}
