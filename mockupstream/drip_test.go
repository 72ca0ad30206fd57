package mockupstream

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestDrip_Body_ArrivesPieceByPiece(t *testing.T) {
	s := startServer(t, Options{})
	s.Handle("", "/*", Drip(http.StatusOK, 6, 2, 30*time.Millisecond))
	start := time.Now()
	resp, err := http.Get(s.URL() + "/x")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || string(b) != "      " {
		t.Fatalf("body %q, %v", b, err)
	}
	if took := time.Since(start); took < 80*time.Millisecond {
		t.Fatalf("6 bytes in pieces of 2 every 30 ms arrived in %v", took)
	}
}

func TestDripHead_Head_ArrivesByteByByte(t *testing.T) {
	s := startServer(t, Options{})
	s.Handle("", "/*", DripHead(http.StatusOK, time.Millisecond))
	conn := dial(t, s)
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: h\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", resp, err)
	}
	if !strings.HasPrefix(resp.Proto, "HTTP/1.1") {
		t.Fatalf("proto %q", resp.Proto)
	}
}
