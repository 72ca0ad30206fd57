package mockupstream

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestResetAfter_RawClient_SeesHeadNBytesThenReset(t *testing.T) {
	tests := []struct {
		name string
		r    func(n int64) Responder
		n    int64
	}{
		{"nothing after the head", func(n int64) Responder { return ResetAfter(http.StatusOK, n) }, 0},
		{"inside the JSON lead", func(n int64) Responder { return ResetAfter(http.StatusOK, n) }, 10},
		{"beyond one frame", func(n int64) Responder { return ResetAfter(http.StatusOK, n) }, 100 << 10},
		{"wrapped in HeadersOut", func(n int64) Responder {
			return HeadersOut(http.Header{"X-Wrapped": {"1"}}, ResetAfter(http.StatusOK, n))
		}, 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, Options{})
			s.Handle("", "/*", tt.r(tt.n))
			conn := dial(t, s)
			if _, err := io.WriteString(conn, "GET /i/_search HTTP/1.1\r\nHost: h\r\n\r\n"); err != nil {
				t.Fatalf("writing: %v", err)
			}
			got, err := io.ReadAll(conn)
			// A reset, not a FIN: a clean close would read as io.EOF, which
			// ReadAll reports as no error at all.
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("read ended with %v, want ECONNRESET", err)
			}
			head, body, ok := strings.Cut(string(got), "\r\n\r\n")
			if !ok || !strings.HasPrefix(head, "HTTP/1.1 200 ") ||
				!strings.Contains(head, "Content-Length: "+strconv.FormatInt(tt.n+1, 10)+"\r\n") {
				t.Fatalf("head = %q, want 200 declaring %d bytes", head, tt.n+1)
			}
			want := resetLead[:min(tt.n, int64(len(resetLead)))] + strings.Repeat(" ", int(max(0, tt.n-int64(len(resetLead)))))
			if body != want {
				t.Errorf("body has %d bytes %.60q, want %d bytes %.60q", len(body), body, len(want), want)
			}
		})
	}
}

func TestResetAfter_HTTPClient_GetsErrorNotShortBody(t *testing.T) {
	s := startServer(t, Options{})
	s.Handle("", "/*", ResetAfter(http.StatusOK, 1000))
	resp, err := newClient(t, true).Get(s.URL() + "/i/_search")
	if err != nil {
		t.Fatalf("the head should arrive before the reset: %v", err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err == nil {
		t.Fatalf("read %d bytes without error, want the reset to surface", len(got))
	}
	if resp.StatusCode != http.StatusOK || len(got) > 1000 {
		t.Errorf("status %d, %d bytes before the error", resp.StatusCode, len(got))
	}
}

func TestCloseWithoutResponse_AfterBody_ClientSeesEOFAndBodyRecorded(t *testing.T) {
	tests := []struct {
		name, body string
	}{
		{"no body", ""},
		{"with body", strings.Repeat("b", 100<<10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, Options{})
			s.Handle("", "/*", CloseWithoutResponse())
			conn := dial(t, s)
			raw := "PUT /i/_doc/1 HTTP/1.1\r\nHost: h\r\nContent-Length: " + strconv.Itoa(len(tt.body)) + "\r\n\r\n" + tt.body
			if _, err := io.WriteString(conn, raw); err != nil {
				t.Fatalf("writing: %v", err)
			}
			got, err := io.ReadAll(conn)
			if err != nil || len(got) != 0 {
				t.Fatalf("read %q, %v; want a clean close with no bytes", got, err)
			}
			rec, _ := s.LastRequest()
			if rec.BodySize != int64(len(tt.body)) || !rec.BodyComplete {
				t.Errorf("recorded %d bytes complete %v, want the whole body drained first", rec.BodySize, rec.BodyComplete)
			}
		})
	}
}

func TestCloseWithoutResponse_HTTPClient_GetsTransportError(t *testing.T) {
	s := startServer(t, Options{})
	s.Handle("", "/*", CloseWithoutResponse())
	resp, err := newClient(t, true).Post(s.URL()+"/i/_doc", "application/json", strings.NewReader("{}"))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got status %d, want a transport error", resp.StatusCode)
	}
}

func TestServe_MalformedChunkedBody_Answers400AndRecordsPartialBody(t *testing.T) {
	s := startServer(t, Options{})
	raw := "POST /_bulk HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n"
	got := rawRoundTrip(t, s, raw)
	if got.status != http.StatusBadRequest || !got.close {
		t.Errorf("got %d with close %v, want 400 and Connection: close", got.status, got.close)
	}
	rec, _ := s.LastRequest()
	if rec.BodyComplete || string(rec.BodyPrefix) != "hello" || rec.BodySHA256 != sha256Of([]byte("hello")) {
		t.Errorf("recorded complete %v prefix %q hash %s", rec.BodyComplete, rec.BodyPrefix, rec.BodySHA256)
	}
}

func TestDelay_Durations_HoldResponseAtLeastThatLong(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
	}{
		{"zero answers at once", 0},
		{"negative answers at once", -time.Second},
		{"positive holds", 30 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, Options{})
			s.Handle("", "/*", Delay(tt.d, JSON(http.StatusOK, "late")))
			start := time.Now()
			got := do(t, newClient(t, true), "GET", s.URL()+"/x", nil, nil)
			// Only the lower bound is asserted: it cannot flake on a slow
			// machine, and the upper bound is a performance question.
			if elapsed := time.Since(start); elapsed < tt.d {
				t.Errorf("answered after %v, want at least %v", elapsed, tt.d)
			}
			if string(got.body) != "late" {
				t.Errorf("body = %q, want the delegate's", got.body)
			}
		})
	}
}

func TestDelay_ClientGone_StopsWaitingWithBodyDrained(t *testing.T) {
	s := startServer(t, Options{})
	s.Handle("", "/*", Delay(time.Hour, JSON(http.StatusOK, "never")))
	ctx := waitContext(t)
	reqCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(reqCtx, "POST", s.URL()+"/i/_search", strings.NewReader(`{"query":{}}`))
	if err != nil {
		t.Fatalf("building the request: %v", err)
	}
	errc := make(chan error, 1)
	go func() {
		resp, err := newClient(t, true).Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	// The body is read before the delay starts, as a slow node would.
	drained := func() bool {
		r, ok := s.LastRequest()
		return ok && r.BodyComplete
	}
	if err := s.WaitFor(ctx, drained); err != nil {
		t.Fatalf("the body was not drained before the delay: %v", err)
	}
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("the cancelled request succeeded")
	}
	if _, err := s.WaitRequests(ctx, 1); err != nil {
		t.Fatalf("the delay kept waiting after the client left: %v", err)
	}
}
