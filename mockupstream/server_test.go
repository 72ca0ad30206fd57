package mockupstream

import (
	"bufio"
	"io"
	"net/http"
	"testing"
	"time"
)

func TestHandle_Registrations_LaterTakesPrecedence(t *testing.T) {
	type reg struct{ method, path, body string }
	tests := []struct {
		name         string
		regs         []reg
		method, path string
		want         string
	}{
		{"nothing registered", nil, "GET", "/x", `{"acknowledged":true}`},
		{"exact match", []reg{{"GET", "/x", "exact"}}, "GET", "/x", "exact"},
		{"exact does not match longer path", []reg{{"GET", "/x", "exact"}}, "GET", "/x/y", `{"acknowledged":true}`},
		{"method filters", []reg{{"POST", "/x", "post"}}, "GET", "/x", `{"acknowledged":true}`},
		{"empty method matches any", []reg{{"", "/x", "any"}}, "DELETE", "/x", "any"},
		{"prefix matches raw path", []reg{{"", "/logs%2F*", "prefix"}}, "GET", "/logs%2F2024/_search", "prefix"},
		{"prefix is not decoded", []reg{{"", "/logs/*", "prefix"}}, "GET", "/logs%2F2024", `{"acknowledged":true}`},
		{"later prefix beats earlier exact", []reg{{"GET", "/x", "exact"}, {"", "/*", "later"}}, "GET", "/x", "later"},
		{"later exact beats earlier prefix", []reg{{"", "/*", "prefix"}, {"GET", "/x", "later"}}, "GET", "/x", "later"},
		{"later non-match leaves earlier", []reg{{"", "/*", "prefix"}, {"POST", "/x", "post"}}, "GET", "/x", "prefix"},
		{"same route re-registered", []reg{{"GET", "/x", "one"}, {"GET", "/x", "two"}}, "GET", "/x", "two"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, Options{})
			for _, r := range tt.regs {
				s.Handle(r.method, r.path, JSON(http.StatusOK, r.body))
			}
			raw := tt.method + " " + tt.path + " HTTP/1.1\r\nHost: h\r\n\r\n"
			if got := rawRoundTrip(t, s, raw); string(got.body) != tt.want {
				t.Errorf("body = %q, want %q", got.body, tt.want)
			}
		})
	}
}

func TestHandle_NilResponder_AnswersDefault(t *testing.T) {
	s := startServer(t, Options{})
	s.Handle("", "/*", JSON(http.StatusTeapot, `{}`))
	s.Handle("", "/x", nil)
	got := do(t, newClient(t, true), "GET", s.URL()+"/x", nil, nil)
	if got.status != http.StatusOK || string(got.body) != `{"acknowledged":true}` ||
		got.header.Get("Content-Type") != "application/json" {
		t.Errorf("got %d %q %v, want the default acknowledgement", got.status, got.body, got.header)
	}
}

func TestConnectionsOpened_ClientReuse_CountsTCPConnections(t *testing.T) {
	tests := []struct {
		name      string
		keepAlive bool
		requests  int
		wantConns int64
	}{
		{"keep-alive reuses one connection", true, 3, 1},
		{"without keep-alive each request dials", false, 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, Options{})
			c := newClient(t, tt.keepAlive)
			for range tt.requests {
				do(t, c, "POST", s.URL()+"/i/_doc", nil, nil)
			}
			if got := s.ConnectionsOpened(); got != tt.wantConns {
				t.Errorf("ConnectionsOpened = %d, want %d", got, tt.wantConns)
			}
			if got := s.RequestsServed(); got != int64(tt.requests) {
				t.Errorf("RequestsServed = %d, want %d", got, tt.requests)
			}
		})
	}
}

func TestConnectionsOpened_PipelinedRequests_OneConnection(t *testing.T) {
	s := startServer(t, Options{})
	s.Handle("GET", "/a", JSON(http.StatusOK, "a"))
	s.Handle("GET", "/b", JSON(http.StatusOK, "b"))
	conn := dial(t, s)
	both := "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"
	if _, err := io.WriteString(conn, both); err != nil {
		t.Fatalf("writing: %v", err)
	}
	br := bufio.NewReader(conn)
	for _, want := range []string{"a", "b"} {
		if got := readReply(t, br); string(got.body) != want {
			t.Errorf("body = %q, want %q", got.body, want)
		}
	}
	if got := s.ConnectionsOpened(); got != 1 {
		t.Errorf("ConnectionsOpened = %d, want 1", got)
	}
	if got := s.OpenConnections(); got != 1 {
		t.Errorf("OpenConnections = %d, want 1 while the client holds it", got)
	}
}

func TestClose_InFlightAndIdle_EndsBothAndReturns(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatalf("starting: %v", err)
	}
	s.Handle("", "/slow", Delay(time.Hour, JSON(http.StatusOK, "{}")))
	c := newClient(t, true)
	do(t, c, "GET", s.URL()+"/idle", nil, nil) // leaves an idle keep-alive connection

	errc := make(chan error, 1)
	go func() {
		_, err := c.Get(s.URL() + "/slow")
		errc <- err
	}()
	ctx := waitContext(t)
	if err := s.WaitFor(ctx, func() bool { return len(s.Requests()) == 2 }); err != nil {
		t.Fatalf("the slow request never arrived: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-errc; err == nil {
		t.Error("the in-flight request succeeded, want a transport error")
	}
	if got := s.OpenConnections(); got != 0 {
		t.Errorf("OpenConnections after Close = %d, want 0", got)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
