// Package observe counts and records what the proxy does, for the people who
// operate it: request metrics exposed in the Prometheus text format, one
// structured access-log line per request, and a ring of recent requests'
// decision chains that can be looked up by request id.
//
// It knows nothing of tenants, routes or upstream protocols. The proxy names
// its endpoint classes, refusal codes and clusters when it builds a Metrics,
// and describes each request in a Record: shapes and names only. A Record has
// no field that could hold a tenant value, a document id, a path or a body, so
// nothing this package writes can leak one.
//
// Everything on a request's path is fixed-size and lock-free or nearly so
// (atomic counters, one short mutex for the explain ring, an in-memory log
// buffer written out in the background), so observing a request costs far less
// than serving it.
package observe
