package osproxy

import (
	"net/http"

	"github.com/osproxy/osproxy/osproxy/h1"
)

// Refuse answers a request the HTTP/1.1 parser refused with an
// OpenSearch-shaped error (HTTP-11), so clients raise their usual exception.
func (p *Proxy) Refuse(w http.ResponseWriter, r *http.Request, e *h1.Error) {
	writeError(w, r, fail(Code(e.Code), e.Reason))
}
