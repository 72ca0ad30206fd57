package server

import (
	"context"
	"crypto/tls"
	"errors"
	"log"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/osproxy/osproxy/osproxy/h1"
)

// Config configures a Server. Zero durations take the defaults noted.
type Config struct {
	Handler http.Handler
	// TLS, when set, makes the server speak TLS: HTTP/1.1 on this loop,
	// HTTP/2 (by ALPN) on net/http.
	TLS *tls.Config
	// ReadHeaderTimeout bounds reading a request head once its first bytes
	// arrived, and a TLS handshake: 10 s.
	ReadHeaderTimeout time.Duration
	// IdleTimeout closes a keep-alive connection that sends no request: 2 min
	// when zero; negative means never.
	IdleTimeout time.Duration
	// ReadTimeout bounds the arrival of a request's body once its head is
	// read, and WriteTimeout the writing of its response; zero means none.
	ReadTimeout, WriteTimeout time.Duration
	// MaxConns bounds the client connections open at once; a further client
	// waits in the listen backlog until one closes. Zero means no bound. The
	// server counts them itself rather than wrapping the listener, so its
	// connections stay the kernel's own (one writev per response, a peek
	// while idle).
	MaxConns int
	// BodyStallTimeout bounds each pause while a request body arrives: a read
	// of the body that waits this long fails with a timeout (and the
	// connection closes after the response). Zero means no bound beyond
	// ReadTimeout.
	BodyStallTimeout time.Duration
	// WriteStallTimeout bounds each write of a response body after the first
	// (a client that stops reading a streamed response); the first write, and
	// the whole response, are bounded by WriteTimeout. Zero means no bound.
	WriteStallTimeout time.Duration
	// Refuse writes the answer to a request the parser refused; the
	// connection closes after it.
	Refuse func(w http.ResponseWriter, r *http.Request, e *h1.Error)
	// ErrorLog receives handler panics; nil logs to standard error.
	ErrorLog *log.Logger
}

// Server serves connections accepted from a listener.
type Server struct {
	cfg     Config
	tlsCfg  *tls.Config
	h2      *http.Server
	h2ln    *chanListener
	closing atomic.Bool
	slots   chan struct{} // one per open connection under MaxConns
	active  atomic.Int32  // requests being handled
	done    chan struct{} // closed by Shutdown

	mu    sync.Mutex
	ln    net.Listener
	conns map[*conn]struct{}
}

// New builds a Server.
func New(cfg Config) *Server {
	if cfg.ReadHeaderTimeout <= 0 {
		cfg.ReadHeaderTimeout = 10 * time.Second
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 2 * time.Minute
	}
	if cfg.ErrorLog == nil {
		cfg.ErrorLog = log.New(os.Stderr, "osproxy: ", log.LstdFlags)
	}
	if cfg.Refuse == nil {
		cfg.Refuse = func(w http.ResponseWriter, _ *http.Request, e *h1.Error) {
			http.Error(w, e.Reason, e.Status)
		}
	}
	s := &Server{cfg: cfg, conns: map[*conn]struct{}{}, done: make(chan struct{})}
	if cfg.MaxConns > 0 {
		s.slots = make(chan struct{}, cfg.MaxConns)
	}
	if cfg.TLS != nil {
		s.tlsCfg = withProtocols(cfg.TLS)
		s.h2 = &http.Server{Handler: cfg.Handler, TLSConfig: s.tlsCfg, ReadHeaderTimeout: cfg.ReadHeaderTimeout,
			ReadTimeout: cfg.ReadTimeout, WriteTimeout: cfg.WriteTimeout, IdleTimeout: cfg.IdleTimeout,
			ErrorLog: cfg.ErrorLog, MaxHeaderBytes: h1.MaxHead, ConnState: s.h2State}
	}
	return s
}

// Serve accepts connections until Shutdown; it then returns
// http.ErrServerClosed.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	if s.h2 != nil {
		s.h2ln = newChanListener(ln.Addr())
		go func() { _ = s.h2.Serve(s.h2ln) }()
	}
	var backoff time.Duration
	for {
		if !s.acquire() {
			return http.ErrServerClosed
		}
		nc, err := ln.Accept()
		if err != nil {
			s.releaseSlot()
			if s.closing.Load() {
				return http.ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscallEMFILE) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.logf("server: accepting: %v; retrying in %v", err, backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		go s.serveConn(nc)
	}
}

// serveConn runs one connection: TLS first when configured, then HTTP/1.1
// here or HTTP/2 on net/http.
func (s *Server) serveConn(nc net.Conn) {
	if s.tlsCfg != nil {
		tc := tls.Server(nc, s.tlsCfg)
		_ = tc.SetDeadline(time.Now().Add(s.cfg.ReadHeaderTimeout))
		if err := tc.Handshake(); err != nil {
			s.refusePlain(err, nc)
			s.releaseSlot()
			return
		}
		_ = tc.SetDeadline(time.Time{})
		state := tc.ConnectionState()
		if state.NegotiatedProtocol == "h2" {
			s.h2ln.push(tc)
			return
		}
		c := newConn(s, tc)
		c.tls = &state
		s.run(c)
		return
	}
	s.run(newConn(s, nc))
}

// refusePlain answers a cleartext HTTP request sent to the TLS listener with
// a 400 (HTTP-1) rather than a silent close, then closes the connection.
func (s *Server) refusePlain(err error, nc net.Conn) {
	var re tls.RecordHeaderError
	if errors.As(err, &re) && re.Conn != nil && looksLikeHTTP(re.RecordHeader[:]) {
		c := newConn(s, re.Conn)
		c.refuse(&h1.Error{Status: 400, Code: h1.CodeMalformed, Rule: "HTTP-1",
			Reason: "this port speaks TLS: send the request over HTTPS"}, "")
	}
	_ = nc.Close()
}

// looksLikeHTTP reports whether the first bytes of a connection start an
// HTTP/1 request rather than a TLS record.
func looksLikeHTTP(p []byte) bool {
	for _, m := range []string{"GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT "} {
		if len(p) >= len(m) && string(p[:len(m)]) == m || len(p) < len(m) && string(p) == m[:len(p)] {
			return true
		}
	}
	return false
}

func (s *Server) run(c *conn) {
	if !s.track(c) {
		_ = c.nc.Close()
		s.releaseSlot()
		return
	}
	c.serve()
}

// acquire takes a connection slot under MaxConns, waiting for one; it
// reports false once Shutdown has begun.
func (s *Server) acquire() bool {
	if s.slots == nil {
		return true
	}
	select {
	case s.slots <- struct{}{}:
		return true
	case <-s.done:
		return false
	}
}

func (s *Server) releaseSlot() {
	if s.slots != nil {
		<-s.slots
	}
}

// h2State gives back the slot of an HTTP/2 connection net/http closes.
func (s *Server) h2State(_ net.Conn, st http.ConnState) {
	if st == http.StateClosed || st == http.StateHijacked {
		s.releaseSlot()
	}
}

func (s *Server) track(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.releaseSlot()
}

func (s *Server) shuttingDown() bool { return s.closing.Load() }

// Conns reports how many client connections are open (HTTP/1.1 on this loop;
// HTTP/2 connections are net/http's and not counted).
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Shutdown stops accepting, closes idle connections, lets active ones finish
// their request, and waits for them until ctx ends; then it closes the rest
// and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.closing.CompareAndSwap(false, true) {
		close(s.done)
	}
	s.mu.Lock()
	if s.ln != nil {
		_ = s.ln.Close()
	}
	s.mu.Unlock()
	h2done := make(chan error, 1)
	if s.h2 != nil {
		go func() { h2done <- s.h2.Shutdown(ctx) }()
	} else {
		h2done <- nil
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if s.closeIdle() == 0 {
			return <-h2done
		}
		select {
		case <-ctx.Done():
			s.closeAll()
			<-h2done
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// closeIdle wakes every idle connection so it ends, and returns how many
// connections remain.
func (s *Server) closeIdle() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.state.CompareAndSwap(stateIdle, stateClosing) {
			_ = c.nc.SetReadDeadline(time.Unix(1, 0))
		}
	}
	return len(s.conns)
}

func (s *Server) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		_ = c.nc.Close()
	}
}

func (s *Server) logf(format string, args ...any) { s.cfg.ErrorLog.Printf(format, args...) }

// protocols are the application protocols the listener offers by ALPN.
var protocols = []string{"h2", "http/1.1"}

// withProtocols clones c with the listener's protocols. A configuration that
// c.GetConfigForClient picks per handshake (one re-read on SIGHUP) carries them
// too: it is cloned once, when it first comes back, so its session tickets keep
// resuming until the next one replaces it.
func withProtocols(c *tls.Config) *tls.Config {
	out := c.Clone()
	out.NextProtos = protocols
	pick := c.GetConfigForClient
	if pick == nil {
		return out
	}
	var last atomic.Pointer[[2]*tls.Config] // what pick returned, and its clone with protocols
	out.GetConfigForClient = func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		got, err := pick(h)
		if got == nil || err != nil {
			return got, err
		}
		if l := last.Load(); l != nil && l[0] == got {
			return l[1], nil
		}
		with := got.Clone()
		with.NextProtos = protocols
		last.Store(&[2]*tls.Config{got, with})
		return with, nil
	}
	return out
}
