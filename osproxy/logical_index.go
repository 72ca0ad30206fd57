package osproxy

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
	"github.com/osproxy/osproxy/osproxy/tenant"
)

// A logical index has no physical existence: it is the set of a tenant's documents
// that carry its name (spec/15-writes.md WR-40..46).

// tenantFilter is the query that selects the tenant's documents of its logical index.
func (p *Proxy) tenantFilter(tr tenancyRequest) []byte {
	b := []byte(`{"query":{"bool":{"filter":[{"term":{"` + tenant.FieldTenant + `":`)
	b = jsonstream.AppendString(b, tr.tenant)
	b = append(b, `}},{"term":{"`+tenant.FieldIndex+`":`...)
	b = jsonstream.AppendString(b, tr.index)
	return append(b, `}}]}}}`...)
}

// countDocuments counts the tenant's documents of the logical index, up to one.
func (p *Proxy) countDocuments(r *http.Request, tr tenancyRequest) (int64, *Error) {
	target := p.cfg.Upstream + "/" + p.cfg.Index + "/_count?terminate_after=1&routing=" + url.QueryEscape(tr.tenant)
	resp, e := p.roundTrip(r, http.MethodPost, target, p.tenantFilter(tr))
	if e != nil {
		return 0, e
	}
	defer resp.Body.Close()
	var out struct{ Count int64 }
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, maxRelayedBytes)).Decode(&out) != nil {
		return 0, fail(CodeUpstreamUnreachable, "the upstream could not count the logical index's documents")
	}
	return out.Count, nil
}

// indexExists serves HEAD and GET /{index} (WR-40, WR-41).
func (p *Proxy) indexExists(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	if _, e := filterParams(r.URL.RawQuery, rootParams); e != nil {
		writeError(w, r, e)
		return
	}
	n, e := p.countDocuments(r, tr)
	switch {
	case e != nil:
		writeError(w, r, e)
	case n == 0:
		writeError(w, r, notFound(tr.index))
	case r.Method == http.MethodHead:
		w.WriteHeader(http.StatusOK)
	default:
		body := jsonstream.AppendString([]byte{'{'}, tr.index)
		writeJSON(w, http.StatusOK, append(body, `:{"aliases":{},"mappings":{},"settings":{}}}`...))
	}
}

func notFound(index string) *Error {
	return fail(CodeIndexNotFound, "no such index ["+index+"]")
}

// indexCreate serves PUT /{index} (WR-42, WR-43): it creates nothing; settings are the shared
// index's, and mappings are accepted only when the shared mapping already says so.
func (p *Proxy) indexCreate(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	if _, e := filterParams(r.URL.RawQuery, paramSet("wait_for_active_shards", "timeout", "master_timeout",
		"cluster_manager_timeout", "pretty", "human", "error_trace")); e != nil {
		writeError(w, r, e)
		return
	}
	body, e := p.readJSONBody(w, r)
	if e != nil {
		writeError(w, r, e)
		return
	}
	var req struct {
		Settings json.RawMessage
		Mappings map[string]json.RawMessage
		Aliases  json.RawMessage
	}
	if body != nil && json.Unmarshal(body, &req) != nil {
		writeError(w, r, fail(CodeMalformedBody, "the body must be {settings, mappings}"))
		return
	}
	if len(req.Aliases) > 0 && string(req.Aliases) != "{}" {
		writeError(w, r, fail(CodeUnsupportedParameter, "aliases are not supported on a logical index"))
		return
	}
	if e := p.checkMappings(r, req.Mappings); e != nil {
		writeError(w, r, e)
		return
	}
	if n, e := p.countDocuments(r, tr); e != nil || n > 0 {
		if e == nil {
			e = fail(CodeIndexExists, "index ["+tr.index+"] already exists")
		}
		writeError(w, r, e)
		return
	}
	if len(req.Settings) > 0 && string(req.Settings) != "{}" {
		w.Header().Add("Warning", `299 osproxy "the settings of a logical index are the shared index's; the request's settings were ignored"`)
	}
	body = []byte(`{"acknowledged":true,"shards_acknowledged":true,"index":`)
	writeJSON(w, http.StatusOK, append(jsonstream.AppendString(body, tr.index), '}'))
}

// checkMappings accepts declared mappings only when the shared mapping has every field
// with the same definition: a change would affect every tenant of the index.
func (p *Proxy) checkMappings(r *http.Request, declared map[string]json.RawMessage) *Error {
	if len(declared) == 0 {
		return nil
	}
	resp, e := p.roundTrip(r, http.MethodGet, p.cfg.Upstream+"/"+p.cfg.Index+"/_mapping", nil)
	if e != nil {
		return e
	}
	defer resp.Body.Close()
	var current map[string]struct{ Mappings map[string]json.RawMessage }
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&current) != nil {
		return fail(CodeUpstreamUnreachable, "the upstream's mapping could not be read")
	}
	shared := current[p.cfg.Index].Mappings
	for key, value := range declared {
		if key == "properties" {
			if field := differentField("", value, shared["properties"]); field != "" {
				return fail(CodeMappingChangeRefused, "the field ["+field+"] would change the mapping every tenant of the index shares; "+
					"mappings are the operator's")
			}
			continue
		}
		if !sameJSON(value, shared[key]) {
			return fail(CodeMappingChangeRefused, "the mapping setting ["+key+"] would change what every tenant of the index shares")
		}
	}
	return nil
}

// differentField returns the first declared field (dotted path) that the shared
// properties lack or define otherwise, or "". A field's sub-properties are compared
// the same way; its other parameters must be equal.
func differentField(prefix string, declared, shared json.RawMessage) string {
	var want, have map[string]map[string]json.RawMessage
	if json.Unmarshal(declared, &want) != nil {
		return strings.TrimSuffix(prefix, ".") + "(properties)"
	}
	_ = json.Unmarshal(shared, &have)
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		path := prefix + name
		got, ok := have[name]
		if strings.HasPrefix(name, "_") || !ok {
			return path
		}
		for param, v := range want[name] {
			if param == "properties" {
				if f := differentField(path+".", v, got[param]); f != "" {
					return f
				}
				continue
			}
			if !sameJSON(v, got[param]) {
				return path
			}
		}
	}
	return ""
}

func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// indexDelete serves DELETE /{index} (WR-46): the tenant's documents of that logical
// index, and only those.
func (p *Proxy) indexDelete(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	if _, e := filterParams(r.URL.RawQuery, paramSet("timeout", "master_timeout", "cluster_manager_timeout",
		"pretty", "human", "error_trace")); e != nil {
		writeError(w, r, e)
		return
	}
	target := p.cfg.Upstream + "/" + p.cfg.Index + "/_delete_by_query?refresh=true&conflicts=proceed&routing=" +
		url.QueryEscape(tr.tenant)
	resp, e := p.roundTrip(r, http.MethodPost, target, p.tenantFilter(tr))
	if e != nil {
		writeError(w, r, e)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		p.relayUpstreamError(w, r, resp, tr)
		return
	}
	var out struct{ Deleted int64 }
	if json.NewDecoder(io.LimitReader(resp.Body, maxRelayedBytes)).Decode(&out) != nil {
		writeError(w, r, fail(CodeUpstreamUnreachable, "the upstream's answer could not be read"))
		return
	}
	if out.Deleted == 0 {
		writeError(w, r, notFound(tr.index))
		return
	}
	writeJSON(w, http.StatusOK, []byte(`{"acknowledged":true}`))
}

// refresh serves GET|POST /{index}/_refresh (WR-45): the shared index is refreshed.
func (p *Proxy) refresh(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	params, e := filterParams(r.URL.RawQuery, rootParams)
	if e != nil {
		writeError(w, r, e)
		return
	}
	target := p.cfg.Upstream + "/" + p.cfg.Index + "/_refresh"
	if params != "" {
		target += "?" + params
	}
	resp, e := p.roundTrip(r, http.MethodPost, target, nil)
	if e != nil {
		writeError(w, r, e)
		return
	}
	defer resp.Body.Close()
	p.relayUpstreamError(w, r, resp, tr) // small either way: {"_shards":{…}} or an error, sanitized
}

// writeJSON sends a body the proxy built.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
