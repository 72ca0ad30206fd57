package conformance_test

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
)

// Paths and index names: a tenant names logical indices, decoded once — one, or on the
// reads of spec/14 a list of them or none for all of its own (READ-1, READ-2) — and
// never a pattern, an expression, a remote cluster, a system index or the physical
// index, however it is encoded (TEN-5, TEN-6); a document id is one path segment
// (DOC-3). Whatever the spelling, the attacker reaches only its own documents.

var badIndex = refused(400, "invalid_index_name")

// at is a request to a target with no body.
func at(rule, name, method, target string, want outcome) attack {
	return attack{rule: rule, name: name, method: method, target: target, want: want}
}

// pathCases is a table, one case a line: it is longer than 60 lines by its cases, not its logic.
func pathCases() []attack {
	s := func(name, target string) attack {
		return securityCase(Label("profile:security"), at("rule:ISO-24", name, "POST", target, badIndex))
	}
	return securityCases(Label("profile:security"), []attack{
		s("a list with the physical index", "/orders,{phys}/_search"),
		s("a list with a wildcard", "/orders,*/_search"),
		s("an encoded comma list", "/orders%2C{phys}/_search"),
		s("an encoded lower-case comma list", "/orders%2c*/_search"),
		s("a double-encoded comma list", "/orders%252C{phys}/_search"),
		at("rule:ISO-24", "no index at all", "POST", "/_search", served()),
		at("rule:ISO-24", "no index at all with GET", "GET", "/_search?size=50", served()),
		s("_all", "/_all/_search"),
		s("a wildcard", "/*/_search"),
		s("an encoded wildcard", "/%2A/_search"),
		s("a prefix wildcard", "/ord*/_search"),
		s("the physical index", "/{phys}/_search"),
		s("the physical index in upper case", "/{PHYS}/_search"),
		s("the physical index with its first letter encoded", "/{phys%}/_search"),
		at("rule:ISO-24", "a dot segment before the physical index", "POST", "/./{phys}/_search", badIndex.or(refused(400, "unsupported_endpoint"))),
		at("rule:ISO-24", "an empty first segment", "POST", "//{phys}/_search", badIndex.or(refused(400, "unsupported_endpoint"))),
		at("rule:ISO-24", "dot segments after the index", "POST", "/orders/../{phys}/_search", badIndex.or(refused(400, "unsupported_endpoint"))),
		at("rule:ISO-24", "encoded dot segments after the index", "POST", "/orders/..%2F..%2F{phys}/_search", badIndex.or(refused(400, "unsupported_endpoint"))),
		at("rule:ISO-24", "an encoded dot-dot index", "POST", "/%2e%2e/{phys}/_search", badIndex.or(refused(400, "unsupported_endpoint"))),
		s("a dot index", "/%2E/_search"),
		at("rule:ISO-24", "an encoded slash in the index", "POST", "/orders%2F_search", badIndex.or(refused(400, "unsupported_endpoint"))),
		at("rule:ISO-24", "a backslash traversal", "POST", `/orders\..\{phys}/_search`, badIndex.or(refused(400, "unsupported_endpoint"))),
		s("a remote cluster", "/remote:{phys}/_search"),
		s("every remote index", "/*:*/_search"),
		s("an encoded remote cluster", "/remote%3Aorders/_search"),
		s("a tenant-prefixed index", "/globex:orders/_search"),
		s("date math", "/%3Corders-%7Bnow%2Fd%7D%3E/_search"),
		at("rule:ISO-24", "raw date math", "POST", "/<orders-{now/d}>/_search", badIndex.or(refused(400, "unsupported_endpoint"))),
		s("an exclusion", "/*,-orders/_search"),
		s("a leading minus", "/-orders/_search"),
		s("a security system index", "/.opendistro_security/_search"),
		s("the kibana index", "/.kibana/_search"),
		s("an ML config index", "/.plugins-ml-config/_search"),
		s("the tasks index", "/.tasks/_search"),
		s("an encoded dot-prefixed index", "/%2Ekibana/_search"),
		s("an index with upper case", "/ORDERS/_search"),
		s("an index with a space", "/orders%20/_search"),
		s("an index with a NUL", "/orders%00/_search"),
		s("an index with a semicolon", "/orders;x=y/_search"),
		s("an index with a fullwidth comma", "/orders%EF%BC%8C{phys}/_search"),
		s("an index with a non-ASCII letter", "/ord%C3%A9rs/_search"),
		s("an index name of 201 bytes", "/o"+stringOf('r', 200)+"/_search"),
		at("rule:ISO-24", "a document read from the physical index", "GET", "/{phys}/_doc/globex:orders:victim-id-k9q1", badIndex),
		at("rule:ISO-24", "a document read through a system index", "GET", "/.kibana/_doc/x", badIndex),
		at("rule:ISO-24", "a malformed percent-encoding in the index", "POST", "/orders%zz/_search", refused(400, "malformed_request", "invalid_index_name").or(plainBadRequest())),
		at("rule:ISO-24", "a truncated percent-encoding in the id", "GET", "/orders/_doc/victim%2", refused(400, "malformed_request", "invalid_document_id").or(plainBadRequest())),
		at("rule:ISO-24", "an absolute-form target naming the physical index", "POST", "http://127.0.0.1:9/{phys}/_search", badIndex.or(plainBadRequest())),
		at("rule:ISO-24", "an absolute-form target naming a logical index", "POST", "http://127.0.0.1:9/orders/_search", served().or(plainBadRequest())),
		at("rule:ISO-24", "a trailing slash", "POST", "/orders/_search/", served().or(refused(400, "unsupported_endpoint"))),
		at("rule:ISO-24", "a logical index named like the physical one", "POST", "/{phys}-x/_search", served()),
		at("rule:ISO-24", "the victim's other logical index", "POST", "/secrets/_search", served()),
		at("rule:ISO-24", "a tenant chosen by the index name", "POST", "/orders-globex/_search", served()),
		at("rule:ISO-24", "an id traversing to the physical index", "GET", "/orders/_doc/..%2F..%2F{phys}%2F_doc%2Fglobex%3Aorders%3Avictim-id-k9q1", notFound().or(refused(400, "invalid_document_id"))),
		at("rule:ISO-24", "an id that is a physical victim id", "GET", "/orders/_doc/globex%3Aorders%3Avictim-id-k9q1", notFound()),
		at("rule:ISO-24", "an id of dot-dot", "GET", "/orders/_doc/%2E%2E", notFound().or(refused(400, "invalid_document_id"))),
		at("rule:ISO-24", "an id with an encoded query string", "GET", "/orders/_doc/victim-id-k9q1%3Frouting%3Dglobex", notFound()),
		at("rule:ISO-24", "an id with an encoded fragment", "GET", "/orders/_doc/victim-id-k9q1%23x", notFound()),
		at("rule:ISO-24", "an empty id", "GET", "/orders/_doc/", refused(400, "invalid_document_id", "unsupported_endpoint")),
		at("rule:ISO-24", "an id followed by more segments", "GET", "/orders/_doc/victim-id-k9q1/_source", refused(400, "unsupported_endpoint", "invalid_document_id")),
		at("rule:ISO-24", "the search endpoint in upper case", "POST", "/orders/_SEARCH", refused(400, "unsupported_endpoint")),
		at("rule:ISO-24", "the document endpoint in mixed case", "GET", "/orders/_Doc/victim-id-k9q1", refused(400, "unsupported_endpoint")),
		at("rule:ISO-24", "a path parameter after the endpoint", "POST", "/orders/_search;routing=globex", refused(400, "unsupported_endpoint", "invalid_index_name")),
		at("rule:ISO-24", "an encoded search endpoint", "POST", "/orders/%5Fsearch", served().or(refused(400, "unsupported_endpoint"))),
		at("rule:ISO-24", "empty query-string separators", "POST", "/orders/_search?&&size=50&", served().or(refused(400, "unsupported_parameter"))),
		at("rule:ISO-24", "a doubled slash before the endpoint", "POST", "/orders//_search", refused(400, "unsupported_endpoint").or(served())),
		at("rule:ISO-24", "a method in lower case", "post", "/orders/_search", refused(405, "method_not_allowed").or(plainBadRequest())),
		{rule: "rule:ISO-24", name: "GET with a body holding an escape", method: "GET", target: "/orders/_search", body: `{"query":{"term":{"_tenant":"globex"}}}`, want: unsupported},
		{rule: "rule:ISO-24", name: "a chunked body holding an escape", method: "POST", target: "/orders/_search", body: chunked(`{"query":{"bool":{"should":[`, `{"term":{"_tenant":"globex"}}`, `]}}}`),
			header: []string{"Transfer-Encoding", "chunked"}, want: unsupported},
		{rule: "rule:ISO-24", name: "a chunked body with a trailer naming a tenant", method: "POST", target: "/orders/_search", body: "b\r\n{\"size\":50}\r\n0\r\nx-tenant: globex\r\n\r\n",
			header: []string{"Transfer-Encoding", "chunked", "Trailer", "x-tenant"}, want: served()},
		at("rule:ISO-24", "HEAD on a search", "HEAD", "/orders/_search", outcome{{what: "a bodiless answer", statuses: []int{200, 400, 405}}}),
		at("rule:ISO-24", "a method OpenSearch does not serve", "PATCH", "/orders/_doc/1", refused(405, "method_not_allowed")),
		at("rule:ISO-24", "OPTIONS on a search", "OPTIONS", "/orders/_search", refused(405, "method_not_allowed")),
		at("rule:ISO-24", "TRACE on a document", "TRACE", "/orders/_doc/1", refused(405, "method_not_allowed").or(plainBadRequest())),
	}...)
}

// plainBadRequest is a 4xx the HTTP library answers before the proxy reads the request.
// ISO-22 (still pending) will make it an OpenSearch envelope; today any 4xx that leaks
// nothing is accepted.
func plainBadRequest() outcome {
	return outcome{{what: "a 4xx of the HTTP library", statuses: []int{400, 404, 405, 414, 431, 501}}}
}

// chunked frames parts as an HTTP/1.1 chunked body, one chunk each.
func chunked(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		fmt.Fprintf(&b, "%x\r\n%s\r\n", len(p), p)
	}
	b.WriteString("0\r\n\r\n")
	return b.String()
}

func stringOf(c byte, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return string(b)
}

var _ = attackFamily("paths", pathCases())
