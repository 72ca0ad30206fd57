package mockupstream

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxRecordedBody is how many leading body bytes each recording keeps
// when Options.MaxRecordedBody is zero.
const DefaultMaxRecordedBody = 1 << 20

// frameSize is the unit bodies move in. One frame per request in flight is all
// the body memory the mock holds beyond the recorded prefixes.
const frameSize = 32 << 10

// Options configures a Server. The zero value is ready to use.
type Options struct {
	// MaxRecordedBody is how many leading body bytes each recording keeps in
	// Request.BodyPrefix. Zero means DefaultMaxRecordedBody; a negative value
	// keeps none (size and hash are still recorded).
	MaxRecordedBody int
	// Now stamps Request.Received. Nil means time.Now.
	Now func() time.Time
}

// Server is a running mock upstream. It is safe for concurrent use.
type Server struct {
	ln     net.Listener
	http   *http.Server
	limit  int
	now    func() time.Time
	cancel context.CancelFunc // ends every request context on Close
	served chan struct{}      // closed when the accept loop has returned

	routes routeTable
	rec    recorder

	connsOpened    atomic.Int64
	connsOpen      atomic.Int64
	requestsServed atomic.Int64

	mu       sync.Mutex // guards closed, and orders handlers.Add before Wait
	closed   bool
	handlers sync.WaitGroup
}

// Start starts a Server with default Options on 127.0.0.1 and a free port.
func Start() (*Server, error) {
	return StartWith(Options{})
}

// StartWith starts a Server configured by opts on 127.0.0.1 and a free port.
func StartWith(opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on loopback: %w", err)
	}
	s := &Server{
		ln:     ln,
		limit:  recordLimit(opts.MaxRecordedBody),
		now:    opts.Now,
		served: make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	base, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	// Only HTTP/1.1 is spoken: the proxy's upstream leg is HTTP/1.1 with
	// keep-alive, and connection counts only mean something without h2c.
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	s.http = &http.Server{
		Handler:     http.HandlerFunc(s.serve),
		ConnState:   s.trackConn,
		BaseContext: func(net.Listener) context.Context { return base },
		// Resets and aborted writes are the point of several responders;
		// net/http's complaints about them would only be noise.
		ErrorLog:  log.New(io.Discard, "", 0),
		Protocols: &protocols,
	}
	go func() {
		defer close(s.served)
		_ = s.http.Serve(ln)
	}()
	return s, nil
}

func recordLimit(n int) int {
	switch {
	case n == 0:
		return DefaultMaxRecordedBody
	case n < 0:
		return 0
	default:
		return n
	}
}

// URL returns the base URL of the mock, "http://127.0.0.1:port".
func (s *Server) URL() string {
	return "http://" + s.ln.Addr().String()
}

// Close closes the listener and every connection, ends the context of every
// request in flight, and waits for their responders and connections to finish.
// Calling it again does nothing.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()

	// Connections go before contexts: a responder that gives up when its
	// context ends must find no live connection to send anything on.
	err := s.http.Close()
	s.cancel()
	<-s.served
	s.handlers.Wait()
	// net/http has closed every connection but retires them on their own
	// goroutines; waiting for that leaves nothing running once Close returns.
	_ = s.WaitFor(context.Background(), func() bool { return s.connsOpen.Load() == 0 })
	if err != nil {
		return fmt.Errorf("closing mock upstream: %w", err)
	}
	return nil
}

// ConnectionsOpened returns how many TCP connections the mock has accepted.
func (s *Server) ConnectionsOpened() int64 { return s.connsOpened.Load() }

// OpenConnections returns how many accepted connections are still open.
// A hijacked connection counts as closed from the moment it is hijacked.
func (s *Server) OpenConnections() int64 { return s.connsOpen.Load() }

// RequestsServed returns how many requests have been answered, counting each
// when its responder returned, including responders that broke the connection.
func (s *Server) RequestsServed() int64 { return s.requestsServed.Load() }

func (s *Server) trackConn(_ net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		s.connsOpened.Add(1)
		s.connsOpen.Add(1)
	case http.StateHijacked, http.StateClosed:
		s.connsOpen.Add(-1)
	default:
		return
	}
	s.rec.notify()
}

// enter reports whether a handler may run, registering it with Close.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.handlers.Add(1)
	return true
}

// serve records one request and hands it to the responder its route names.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		// Closing: an implicit empty 200 would read as success.
		hangUp(w)
		return
	}
	defer s.handlers.Done()

	e := s.rec.arrive(newRecording(r, s.now(), s.limit))
	defer s.finish(e)
	// The per-call choice (Sequence) is made first: whether the chosen
	// responder streams decides whether the body is drained now.
	resp := choose(s.routes.match(r.Method, e.req.RawPath))
	body := newBodyRecorder(r, &s.rec, e, s.limit)

	if streamsBody(resp) {
		// Without full duplex net/http would discard or refuse the rest of
		// the body once the responder starts writing.
		_ = http.NewResponseController(w).EnableFullDuplex()
		req := s.rec.snapshot(e)
		req.ctx, req.body = r.Context(), body
		defer body.finish()
		resp.Respond(w, &req)
		return
	}

	err := body.drain()
	body.finish()
	if err != nil {
		writeBodyError(w)
		return
	}
	req := s.rec.snapshot(e)
	req.ctx = r.Context()
	resp.Respond(w, &req)
}

func (s *Server) finish(e *entry) {
	s.requestsServed.Add(1)
	s.rec.markDone(e)
}

// writeBodyError answers a request whose body could not be read, as a real
// node would answer a malformed chunk, rather than pretending it was accepted.
func writeBodyError(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Connection", "close")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = io.WriteString(w, `{"error":{"type":"mock_body_error","reason":"reading the request body failed"},"status":400}`)
}
