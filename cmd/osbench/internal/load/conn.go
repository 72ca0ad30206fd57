package load

import (
	"bufio"
	"fmt"
	"net"
	"time"

	"github.com/osproxy/osproxy/internal/wire"
)

// Read buffer sizes. Timed cells read large responses in few system calls;
// connection cells open thousands of connections, where a big buffer each
// would make the generator, not the proxy, the slow part of a storm.
const (
	bigReadBuf   = 64 << 10
	smallReadBuf = 4 << 10
)

// Conn is one client connection that sends whole pre-serialized requests.
type Conn struct {
	addr string
	nc   net.Conn
	br   *bufio.Reader
	head wire.Head
}

// Dial opens a connection to addr (host:port on loopback) that reads
// through a buffer of bufSize bytes.
func Dial(addr string, timeout time.Duration, bufSize int) (*Conn, error) {
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("dialing %s: %w", addr, err)
	}
	return &Conn{addr: addr, nc: nc, br: bufio.NewReaderSize(nc, bufSize)}, nil
}

// SetDeadline bounds every read and write until t, so a stuck peer cannot
// hold a cell open past its time budget.
func (c *Conn) SetDeadline(t time.Time) error { return c.nc.SetDeadline(t) }

// Do writes req and reads the whole response, discarding its body. It
// returns the status code and whether the server asked to close.
func (c *Conn) Do(req []byte) (status int, closed bool, err error) {
	if _, err := c.nc.Write(req); err != nil {
		return 0, true, fmt.Errorf("writing request: %w", err)
	}
	return c.ReadResponse()
}

// ReadResponse reads one response after the caller wrote a request itself
// (the streaming upload writes its body in pieces).
func (c *Conn) ReadResponse() (status int, closed bool, err error) {
	if err := wire.ReadResponseHead(c.br, &c.head); err != nil {
		return 0, true, fmt.Errorf("reading response head: %w", err)
	}
	// A 100 Continue is an interim answer; the real one follows it.
	if c.head.Status == 100 {
		if err := wire.ReadResponseHead(c.br, &c.head); err != nil {
			return 0, true, fmt.Errorf("reading response head: %w", err)
		}
	}
	if _, err := wire.ReadBody(c.br, &c.head, nil); err != nil {
		return c.head.Status, true, fmt.Errorf("reading response body: %w", err)
	}
	return c.head.Status, c.head.Close, nil
}

// ReadResponseCounting reads a response and returns its body length too,
// for the streaming download cells.
func (c *Conn) ReadResponseCounting() (status int, n int64, err error) {
	if err := wire.ReadResponseHead(c.br, &c.head); err != nil {
		return 0, 0, fmt.Errorf("reading response head: %w", err)
	}
	n, err = wire.ReadBody(c.br, &c.head, nil)
	if err != nil {
		return c.head.Status, n, fmt.Errorf("reading response body: %w", err)
	}
	return c.head.Status, n, nil
}

// Write sends raw bytes (a request head or a piece of a streamed body).
func (c *Conn) Write(p []byte) error {
	if _, err := c.nc.Write(p); err != nil {
		return fmt.Errorf("writing: %w", err)
	}
	return nil
}

// Close closes the connection.
func (c *Conn) Close() error { return c.nc.Close() }

// fetchLimit is how much of a probe's body is kept: enough for an error
// document or the start of a search response.
const fetchLimit = 64 << 10

// Fetch sends one request on a new connection and returns the status and
// the first 64 KiB of the body, for probes that must look at an answer.
func Fetch(addr string, req []byte, limit time.Duration) (int, []byte, error) {
	c, err := dialUntil(addr, time.Now().Add(limit), smallReadBuf)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = c.Close() }()
	if err := c.Write(req); err != nil {
		return 0, nil, err
	}
	if err := wire.ReadResponseHead(c.br, &c.head); err != nil {
		return 0, nil, fmt.Errorf("reading response head: %w", err)
	}
	var body []byte
	_, err = wire.ReadBody(c.br, &c.head, func(p []byte) {
		if room := fetchLimit - len(body); room > 0 {
			body = append(body, p[:min(room, len(p))]...)
		}
	})
	if err != nil {
		return c.head.Status, body, fmt.Errorf("reading response body: %w", err)
	}
	return c.head.Status, body, nil
}
