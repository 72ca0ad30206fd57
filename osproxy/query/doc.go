// Package query wraps a tenant's search body in the tenant filter and screens it
// for constructs the filter cannot contain (spec/04-search.md).
package query
