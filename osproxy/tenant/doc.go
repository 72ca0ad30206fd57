// Package tenant holds what a tenant is in the shared physical index: valid tenant
// and logical names, physical ids, the reserved fields injected on write, and the
// shaping of every response surface (hits, documents, errors) back to the tenant's
// logical view, as plans for jsonstream.Transform.
package tenant
