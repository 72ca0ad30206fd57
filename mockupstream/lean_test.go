package mockupstream

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/osproxy/osproxy/internal/wire"
)

func startLean(t *testing.T) *LeanServer {
	t.Helper()
	s, err := NewLean(LeanConfig{Addr: "127.0.0.1:0", BigBytes: 1 << 20, MaxConns: 16, IdleTimeout: 5 * time.Second,
		Shape: Shape{Index: "osproxy-shared", Tenant: "acme", IDPrefix: "acme:orders:", Logical: "orders"}})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve() }()
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// exchange sends raw requests on one connection and returns each body.
func leanExchange(t *testing.T, addr string, reqs ...string) []string {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = nc.Close() }()
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(nc)
	var out []string
	for _, r := range reqs {
		if _, err := nc.Write([]byte(r)); err != nil {
			t.Fatal(err)
		}
		var h wire.Head
		if err := wire.ReadResponseHead(br, &h); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if _, err := wire.ReadBody(br, &h, func(p []byte) { b.Write(p) }); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d %s", h.Status, b.String()))
	}
	return out
}

func leanPost(path, body string) string {
	return fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", path, len(body), body)
}

func TestServer_Routes_AnswerOpenSearchShapes(t *testing.T) {
	s := startLean(t)
	got := leanExchange(t, s.Addr(),
		leanPost("/osproxy-shared/_doc/acme:orders:1?routing=acme", `{"a":1}`),
		leanPost("/osproxy-shared/_search", `{"size":3,"query":{}}`),
		leanPost("/_bulk", "{\"index\":{}}\n{}\n{\"index\":{}}\n{}\n"),
		"GET /__stats HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(got[0], `201 {"_index":"osproxy-shared","_id":"acme:orders:1"`) {
		t.Errorf("doc: %s", got[0])
	}
	var sr struct {
		Hits struct {
			Hits []struct {
				ID      string         `json:"_id"`
				Routing string         `json:"_routing"`
				Source  map[string]any `json:"_source"`
			} `json:"hits"`
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(got[1], "200 ")), &sr); err != nil || len(sr.Hits.Hits) != 3 ||
		sr.Hits.Hits[0].ID != "acme:orders:1" || sr.Hits.Hits[0].Source["_tenant"] != "acme" {
		t.Errorf("search: %v %s", err, got[1])
	}
	if strings.Count(got[2], `"status":201`) != 2 {
		t.Errorf("bulk: %s", got[2])
	}
	var st struct {
		Opened   int64 `json:"conns_opened"`
		Requests int64 `json:"requests"`
	}
	if err := json.Unmarshal([]byte(strings.TrimPrefix(got[3], "200 ")), &st); err != nil || st.Opened != 1 || st.Requests != 3 {
		t.Errorf("stats leave themselves out: %v %s", err, got[3])
	}
}

func TestServer_Aggregations_StreamTheBigMemberAfterHits(t *testing.T) {
	s := startLean(t)
	got := leanExchange(t, s.Addr(), leanPost("/osproxy-shared/_search", `{"size":10,"aggs":{"big":{}}}`))
	body := strings.TrimPrefix(got[0], "200 ")
	var v struct {
		Hits struct {
			Hits []json.RawMessage `json:"hits"`
		} `json:"hits"`
		Aggs struct {
			Big struct {
				Buckets []json.RawMessage `json:"buckets"`
			} `json:"big"`
		} `json:"aggregations"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil || len(v.Hits.Hits) != 10 || len(body) < 1<<20 {
		t.Fatalf("%v: %d bytes, %d hits", err, len(body), len(v.Hits.Hits))
	}
}
