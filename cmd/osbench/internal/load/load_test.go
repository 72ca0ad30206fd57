package load

import (
	"bufio"
	"net"
	"testing"
	"time"

	"github.com/osproxy/osproxy/internal/wire"
)

// echoServer answers every request with 201 and a 2-byte body.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = nc.Close() }()
				br := bufio.NewReader(nc)
				var h wire.Head
				for wire.ReadRequestHead(br, &h) == nil {
					if _, err := wire.ReadBody(br, &h, nil); err != nil {
						return
					}
					if _, err := nc.Write([]byte("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}")); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

var req = []byte("PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}")

func TestRunClosed_MaxRequests_StopsEarlyWithEverySampleCounted(t *testing.T) {
	addr := echoServer(t)
	edges := 0
	res, err := RunClosed(Spec{Addr: addr, Requests: [][]byte{req}, Conns: 4, Warmup: 20 * time.Millisecond,
		Duration: 5 * time.Second, MaxDuration: 5 * time.Second, MaxRequests: 500,
		OnMeasure: func(bool) { edges++ }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests < 500 || res.Requests > 600 || res.Errors != 0 || res.Statuses[201] != res.Requests || edges != 2 {
		t.Fatalf("%+v edges %d", res, edges)
	}
	if res.Elapsed > 4*time.Second || res.Latency.P50 <= 0 {
		t.Fatalf("elapsed %s p50 %d", res.Elapsed, res.Latency.P50)
	}
}

func TestRunOpen_FixedRate_SendsTheScheduleAndNoMore(t *testing.T) {
	addr := echoServer(t)
	res, err := RunOpen(OpenSpec{Addr: addr, Requests: [][]byte{req}, Conns: 4, Rate: 2000,
		Warmup: 50 * time.Millisecond, Duration: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// 2,000/s over 250 ms is 500 timed requests.
	if res.Requests < 495 || res.Requests > 505 || res.Errors != 0 {
		t.Fatalf("%+v", res)
	}
}

func TestConnections_FreshStormConcurrent_AllSucceed(t *testing.T) {
	addr := echoServer(t)
	for name, r := range map[string]ConnResult{
		"fresh":      Sequential(addr, req, 50, true, 5*time.Second),
		"warm":       Sequential(addr, req, 50, false, 5*time.Second),
		"storm":      Storm(addr, req, 50, 5*time.Second),
		"concurrent": Concurrent(addr, req, 20, 5, 5*time.Second),
	} {
		if r.Errors+r.NonOK != 0 || r.Latency.Count != r.Attempts || r.Attempts == 0 {
			t.Errorf("%s: %+v", name, r)
		}
	}
}
