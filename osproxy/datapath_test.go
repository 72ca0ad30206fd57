package osproxy

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/osproxy/osproxy/osproxy/config"
	"github.com/osproxy/osproxy/osproxy/h1"
	"github.com/osproxy/osproxy/osproxy/observe"
	"github.com/osproxy/osproxy/osproxy/server"
)

// The whole data path in one process: a client on a kept-alive connection, the
// proxy's own server loop and handler, its pooled upstream client, and a canned
// upstream. Client and upstream allocate nothing per request, so allocations
// counted process-wide are the proxy's.

// cannedUpstream answers every request on its connections with the response
// its path asks for, after reading the request's declared body.
type cannedUpstream struct {
	ln net.Listener
}

var (
	docCreated = response(201, "Created", `{"_index":"osproxy-shared","_id":"acme:orders:1","result":"created"}`)
	tenHits    = searchBody(10)

	bulkItems = response(200, "OK", bulkAnswer(100))

	docCreatedBytes, tenHitsBytes, bulkItemsBytes = []byte(docCreated), []byte(tenHits), []byte(bulkItems)
)

// bulkAnswer is OpenSearch's answer to a bulk of n index actions of tenant acme.
func bulkAnswer(n int) string {
	var b strings.Builder
	b.WriteString(`{"took":3,"errors":false,"items":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"index":{"_index":"osproxy-shared","_id":"acme:orders:` + strconv.Itoa(i) +
			`","_version":1,"result":"created","_shards":{"total":2,"successful":1,"failed":0},"_seq_no":` + strconv.Itoa(i) + `,"_primary_term":1,"status":201}}`)
	}
	b.WriteString(`]}`)
	return b.String()
}

func searchBody(n int) string {
	var b strings.Builder
	b.WriteString(`{"took":1,"timed_out":false,"hits":{"total":{"value":` + strconv.Itoa(n) + `,"relation":"eq"},"hits":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"_index":"osproxy-shared","_id":"acme:orders:` + strconv.Itoa(i) + `","_score":1.0,"_routing":"acme",` +
			`"_source":{"_tenant":"acme","_logical_index":"orders","msg":"hi","n":` + strconv.Itoa(i) + `}}`)
	}
	b.WriteString(`]}}`)
	return response(200, "OK", b.String())
}

// response is a canned upstream answer with a JSON body.
func response(status int, reason, body string) string {
	return "HTTP/1.1 " + strconv.Itoa(status) + " " + reason + "\r\nContent-Type: application/json; charset=UTF-8\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

func startCanned(t testing.TB) *cannedUpstream {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &cannedUpstream{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go u.serve(c)
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	return u
}

func (u *cannedUpstream) serve(c net.Conn) {
	defer c.Close()
	r := h1.NewReader(c)
	scratch := make([]byte, 64<<10)
	for {
		head, err := r.ReadHead(h1.MaxHead)
		if err != nil {
			return
		}
		line := head[:bytes.IndexByte(head, '\n')]
		resp := docCreatedBytes
		switch {
		case bytes.Contains(line, []byte("_search")):
			resp = tenHitsBytes
		case bytes.Contains(line, []byte("_bulk")):
			resp = bulkItemsBytes
		}
		var body h1.Body
		body.Reset(r, int64(declaredLength(head)), bytes.Contains(head, []byte("chunked")))
		for {
			if _, err := body.Read(scratch); err == io.EOF {
				break
			} else if err != nil {
				return
			}
		}
		if _, err := c.Write(resp); err != nil {
			return
		}
	}
}

// declaredLength finds "Content-Length: N" in a head; 0 without one.
func declaredLength(head []byte) int {
	i := bytes.Index(head, []byte("Content-Length: "))
	if i < 0 {
		return 0
	}
	n := 0
	for _, c := range head[i+len("Content-Length: "):] {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// rig is a running proxy in front of a canned upstream, and one client
// connection to it.
type rig struct {
	conn net.Conn
	r    *h1.Reader
	buf  []byte
}

func startRig(t testing.TB, passthrough bool) *rig {
	up := startCanned(t)
	return proxyTo(t, up.ln.Addr().String(), passthrough)
}

// proxyTo starts the proxy, on its own server loop, in front of the upstream
// at addr, and connects a client to it.
func proxyTo(t testing.TB, addr string, passthrough bool) *rig {
	base := "http://" + addr
	cfg := config.Config{Upstream: base, Index: "osproxy-shared", AllowCleartextMutation: true,
		MaxBodyBytes: 8 << 20, UpstreamTimeout: 30 * time.Second}
	if passthrough {
		cfg.PassthroughCluster, cfg.PassthroughEndpoint = "bench", base
	}
	// As in production: an access line per request, written in the background.
	sink := observe.NewSink(io.Discard, 0)
	t.Cleanup(sink.Close)
	h := observe.NewJSONHandler(sink, nil)
	p, err := New(cfg, WithLogger(slog.New(h), h))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{Handler: p, Refuse: p.Refuse})
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &rig{conn: c, r: h1.NewReader(c), buf: make([]byte, 64<<10)}
}

// roundTrip sends req and reads the answer, which must carry a Content-Length;
// it returns the status line's code and the body length.
func (g *rig) roundTrip(t testing.TB, req []byte) (int, int) {
	if _, err := g.conn.Write(req); err != nil {
		t.Fatal(err)
	}
	head, err := g.r.ReadHead(h1.MaxHead)
	if err != nil {
		t.Fatal(err)
	}
	status := int(head[9]-'0')*100 + int(head[10]-'0')*10 + int(head[11]-'0')
	var body h1.Body
	body.Reset(g.r, int64(declaredLength(head)), bytes.Contains(head, []byte("chunked")))
	n := 0
	for {
		m, err := body.Read(g.buf)
		n += m
		if err == io.EOF {
			return status, n
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// request builds a raw request; tenancy ones carry x-tenant.
func request(method, target, body string, tenancy bool) []byte {
	s := method + " " + target + " HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
	if tenancy {
		s += "x-tenant: acme\r\n"
	}
	if body != "" {
		s += "Content-Length: " + strconv.Itoa(len(body)) + "\r\n"
	}
	return []byte(s + "\r\n" + body)
}

func doc(n int) string {
	head := `{"id":1,"msg":"hi","body":"`
	return head + strings.Repeat("x", n-len(head)-2) + `"}`
}

// dataPathCases are the cells of the in-process benchmarks and budgets.
var dataPathCases = []struct {
	name        string
	passthrough bool
	req         []byte
	status      int
	// allocs is the budget of allocations per request: tight for passthrough,
	// whose path is all data plane; tenancy's leaves room for its rewriting.
	// Two of passthrough's are the request id (OPS-5): its string, and the
	// header value the response head carries after the handler returned.
	allocs float64
}{
	{"passthrough write 256B", true, request("PUT", "/orders/_doc/1", doc(256), false), 201, 10},
	{"passthrough write 64KiB", true, request("PUT", "/orders/_doc/1", doc(64<<10), false), 201, 10},
	{"passthrough search", true, request("POST", "/orders/_search", `{"query":{"match":{"msg":"hi"}}}`, false), 200, 10},
	{"tenancy write 256B", false, request("PUT", "/orders/_doc/1", doc(256), true), 201, 32},
	{"tenancy write 64KiB", false, request("PUT", "/orders/_doc/1", doc(64<<10), true), 201, 32},
	{"tenancy search 10 hits", false, request("POST", "/orders/_search", `{"query":{"match":{"msg":"hi"}}}`, true), 200, 32},
	{"passthrough bulk 100x256B", true, request("POST", "/orders/_bulk", bulkBody(100, 256), false), 200, 10},
	{"tenancy bulk 100x256B", false, request("POST", "/orders/_bulk", bulkBody(100, 256), true), 200, 600},
}

// bulkBody is a _bulk of n index actions of size-byte documents.
func bulkBody(n, size int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(`{"index":{"_id":"` + strconv.Itoa(i) + `"}}` + "\n" + doc(size) + "\n")
	}
	return b.String()
}

func BenchmarkDataPath(b *testing.B) {
	for _, tc := range dataPathCases {
		b.Run(tc.name, func(b *testing.B) {
			g := startRig(b, tc.passthrough)
			b.SetBytes(int64(len(tc.req)))
			b.ReportAllocs()
			for b.Loop() {
				if status, _ := g.roundTrip(b, tc.req); status != tc.status {
					b.Fatalf("status %d", status)
				}
			}
		})
	}
}

// TestDataPath_SteadyState_AllocationBudget: allocations per request through
// the server loop, the handler and the upstream client stay within budget.
// Under the race detector sync.Pool drops pooled state at random, so only
// a loose bound is held there.
func TestDataPath_SteadyState_AllocationBudget(t *testing.T) {
	for _, tc := range dataPathCases {
		t.Run(tc.name, func(t *testing.T) {
			g := startRig(t, tc.passthrough)
			run := func() {
				if status, _ := g.roundTrip(t, tc.req); status != tc.status {
					t.Fatalf("status %d", status)
				}
			}
			for range 20 {
				run() // warm pools and the connection
			}
			budget := tc.allocs
			if raceEnabled {
				budget *= 4
			}
			if got := testing.AllocsPerRun(200, run); got > budget {
				t.Fatalf("%.1f allocations per request, budget %.0f", got, budget)
			} else {
				t.Logf("%.1f allocations per request (budget %.0f)", got, budget)
			}
		})
	}
}
