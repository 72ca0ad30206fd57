package osproxy

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

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
		if id, e = documentID(tr.route.ID, tr); e != nil {
			writeError(w, r, e)
			return
		}
	}
	// The document's top-level names are judged in the pass that validates it, so the
	// splice that follows need not read it again.
	body := p.requiredJSONObject(w, r, "a document body is required", tenant.CheckTopName)
	if body == nil {
		return
	}
	doc, err := tenant.Splice(make([]byte, 0, len(body)+64+len(tr.index)), body, tr.tenant, tr.index)
	if err != nil { // requiredJSONObject answered for everything but an object
		writeError(w, r, fail(CodeMalformedBody, "the document must be a JSON object"))
		return
	}
	if tr.route.Kind == route.DocCreate {
		params = joinQuery("op_type=create", params)
	}
	p.byID(w, r, tr, http.MethodPut, "_doc", id, params, doc)
}

// readOrDelete serves DocGet and DocDelete (DOC-4, DOC-5) on endpoint _doc, and
// GET|HEAD _source (WR-36), which answers the source alone, streamed without the
// reserved fields.
func (p *Proxy) readOrDelete(w http.ResponseWriter, r *http.Request, tr tenancyRequest, endpoint string) {
	allowed := readParams
	if tr.route.Kind == route.DocDelete {
		allowed = writeParams
	}
	params, e := filterParams(r.URL.RawQuery, allowed)
	if e != nil {
		writeError(w, r, e)
		return
	}
	id, e := documentID(tr.route.ID, tr)
	if e != nil {
		writeError(w, r, e)
		return
	}
	p.byID(w, r, tr, r.Method, endpoint, id, params, nil)
}

// readRelayed reads an upstream answer the proxy must sanitize whole; such bodies are
// small (errors, write results), and one over maxRelayedBytes is not relayed.
func readRelayed(resp *http.Response) ([]byte, *Error) {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxRelayedBytes+1))
	if err != nil || len(raw) > maxRelayedBytes {
		return nil, fail(CodeUpstreamUnreachable, "the upstream response could not be relayed")
	}
	return raw, nil
}

// documentID decodes an id segment (DOC-3) and checks that its physical form fits
// OpenSearch's 512-byte id limit (ISO-23), so a too-long id is refused here rather
// than by the cluster in its own words.
func documentID(raw string, tr tenancyRequest) (string, *Error) {
	id, err := tenant.DocumentID(raw)
	if err != nil {
		return "", fail(CodeInvalidDocumentID, "the document id is "+err.Error()+"; use 1-512 bytes")
	}
	if n := len(tenant.PhysicalID(tr.tenant, tr.index, id)); n > maxPhysicalID {
		return "", fail(CodeInvalidDocumentID, "the document id is too long: with the tenant and index it would exceed "+
			strconv.Itoa(maxPhysicalID)+" bytes, OpenSearch's limit")
	}
	return id, nil
}

// maxPhysicalID is OpenSearch's limit on a document id, in bytes.
const maxPhysicalID = 512

// relayUpstreamError relays a small upstream answer, an error above all, with its
// status, sanitized for the tenant (SRCH-10, ISO-16).
func (p *Proxy) relayUpstreamError(w http.ResponseWriter, r *http.Request, resp *http.Response, tr tenancyRequest) {
	raw, e := readRelayed(resp)
	if e != nil {
		writeError(w, r, e)
		return
	}
	s := p.shaping(tr).Errors
	writeBody(w, resp, s, s.Append(nil, bytes.TrimSpace(raw)))
}

func writeBody(w http.ResponseWriter, resp *http.Response, s *tenant.Sanitizer, body []byte) {
	copyTenantHeaders(w.Header(), resp.Header, s)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
}
