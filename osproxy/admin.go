package osproxy

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
	"github.com/osproxy/osproxy/osproxy/observe"
)

// AdminPrefix is the reserved path prefix of the proxy's own endpoints. An
// OpenSearch index name cannot start with "_", so no index hides behind it and
// nothing under it is ever forwarded (OPS-1).
const AdminPrefix = "/_osproxy/"

// isAdminPath reports whether a raw path is under AdminPrefix.
func isAdminPath(path string) bool {
	return strings.HasPrefix(path, AdminPrefix) || path == "/_osproxy"
}

// AdminHandler serves the proxy's own endpoints and nothing else, for the
// admin_bind listener (OPS-1).
func (p *Proxy) AdminHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.serveAdmin(w, r, true) })
}

// serveAdmin answers a request under AdminPrefix: liveness, readiness, metrics,
// explain (OPS-1). onAdmin is true on the admin listener, which asks for no
// credentials; on the main listener explain asks for what every request does.
func (p *Proxy) serveAdmin(w http.ResponseWriter, r *http.Request, onAdmin bool) {
	path := rawPath(r)
	name, id, _ := strings.Cut(strings.TrimPrefix(path, AdminPrefix), "/")
	class := classAdminOther
	switch {
	case name == "live" && id == "":
		class = classAdminLive
	case name == "ready" && id == "":
		class = classAdminReady
	case name == "metrics" && id == "":
		class = classAdminMetrics
	case name == "explain" && id != "":
		class = classAdminExplain
	}
	t, r := p.track(w, r, observe.Admin, p.classes.admin+class, 0)
	defer p.finish(t, false)
	w = t
	if !isAdminPath(path) {
		writeError(w, r, fail(CodeUnsupportedEndpoint, "this listener serves only "+AdminPrefix+"live, ready, metrics and explain"))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, r, fail(CodeMethodNotAllowed, "the proxy's own endpoints answer GET and HEAD"))
		return
	}
	switch class {
	case classAdminLive:
		writeAdminJSON(w, r, http.StatusOK, []byte(`{"status":"live"}`))
	case classAdminReady:
		p.serveReady(w, r)
	case classAdminMetrics:
		p.serveMetrics(w, r)
	case classAdminExplain:
		if !onAdmin {
			if _, e := p.authenticate(r); e != nil {
				writeError(w, r, e)
				return
			}
		}
		p.serveExplain(w, r, id)
	default:
		writeError(w, r, fail(CodeUnsupportedEndpoint, "unknown endpoint; the proxy serves "+AdminPrefix+"live, ready, metrics and explain/{id}"))
	}
}

// writeAdminJSON sends a small JSON answer of the proxy's own endpoints.
func writeAdminJSON(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func (p *Proxy) serveMetrics(w http.ResponseWriter, r *http.Request) {
	var b bytes.Buffer
	_ = p.obs.WriteText(&b)
	h := w.Header()
	h.Set("Content-Type", observe.ContentType)
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b.Bytes())
	}
}

// serveExplain answers the decision chain of a recent request (OPS-7).
func (p *Proxy) serveExplain(w http.ResponseWriter, r *http.Request, id string) {
	rec, ok := p.obs.Explain(id)
	if !ok {
		writeError(w, r, fail(CodeRequestNotFound, "no request with this id among the most recent ones"))
		return
	}
	writeAdminJSON(w, r, http.StatusOK, p.appendExplain(nil, &rec))
}

// appendExplain writes a record as explain's JSON: what the proxy decided at each
// step, in names and numbers only.
func (p *Proxy) appendExplain(b []byte, rec *observe.Record) []byte {
	str := func(b []byte, k, v string) []byte {
		b = jsonstream.AppendString(append(b, ','), k)
		return jsonstream.AppendString(append(b, ':'), v)
	}
	num := func(b []byte, k string, v int64) []byte {
		b = jsonstream.AppendString(append(b, ','), k)
		return strconv.AppendInt(append(b, ':'), v, 10)
	}
	b = append(b, `{"id":`...)
	b = jsonstream.AppendString(b, rec.ID)
	b = str(b, "method", rec.Method)
	b = str(b, "mode", rec.Mode.String())
	b = str(b, "class", p.obs.ClassName(rec.Class))
	b = append(b, `,"decisions":[`...)
	for i, step := range p.decisions(rec) {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonstream.AppendString(b, step)
	}
	b = append(b, ']')
	b = num(b, "status", int64(rec.Status))
	if rec.Code != "" {
		b = str(b, "code", rec.Code)
	}
	if rec.Rewrite != "" {
		b = str(b, "rewrite", rec.Rewrite)
	}
	if name := p.obs.ClusterName(rec.Cluster); name != "" {
		b = str(b, "cluster", name)
	}
	if u := rec.Upstream; u.Sent || u.Failure != observe.NoFailure {
		b = append(b, `,"upstream":{"sent":`...)
		b = strconv.AppendBool(b, u.Sent)
		b = num(b, "status", int64(u.Status))
		b = num(b, "head_us", u.Head.Microseconds())
		if u.Failure != observe.NoFailure {
			b = str(b, "failure", u.Failure.String())
		}
		b = append(b, '}')
	}
	if rec.Abort != observe.NoAbort {
		b = str(b, "aborted_by", rec.Abort.String())
	}
	b = num(b, "duration_us", rec.Duration.Microseconds())
	b = num(b, "bytes_in", rec.BytesIn)
	b = num(b, "bytes_out", rec.BytesOut)
	return append(b, '}')
}

// decisions is the chain of what the proxy did with a request, one short
// sentence per step.
func (p *Proxy) decisions(rec *observe.Record) []string {
	steps := []string{"classified as " + rec.Mode.String() + " " + p.obs.ClassName(rec.Class)}
	u := rec.Upstream
	switch {
	case rec.Code != "" && !u.Sent && u.Failure == observe.NoFailure:
		steps = append(steps, "refused: "+rec.Code)
	case u.Failure == observe.FailBreakerOpen:
		steps = append(steps, "not sent: the circuit breaker of "+p.obs.ClusterName(rec.Cluster)+" is open")
	case u.Sent:
		steps = append(steps, "rewritten: "+rec.Rewrite, "sent to "+p.obs.ClusterName(rec.Cluster))
		if u.Status > 0 {
			steps = append(steps, "upstream answered "+strconv.Itoa(u.Status))
		}
		if u.Failure != observe.NoFailure {
			steps = append(steps, "upstream failed: "+u.Failure.String())
		}
	}
	switch rec.Abort {
	case observe.ClientAbort:
		steps = append(steps, "the client went away")
	case observe.UpstreamAbort:
		steps = append(steps, "the response was cut short")
	default:
		steps = append(steps, "answered "+strconv.Itoa(rec.Status))
	}
	return steps
}
