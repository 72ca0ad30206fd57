package h1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// outcome is what one reader made of a request: the head's parts, the body,
// and whether it refused the head or failed in the body.
type outcome struct {
	method, target, host string
	minor                int
	header               http.Header
	length               int64
	chunked, close       bool
	body                 []byte
	headErr, bodyErr     error
}

// ours reads raw as the proxy's server does: h1, then net/url for the target.
func ours(raw []byte) outcome {
	r := NewReader(bytes.NewReader(raw))
	head, err := r.ReadHead(MaxHead)
	if err != nil {
		return outcome{headErr: err}
	}
	req, e := ParseRequest(head, nil)
	if e != nil {
		return outcome{headErr: e}
	}
	if _, err := url.ParseRequestURI(req.Target); err != nil {
		return outcome{headErr: err}
	}
	o := outcome{method: req.Method, target: req.Target, host: req.Host, minor: req.Minor, header: http.Header{},
		length: req.ContentLength, chunked: req.Chunked, close: req.Close}
	for _, f := range req.Fields {
		if k := textproto.CanonicalMIMEHeaderKey(f.Name); k != "Host" && k != "Transfer-Encoding" {
			o.header[k] = append(o.header[k], f.Value)
		}
	}
	var b Body
	b.Reset(r, req.ContentLength, req.Chunked)
	o.body, o.bodyErr = io.ReadAll(&b)
	return o
}

// theirs reads raw with net/http's request reader and the checks net/http's
// server adds before calling a handler.
func theirs(raw []byte) outcome {
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err == nil {
		err = serverChecks(req, count(lines(headOf(raw)), "host"))
	}
	if err != nil {
		return outcome{headErr: err}
	}
	o := outcome{method: req.Method, target: req.RequestURI, host: req.Host, minor: req.ProtoMinor, header: req.Header,
		length: req.ContentLength, chunked: slices.Equal(req.TransferEncoding, []string{"chunked"}), close: req.Close}
	o.body, o.bodyErr = io.ReadAll(req.Body)
	return o
}

// serverChecks are the refusals net/http's server applies after ReadRequest,
// which has already taken the Host lines (hosts of them) out of the header.
func serverChecks(req *http.Request, hosts int) error {
	switch {
	case req.ProtoMajor != 1:
		return errRefused
	case req.ProtoMinor == 1 && hosts == 0 && req.Method != "CONNECT":
		return errRefused
	case hosts == 1 && !validHost(req.Host) && req.URL.Host == "":
		return errRefused
	}
	for k, vs := range req.Header {
		if !isToken(k) {
			return errRefused
		}
		for _, v := range vs {
			if !validValue(v) {
				return errRefused
			}
		}
	}
	if ex := req.Header.Get("Expect"); ex != "" && !(strings.EqualFold(ex, "100-continue") && req.ProtoMinor == 1 && req.ContentLength != 0) {
		return errRefused
	}
	return nil
}

var errRefused = &Error{Rule: "net/http"}

func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST /i/_doc HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}",
		"POST /_bulk HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2;e\r\n{}\r\n0\r\nT: 1\r\n\r\n",
		"GET http://h/p?q HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n",
		"GET / HTTP/1.1\nHost: a\n\n",
		"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n",
		"PUT / HTTP/1.1\r\nHost: a\r\nPragma: no-cache\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\n0\n\n",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\"b\"\r\nabc\r\n0\r\nX: 1\r\nY: 2\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
		"GET / HTTP/1.1\r\nHost: [::1]:80\r\nConnection: close, x-y\r\nX-Y: z\r\n\r\n",
		"GET /a%2Fb?x=%zz HTTP/1.1\r\nHost: a\r\nUser-Agent: \xff\xfe\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		o, n := ours(raw), theirs(raw)
		switch {
		case o.headErr == nil && n.headErr != nil:
			if !acceptedLeniency(raw) {
				t.Fatalf("accepted what net/http refuses (%v):\n%q", n.headErr, raw)
			}
		case o.headErr == nil:
			compare(t, raw, o, n)
		case n.headErr == nil:
			e, ok := o.headErr.(*Error)
			if !ok || !explained(raw, e.Rule) {
				t.Fatalf("refused (%v) what net/http accepts, for no documented reason:\n%q", o.headErr, raw)
			}
		}
	})
}

// compare holds two readings of an accepted head to the same result.
func compare(t *testing.T, raw []byte, o, n outcome) {
	t.Helper()
	if _, ok := o.header["Cache-Control"]; !ok && n.header.Get("Pragma") == "no-cache" {
		delete(n.header, "Cache-Control") // net/http adds it for HTTP/1.0 caches
	}
	same := o.method == n.method && o.target == n.target && o.minor == n.minor && o.length == n.length &&
		o.chunked == n.chunked && o.close == n.close && headersEqual(o.header, n.header) &&
		(o.host == n.host || !strings.HasPrefix(o.target, "/"))
	if !same {
		t.Fatalf("read differently:\nours   %+v\ntheirs %+v\n%q", o, n, raw)
	}
	switch {
	case o.bodyErr == nil && n.bodyErr != nil:
		t.Fatalf("body accepted here, refused by net/http (%v):\n%q", n.bodyErr, raw)
	case o.bodyErr == nil && !bytes.Equal(o.body, n.body):
		t.Fatalf("bodies differ: %q vs %q\n%q", o.body, n.body, raw)
	case o.bodyErr != nil && n.bodyErr == nil && !chunkStrictness(raw):
		t.Fatalf("body refused (%v), accepted by net/http, for no documented reason:\n%q", o.bodyErr, raw)
	}
}

func headersEqual(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}
