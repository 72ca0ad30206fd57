package mockupstream

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRequests_RawTarget_RecordedExactly(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := startServer(t, Options{Now: func() time.Time { return at }})
	tests := []struct {
		name, target, wantPath, wantQuery string
	}{
		{"encoded slash and query", "/logs%2F2024/_doc/a%2Fb?q=a%20b%2Bc&routing=x%2Fy", "/logs%2F2024/_doc/a%2Fb", "q=a%20b%2Bc&routing=x%2Fy"},
		{"no query", "/_cluster/health", "/_cluster/health", ""},
		{"empty query", "/idx/_search?", "/idx/_search", ""},
		{"dot segments and double slash", "//idx/../_all/./_search", "//idx/../_all/./_search", ""},
		{"question mark inside query", "/idx/_search?q=a?b", "/idx/_search", "q=a?b"},
		{"absolute form", "http://up.example/x%2Fy?z=1", "/x%2Fy", "z=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "GET " + tt.target + " HTTP/1.1\r\nHost: up.example\r\nX-Opaque-Id: abc\r\n\r\n"
			if got := rawRoundTrip(t, s, raw); got.status != http.StatusOK {
				t.Fatalf("status = %d, want 200", got.status)
			}
			got, ok := s.LastRequest()
			if !ok {
				t.Fatal("no request recorded")
			}
			if got.RequestURI != tt.target || got.RawPath != tt.wantPath || got.RawQuery != tt.wantQuery {
				t.Errorf("target recorded as %q = %q + %q, want %q = %q + %q",
					got.RequestURI, got.RawPath, got.RawQuery, tt.target, tt.wantPath, tt.wantQuery)
			}
			if got.Method != "GET" || got.Proto != "HTTP/1.1" || got.Host != "up.example" {
				t.Errorf("method, proto, host = %q, %q, %q", got.Method, got.Proto, got.Host)
			}
			if got.Header.Get("X-Opaque-Id") != "abc" || got.Header.Get("Host") != "" {
				t.Errorf("header = %v, want X-Opaque-Id and no Host", got.Header)
			}
			if !got.Received.Equal(at) || got.ContentLength != 0 || got.BodySize != 0 || got.BodySHA256 != sha256Of(nil) {
				t.Errorf("received %v, length %d, size %d, hash %s", got.Received, got.ContentLength, got.BodySize, got.BodySHA256)
			}
		})
	}
}

func TestRequests_ChunkedBody_RecordedWhole(t *testing.T) {
	s := startServer(t, Options{})
	tests := []struct {
		name, chunks string
		wantBody     string
		wantTrailer  http.Header
	}{
		{"two chunks with trailer", "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n", "hello world", http.Header{"X-Checksum": {"abc"}}},
		{"no trailer", "3\r\n{}\n\r\n0\r\n\r\n", "{}\n", nil},
		{"empty body", "0\r\n\r\n", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "POST /_bulk HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n" + tt.chunks
			if got := rawRoundTrip(t, s, raw); got.status != http.StatusOK {
				t.Fatalf("status = %d, want 200", got.status)
			}
			got, _ := s.LastRequest()
			if got.ContentLength != -1 || !slices.Equal(got.TransferEncoding, []string{"chunked"}) {
				t.Errorf("framing = %d %v, want -1 [chunked]", got.ContentLength, got.TransferEncoding)
			}
			if got.BodySize != int64(len(tt.wantBody)) || string(got.BodyPrefix) != tt.wantBody {
				t.Errorf("body = %d %q, want %q", got.BodySize, got.BodyPrefix, tt.wantBody)
			}
			if got.BodySHA256 != sha256Of([]byte(tt.wantBody)) || !got.BodyComplete {
				t.Errorf("hash %s complete %v", got.BodySHA256, got.BodyComplete)
			}
			if tt.wantTrailer != nil && got.Trailer.Get("X-Checksum") != "abc" {
				t.Errorf("trailer = %v, want %v", got.Trailer, tt.wantTrailer)
			}
		})
	}
}

func TestRequests_MaxRecordedBody_BoundsPrefixNotSizeOrHash(t *testing.T) {
	body := "hello world"
	tests := []struct {
		name       string
		limit      int
		wantPrefix []byte
	}{
		{"zero means the default", 0, []byte(body)},
		{"smaller than the body", 4, []byte("hell")},
		{"negative keeps none", -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, Options{MaxRecordedBody: tt.limit})
			do(t, newClient(t, true), "POST", s.URL()+"/i/_doc", strings.NewReader(body), nil)
			got, _ := s.LastRequest()
			if !bytes.Equal(got.BodyPrefix, tt.wantPrefix) {
				t.Errorf("prefix = %q, want %q", got.BodyPrefix, tt.wantPrefix)
			}
			if got.BodySize != int64(len(body)) || got.BodySHA256 != sha256Of([]byte(body)) {
				t.Errorf("size %d hash %s, want the whole body's", got.BodySize, got.BodySHA256)
			}
		})
	}
}

func TestRequests_CallerMutatesCopy_RecordingUnchanged(t *testing.T) {
	s := startServer(t, Options{})
	do(t, newClient(t, true), "POST", s.URL()+"/i/_doc", strings.NewReader("abc"),
		http.Header{"X-A": {"1"}})
	tests := []struct {
		name   string
		mutate func(r *Request)
	}{
		{"header", func(r *Request) { r.Header.Set("X-A", "changed") }},
		{"body prefix", func(r *Request) { r.BodyPrefix[0] = 'z' }},
		{"transfer encoding", func(r *Request) { r.TransferEncoding = append(r.TransferEncoding, "x") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := s.Requests()
			tt.mutate(&first[0])
			again, _ := s.LastRequest()
			if again.Header.Get("X-A") != "1" || string(again.BodyPrefix) != "abc" || len(again.TransferEncoding) != 0 {
				t.Errorf("recording changed through a copy: %+v", again)
			}
		})
	}
}

func TestRequests_ConcurrentClients_RecordsEachOnce(t *testing.T) {
	s := startServer(t, Options{})
	c := newClient(t, true)
	const clients, each = 8, 8
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			for j := range each {
				path := fmt.Sprintf("/c%d/_doc/%d", i, j)
				do(t, c, "PUT", s.URL()+path, strings.NewReader(path), nil)
				_ = s.Requests() // reading while others record
			}
		})
	}
	wg.Wait()
	got := s.Requests()
	if len(got) != clients*each {
		t.Fatalf("recorded %d requests, want %d", len(got), clients*each)
	}
	seen := map[string]bool{}
	for _, r := range got {
		if seen[r.RawPath] || string(r.BodyPrefix) != r.RawPath {
			t.Errorf("request %s recorded twice or with body %q", r.RawPath, r.BodyPrefix)
		}
		seen[r.RawPath] = true
	}
}

func TestRequests_SequentialClients_ArrivalOrder(t *testing.T) {
	s := startServer(t, Options{})
	c := newClient(t, true)
	paths := []string{"/b", "/a", "/c%2Fd", "/a"}
	for _, p := range paths {
		do(t, c, "GET", s.URL()+p, nil, nil)
	}
	got := s.Requests()
	var order []string
	for _, r := range got {
		order = append(order, r.RawPath)
	}
	if !slices.Equal(order, paths) {
		t.Errorf("order = %v, want %v", order, paths)
	}
}

func TestReset_AfterTraffic_ForgetsRecordingsKeepsRoutes(t *testing.T) {
	s := startServer(t, Options{})
	s.Handle("GET", "/x", JSON(http.StatusTeapot, `{}`))
	c := newClient(t, true)
	do(t, c, "GET", s.URL()+"/x", nil, nil)
	s.Reset()
	if n := len(s.Requests()); n != 0 {
		t.Fatalf("after Reset %d recordings remain", n)
	}
	if _, ok := s.LastRequest(); ok {
		t.Fatal("LastRequest reports a request after Reset")
	}
	if got := do(t, c, "GET", s.URL()+"/x", nil, nil); got.status != http.StatusTeapot {
		t.Errorf("status after Reset = %d, want the routed 418", got.status)
	}
	if got := s.RequestsServed(); got != 2 {
		t.Errorf("RequestsServed = %d, want 2: Reset keeps counters", got)
	}
}

func TestWaitRequests_FewerServed_ReturnsContextError(t *testing.T) {
	s := startServer(t, Options{})
	do(t, newClient(t, true), "GET", s.URL()+"/", nil, nil)
	tests := []struct {
		name    string
		n       int
		wantErr bool
	}{
		{"already served", 1, false},
		{"more than served", 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := waitContext(t)
			if tt.wantErr {
				// Nothing more will arrive; an ended context shows the wait gives up.
				ended, cancel := context.WithCancel(ctx)
				cancel()
				ctx = ended
			}
			got, err := s.WaitRequests(ctx, tt.n)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && len(got) != 1 {
				t.Errorf("got %d recordings, want 1", len(got))
			}
		})
	}
}
