package osproxy

import (
	"net/http"
	"slices"
	"strings"

	"github.com/osproxy/osproxy/osproxy/config"
	"github.com/osproxy/osproxy/osproxy/route"
	"github.com/osproxy/osproxy/osproxy/tenant"
)

// tenancyRequest is a tenancy request after the gate: who it acts for and where.
type tenancyRequest struct {
	route  route.Route
	tenant string
	index  string    // logical, decoded and validated
	view   *readView // a read of several logical indices, or of all (reads.go); nil for one
}

// serveTenancy runs the gate (method, cleartext guard, authentication), then
// resolves the tenant and the logical index and dispatches by endpoint.
func (p *Proxy) serveTenancy(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete:
	default:
		writeError(w, r, fail(CodeMethodNotAllowed, "method "+r.Method+" is not supported")) // ERR-6
		return
	}
	if r.TLS == nil && !p.cfg.AllowCleartextMutation {
		writeError(w, r, fail(CodeTLSRequired, "tenancy requests need TLS; the proxy received cleartext HTTP")) // SEC-3
		return
	}
	principal, e := p.authenticate(r)
	if e != nil {
		writeError(w, r, e)
		return
	}
	rt := route.Classify(r.Method, rawPath(r))
	if rt.Kind == route.Root {
		p.root(w, r) // no tenant: the answer is the cluster's, not a tenant's
		return
	}
	if p.serveRead(w, r, rt, principal) { // spec/14-reads.md (reads.go)
		return
	}
	tr, e := p.resolve(r, rt, principal)
	if e != nil {
		writeError(w, r, e)
		return
	}
	switch tr.route.Kind {
	case route.Search:
		p.search(w, r, tr)
	case route.DocGet, route.DocDelete:
		p.readOrDelete(w, r, tr, "_doc")
	case route.DocPut, route.DocCreate, route.DocAutoID:
		p.write(w, r, tr)
	default:
		p.serveWrites(w, r, tr)
	}
}

// resolve refuses what tenancy mode does not serve and resolves the tenant and
// the logical index of the rest (TEN-1..6, TEN-11).
func (p *Proxy) resolve(r *http.Request, rt route.Route, principal config.Principal) (tenancyRequest, *Error) {
	switch rt.Kind {
	case route.Unsupported:
		return tenancyRequest{}, fail(CodeUnsupportedEndpoint, "tenancy mode does not support "+r.Method+" on this path")
	case route.SearchNoIndex:
		return tenancyRequest{}, fail(CodeInvalidIndexName, "a search must name one logical index")
	}
	t, e := resolveTenant(r.Header, principal.Tenants)
	if e != nil {
		return tenancyRequest{}, e
	}
	if rt.Index == "" && (rt.Kind == route.Bulk || rt.Kind == route.Mget) {
		return tenancyRequest{route: rt, tenant: t}, nil // each item names its index
	}
	index, err := tenant.LogicalIndex(rt.Index, p.cfg.Index)
	if err != nil {
		return tenancyRequest{}, fail(CodeInvalidIndexName, "the logical index name is "+err.Error()+
			"; use 1-200 characters of a-z 0-9 _ . - starting with a letter or digit")
	}
	return tenancyRequest{route: rt, tenant: t, index: index}, nil
}

// resolveTenant reads the one x-tenant value (TEN-1..4) and checks it against
// the tenants the token is bound to (SEC-6). A token bound to one tenant needs
// no header: the tenant comes from the credential.
func resolveTenant(h http.Header, bound []string) (string, *Error) {
	values := h.Values("X-Tenant")
	switch {
	case (len(values) == 0 || len(values) == 1 && strings.TrimSpace(values[0]) == "") && len(bound) == 1:
		return bound[0], nil
	case len(values) == 0 || len(values) == 1 && strings.TrimSpace(values[0]) == "":
		return "", fail(CodeTenantRequired, "the x-tenant header is required")
	case len(values) > 1 || strings.Contains(values[0], ","):
		return "", fail(CodeTenantAmbiguous, "the x-tenant header must have exactly one value")
	case !tenant.ValidTenant(values[0]):
		return "", fail(CodeTenantInvalid, "a tenant id is 1-64 characters of A-Z a-z 0-9 _ - starting with a letter or digit")
	case len(bound) > 0 && !slices.Contains(bound, values[0]):
		return "", fail(CodeTenantForbidden, "the credential is not bound to the requested tenant")
	}
	return values[0], nil
}
