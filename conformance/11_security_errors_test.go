package conformance_test

import (
	"bytes"
	"compress/gzip"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
)

// Error bodies: queries that make OpenSearch fail, whose errors name the index, its
// uuid, failed shards, physical ids or the wrapped query; every one is relayed with
// the logical index and without the layout (ISO-15, ISO-16).

func errorCases() []attack {
	failing := relayed(400).or(unsupported)
	e := func(name, body string) attack {
		return securityCase(Label("profile:security"), search("rule:ISO-16", name, body, failing))
	}
	many := func(n int, clause string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = strings.ReplaceAll(clause, "N", strconv.Itoa(i))
		}
		return strings.Join(parts, ",")
	}
	return securityCases(Label("profile:security"), []attack{
		e("a term query with text on a number field", `{"query":{"term":{"n":"notanumber"}}}`),
		e("a match query with text on a number field", `{"query":{"match":{"n":{"query":"notanumber","lenient":false}}}}`),
		e("a range with a bad date", `{"query":{"range":{"when":{"gte":"not-a-date"}}}}`),
		e("an invalid regular expression", `{"query":{"regexp":{"msg":{"value":"[","flags":"ALL"}}}}`),
		e("a query_string that does not parse", `{"query":{"query_string":{"query":"msg:(acme"}}}`),
		search("rule:ISO-16", "a query_string with an invalid regular expression", `{"query":{"query_string":{"query":"msg:/[/"}}}`, failing.or(served())),
		e("a result window too large", `{"size":20000}`),
		e("from beyond the result window", `{"from":10001,"size":1}`),
		e("a sort on a text field", `{"sort":[{"msg":"asc"}]}`),
		e("a sort on an unmapped field", `{"sort":[{"nosuchfield":"asc"}]}`),
		e("a terms aggregation on a text field", `{"size":0,"aggs":{"t":{"terms":{"field":"msg"}}}}`),
		e("geo_distance on a text field", `{"query":{"geo_distance":{"distance":"1km","msg":{"lat":0,"lon":0}}}}`),
		e("geo_distance with a latitude out of range", `{"query":{"geo_distance":{"distance":"1km","loc":{"lat":100,"lon":0}}}}`),
		e("nested on a path that is not nested", `{"query":{"nested":{"path":"color","query":{"match_all":{}}}}}`),
		e("prefix on a number field", `{"query":{"prefix":{"n":"1"}}}`),
		e("wildcard on a number field", `{"query":{"wildcard":{"n":{"value":"1*"}}}}`),
		e("fuzzy on a date field", `{"query":{"fuzzy":{"when":"2024"}}}`),
		e("more clauses than the cluster allows", `{"query":{"bool":{"should":[`+many(1100, `{"term":{"tags":"tN"}}`)+`]}}}`),
		e("more terms than the cluster allows", `{"query":{"terms":{"tags":[`+many(70000, `"N"`)+`]}}}`),
		e("top_hits beyond the inner window", `{"size":0,"aggs":{"h":{"top_hits":{"size":1000}}}}`),
		e("inner_hits beyond the inner window", `{"query":{"nested":{"path":"items","query":{"match_all":{}},"inner_hits":{"size":1000}}}}`),
		e("collapse on a text field", `{"collapse":{"field":"msg"}}`),
		e("docvalue_fields on a text field", `{"docvalue_fields":["msg"]}`),
		e("search_after of the wrong type", `{"sort":["n"],"search_after":["x"]}`),
		e("a rescore window too large", `{"rescore":{"window_size":20000,"query":{"rescore_query":{"match_all":{}}}}}`),
		e("a histogram interval of zero", `{"size":0,"aggs":{"h":{"histogram":{"field":"n","interval":0}}}}`),
		e("a date_histogram with a bad interval", `{"size":0,"aggs":{"h":{"date_histogram":{"field":"when","calendar_interval":"fortnight"}}}}`),
		e("terms including a bad regular expression", `{"size":0,"aggs":{"t":{"terms":{"field":"tags","include":"["}}}}`),
		e("a highlight over the analyzed offset", `{"query":{"match":{"msg":"acme"}},"highlight":{"max_analyzed_offset":1,"fields":{"msg":{}}}}`),
		e("track_total_hits below -1", `{"track_total_hits":-5}`),
		param("rule:ISO-16", "error_trace on a number parse failure", "error_trace=true", `{"query":{"match":{"n":{"query":"x","lenient":false}}}}`, failing),
		param("rule:ISO-16", "error_trace on too many clauses", "error_trace=true", `{"query":{"bool":{"should":[`+many(1100, `{"term":{"tags":"tN"}}`)+`]}}}`, failing),
		param("rule:ISO-16", "error_trace on a sort of an unmapped field", "error_trace=true&pretty=true", `{"sort":[{"nosuchfield":"asc"}]}`, failing),
		param("rule:ISO-15", "partial results allowed on a failing query", "allow_partial_search_results=true", `{"query":{"term":{"n":"notanumber"}}}`, failing.or(served())),
	}...)
}

var _ = attackFamily("errors", errorCases())

// Content types and encodings: a body the proxy cannot read as JSON is refused, never
// forwarded for OpenSearch to read as YAML, CBOR or SMILE (SRCH-4); a gzip body is
// judged once decompressed, within max_body_bytes (SRCH-5).

func gz(parts ...string) string {
	var b bytes.Buffer
	for _, p := range parts { // each part its own gzip member
		w := gzip.NewWriter(&b)
		_, _ = w.Write([]byte(p))
		_ = w.Close()
	}
	return b.String()
}

// contentCases is a table, one case a line: it is longer than 60 lines by its cases, not its logic.
func contentCases() []attack {
	media := refused(415, "unsupported_media_type")
	malformed := refused(400, "malformed_body")
	typed := func(name, ct, body string, want outcome) attack {
		a := securityCase(Label("profile:security"), search("rule:ISO-24", name, body, want))
		a.header = []string{"Content-Type", ct}
		return a
	}
	encoded := func(name, enc, body string, want outcome) attack {
		a := securityCase(Label("profile:security"), search("rule:ISO-24", name, body, want))
		a.header = []string{"Content-Encoding", enc}
		return a
	}
	escape := `{"query":{"term":{"_tenant":"globex"}}}`
	yaml := "query:\n  term:\n    _tenant: globex\n"
	return securityCases(Label("profile:security"), []attack{
		typed("YAML", "application/yaml", yaml, media),
		typed("CBOR", "application/cbor", "\xa1\x65query\xa1\x69match_all\xa0", media),
		typed("SMILE", "application/smile", ":)\n\x03\xfa\x84query\xfa\x88match_all\xfa\xfb\xfb\xfb", media),
		typed("NDJSON", "application/x-ndjson", escape+"\n", media),
		typed("plain text", "text/plain", escape, media),
		typed("a form", "application/x-www-form-urlencoded", escape, media),
		typed("no content type", "<none>", escape, media),
		typed("a vendor JSON type", "application/vnd.opensearch+json;compatible-with=7", escape, media.or(unsupported)),
		typed("JSON in upper case", "Application/JSON", `{"size":50}`, served().or(media)),
		typed("JSON with a charset", "application/json; charset=utf-8", `{"size":50}`, served()),
		typed("JSON declaring UTF-16", "application/json; charset=UTF-16", `{"size":50}`, served().or(media)),
		typed("a list of types", "application/json, application/yaml", yaml, media.or(malformed)),
		typed("YAML declared as JSON", "application/json", yaml, malformed),
		typed("JSON with a byte order mark", "application/json", "\xef\xbb\xbf"+escape, malformed.or(unsupported)),
		typed("JSON in UTF-16", "application/json", "\xff\xfe"+utf16(escape), malformed.or(media)),
		search("rule:ISO-24", "JSON with a comment", `{/* x */"query":{"term":{"_tenant":"globex"}}}`, malformed),
		search("rule:ISO-24", "JSON with single quotes", `{'query':{'term':{'_tenant':'globex'}}}`, malformed),
		search("rule:ISO-24", "JSON with unquoted keys", `{query:{match_all:{}}}`, malformed),
		search("rule:ISO-24", "JSON with NaN", `{"min_score":NaN}`, malformed),
		search("rule:ISO-24", "JSON with a trailing comma", `{"query":{"match_all":{}},}`, malformed),
		search("rule:ISO-24", "JSON repeating the query", `{"query":{"match_all":{}},"query":{"term":{"_tenant":"globex"}}}`, malformed),
		search("rule:ISO-24", "JSON followed by a second document", `{"size":50} {"query":{"term":{"_tenant":"globex"}}}`, malformed),
		encoded("a gzip body holding an escape", "gzip", gz(escape), unsupported),
		encoded("a gzip body holding a global aggregation", "gzip", gz(`{"size":0,"aggs":{"g":{"global":{}}}}`), unsupported),
		encoded("a gzip body of two members, the escape in the second", "gzip", gz(`{"query":`, `{"term":{"_tenant":"globex"}}}`), unsupported.or(malformed)),
		encoded("a gzip bomb", "gzip", gz(`{"size":1,"x":"`+strings.Repeat(" ", 16<<20)+`"}`), refused(413, "request_too_large")),
		encoded("a harmless gzip body", "gzip", gz(`{"size":50}`), served()),
		encoded("deflate", "deflate", escape, media),
		encoded("brotli", "br", escape, media),
		encoded("x-gzip", "x-gzip", gz(escape), media.or(unsupported)),
		encoded("gzip twice", "gzip, gzip", gz(gz(escape)), media.or(unsupported).or(malformed)),
		encoded("GZIP in upper case", "GZIP", gz(escape), media.or(unsupported)),
		encoded("gzip declared on a plain body", "gzip", escape, outcome{{what: "a refusal", statuses: []int{400, 415}, envelope: true}}),
		encoded("identity", "identity", escape, media.or(unsupported)),
		func() attack {
			a := doc("rule:ISO-25", "a gzip document holding a reserved field", "PUT", "/orders/_doc/gz1", gz(`{"_tenant":"globex","msg":"x"}`), reservedField)
			a.header = []string{"Content-Encoding", "gzip"}
			return a
		}(),
		func() attack {
			a := doc("rule:ISO-25", "a YAML document", "PUT", "/orders/_doc/y1", "_tenant: globex\nmsg: x\n", media)
			a.header = []string{"Content-Type", "application/yaml"}
			return a
		}(),
		func() attack {
			a := doc("rule:ISO-25", "a CBOR document", "PUT", "/orders/_doc/c1", "\xa1\x67_tenant\x66globex", media)
			a.header = []string{"Content-Type", "application/cbor"}
			return a
		}(),
		func() attack {
			a := doc("rule:ISO-25", "a chunked gzip transfer coding", "PUT", "/orders/_doc/te1", gz(`{"_tenant":"globex"}`), plainBadRequest().or(media).or(reservedField))
			a.header = []string{"Transfer-Encoding", "gzip, chunked"}
			return a
		}(),
	}...)
}

// utf16 spells ASCII text in UTF-16LE.
func utf16(s string) string {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return string(b)
}

var _ = attackFamily("content", contentCases())
