package conformance_test

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
)

// Documents: the attacker writes, reads and deletes under the victim's ids, logical and
// physical, and sets the reserved fields in every spelling; its writes land in its own
// namespace (TEN-7, DOC-8), a reserved field is refused (TEN-9), an id whose physical
// form would pass OpenSearch's 512-byte limit is refused before the cluster (ISO-23),
// Location is the logical path (ISO-17), errors show logical ids (ISO-16), and the
// victim's documents never change (ISO-25).

// doc is a request on a document path.
func doc(rule, name, method, target, body string, want outcome) attack {
	return attack{rule: rule, name: name, method: method, target: target, body: body, want: want}
}

var reservedField = refused(400, "reserved_field")

// docCases is a table, one case a line: it is longer than 60 lines by its cases, not its logic.
func docCases() []attack {
	put := func(name, body string, want outcome) attack {
		return securityCase(Label("profile:security"), doc("rule:ISO-25", name, "POST", "/orders/_doc?refresh=true", body, want))
	}
	long := func(n int) string { return strings.Repeat("x", n) }
	metadata := relayed(400).or(reservedField)
	return securityCases(Label("profile:security"), []attack{
		doc("rule:ISO-25", "overwriting an id the victim also has", "PUT", "/orders/_doc/1?refresh=true", `{"msg":"acme-rewrite"}`, served()),
		doc("rule:ISO-16", "creating an id both tenants have", "PUT", "/orders/_create/2", `{"msg":"again"}`, relayed(409)),
		doc("rule:ISO-25", "writing under the victim's logical id", "POST", "/orders/_doc/victim-id-k9q1?refresh=true", `{"msg":"acme-own"}`, created("victim-id-k9q1").or(served())),
		doc("rule:ISO-25", "creating under the victim's logical id", "PUT", "/orders/_create/victim-id-k9q2", `{"msg":"acme-own"}`, created("victim-id-k9q2")),
		doc("rule:ISO-25", "writing under the victim's physical id", "PUT", "/orders/_doc/globex:orders:victim-id-k9q3", `{"msg":"acme-own"}`, created("globex:orders:victim-id-k9q3")),
		doc("rule:ISO-25", "writing into the victim's other logical index", "PUT", "/secrets/_doc/victim-id-s1x?refresh=true", `{"msg":"acme-own"}`, createdIn("secrets", "victim-id-s1x")),
		doc("rule:ISO-25", "deleting the victim's logical id", "DELETE", "/orders/_doc/victim-id-k9q3", "", notFound()),
		doc("rule:ISO-25", "deleting the victim's physical id", "DELETE", "/orders/_doc/globex%3Aorders%3Avictim-id-k9q1", "", notFound()),
		doc("rule:ISO-25", "deleting an id both tenants have", "DELETE", "/orders/_doc/2?refresh=true", "", served()),
		doc("rule:ISO-25", "deleting through a traversal in the id", "DELETE", "/orders/_doc/..%2F..%2Fsecrets%2F_doc%2Fvictim-id-s1x", "", notFound().or(refused(400, "invalid_document_id"))),
		doc("rule:ISO-24", "reading the victim's logical id", "GET", "/orders/_doc/victim-id-k9q3", "", notFound()),
		doc("rule:ISO-24", "reading the victim's other index", "GET", "/secrets/_doc/victim-id-s1x", "", served()),
		doc("rule:ISO-24", "HEAD on the victim's id", "HEAD", "/orders/_doc/victim-id-k9q3", "", notFound()),
		doc("rule:ISO-24", "reading an id both tenants have", "GET", "/orders/_doc/1", "", served()),
		doc("rule:ISO-24", "reading the victim's physical id", "GET", "/orders/_doc/globex:orders:1", "", notFound()),
		doc("rule:ISO-24", "reading only a reserved field of a document", "GET", "/orders/_doc/1?_source=_tenant", "", served().or(refused(400, "unsupported_parameter", "unsupported_query"))),
		doc("rule:ISO-24", "reading a document with its stored fields and no source", "GET", "/orders/_doc/1?_source=false&stored_fields=*", "", served().or(refused(400, "unsupported_parameter", "unsupported_query"))),
		doc("rule:ISO-24", "reading a document's source without one field", "GET", "/orders/_doc/1?_source_excludes=msg", "", served()),
		put("a reserved field", `{"_tenant":"globex","x":1}`, reservedField),
		put("a reserved field under an escaped name", `{"\u005ftenant":"globex","x":1}`, reservedField),
		put("the logical index field", `{"_logical_index":"secrets"}`, reservedField),
		put("the logical index field fully escaped", `{"\u005f\u006c\u006fgical_index":"secrets"}`, reservedField),
		put("a reserved field set to null", `{"_tenant":null}`, reservedField),
		put("a reserved field holding an object", `{"_tenant":{"name":"globex"}}`, reservedField),
		put("a reserved field naming the attacker itself", `{"msg":"x","_tenant":"acme"}`, reservedField),
		put("a reserved field last after many members", `{"a":1,"b":2,"c":[1,2,{"d":3}],"_tenant":"globex"}`, reservedField),
		put("a dotted sub-field of a reserved field", `{"_tenant.keyword":"globex"}`, reservedField.or(relayed(400))),
		put("a dotted reserved field under an escape", `{"_logical\u005findex.x":"secrets"}`, reservedField.or(relayed(400))),
		put("a reserved field twice under two spellings", `{"_tenant":"acme","\u005ftenant":"globex"}`, reservedField.or(refused(400, "malformed_body"))),
		put("a member repeated under an escape", `{"msg":"a","\u006dsg":"b"}`, refused(400, "malformed_body")),
		put("a reserved name nested below the top", `{"a":{"_tenant":"globex"}}`, created("*").or(reservedField)),
		put("the _id metadata field", `{"_id":"globex:orders:victim-id-k9q1","msg":"x"}`, metadata),
		put("the _routing metadata field", `{"_routing":"globex","msg":"x"}`, metadata),
		put("the _index metadata field", `{"_index":"{phys}","msg":"x"}`, metadata),
		put("the _source metadata field", `{"_source":{"_tenant":"globex"}}`, metadata.or(reservedField)),
		put("a body that is an array", `[{"_tenant":"globex"}]`, refused(400, "malformed_body")),
		put("a body with a comment", `{/* x */"_tenant":"globex"}`, refused(400, "malformed_body")),
		put("a body with a trailing document", `{"msg":"x"} {"_tenant":"globex"}`, refused(400, "malformed_body")),
		put("a new document gets a logical Location", `{"msg":"acme-doc"}`, created("*")),
		doc("rule:ISO-17", "an id with a slash and a space", "PUT", "/orders/_doc/a%2Fb%20c", `{"msg":"x"}`, created("a/b c")),
		doc("rule:ISO-17", "an id carrying a query string", "PUT", "/orders/_doc/x%3Frouting%3Dglobex", `{"msg":"x"}`, created("x?routing=globex")),
		doc("rule:ISO-17", "an id with non-ASCII letters", "PUT", "/orders/_create/%C3%A9t%C3%A9", `{"msg":"x"}`, created("été")),
		doc("rule:ISO-17", "an id traversing to the physical index", "PUT", "/orders/_doc/..%2F..%2F{phys}%2F_doc%2Fglobex%3Aorders%3A1", `{"msg":"x"}`,
			created("../../{phys}/_doc/globex:orders:1").or(refused(400, "invalid_document_id"))),
		doc("rule:ISO-23", "an id whose physical form is one byte too long", "PUT", "/orders/_doc/"+long(501), `{"msg":"x"}`, refused(400, "invalid_document_id")),
		doc("rule:ISO-23", "an id whose physical form is exactly 512 bytes", "PUT", "/orders/_doc/"+long(500), `{"msg":"x"}`, created(long(500))),
		doc("rule:ISO-23", "reading an id whose physical form is too long", "GET", "/orders/_doc/"+long(600), "", refused(400, "invalid_document_id")),
		doc("rule:ISO-23", "deleting an id whose physical form is too long", "DELETE", "/orders/_doc/"+long(501), "", refused(400, "invalid_document_id")),
		doc("rule:ISO-23", "an id of two-byte letters too long once encoded", "PUT", "/orders/_doc/"+strings.Repeat("%C3%A9", 251), `{"msg":"x"}`, refused(400, "invalid_document_id")),
		doc("rule:ISO-23", "a long index name with a short id", "PUT", "/"+long(200)+"/_doc/"+long(310), `{"msg":"x"}`, refused(400, "invalid_document_id")),
		doc("rule:ISO-16", "a conditional write with the victim's sequence number", "PUT", "/orders/_doc/3?if_seq_no=0&if_primary_term=1", `{"msg":"x"}`, relayed(409)),
		doc("rule:ISO-16", "an external version below the current one", "PUT", "/orders/_doc/3?version=1&version_type=external", `{"msg":"x"}`, relayed(409)),
		doc("rule:ISO-16", "a value the victim's mapping refuses", "PUT", "/orders/_doc/t1", `{"globexsecretnum":"notanumber"}`, relayed(400)),
		doc("rule:ISO-16", "an object where the victim mapped a value", "PUT", "/orders/_doc/t2", `{"globexsecretobj":"flat"}`, relayed(400)),
		doc("rule:ISO-16", "a value the shared mapping refuses", "PUT", "/orders/_doc/t3", `{"n":"notanumber"}`, relayed(400)),
		doc("rule:ISO-24", "writing to the physical index", "PUT", "/{phys}/_doc/globex:orders:1", `{"msg":"x"}`, badIndex),
		put("a document nested 300 deep", `{"a":`+strings.Repeat(`[`, 300)+`1`+strings.Repeat(`]`, 300)+`}`, refused(400, "malformed_body").or(relayed(400))),
		doc("rule:ISO-18", "a 2 MiB document", "PUT", "/orders/_doc/big?refresh=true", fmt.Sprintf(`{"msg":"acme-doc","blob":"%s"}`, long(2<<20)), created("big")),
		doc("rule:ISO-18", "reading the 2 MiB document back", "GET", "/orders/_doc/big", "", served()),
	}...)
}

var _ = attackFamily("docs", docCases())
