package osproxy

import (
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
)

// newPassthrough builds the verbatim forwarder of spec/02-passthrough.md on the
// standard ReverseProxy: it strips hop-by-hop headers both ways, streams both
// bodies and aborts the client connection on a failure after the head (PT-10).
func (p *Proxy) newPassthrough(target *url.URL) *httputil.ReverseProxy {
	base := strings.TrimRight(target.EscapedPath(), "/")
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			out := pr.Out
			out.URL.Scheme = target.Scheme
			out.URL.Host = target.Host
			out.Host = "" // PT-6: Host is the endpoint's
			setRawTarget(out.URL, base, pr.In)
			// Rewrite clears the client's Forwarded and X-Forwarded-*; PT-6 forwards
			// them unchanged, and PT-7 adds none.
			for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"} {
				if v, ok := pr.In.Header[h]; ok {
					out.Header[h] = v
				}
			}
			// ReverseProxy re-adds Connection and Upgrade for protocol upgrades;
			// PT-6 treats them as hop-by-hop like every other: OpenSearch speaks HTTP.
			out.Header.Del("Connection")
			out.Header.Del("Upgrade")
			out.Header.Del("Authorization") // SEC-5
			if pr.In.ContentLength > 0 {
				out.Body = exactBody{io.LimitReader(out.Body, pr.In.ContentLength)}
			}
		},
		Transport:  p.clusters.passthrough.transport, // sets the proxy's own credentials (UPS-5)
		BufferPool: copyBuffers,
		ErrorLog:   p.errorLog,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, r, upstreamError(err))
		},
	}
}

// setRawTarget points u at base + the client's path and query exactly as they
// came on the wire (PT-4). net/http re-encodes a RawPath it considers invalid
// (one with {, |, < …) from the decoded path, turning %2F into a separator, so
// the raw form goes in Opaque, which is written as is. A target starting with
// "//" would read as an authority in Opaque; it keeps Path/RawPath instead.
func setRawTarget(u *url.URL, base string, in *http.Request) {
	raw := rawPath(in)
	u.RawQuery = in.URL.RawQuery
	if strings.HasPrefix(base+raw, "//") {
		u.Path = base + in.URL.Path
		u.RawPath = base + in.URL.EscapedPath()
		return
	}
	u.Opaque = base + raw
}

// exactBody ends a body of declared length at that length without reading the
// inbound body again. net/http's transport reads once past Content-Length to
// check the body was not longer; if the response head has been relayed by
// then, the server has closed the inbound body, that read fails, and the
// transport tears down the upstream connection mid-response. Ending at the
// declared length makes the check meet io.EOF instead.
type exactBody struct{ io.Reader }

func (exactBody) Close() error { return nil }

// rawPath is the request's path exactly as on the wire, undecoded. For an
// absolute-form target ("GET http://host/path") it falls back to the parsed path.
func rawPath(r *http.Request) string {
	raw, _, _ := strings.Cut(r.RequestURI, "?")
	if !strings.HasPrefix(raw, "/") {
		return r.URL.EscapedPath()
	}
	return raw
}
