package osproxy

import (
	"io"
	"net/http"
)

// pace wraps the upstream body of a response the proxy streams while it
// shapes it. Before a read that would wait for the network it flushes what
// the client has been written so far (STR-5): the head and the hits shaped so
// far reach the client while the upstream pauses, however small they are,
// and a body that arrives at once still goes out in full writes, without a
// system call per hit.
func pace(w http.ResponseWriter, src io.Reader) io.Reader {
	f, ok := w.(http.Flusher)
	if !ok {
		return src
	}
	return &pacedSource{src: src, f: f}
}

type pacedSource struct {
	src io.Reader
	f   http.Flusher
}

func (p *pacedSource) Read(b []byte) (int, error) {
	if !buffered(p.src) {
		p.f.Flush()
	}
	return p.src.Read(b)
}
