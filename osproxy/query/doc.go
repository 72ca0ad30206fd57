// Package query judges a tenant's search body against the allow-list of
// spec/11-query-language.md and re-emits what it judged, canonically, with the query
// wrapped in the tenant filter (spec/10-isolation.md ISO-1..13, SRCH-2).
//
// The body is parsed once into a tree; every member, clause, aggregation and value is
// checked by the kind its table lists, read as OpenSearch reads it (numbers in any
// spelling, booleans as strings, enum values in any case), and written out again from
// the judgement. Nothing the proxy did not judge reaches the cluster, so a spelling or
// an indirection the proxy does not know cannot carry a construct past it.
package query
