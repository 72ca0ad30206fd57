package mockupstream

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// startServer starts a mock that is closed when the test ends.
func startServer(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := StartWith(opts)
	if err != nil {
		t.Fatalf("starting the mock: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("closing the mock: %v", err)
		}
	})
	return s
}

// newClient returns a client with its own connection pool, so that
// connection counts never depend on another test's idle connections.
func newClient(t *testing.T, keepAlive bool) *http.Client {
	t.Helper()
	tr := &http.Transport{DisableKeepAlives: !keepAlive}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// waitContext bounds a wait so that a broken expectation fails the test
// instead of hanging it; it is never the thing being measured.
func waitContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

type reply struct {
	status int
	header http.Header
	body   []byte
	close  bool // the response announced Connection: close (net/http strips the header)
}

// do sends one request and reads the whole answer.
func do(t *testing.T, c *http.Client, method, url string, body io.Reader, header http.Header) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, body)
	if err != nil {
		t.Fatalf("building the request: %v", err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("sending %s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b, close: resp.Close}
}

// dial opens a raw connection to the mock, closed when the test ends.
func dial(t *testing.T, s *Server) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
	if err != nil {
		t.Fatalf("dialling the mock: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// rawRoundTrip writes raw bytes to a fresh connection and reads one response,
// so a test controls the request exactly as it appears on the wire.
func rawRoundTrip(t *testing.T, s *Server, raw string) reply {
	t.Helper()
	conn := dial(t, s)
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatalf("writing the raw request: %v", err)
	}
	return readReply(t, bufio.NewReader(conn))
}

func readReply(t *testing.T, br *bufio.Reader) reply {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the raw response: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the raw response body: %v", err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b, close: resp.Close}
}

// patternBlock has a prime length so that frame boundaries never line up
// with it and a misplaced frame changes the hash.
var patternBlock = func() []byte {
	b := make([]byte, 4093)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}()

// patternReader yields n bytes of patternBlock, repeated, without holding
// them: a large upload that costs the sender nothing.
type patternReader struct {
	remaining int64
	off       int
}

func newPatternReader(n int64) *patternReader { return &patternReader{remaining: n} }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.remaining == 0 {
		return 0, io.EOF
	}
	n := copy(b[:min(int64(len(b)), p.remaining)], patternBlock[p.off:])
	p.off = (p.off + n) % len(patternBlock)
	p.remaining -= int64(n)
	return n, nil
}

func sha256Hex(t *testing.T, r io.Reader) string {
	t.Helper()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatalf("hashing: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sha256Of(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// allocatedDuring returns the bytes allocated on the heap while f ran, by
// anyone in the process. TotalAlloc only grows, so unlike HeapAlloc a
// transient buffer cannot hide from it by being collected before the end.
func allocatedDuring(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
