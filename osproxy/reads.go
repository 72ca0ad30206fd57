package osproxy

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/osproxy/osproxy/osproxy/config"
	"github.com/osproxy/osproxy/osproxy/jsonstream"
	"github.com/osproxy/osproxy/osproxy/query"
	"github.com/osproxy/osproxy/osproxy/route"
	"github.com/osproxy/osproxy/osproxy/tenant"
)

// readView is the logical indices a read covers when it names several, or none: then
// every logical index of the tenant (READ-1, READ-2).
type readView struct {
	indices []string // empty: all of the tenant's
}

// serveRead serves the reads of spec/14-reads.md and reports whether it did; every other
// kind goes on to resolve and the one-index dispatch.
func (p *Proxy) serveRead(w http.ResponseWriter, r *http.Request, rt route.Route, principal config.Principal) bool {
	switch rt.Kind {
	case route.Nodes:
		p.nodes(w, r, rt) // no tenant: the answer names the proxy, not a tenant's data
		return true
	case route.ClusterHealth:
		p.clusterHealth(w, r, rt)
		return true
	case route.FieldCaps:
		writeError(w, r, fail(CodeUnsupportedEndpoint, "field capabilities list the mapping every tenant of the shared index "+
			"writes to, other tenants' field names included; they are not served"))
		return true
	case route.SearchTemplate:
		writeError(w, r, fail(CodeUnsupportedEndpoint, "a search template is rendered by the cluster after the proxy "+
			"judged the request, so the proxy cannot judge what runs; send the rendered search to _search"))
		return true
	case route.AllPITs:
		writeError(w, r, fail(CodeUnsupportedEndpoint, "_all names every tenant's points in time; delete your own by id"))
		return true
	case route.Search, route.SearchNoIndex, route.Count, route.MultiSearch, route.Validate, route.DeleteByQuery,
		route.UpdateByQuery, route.CreatePIT, route.ScrollNext, route.ScrollClear, route.DeletePIT:
	default:
		return false
	}
	tr, e := p.resolveRead(r, rt, principal)
	if e != nil {
		writeError(w, r, e)
		return true
	}
	p.dispatchRead(w, r, tr)
	return true
}

// dispatchRead calls the handler of a resolved read.
func (p *Proxy) dispatchRead(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	switch tr.route.Kind {
	case route.Search, route.SearchNoIndex:
		p.search(w, r, tr)
	case route.Count:
		p.count(w, r, tr, query.EndpointCount)
	case route.Validate:
		p.count(w, r, tr, query.EndpointValidate)
	case route.MultiSearch:
		p.multiSearch(w, r, tr)
	case route.DeleteByQuery, route.UpdateByQuery:
		p.byQuery(w, r, tr)
	case route.CreatePIT:
		p.createPIT(w, r, tr)
	case route.DeletePIT:
		p.deletePIT(w, r, tr)
	case route.ScrollNext:
		p.scrollNext(w, r, tr)
	case route.ScrollClear:
		p.clearScroll(w, r, tr)
	}
}

// resolveRead resolves the tenant of a read and the logical indices it names: one, a
// comma list, or none (READ-1, READ-2). Cursor endpoints name none; their view comes
// from the cursor.
func (p *Proxy) resolveRead(r *http.Request, rt route.Route, principal config.Principal) (tenancyRequest, *Error) {
	t, e := resolveTenant(r.Header, principal.Tenants)
	if e != nil {
		return tenancyRequest{}, e
	}
	tr := tenancyRequest{route: rt, tenant: t}
	names, e := p.logicalIndices(rt.Index)
	switch {
	case e != nil:
		return tenancyRequest{}, e
	case len(names) == 1:
		tr.index = names[0]
	default:
		tr.view = &readView{indices: names}
	}
	return tr, nil
}

// logicalIndices reads a raw index segment: empty, one logical index or a comma list of
// them, each percent-decoded once and checked by TEN-5 (an encoded comma is part of a
// name, and refused). Repeated names count once.
func (p *Proxy) logicalIndices(raw string) ([]string, *Error) {
	if raw == "" {
		return nil, nil
	}
	var names []string
	for _, item := range strings.Split(raw, ",") {
		name, err := tenant.LogicalIndex(item, p.cfg.Index)
		if err != nil {
			return nil, fail(CodeInvalidIndexName, "a logical index name is "+err.Error()+
				"; use 1-200 characters of a-z 0-9 _ . - starting with a letter or digit, or a comma list of such names")
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names, nil
}

// viewOf is tr with the indices of a header or cursor: none means the fallback's.
func viewOf(tr tenancyRequest, names []string) tenancyRequest {
	tr.index, tr.view = "", nil
	if len(names) == 1 {
		tr.index = names[0]
	} else {
		tr.view = &readView{indices: names}
	}
	return tr
}

// indicesOf is the logical indices of tr's view: one, several, or none for all.
func indicesOf(tr tenancyRequest) []string {
	if tr.view != nil {
		return tr.view.indices
	}
	return []string{tr.index}
}

// filterOf is the tenant filter of tr's view (SRCH-2, READ-3, READ-2).
func filterOf(tr tenancyRequest) query.Filter {
	f := query.Filter{TenantField: tenant.FieldTenant, IndexField: tenant.FieldIndex, Tenant: tr.tenant, Index: tr.index}
	if tr.view != nil {
		f.Indices, f.AllIndices = tr.view.indices, len(tr.view.indices) == 0
	}
	return f
}

// judged maps a judgement's error to the proxy's codes (ISO-1, SRCH-4, READ-6).
func judged(err error, what string) *Error {
	var ref *query.Refusal
	var perr *query.ParamError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ref):
		return fail(CodeUnsupportedQuery, ref.Error())
	case errors.As(err, &perr):
		return fail(CodeUnsupportedParameter, perr.Error())
	}
	var syn *jsonstream.SyntaxError
	if errors.As(err, &syn) {
		return fail(CodeMalformedBody, "the "+what+" is not one JSON object: "+err.Error())
	}
	return fail(CodeMalformedBody, "the "+what+" could not be read")
}

// parseReadParams parses a read's query string by its endpoint's table (READ-6).
func parseReadParams(r *http.Request, e query.Endpoint) (*query.Params, *Error) {
	ps, err := query.ParseParamsFor(r.URL.RawQuery, e)
	if err != nil {
		code := CodeUnsupportedParameter
		if pe, ok := err.(*query.ParamError); ok && pe.Malformed {
			code = CodeMalformedRequest // ISO-22
		}
		return nil, fail(code, err.Error())
	}
	return ps, nil
}

// readRequest reads a read's parameters by its endpoint's table and its body, or the
// source parameter standing for it.
func (p *Proxy) readRequest(w http.ResponseWriter, r *http.Request, e query.Endpoint) (*query.Params, []byte, *Error) {
	params, err := parseReadParams(r, e)
	if err != nil {
		return nil, nil, err
	}
	body, err := p.readBodyOrSource(w, r, params)
	return params, body, err
}

// readBodyOrSource reads a read's body; without one, the source parameter stands for it
// (READ-8). A request with both is refused, as OpenSearch refuses it.
func (p *Proxy) readBodyOrSource(w http.ResponseWriter, r *http.Request, ps *query.Params) ([]byte, *Error) {
	body, e := p.readBody(w, r)
	switch {
	case e != nil:
		return nil, e
	case ps.Source == nil:
		return body, nil
	case body != nil:
		return nil, fail(CodeUnsupportedParameter, "the parameter source stands for the body; the request has both")
	case int64(len(ps.Source)) > p.cfg.MaxBodyBytes:
		return nil, tooLarge(p.cfg.MaxBodyBytes)
	}
	return ps.Source, nil
}

// send sends a request the proxy built for tr and, when the cluster answers with
// success, writes the answer's head, sanitized, and returns the response and the view's
// shaping: the caller streams the body and closes it. Anything else is answered here —
// the proxy's error, or the cluster's sanitized (SRCH-10, ISO-16) — and resp is nil.
func (p *Proxy) send(w http.ResponseWriter, r *http.Request, tr tenancyRequest, method, target string, body []byte) (*http.Response, *tenant.Shaping) {
	resp, e := p.roundTrip(r, method, target, body)
	if e != nil {
		writeError(w, r, e)
		return nil, nil
	}
	if resp.StatusCode >= 400 {
		defer resp.Body.Close()
		p.relayUpstreamError(w, r, resp, tr)
		return nil, nil
	}
	sh := p.shaping(tr)
	copyTenantHeaders(w.Header(), resp.Header, sh.Errors)
	w.WriteHeader(resp.StatusCode)
	return resp, sh
}

// upstreamAt is the upstream URL of path with the forwarded parameters.
func (p *Proxy) upstreamAt(path, forward string) string {
	if forward == "" {
		return p.cfg.Upstream + path
	}
	return p.cfg.Upstream + path + "?" + forward
}

// target is an upstream URL on the physical index, routed by tenant (SRCH-1, TEN-10),
// with the forwarded parameters.
func (p *Proxy) target(tr tenancyRequest, endpoint, forward string) string {
	t := p.cfg.Upstream + "/" + p.cfg.Index + "/" + endpoint + "?routing=" + url.QueryEscape(tr.tenant)
	if forward != "" {
		t += "&" + forward
	}
	return t
}
