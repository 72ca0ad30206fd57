package osproxy

import (
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
			// PT-4: the raw path and query, unnormalised, under the base path.
			out.URL.Path = base + pr.In.URL.Path
			out.URL.RawPath = base + pr.In.URL.EscapedPath()
			out.URL.RawQuery = pr.In.URL.RawQuery
			// Rewrite clears the client's X-Forwarded-*; PT-6 forwards them unchanged.
			for _, h := range []string{"X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto"} {
				if v, ok := pr.In.Header[h]; ok {
					out.Header[h] = v
				}
			}
			out.Header.Del("Authorization") // SEC-5
		},
		Transport:  p.transport,
		BufferPool: copyBuffers,
		ErrorLog:   p.errorLog,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, r, upstreamError(err))
		},
	}
}
