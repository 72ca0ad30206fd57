package osproxy

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/osproxy/osproxy/osproxy/h1"
)

// stallingUpstream answers one search with its head and the start of a
// chunked body, then waits for release before it sends the rest.
func stallingUpstream(t *testing.T, release <-chan struct{}) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := h1.NewReader(c)
		head, err := r.ReadHead(h1.MaxHead)
		if err != nil {
			return
		}
		for n := declaredLength(head); n > 0; {
			m, err := r.Read(make([]byte, n))
			if err != nil {
				return
			}
			n -= m
		}
		first := `{"took":1,"hits":{"hits":[{"_index":"osproxy-shared","_id":"acme:orders:1","_source":{"_tenant":"acme","n":1}}`
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"+
			string(h1.AppendChunkHeader(nil, len(first)))+first+"\r\n")
		<-release
		_, _ = io.WriteString(c, "3\r\n]}}\r\n0\r\n\r\n")
	}()
	return ln.Addr().String()
}

// TestStreamHits_StalledUpstream_HeadAndFirstHitsFlushed: a small head and
// the hits shaped so far reach the client while the upstream pauses (STR-5),
// though they fill no write buffer.
func TestStreamHits_StalledUpstream_HeadAndFirstHitsFlushed(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	g := proxyTo(t, stallingUpstream(t, release), false)
	if _, err := g.conn.Write(request("POST", "/orders/_search", `{}`, true)); err != nil {
		t.Fatal(err)
	}
	_ = g.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	head, err := g.r.ReadHead(h1.MaxHead)
	if err != nil {
		t.Fatalf("no response head while the upstream stalls: %v", err)
	}
	if !bytes.HasPrefix(head, []byte("HTTP/1.1 200")) {
		t.Fatalf("head %q", head)
	}
	want := `{"took":1,"hits":{"hits":[{"_index":"orders","_id":"1","_source":{"n":1}}`
	var got []byte
	for !bytes.Contains(got, []byte(want)) {
		b, err := g.r.Peek()
		if err != nil {
			t.Fatalf("the first hit did not arrive while the upstream stalls; got %q: %v", got, err)
		}
		got = append(got, b...)
		g.r.Discard(len(b))
	}
}
