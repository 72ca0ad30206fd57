package h1

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// parse reads one head and its body from raw, as a server would.
func parse(t *testing.T, raw string) (Request, []byte, error) {
	t.Helper()
	r := NewReader(strings.NewReader(raw))
	head, err := r.ReadHead(MaxHead)
	if err != nil {
		return Request{}, nil, err
	}
	req, e := ParseRequest(head, nil)
	if e != nil {
		return req, nil, e
	}
	var b Body
	b.Reset(r, req.ContentLength, req.Chunked)
	body, err := io.ReadAll(&b)
	return req, body, err
}

func TestParseRequest_Valid_Accepted(t *testing.T) {
	cases := []struct {
		name, raw, body string
		check           func(Request) bool
	}{
		{"get", "GET /orders/_search?q=1 HTTP/1.1\r\nHost: a\r\n\r\n", "",
			func(r Request) bool {
				return r.Method == "GET" && r.Target == "/orders/_search?q=1" && r.Host == "a" && !r.Close
			}},
		{"length", "PUT /i/_doc/1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", "abc",
			func(r Request) bool { return r.ContentLength == 3 }},
		{"chunked with extension and trailer", "POST /_bulk HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n" +
			"3;x=y\r\nabc\r\n1\r\nd\r\n0\r\nX-T: 1\r\n\r\n", "abcd", func(r Request) bool { return r.Chunked && r.ContentLength == -1 }},
		{"http/1.0 closes", "GET / HTTP/1.0\r\n\r\n", "", func(r Request) bool { return r.Close && r.Minor == 0 }},
		{"http/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "", func(r Request) bool { return !r.Close }},
		{"connection close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: x, close\r\n\r\n", "", func(r Request) bool { return r.Close }},
		{"expect", "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx", "x",
			func(r Request) bool { return r.Expect100 }},
		{"expect without body ignored", "GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n", "",
			func(r Request) bool { return !r.Expect100 }},
		{"absolute form", "GET http://h/p?x HTTP/1.1\r\nHost: h\r\n\r\n", "", func(r Request) bool { return r.Target == "http://h/p?x" }},
		{"raw target bytes", "GET /<logs-{now}>/_doc/a|b^c`d HTTP/1.1\r\nHost: a\r\n\r\n", "",
			func(r Request) bool { return r.Target == "/<logs-{now}>/_doc/a|b^c`d" }},
		{"value white space trimmed", "GET / HTTP/1.1\r\nHost: a\r\nX-A: \t v w \t\r\n\r\n", "",
			func(r Request) bool { return r.Fields[1].Value == "v w" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, body, err := parse(t, tc.raw)
			if err != nil || string(body) != tc.body || !tc.check(req) {
				t.Fatalf("got %+v body %q err %v", req, body, err)
			}
		})
	}
}

func TestParseRequest_Smuggling_Refused(t *testing.T) {
	long := strings.Repeat("a", MaxRequestLine)
	many := strings.Repeat("X-A: 1\r\n", MaxFields)
	cases := []struct{ name, raw, rule string }{
		{"bare LF", "GET / HTTP/1.1\nHost: a\n\n", "HTTP-2"},
		{"bare LF in a field", "GET / HTTP/1.1\r\nHost: a\nX: 1\r\n\r\n", "HTTP-2"},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", "HTTP-2"},
		{"space before colon", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length : 1\r\n\r\nx", "HTTP-2"},
		{"no colon", "GET / HTTP/1.1\r\nHost: a\r\nX\r\n\r\n", "HTTP-2"},
		{"control byte", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n", "HTTP-2"},
		{"bare CR", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", "HTTP-2"},
		{"two lengths", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", "HTTP-5"},
		{"length list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\nx", "HTTP-5"},
		{"signed length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\nx", "HTTP-5"},
		{"huge length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9999999999999999999\r\n\r\n", "HTTP-5"},
		{"length and chunked", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "HTTP-5"},
		{"gzip coding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "HTTP-6"},
		{"two codings", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP-6"},
		{"chunked in 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "HTTP-6"},
		{"no host", "GET / HTTP/1.1\r\n\r\n", "HTTP-8"},
		{"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "HTTP-8"},
		{"bad host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "HTTP-8"},
		{"other expectation", "GET / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", "HTTP-9"},
		{"version 2", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", "HTTP-3"},
		{"lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", "HTTP-3"},
		{"asterisk", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP-3"},
		{"authority", "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP-3"},
		{"double space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP-3"},
		{"method not a token", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP-3"},
		{"long request line", "GET /" + long + " HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP-3"},
		{"too many fields", "GET / HTTP/1.1\r\nHost: a\r\n" + many + "\r\n", "HTTP-4"},
		{"leading empty line", "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP-3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := parse(t, tc.raw)
			e, ok := err.(*Error)
			if !ok || e.Rule != tc.rule {
				t.Fatalf("got %v, want a refusal under %s", err, tc.rule)
			}
		})
	}
}

func TestBody_ChunkFraming_Refused(t *testing.T) {
	for name, chunks := range map[string]string{
		"bare LF after size":    "3\nabc\r\n0\r\n\r\n",
		"space after size":      "3 \r\nabc\r\n0\r\n\r\n",
		"no CRLF after data":    "3\r\nabcd\r\n0\r\n\r\n",
		"no size":               "\r\nabc\r\n0\r\n\r\n",
		"seventeen digits":      "00000000000000003\r\nabc\r\n0\r\n\r\n",
		"control in extension":  "3;a\x01\r\nabc\r\n0\r\n\r\n",
		"folded trailer":        "3\r\nabc\r\n0\r\nX: 1\r\n 2\r\n\r\n",
		"cut short":             "3\r\nab",
		"minus":                 "-3\r\nabc\r\n0\r\n\r\n",
		"hex prefix":            "0x3\r\nabc\r\n0\r\n\r\n",
		"bare LF after data":    "3\r\nabc\n0\r\n\r\n",
		"missing last CRLF":     "3\r\nabc\r\n0\r\n",
		"trailer without colon": "3\r\nabc\r\n0\r\nX\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, body, err := parse(t, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"+chunks)
			if err == nil {
				t.Fatalf("accepted, body %q", body)
			}
		})
	}
}

func TestReader_HeadInPieces_Assembled(t *testing.T) {
	raw := "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("v", 6000) + "\r\n\r\nnext"
	r := NewReader(&trickle{b: []byte(raw)})
	head, err := r.ReadHead(MaxHead)
	if err != nil || !bytes.HasSuffix(head, []byte("v\r\n\r\n")) || r.Buffered() > 4 {
		t.Fatalf("head %d bytes, err %v", len(head), err)
	}
	if _, e := ParseRequest(head, nil); e != nil {
		t.Fatal(e)
	}
}

func TestReader_HeadOverLimit_Refused(t *testing.T) {
	raw := "GET / HTTP/1.1\r\nX: " + strings.Repeat("v", MaxHead) + "\r\n\r\n"
	_, err := NewReader(strings.NewReader(raw)).ReadHead(MaxHead)
	if e, ok := err.(*Error); !ok || e.Status != 431 {
		t.Fatalf("got %v", err)
	}
}

// trickle returns its bytes a few at a time.
type trickle struct{ b []byte }

func (t *trickle) Read(p []byte) (int, error) {
	if len(t.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 7)], t.b)
	t.b = t.b[n:]
	return n, nil
}
