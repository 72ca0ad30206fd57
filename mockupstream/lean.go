package mockupstream

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/osproxy/osproxy/internal/wire"
)

// LeanConfig configures a mock upstream.
type LeanConfig struct {
	Addr  string
	Shape Shape
	// BigBytes is the size of the ?resp= raw response and of the
	// aggregations member of a search that asks for aggregations.
	BigBytes int64
	// MaxConns bounds concurrent connections; beyond it new ones are closed.
	MaxConns int
	// IdleTimeout closes a connection that sends nothing for this long.
	IdleTimeout time.Duration
}

// LeanServer is a running mock upstream.
type LeanServer struct {
	cfg   LeanConfig
	ln    net.Listener
	sem   chan struct{}
	doc   []byte
	got   []byte
	srch  *sizedCache
	bulk  *sizedCache
	msrch *sizedCache // multi-search answers by item count (lean_msearch.go)
	raw   bigBody
	agg   bigBody

	opened, active, requests, bodyBytes atomic.Int64
	byRoute                             [leanRouteCount]atomic.Int64
}

// New listens on cfg.Addr and prepares the canned responses.
func NewLean(cfg LeanConfig) (*LeanServer, error) {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	sh := cfg.Shape
	s := &LeanServer{
		cfg: cfg, ln: ln, sem: make(chan struct{}, cfg.MaxConns),
		doc:   cannedResponse(201, sh.docCreated()),
		got:   cannedResponse(200, sh.docFound()),
		srch:  newSizedCache(func(n int) []byte { return cannedResponse(200, sh.searchBody(n)) }, 10, 1000),
		bulk:  newSizedCache(func(n int) []byte { return cannedResponse(200, sh.bulkBody(n)) }, 100, 1000),
		msrch: newSizedCache(func(n int) []byte { return cannedResponse(200, sh.msearchBody(n)) }, 10),
		raw:   rawBody(cfg.BigBytes),
		agg:   aggBody(sh, cfg.BigBytes),
	}
	return s, nil
}

// Addr is the bound address.
func (s *LeanServer) Addr() string { return s.ln.Addr().String() }

// Close stops accepting connections.
func (s *LeanServer) Close() error { return s.ln.Close() }

// Serve accepts until the listener is closed: the mock lives as long as the
// run that started it, which stops it (or its death signal does).
func (s *LeanServer) Serve() error {
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			// Out of descriptors and the like: back off instead of spinning.
			time.Sleep(5 * time.Millisecond)
			continue
		}
		select {
		case s.sem <- struct{}{}:
			go s.serveConn(nc)
		default:
			_ = nc.Close()
		}
	}
}

func (s *LeanServer) serveConn(nc net.Conn) {
	s.active.Add(1)
	defer func() {
		_ = nc.Close()
		s.active.Add(-1)
		<-s.sem
	}()
	br := bufio.NewReaderSize(nc, 32<<10)
	var h wire.Head
	var in inspector
	visit := in.visit
	counted := false
	// Each pass serves one request; the idle deadline ends the loop when
	// the peer goes quiet, and a read error ends it when the peer leaves.
	for {
		_ = nc.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
		if err := wire.ReadRequestHead(br, &h); err != nil {
			return
		}
		if h.ExpectContinue {
			if _, err := nc.Write([]byte("HTTP/1.1 100 Continue\r\n\r\n")); err != nil {
				return
			}
		}
		in.reset()
		n, err := wire.ReadBody(br, &h, visit)
		if err != nil {
			return
		}
		path, query := splitTarget(h.Target)
		if string(path) == "/__stats" {
			if _, err := nc.Write(s.statsResponse()); err != nil {
				return
			}
			continue
		}
		// A connection counts as opened by its first real request, so the
		// harness's own stats connections never show up as churn.
		if !counted {
			counted = true
			s.opened.Add(1)
		}
		s.requests.Add(1)
		s.bodyBytes.Add(n)
		if err := s.respond(nc, &h, path, query, &in); err != nil || h.Close {
			return
		}
	}
}

func splitTarget(t []byte) (path, query []byte) {
	if i := bytes.IndexByte(t, '?'); i >= 0 {
		return t[:i], t[i+1:]
	}
	return t, nil
}

func (s *LeanServer) statsResponse() []byte {
	b := make([]byte, 0, 256)
	b = append(b, `{"conns_opened":`...)
	b = strconv.AppendInt(b, s.opened.Load(), 10)
	b = append(b, `,"conns_active":`...)
	b = strconv.AppendInt(b, s.active.Load(), 10)
	b = append(b, `,"requests":`...)
	b = strconv.AppendInt(b, s.requests.Load(), 10)
	b = append(b, `,"body_bytes_in":`...)
	b = strconv.AppendInt(b, s.bodyBytes.Load(), 10)
	b = append(b, `,"by_route":{`...)
	for r := leanRoute(0); r < leanRouteCount; r++ {
		if r > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, r.String())
		b = append(b, ':')
		b = strconv.AppendInt(b, s.byRoute[r].Load(), 10)
	}
	b = append(b, "}}"...)
	return cannedResponse(200, string(b))
}
