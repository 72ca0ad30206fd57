package osproxy

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
	"github.com/osproxy/osproxy/osproxy/route"
	"github.com/osproxy/osproxy/osproxy/tenant"
)

// maxRelayedBytes caps an upstream document or error response the proxy buffers
// to shape. Such bodies are small; a larger one is not relayed.
const maxRelayedBytes = 1 << 20

// write serves DocPut, DocCreate and DocAutoID (DOC-1, DOC-2).
func (p *Proxy) write(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	params, e := filterParams(r.URL.RawQuery, writeParams)
	if e != nil {
		writeError(w, r, e)
		return
	}
	id := p.newID()
	if tr.route.Kind != route.DocAutoID {
		if id, e = documentID(tr.route.ID); e != nil {
			writeError(w, r, e)
			return
		}
	}
	body, e := readJSONBody(r, p.cfg.MaxBodyBytes)
	if e != nil {
		writeError(w, r, e)
		return
	}
	if body == nil {
		writeError(w, r, fail(CodeMalformedBody, "a document body is required"))
		return
	}
	doc, err := tenant.Inject(make([]byte, 0, len(body)+64+len(tr.index)), body, tr.tenant, tr.index)
	if err == tenant.ErrReservedField {
		writeError(w, r, fail(CodeReservedField, "the fields _tenant and _logical_index are reserved"))
		return
	} else if err != nil {
		writeError(w, r, fail(CodeMalformedBody, "the document must be a JSON object"))
		return
	}
	extra := ""
	if tr.route.Kind == route.DocCreate {
		extra = "&op_type=create"
	}
	p.document(w, r, tr, http.MethodPut, id, extra, params, doc)
}

// readOrDelete serves DocGet and DocDelete (DOC-4, DOC-5).
func (p *Proxy) readOrDelete(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	allowed := readParams
	if tr.route.Kind == route.DocDelete {
		allowed = writeParams
	}
	params, e := filterParams(r.URL.RawQuery, allowed)
	if e != nil {
		writeError(w, r, e)
		return
	}
	id, e := documentID(tr.route.ID)
	if e != nil {
		writeError(w, r, e)
		return
	}
	p.document(w, r, tr, r.Method, id, "", params, nil)
}

// document sends one by-id request for a tenant's document and shapes the answer.
func (p *Proxy) document(w http.ResponseWriter, r *http.Request, tr tenancyRequest, method, id, extra, params string, body []byte) {
	target := p.cfg.Upstream + "/" + p.cfg.Index + "/_doc/" +
		url.PathEscape(tenant.PhysicalID(tr.tenant, tr.index, id)) + // DOC-3: one segment
		"?routing=" + url.QueryEscape(tr.tenant) + extra // TEN-10
	if params != "" {
		target += "&" + params
	}
	resp, e := p.roundTrip(r, method, target, body)
	if e != nil {
		writeError(w, r, e)
		return
	}
	defer resp.Body.Close()
	if r.Method == http.MethodHead {
		w.WriteHeader(resp.StatusCode)
		return
	}
	raw, e := readRelayed(resp)
	if e != nil {
		writeError(w, r, e)
		return
	}
	if isDocument(raw) {
		// A document is shaped, never text-replaced: its _source is the tenant's data.
		if shaped, err := tenant.NewShaper(tr.tenant, tr.index).Hit(nil, bytes.TrimSpace(raw)); err == nil {
			writeBody(w, resp, shaped)
			return
		}
	}
	writeBody(w, resp, p.sanitize(raw, tr))
}

// readRelayed reads an upstream document or error response the proxy must
// reshape; such bodies are small, and one over maxRelayedBytes is not relayed.
func readRelayed(resp *http.Response) ([]byte, *Error) {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxRelayedBytes+1))
	if err != nil || len(raw) > maxRelayedBytes {
		return nil, fail(CodeUpstreamUnreachable, "the upstream response could not be relayed")
	}
	return raw, nil
}

// isDocument reports whether raw is a JSON object without an error member.
func isDocument(raw []byte) bool {
	doc := bytes.TrimSpace(raw)
	if jsonstream.Validate(doc, maxJSONDepth) != nil || jsonstream.Kind(doc) != '{' {
		return false
	}
	errMember := false
	_ = jsonstream.Members(doc, func(key, _ []byte) error {
		errMember = errMember || jsonstream.KeyIs(key, "error")
		return nil
	})
	return !errMember
}

func documentID(raw string) (string, *Error) {
	id, err := tenant.DocumentID(raw)
	if err != nil {
		return "", fail(CodeInvalidDocumentID, "the document id is "+err.Error()+"; use 1-512 bytes")
	}
	return id, nil
}

// relayUpstreamError relays an upstream error with its status (SRCH-10).
func (p *Proxy) relayUpstreamError(w http.ResponseWriter, r *http.Request, resp *http.Response, tr tenancyRequest) {
	raw, e := readRelayed(resp)
	if e != nil {
		writeError(w, r, e)
		return
	}
	writeBody(w, resp, p.sanitize(raw, tr))
}

// sanitize replaces the physical index with the logical one and strips physical
// id prefixes, so an upstream message never reveals the shared layout.
func (p *Proxy) sanitize(raw []byte, tr tenancyRequest) []byte {
	raw = bytes.ReplaceAll(raw, []byte(tenant.PhysicalID(tr.tenant, tr.index, "")), nil)
	return bytes.ReplaceAll(raw, []byte(p.cfg.Index), []byte(tr.index))
}

func writeBody(w http.ResponseWriter, resp *http.Response, body []byte) {
	copyResponseHeaders(w.Header(), resp.Header)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
}
