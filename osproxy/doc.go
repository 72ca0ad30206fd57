// Package osproxy is the proxy: an http.Handler that classifies each request,
// authenticates it, resolves its tenant, rewrites it for the shared physical index,
// forwards it, and shapes the response back to the tenant's logical view — or, in
// passthrough, forwards it verbatim.
package osproxy
