package osproxy

import (
	"fmt"
	"io"
	"net/http"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// streamPlan sends an upstream body through a shaping plan after the head is sent,
// then through the client's filter_path when it is the proxy's to apply. From here no
// error body is possible: any failure, a contained panic included, aborts the
// connection so the client never takes a cut or corrupted body for a complete one
// (ERR-3, PT-10).
func (p *Proxy) streamPlan(w http.ResponseWriter, body io.Reader, plan jsonstream.Plan, root uint8, capture jsonstream.CaptureFunc, filter string) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v != http.ErrAbortHandler {
			p.log.Error("contained a panic while streaming a response", "panic", fmt.Sprint(v))
		}
		panic(http.ErrAbortHandler)
	}()
	dst := io.Writer(w)
	var fw io.WriteCloser
	if filter != "" {
		f, err := jsonstream.NewFilterPlan(filter)
		if err != nil {
			panic(http.ErrAbortHandler) // the caller judged the filter; this cannot happen
		}
		fw = jsonstream.FilterWriter(w, f)
		dst = fw
	}
	_, err := jsonstream.Transform(dst, pace(w, body), plan, root, capture, jsonstream.Options{})
	if fw != nil {
		if cerr := fw.Close(); err == nil {
			err = cerr
		}
	}
	if c, ok := plan.(completer); ok && err == nil {
		err = c.complete()
	}
	if err != nil {
		if t, ok := w.(*tracked); ok {
			p.bodyFailed(t, err) // OPS-15: the upstream's failure, unless the client's
		}
		panic(http.ErrAbortHandler)
	}
}

// completer is a plan that can tell, once the body ended, whether it wrote everything
// it owed (the refused items of a bulk): a body cut short of them is aborted, never
// ended as if complete.
type completer interface{ complete() error }
