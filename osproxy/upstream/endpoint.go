package upstream

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure an Endpoint. Zero values take the defaults noted.
type Options struct {
	// HeaderTimeout bounds the wait for a response head once the request is
	// sent (ERR-5). Zero means no bound.
	HeaderTimeout time.Duration
	// DialTimeout bounds connecting, TLS handshake included: 10 s.
	DialTimeout time.Duration
	// IdleTimeout closes connections idle this long: 90 s.
	IdleTimeout time.Duration
	// MaxIdle is how many idle connections the pool keeps: 1024.
	MaxIdle int
	// MaxConns bounds the connections open at once, idle ones included; a
	// request that finds none free waits for one. Zero means no bound.
	MaxConns int
	// TLS is the client configuration for an https endpoint; nil uses the
	// system roots. ServerName defaults to the endpoint's host.
	TLS *tls.Config
	// Authorize, when set, returns the Authorization value sent with every
	// request (upstream credentials); empty sends none.
	Authorize func() string
	// StallTimeout bounds each pause in a response body once its head has
	// arrived: a body that sends nothing for this long fails with ErrStalled.
	// Zero means no bound.
	StallTimeout time.Duration
}

// Endpoint is one upstream base URL and its pool of connections. It is safe
// for concurrent use.
type Endpoint struct {
	opts     Options
	addr     string // host:port to dial
	host     string // the Host field
	basePath string // escaped, without a trailing "/"
	tls      *tls.Config
	dialer   net.Dialer

	mu      sync.Mutex
	idle    []*conn // most recently used last
	reaper  *time.Timer
	open    int             // connections open, idle ones included (with MaxConns)
	waiters []chan struct{} // requests waiting for a connection under MaxConns

	opened, reused atomic.Int64
	inflight       atomic.Int32 // exchanges between Do and the end of their body
}

// New parses base, an absolute http or https URL, into an Endpoint.
func New(base string, opts Options) (*Endpoint, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("parsing upstream URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("parsing upstream URL: %q is not an absolute http(s) URL", base)
	}
	setDefaults(&opts)
	e := &Endpoint{opts: opts, addr: u.Host, host: u.Host, basePath: strings.TrimRight(u.EscapedPath(), "/")}
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		e.addr = net.JoinHostPort(u.Hostname(), port)
	}
	e.dialer = net.Dialer{Timeout: opts.DialTimeout, KeepAlive: 30 * time.Second}
	if u.Scheme == "https" {
		e.tls = tlsConfig(opts.TLS, u.Hostname())
	}
	return e, nil
}

func setDefaults(o *Options) {
	if o.DialTimeout <= 0 {
		o.DialTimeout = 10 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 90 * time.Second
	}
	if o.MaxIdle <= 0 {
		o.MaxIdle = 1024
	}
}

// tlsConfig clones base for one host: HTTP/1.1 by ALPN, the host as server
// name, and a session cache so that new connections resume sessions instead of
// paying for a full handshake.
func tlsConfig(base *tls.Config, host string) *tls.Config {
	var c *tls.Config
	if base != nil {
		c = base.Clone()
	} else {
		c = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if c.ServerName == "" {
		c.ServerName = host
	}
	c.NextProtos = []string{"http/1.1"}
	if c.ClientSessionCache == nil {
		c.ClientSessionCache = tls.NewLRUClientSessionCache(64)
	}
	return c
}

// BasePath is the endpoint's path without a trailing "/", escaped.
func (e *Endpoint) BasePath() string { return e.basePath }

// Stats reports how many connections the endpoint opened and how many
// requests went on a reused one.
func (e *Endpoint) Stats() (opened, reused int64) { return e.opened.Load(), e.reused.Load() }

// get returns an idle connection that still looks alive, or dials one, or
// under MaxConns waits until one of them is possible.
func (e *Endpoint) get(ctx context.Context) (*conn, error) {
	now := time.Now()
	for {
		e.mu.Lock()
		if n := len(e.idle); n > 0 {
			c := e.idle[n-1]
			e.idle[n-1] = nil
			e.idle = e.idle[:n-1]
			e.mu.Unlock()
			// A connection idle for a while may have been closed by the upstream:
			// look before writing to it. A busy pool never pays for the look.
			if now.Sub(c.idleSince) < time.Second || c.alive() {
				c.reused = true
				e.reused.Add(1)
				return c, nil
			}
			c.close()
			continue
		}
		if e.opts.MaxConns <= 0 || e.open < e.opts.MaxConns {
			e.open++
			e.mu.Unlock()
			c, err := e.dial(ctx)
			if err != nil {
				e.release()
			}
			return c, err
		}
		if err := e.wait(ctx); err != nil {
			return nil, err
		}
	}
}

// wait, called with mu held, releases it until a connection is put back or
// closed, or ctx ends.
func (e *Endpoint) wait(ctx context.Context) error {
	ch := make(chan struct{})
	e.waiters = append(e.waiters, ch)
	e.mu.Unlock()
	var done <-chan struct{}
	if ctx != nil {
		done = ctx.Done()
	}
	select {
	case <-ch:
		return nil
	case <-done:
		e.mu.Lock()
		for i, w := range e.waiters {
			if w == ch {
				e.waiters = append(e.waiters[:i], e.waiters[i+1:]...)
				break
			}
		}
		e.mu.Unlock()
		return &Error{Op: "wait for a connection", Err: context.Canceled}
	}
}

// wakeLocked lets the longest waiting request look again; mu is held.
func (e *Endpoint) wakeLocked() {
	if len(e.waiters) > 0 {
		close(e.waiters[0])
		e.waiters = e.waiters[1:]
	}
}

// release counts a connection closed, or never opened.
func (e *Endpoint) release() {
	e.mu.Lock()
	e.open--
	e.wakeLocked()
	e.mu.Unlock()
}

func (e *Endpoint) dial(ctx context.Context) (*conn, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	nc, err := e.dialer.DialContext(ctx, "tcp", e.addr)
	if err != nil {
		return nil, &Error{Op: "dial", Err: err}
	}
	if e.tls != nil {
		tc := tls.Client(nc, e.tls)
		hctx, cancel := context.WithTimeout(ctx, e.opts.DialTimeout)
		err = tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			_ = nc.Close()
			return nil, &Error{Op: "tls handshake", Err: err}
		}
		nc = tc
	}
	e.opened.Add(1)
	return newConn(e, nc), nil
}

// put returns a connection whose last exchange ended cleanly to the pool.
func (e *Endpoint) put(c *conn) {
	c.idleSince = time.Now()
	e.mu.Lock()
	if len(e.idle) >= e.opts.MaxIdle {
		e.mu.Unlock()
		c.close()
		return
	}
	e.idle = append(e.idle, c)
	e.wakeLocked()
	var stale *conn
	if e.idle[0].idleSince.Before(c.idleSince.Add(-e.opts.IdleTimeout)) {
		stale = e.idle[0]
		e.idle = append(e.idle[:0], e.idle[1:]...)
	}
	if e.reaper == nil {
		e.reaper = time.AfterFunc(e.opts.IdleTimeout, e.reap)
	}
	e.mu.Unlock()
	if stale != nil {
		stale.close()
	}
}

// reap closes connections idle longer than IdleTimeout, and runs again while
// any remain.
func (e *Endpoint) reap() {
	cutoff := time.Now().Add(-e.opts.IdleTimeout)
	e.mu.Lock()
	i := 0
	for i < len(e.idle) && e.idle[i].idleSince.Before(cutoff) {
		i++
	}
	old := append([]*conn(nil), e.idle[:i]...)
	e.idle = append(e.idle[:0], e.idle[i:]...)
	if len(e.idle) > 0 {
		e.reaper.Reset(e.opts.IdleTimeout)
	} else {
		e.reaper = nil
	}
	e.mu.Unlock()
	for _, c := range old {
		c.close()
	}
}

// CloseIdle closes every idle connection.
func (e *Endpoint) CloseIdle() {
	e.mu.Lock()
	old := e.idle
	e.idle = nil
	e.mu.Unlock()
	for _, c := range old {
		c.close()
	}
}

var errClosed = errors.New("connection closed")
