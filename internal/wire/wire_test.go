package wire

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

func reader(s string) *bufio.Reader { return bufio.NewReaderSize(strings.NewReader(s), 64) }

func TestReadResponse_Framings_ConsumeExactlyOneMessage(t *testing.T) {
	tests := []struct {
		name, msg string
		status    int
		body      string
		close     bool
	}{
		{"content length", "HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello", 201, "hello", false},
		{"chunked with extension and trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n", 200, "hello world", false},
		{"close delimited", "HTTP/1.1 200 OK\r\n\r\nuntil eof", 200, "until eofNEXT", true},
		{"http/1.0 closes", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 200, "", true},
		{"no body on 204", "HTTP/1.1 204 No Content\r\n\r\n", 204, "", false},
		{"connection close header", "HTTP/1.1 200 OK\r\nconnection: Close\r\ncontent-length: 1\r\n\r\nx", 200, "x", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := reader(tt.msg + "NEXT")
			var h Head
			if err := ReadResponseHead(br, &h); err != nil {
				t.Fatalf("head: %v", err)
			}
			var got strings.Builder
			n, err := ReadBody(br, &h, func(p []byte) { got.Write(p) })
			if err != nil {
				t.Fatalf("body: %v", err)
			}
			want := tt.body
			if h.Status != tt.status || got.String() != want || n != int64(len(want)) || h.Close != tt.close {
				t.Fatalf("got status %d body %q (%d) close %v", h.Status, got.String(), n, h.Close)
			}
		})
	}
}

func TestReadRequestHead_ReusedHead_KeepsMethodAndTarget(t *testing.T) {
	br := reader("PUT /a/_doc/1?x=y HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nab" +
		"GET /__stats HTTP/1.1\r\n\r\n")
	var h Head
	if err := ReadRequestHead(br, &h); err != nil {
		t.Fatal(err)
	}
	if string(h.Method) != "PUT" || string(h.Target) != "/a/_doc/1?x=y" || !h.ExpectContinue || h.ContentLength != 2 {
		t.Fatalf("first head %+v", h)
	}
	if n, err := ReadBody(br, &h, nil); err != nil || n != 2 {
		t.Fatalf("body %d %v", n, err)
	}
	if err := ReadRequestHead(br, &h); err != nil {
		t.Fatal(err)
	}
	if string(h.Method) != "GET" || string(h.Target) != "/__stats" || h.ContentLength != -1 {
		t.Fatalf("second head %+v", h)
	}
	if n, err := ReadBody(br, &h, nil); err != nil || n != 0 {
		t.Fatalf("request without length has no body: %d %v", n, err)
	}
}

func TestReadBody_TruncatedBody_IsUnexpectedEOF(t *testing.T) {
	br := reader("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")
	var h Head
	if err := ReadResponseHead(br, &h); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadBody(br, &h, nil); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %v", err)
	}
}

func TestReadResponseHead_Garbage_IsMalformed(t *testing.T) {
	for _, msg := range []string{"SSH-2.0\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"} {
		var h Head
		if err := ReadResponseHead(reader(msg), &h); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: got %v", msg, err)
		}
	}
}
