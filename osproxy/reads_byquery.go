package osproxy

import (
	"net/http"

	"github.com/osproxy/osproxy/osproxy/query"
	"github.com/osproxy/osproxy/osproxy/route"
)

// byQuery serves POST /{index}/_delete_by_query and _update_by_query (READ-19,
// READ-20): the body judged, its query wrapped in the tenant filter, so the cluster
// deletes or updates only the tenant's documents of the view; the request waits for
// completion (a background task would be reported through task APIs that are not
// tenant-scoped), and the answer's failures are shaped (READ-21).
func (p *Proxy) byQuery(w http.ResponseWriter, r *http.Request, tr tenancyRequest) {
	endpoint, path, update := query.EndpointDeleteByQuery, "_delete_by_query", false
	if tr.route.Kind == route.UpdateByQuery {
		endpoint, path, update = query.EndpointUpdateByQuery, "_update_by_query", true
	}
	params, body, e := p.readRequest(w, r, endpoint)
	if e != nil {
		writeError(w, r, e)
		return
	}
	pol := p.policy(tr)
	out, err := query.JudgeByQuery(make([]byte, 0, len(body)+256), body, params, &pol, update)
	if e := judged(err, "body"); e != nil {
		writeError(w, r, e)
		return
	}
	p.relayShaped(w, r, tr, p.target(tr, path, params.Forward), out, true)
}
