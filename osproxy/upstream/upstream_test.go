package upstream

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func newEndpoint(t *testing.T, base string, opts Options) *Endpoint {
	t.Helper()
	e, err := New(base, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.CloseIdle)
	return e
}

func do(t *testing.T, e *Endpoint, req *Request) (*Response, string) {
	t.Helper()
	resp, err := e.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestDo_Sequential_OneConnectionReused(t *testing.T) {
	var conns atomic.Int64
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Seen", r.Method+" "+r.RequestURI+" "+r.Header.Get("X-A")+" "+r.Host)
		_, _ = w.Write(b)
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Start()
	defer ts.Close()
	e := newEndpoint(t, ts.URL+"/base/", Options{HeaderTimeout: time.Second})
	for i := 0; i < 5; i++ {
		resp, body := do(t, e, &Request{Method: "PUT", Target: "/i/_doc/1?x=%2F", Fields: []byte("X-A: b\r\n"), Body: []byte(`{"a":1}`)})
		if resp.Status != 200 || body != `{"a":1}` ||
			resp.Header.Get("X-Seen") != "PUT /base/i/_doc/1?x=%2F b "+strings.TrimPrefix(ts.URL, "http://") {
			t.Fatalf("got %d %q %v", resp.Status, body, resp.Header)
		}
	}
	if opened, reused := e.Stats(); conns.Load() != 1 || opened != 1 || reused != 4 {
		t.Fatalf("server saw %d connections; opened %d, reused %d", conns.Load(), opened, reused)
	}
}

func TestDo_ResponseFramings_Read(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked":
			_, _ = io.WriteString(w, "ab")
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, "cd")
		case "/204":
			w.WriteHeader(204)
		case "/continue":
			w.WriteHeader(100)
			_, _ = io.WriteString(w, "after")
		default:
			w.Header().Set("Content-Length", "4")
			_, _ = io.WriteString(w, "abcd")
		}
	}))
	defer ts.Close()
	e := newEndpoint(t, ts.URL, Options{})
	for _, tc := range []struct{ method, target, body string }{
		{"GET", "/chunked", "abcd"}, {"GET", "/204", ""}, {"HEAD", "/len", ""}, {"GET", "/len", "abcd"}, {"GET", "/continue", "after"},
	} {
		if _, body := do(t, e, &Request{Method: tc.method, Target: tc.target}); body != tc.body {
			t.Fatalf("%s %s: %q", tc.method, tc.target, body)
		}
	}
	if opened, _ := e.Stats(); opened != 1 {
		t.Fatalf("opened %d connections for five clean exchanges", opened)
	}
}

func TestDo_StreamedBody_ChunkedOrExact(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = io.WriteString(w, strings.Join(r.TransferEncoding, ",")+"|"+string(b))
	}))
	defer ts.Close()
	e := newEndpoint(t, ts.URL, Options{})
	big := strings.Repeat("z", 200<<10)
	if _, body := do(t, e, &Request{Method: "POST", Target: "/", Stream: strings.NewReader(big), StreamLength: -1}); body != "chunked|"+big {
		t.Fatalf("chunked: %d bytes", len(body))
	}
	if _, body := do(t, e, &Request{Method: "POST", Target: "/", Stream: strings.NewReader(big), StreamLength: int64(len(big))}); body != "|"+big {
		t.Fatalf("length: %d bytes", len(body))
	}
	_, err := e.Do(&Request{Method: "POST", Target: "/", Stream: strings.NewReader("short"), StreamLength: 10})
	if err == nil || !strings.Contains(err.Error(), "request body") {
		t.Fatalf("a body shorter than declared went out: %v", err)
	}
}

func TestDo_SlowUpstream_TimeoutOrCanceled(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
	}))
	defer ts.Close()
	e := newEndpoint(t, ts.URL, Options{HeaderTimeout: 200 * time.Millisecond})
	if _, err := e.Do(&Request{Method: "GET", Target: "/"}); !IsTimeout(err) {
		t.Fatalf("got %v, want a timeout", err)
	}
	e = newEndpoint(t, ts.URL, Options{HeaderTimeout: 3 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := e.Do(&Request{Method: "GET", Target: "/", Ctx: ctx}); !IsCanceled(err) || time.Since(start) > time.Second {
		t.Fatalf("got %v after %v, want canceled", err, time.Since(start))
	}
}

// TestDo_PooledConnectionClosed_Retried: the upstream closes a kept-alive
// connection without saying so; a replayable request goes out again.
func TestDo_PooledConnectionClosed_Retried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
					_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				}
			}() // one answer per connection, then a close the client is not told about
		}
	}()
	e := newEndpoint(t, "http://"+ln.Addr().String(), Options{})
	for i := 0; i < 3; i++ {
		time.Sleep(20 * time.Millisecond) // let the close arrive
		if _, body := do(t, e, &Request{Method: "GET", Target: "/"}); body != "ok" {
			t.Fatalf("round %d: %q", i, body)
		}
	}
}

func TestDo_TLS_SessionResumedAndCredentialsSent(t *testing.T) {
	var resumed atomic.Int64
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS.DidResume {
			resumed.Add(1)
		}
		_, _ = io.WriteString(w, r.Header.Get("Authorization"))
	}))
	ts.StartTLS()
	defer ts.Close()
	pool := ts.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	e := newEndpoint(t, ts.URL, Options{TLS: &tls.Config{RootCAs: pool}, Authorize: func() string { return "Basic dTpw" }})
	for i := 0; i < 3; i++ {
		resp, err := e.Do(&Request{Method: "GET", Target: "/"})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if string(b) != "Basic dTpw" {
			t.Fatalf("credentials %q", b)
		}
		e.CloseIdle() // the next request dials again
	}
	if resumed.Load() != 2 {
		t.Fatalf("%d of 2 later connections resumed their TLS session", resumed.Load())
	}
}

// TestDo_MaxConns_RequestsWaitForAConnection: at the cap, a request waits for
// a connection to come back, and never opens one more.
func TestDo_MaxConns_RequestsWaitForAConnection(t *testing.T) {
	var open, peak atomic.Int64
	release := make(chan struct{})
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			<-release
		}
		_, _ = io.WriteString(w, "ok")
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			if n := open.Add(1); n > peak.Load() {
				peak.Store(n)
			}
		case http.StateClosed:
			open.Add(-1)
		}
	}
	ts.Start()
	defer ts.Close()
	e := newEndpoint(t, ts.URL, Options{MaxConns: 2})
	held := make(chan error, 2)
	for range 2 {
		go func() {
			resp, err := e.Do(&Request{Method: "GET", Target: "/hold"})
			if err == nil {
				_, err = io.ReadAll(resp.Body)
			}
			held <- err
		}()
	}
	time.Sleep(100 * time.Millisecond)
	waited := make(chan string, 1)
	go func() {
		_, body := do(t, e, &Request{Method: "GET", Target: "/next"})
		waited <- body
	}()
	select {
	case <-waited:
		t.Fatal("a third request got a connection beyond MaxConns")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if body := <-waited; body != "ok" {
		t.Fatalf("waiting request got %q", body)
	}
	for range 2 {
		if err := <-held; err != nil {
			t.Fatal(err)
		}
	}
	if opened, _ := e.Stats(); opened != 2 || peak.Load() != 2 {
		t.Fatalf("opened %d connections, the upstream saw %d at once", opened, peak.Load())
	}
}

// TestDo_StalledBody_FailsAfterStallTimeout: a body that pauses longer than
// StallTimeout fails with ErrStalled; one that keeps coming does not, however
// long it takes in all.
func TestDo_StalledBody_FailsAfterStallTimeout(t *testing.T) {
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "6")
		for i := 0; i < 3; i++ { // 3 bytes, 60 ms apart: each pause under the bound
			_, _ = w.Write([]byte("x"))
			w.(http.Flusher).Flush()
			time.Sleep(60 * time.Millisecond)
		}
		if r.URL.Path == "/stall" {
			<-release
		}
		_, _ = w.Write([]byte("yyy"))
	}))
	defer ts.Close()
	defer close(release)
	e := newEndpoint(t, ts.URL, Options{StallTimeout: 150 * time.Millisecond})
	if _, body := do(t, e, &Request{Method: "GET", Target: "/drip"}); body != "xxxyyy" {
		t.Fatalf("dripping body %q", body)
	}
	resp, err := e.Do(&Request{Method: "GET", Target: "/stall"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = io.ReadAll(resp.Body)
	if !errors.Is(err, ErrStalled) || time.Since(start) > 2*time.Second {
		t.Fatalf("got %v after %v, want ErrStalled", err, time.Since(start))
	}
}
