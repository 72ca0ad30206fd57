package server

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/osproxy/osproxy/osproxy/h1"
)

// start serves h on a loopback port until the test ends.
func start(t *testing.T, h http.Handler, cfg Config) (*Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Handler = h
	s := New(cfg)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
		<-done
	})
	return s, ln.Addr().String()
}

// dial opens a raw connection with a deadline.
func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { _ = c.Close() })
	return c, bufio.NewReader(c)
}

func readResponse(t *testing.T, br *bufio.Reader, method string) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	return resp, string(b)
}

var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.Header().Set("X-Method", r.Method)
	w.Header().Set("X-Target", r.RequestURI)
	_, _ = io.WriteString(w, r.Header.Get("X-Tenant")+"|"+string(b))
})

func TestServe_KeepAliveAndPipelining_AnsweredInOrder(t *testing.T) {
	_, addr := start(t, echo, Config{})
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "POST /a?x=1 HTTP/1.1\r\nHost: h\r\nx-tenant: acme\r\nContent-Length: 3\r\n\r\nabc"+
		"GET /b HTTP/1.1\r\nHost: h\r\n\r\n")
	for _, want := range []struct{ target, body string }{{"/a?x=1", "acme|abc"}, {"/b", "|"}} {
		resp, body := readResponse(t, br, "GET")
		if resp.StatusCode != 200 || body != want.body || resp.Header.Get("X-Target") != want.target ||
			resp.ContentLength != int64(len(want.body)) || resp.Header.Get("Date") == "" {
			t.Fatalf("got %d %q %v", resp.StatusCode, body, resp.Header)
		}
	}
	_, _ = io.WriteString(c, "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n")
	if resp, body := readResponse(t, br, "PUT"); body != "|de" || resp.Header.Get("X-Method") != "PUT" {
		t.Fatalf("got %q", body)
	}
}

func TestServe_LargeOrFlushedBody_Chunked(t *testing.T) {
	big := strings.Repeat("x", 3*wbufSize)
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "head")
		w.(http.Flusher).Flush()
		_, _ = io.WriteString(w, big)
	}), Config{})
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.0\r\n\r\n")
	resp, body := readResponse(t, br, "GET")
	if resp.TransferEncoding[0] != "chunked" || body != "head"+big || resp.Close {
		t.Fatalf("1.1: %v %d", resp.TransferEncoding, len(body))
	}
	resp, body = readResponse(t, br, "GET")
	if len(resp.TransferEncoding) != 0 || body != "head"+big || !resp.Close {
		t.Fatalf("1.0: %v %d close %v", resp.TransferEncoding, len(body), resp.Close)
	}
}

func TestServe_HeadAndDeclaredLength_NoBodySent(t *testing.T) {
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5")
		_, _ = io.WriteString(w, "hello")
	}), Config{})
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "HEAD / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if resp, body := readResponse(t, br, "HEAD"); resp.ContentLength != 5 || body != "" {
		t.Fatalf("HEAD: %d %q", resp.ContentLength, body)
	}
	if _, body := readResponse(t, br, "GET"); body != "hello" {
		t.Fatalf("GET after HEAD: %q", body)
	}
}

func TestServe_Expect100_ContinueOnFirstRead(t *testing.T) {
	_, addr := start(t, echo, Config{})
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
	line, err := br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("got %q %v", line, err)
	}
	_, _ = br.ReadString('\n')
	_, _ = io.WriteString(c, "ok")
	if _, body := readResponse(t, br, "PUT"); body != "|ok" {
		t.Fatalf("got %q", body)
	}
}

func TestServe_MalformedRequest_RefusedAndClosed(t *testing.T) {
	got := make(chan *h1.Error, 1)
	_, addr := start(t, echo, Config{Refuse: func(w http.ResponseWriter, r *http.Request, e *h1.Error) {
		got <- e
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(e.Status)
		_, _ = io.WriteString(w, `{"error":"`+e.Code+`"}`)
	}})
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n")
	resp, body := readResponse(t, br, "POST")
	if e := <-got; resp.StatusCode != 400 || body != `{"error":"malformed_request"}` || !resp.Close || e.Rule != "HTTP-5" {
		t.Fatalf("got %d %q close %v", resp.StatusCode, body, resp.Close)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("connection still open: %v", err)
	}
}

func TestServe_AbortHandler_ResponseCut(t *testing.T) {
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		_, _ = io.WriteString(w, "12345")
		panic(http.ErrAbortHandler)
	}), Config{})
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err == nil || string(b) != "12345" {
		t.Fatalf("got %q, %v: a cut body must not end cleanly", b, err)
	}
}

func TestServe_ClientGone_ContextCanceled(t *testing.T) {
	canceled := make(chan error, 1)
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			canceled <- r.Context().Err()
		case <-time.After(5 * time.Second):
			canceled <- nil
		}
	}), Config{})
	c, _ := dial(t, addr)
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	time.Sleep(50 * time.Millisecond)
	_ = c.Close()
	if err := <-canceled; err != context.Canceled {
		t.Fatalf("context ended with %v", err)
	}
}

func TestServe_WatchThenAnswer_ConnectionReused(t *testing.T) {
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.Context().Done() // starts the watch; the handler answers while it runs
		time.Sleep(20 * time.Millisecond)
		_, _ = io.WriteString(w, r.RequestURI)
	}), Config{})
	c, br := dial(t, addr)
	for _, p := range []string{"/1", "/2"} {
		_, _ = io.WriteString(c, "GET "+p+" HTTP/1.1\r\nHost: h\r\n\r\n")
		if _, body := readResponse(t, br, "GET"); body != p {
			t.Fatalf("got %q", body)
		}
	}
	// A request pipelined while the watch runs is read, not lost.
	_, _ = io.WriteString(c, "GET /3 HTTP/1.1\r\nHost: h\r\n\r\n")
	time.Sleep(5 * time.Millisecond)
	_, _ = io.WriteString(c, "GET /4 HTTP/1.1\r\nHost: h\r\n\r\n")
	for _, p := range []string{"/3", "/4"} {
		if _, body := readResponse(t, br, "GET"); body != p {
			t.Fatalf("got %q, want %q", body, p)
		}
	}
}

func TestShutdown_InFlight_FinishesThenCloses(t *testing.T) {
	release := make(chan struct{})
	s, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		_, _ = io.WriteString(w, "done")
	}), Config{})
	idle, ibr := dial(t, addr)
	_, _ = io.WriteString(idle, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	busy, bbr := dial(t, addr)
	time.Sleep(20 * time.Millisecond)
	release <- struct{}{}
	readResponse(t, ibr, "GET") // idle is now idle
	_, _ = io.WriteString(busy, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	time.Sleep(20 * time.Millisecond)
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(context.Background()) }()
	if _, err := ibr.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection not closed: %v", err)
	}
	close(release)
	if _, body := readResponse(t, bbr, "GET"); body != "done" {
		t.Fatalf("in-flight request cut: %q", body)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestServe_TLS_HTTP1AndHTTP2(t *testing.T) {
	ts := httptest.NewUnstartedServer(nil)
	ts.EnableHTTP2 = true
	ts.StartTLS() // only for its certificate and client
	defer ts.Close()
	cert := ts.TLS.Certificates
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil {
			t.Error("r.TLS unset")
		}
		_, _ = io.WriteString(w, r.Proto)
	}), Config{TLS: &tls.Config{Certificates: cert}})
	for _, h2 := range []bool{false, true} {
		tr := ts.Client().Transport.(*http.Transport).Clone()
		tr.ForceAttemptHTTP2 = h2
		if !h2 {
			tr.TLSClientConfig.NextProtos = []string{"http/1.1"}
		}
		resp, err := (&http.Client{Transport: tr}).Get("https://" + addr + "/")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := map[bool]string{false: "HTTP/1.1", true: "HTTP/2.0"}[h2]; string(b) != want {
			t.Fatalf("served %q, want %q", b, want)
		}
	}
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if resp, _ := readResponse(t, br, "GET"); resp.StatusCode != 400 {
		t.Fatalf("cleartext on the TLS port: %d", resp.StatusCode)
	}
}

func TestServe_BodyStalls_ReadDeadlineFromController(t *testing.T) {
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
			t.Errorf("SetReadDeadline: %v", err)
		}
		_, err := io.ReadAll(r.Body)
		if !isTimeout(err) {
			t.Errorf("read ended with %v, want a timeout", err)
		}
		w.Header().Set("Connection", "close")
		w.WriteHeader(408)
	}), Config{})
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc")
	if resp, _ := readResponse(t, br, "PUT"); resp.StatusCode != 408 || !resp.Close {
		t.Fatalf("got %d close %v", resp.StatusCode, resp.Close)
	}
}

func TestServe_ReadTimeout_StalledBodyCut(t *testing.T) {
	read := make(chan error, 1)
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		read <- err
	}), Config{ReadTimeout: 150 * time.Millisecond})
	c, _ := dial(t, addr)
	_, _ = io.WriteString(c, "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc")
	select {
	case err := <-read:
		if !isTimeout(err) {
			t.Fatalf("body read ended with %v, want a timeout", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("a stalled body outlived ReadTimeout")
	}
}

func TestServe_MaxConns_FurtherClientWaits(t *testing.T) {
	_, addr := start(t, echo, Config{MaxConns: 1})
	first, fbr := dial(t, addr)
	_, _ = io.WriteString(first, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n")
	readResponse(t, fbr, "GET")
	second, sbr := dial(t, addr) // accepted by the kernel, not yet by the server
	_, _ = io.WriteString(second, "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n")
	_ = second.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := sbr.ReadByte(); !isTimeout(err) {
		t.Fatalf("a second connection was served beyond MaxConns: %v", err)
	}
	_ = second.SetReadDeadline(time.Now().Add(5 * time.Second))
	_ = first.Close()
	if resp, err := http.ReadResponse(sbr, nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("the waiting client was not served once a slot freed: %v", err)
	}
}

func TestServe_BodyStallTimeout_PausedBodyCutSteadyBodyRead(t *testing.T) {
	read := make(chan error, 2)
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		read <- err
	}), Config{BodyStallTimeout: 200 * time.Millisecond})
	c, br := dial(t, addr)
	_, _ = io.WriteString(c, "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\n")
	for i := 0; i < 4; i++ { // 400 ms in all, 100 ms pauses: under the bound each time
		time.Sleep(100 * time.Millisecond)
		_, _ = io.WriteString(c, "x")
	}
	if err := <-read; err != nil {
		t.Fatalf("a body that keeps coming was cut: %v", err)
	}
	readResponse(t, br, "PUT")
	_, _ = io.WriteString(c, "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nab")
	select {
	case err := <-read:
		if !isTimeout(err) {
			t.Fatalf("stalled body read ended with %v, want a timeout", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("a stalled body outlived BodyStallTimeout")
	}
}

func TestServe_WriteStallTimeout_ClientNotReadingCut(t *testing.T) {
	wrote := make(chan error, 1)
	_, addr := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		piece := make([]byte, 64<<10)
		for i := 0; i < 1024; i++ { // 64 MiB: far more than the socket buffers hold
			if _, err := w.Write(piece); err != nil {
				wrote <- err
				return
			}
		}
		wrote <- nil
	}), Config{WriteStallTimeout: 200 * time.Millisecond})
	c, _ := dial(t, addr)
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n") // and never read
	select {
	case err := <-wrote:
		if !isTimeout(err) {
			t.Fatalf("write ended with %v, want a timeout", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a client that stopped reading held the handler past WriteStallTimeout")
	}
}

func TestWithProtocols_PickedConfigurations_OfferProtocolsAndAreClonedOncePerReload(t *testing.T) {
	first, second := &tls.Config{ServerName: "first"}, &tls.Config{ServerName: "second"}
	var current atomic.Pointer[tls.Config]
	current.Store(first)
	out := withProtocols(&tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) { return current.Load(), nil }})
	if !slices.Equal(out.NextProtos, protocols) {
		t.Fatalf("the listener's own configuration offers %q", out.NextProtos)
	}
	a, _ := out.GetConfigForClient(nil)
	b, _ := out.GetConfigForClient(nil)
	if a.ServerName != "first" || !slices.Equal(a.NextProtos, protocols) || a != b {
		t.Fatalf("picked %q offering %q, same clone both times: %v", a.ServerName, a.NextProtos, a == b)
	}
	if first.NextProtos != nil {
		t.Fatal("the picked configuration itself was changed")
	}
	current.Store(second) // a reload
	c, _ := out.GetConfigForClient(nil)
	if c.ServerName != "second" || !slices.Equal(c.NextProtos, protocols) {
		t.Fatalf("after the reload: %q offering %q", c.ServerName, c.NextProtos)
	}
}
