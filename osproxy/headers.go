package osproxy

import (
	"net/http"
	"net/textproto"
	"strings"

	"github.com/osproxy/osproxy/osproxy/tenant"
)

// hopByHop are the fixed hop-by-hop headers (PT-6), after those named in Connection.
var hopByHop = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// removeHopByHop strips hop-by-hop headers in place: first every name listed in
// Connection, then the fixed list.
func removeHopByHop(h http.Header) {
	for _, v := range h["Connection"] {
		for _, name := range strings.Split(v, ",") {
			if name = textproto.TrimString(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, name := range hopByHop {
		delete(h, name) // already canonical: Del would canonicalise each name again, per response
	}
}

// relayedRequestHeaders are the client headers a rewritten request carries
// upstream: request correlation and tracing, nothing that names identity.
var relayedRequestHeaders = []string{"X-Opaque-Id", "Traceparent", "Tracestate", "User-Agent"}

func copyRelayed(dst, src http.Header) {
	for _, name := range relayedRequestHeaders {
		if v, ok := src[name]; ok {
			dst[name] = v
		}
	}
}

// copyResponseHeaders relays upstream response headers minus hop-by-hop ones and
// Content-Length, which a shaped body no longer matches.
func copyResponseHeaders(dst, src http.Header) {
	removeHopByHop(src)
	src.Del("Content-Length")
	for k, v := range src {
		dst[k] = v
	}
}

// copyTenantHeaders relays upstream response headers to a tenant (copyResponseHeaders)
// with the free-text ones sanitized: OpenSearch's deprecation Warning headers may name
// the physical index or quote the wrapped query (ISO-16).
func copyTenantHeaders(dst, src http.Header, s *tenant.Sanitizer) {
	copyResponseHeaders(dst, src)
	if ws, ok := dst["Warning"]; ok {
		clean := make([]string, len(ws))
		for i, w := range ws {
			clean[i] = s.Text(w)
		}
		dst["Warning"] = clean
	}
}
