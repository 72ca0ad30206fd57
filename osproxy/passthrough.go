package osproxy

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/osproxy/osproxy/osproxy/h1"
	"github.com/osproxy/osproxy/osproxy/upstream"
)

// forward relays r verbatim to the passthrough endpoint (spec/02-passthrough.md):
// the client's method, raw target and body, its end-to-end headers, and the
// upstream's answer as it comes, streamed both ways. A failure before the
// head becomes an error response; after it, the client connection is aborted
// (PT-10).
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request) {
	fb := fieldBufs.get()
	*fb = appendPassFields(*fb, r.Header)
	req := upstream.Request{Method: r.Method, Target: passTarget(r), Fields: *fb, Ctx: r.Context()}
	if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
		req.Stream, req.StreamLength = r.Body, r.ContentLength // PT-5: -1 stays chunked
	}
	resp, err := p.exchange(r, &p.clusters.passthrough, req)
	fieldBufs.put(fb)
	if err != nil {
		switch {
		case errors.Is(err, upstream.ErrRequestBody) && isTimeoutErr(err):
			writeError(w, r, bodyTimeout(w)) // OPS-16: the body paused past body_read_timeout
		case errors.Is(err, upstream.ErrRequestBody):
			// HTTP-7: the body broke its framing.
			writeError(w, r, fail(CodeMalformedRequest, "the request body could not be read"))
		default:
			writeError(w, r, upstreamError(err))
		}
		return
	}
	defer resp.Body.Close()
	h := w.Header()
	removeHopByHop(resp.Header) // PT-8
	for k, v := range resp.Header {
		h[k] = v
	}
	w.WriteHeader(resp.Status)
	if r.Method == http.MethodHead {
		return
	}
	p.relayBody(w, resp.Body)
}

// relayBody streams body to w, flushing as pieces arrive (PT-9), and aborts
// the connection when the upstream fails mid-body (PT-10), recording which
// side failed (OPS-14, OPS-15).
func (p *Proxy) relayBody(w http.ResponseWriter, body io.Reader) {
	bp := copyBuffers.get()
	defer copyBuffers.put(bp)
	buf := (*bp)[:cap(*bp)]
	fl, _ := w.(http.Flusher)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				panic(http.ErrAbortHandler) // the client is gone
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			if t, ok := w.(*tracked); ok {
				p.bodyFailed(t, err)
			}
			panic(http.ErrAbortHandler)
		}
		if fl != nil && !buffered(body) {
			fl.Flush() // the next read may wait: what came so far goes out now
		}
	}
}

// buffered reports whether a read from body will not wait for the network.
// A body that cannot tell is taken to wait, so what came so far goes out.
func buffered(body io.Reader) bool {
	b, ok := body.(interface{ Available() bool })
	return ok && b.Available()
}

// passTarget is the request-target to forward: the client's exactly as it
// came on the wire (PT-4), appended by the client to the endpoint's base path.
// An absolute-form target forwards its path and query.
func passTarget(r *http.Request) string {
	if strings.HasPrefix(r.RequestURI, "/") {
		return r.RequestURI
	}
	t := r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		t += "?" + r.URL.RawQuery
	}
	return t
}

// appendPassFields appends the client's end-to-end header lines (PT-6): every
// field except the hop-by-hop ones (those Connection names, then the fixed
// list), Authorization (SEC-5) and the framing, which the client writes; a
// TE that accepts trailers is kept as "TE: trailers".
func appendPassFields(b []byte, h http.Header) []byte {
	conn := h["Connection"]
	for k, vs := range h {
		if isHopByHop(k) || k == "Authorization" || k == "Content-Length" || listedIn(conn, k) {
			continue
		}
		for _, v := range vs {
			b = appendField(b, k, v)
		}
	}
	for _, v := range h["Te"] {
		if hasToken(v, "trailers") {
			return append(b, "Te: trailers\r\n"...)
		}
	}
	return b
}

// isHopByHop reports whether k is one of PT-6's fixed hop-by-hop names.
func isHopByHop(k string) bool {
	for _, name := range hopByHop {
		if k == name {
			return true
		}
	}
	return false
}

// listedIn reports whether name is one of the tokens of the Connection values.
func listedIn(conn []string, name string) bool {
	for _, v := range conn {
		if hasToken(v, name) {
			return true
		}
	}
	return false
}

func hasToken(v, tok string) bool { return h1.HasToken(v, tok) }

// rawPath is the request's path exactly as on the wire, undecoded. For an
// absolute-form target ("GET http://host/path") it falls back to the parsed path.
func rawPath(r *http.Request) string {
	raw, _, _ := strings.Cut(r.RequestURI, "?")
	if !strings.HasPrefix(raw, "/") {
		return r.URL.EscapedPath()
	}
	return raw
}
