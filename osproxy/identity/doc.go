// Package identity decides which principal a client request acts as: a
// verified client certificate mapped by subject or SAN, or a bearer token
// given in configuration or, as SHA-256 digests, in a tokens file that is
// re-read on SIGHUP without touching open connections (spec/08-security.md).
//
// It never sees tenants in requests; it only reports the tenants a principal
// is bound to, for the caller to enforce.
package identity
