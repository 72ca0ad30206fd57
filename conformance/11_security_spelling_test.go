package conformance_test

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
)

// Spellings: a value is judged as OpenSearch reads it (ISO-2), so a setting refused
// in its canonical spelling is refused in every other spelling OpenSearch coerces to
// the same value, and a member name is the name its JSON escapes decode to.

// search is an attack on POST /orders/_search.
func search(rule, name, body string, want outcome) attack {
	return attack{rule: rule, name: name, method: "POST", target: "/orders/_search", body: body, want: want}
}

var unsupported = refused(400, "unsupported_query")

// termsMinDocCount is a terms aggregation over the shared color field.
func termsMinDocCount(v string) string {
	return `{"size":0,"aggs":{"t":{"terms":{"field":"color.keyword","size":100,"min_doc_count":` + v + `}}}}`
}

// nestedBools is a query of depth bools inside each other.
func nestedBools(depth int) string {
	return `{"query":` + strings.Repeat(`{"bool":{"must":[`, depth) + `{"match_all":{}}` + strings.Repeat(`]}}`, depth) + `}`
}

// spellingCases is a table, one case a line: it is longer than 60 lines by its cases, not its logic.
func spellingCases() []attack {
	cases := securityCases(Label("profile:security"), []attack{
		search("rule:ISO-2", "explain as the string true", `{"explain":"true"}`, unsupported),
		search("rule:ISO-2", "explain as the number 1", `{"explain":1}`, unsupported),
		search("rule:ISO-2", "explain as True", `{"explain":"True"}`, unsupported),
		search("rule:ISO-2", "explain as the string false is accepted", `{"explain":"false","size":50}`, served()),
		search("rule:ISO-2", "profile as the string true", `{"profile":"true"}`, unsupported),
		search("rule:ISO-2", "profile as TRUE", `{"profile":"TRUE"}`, unsupported),
		search("rule:ISO-2", "profile under an escaped name", `{"pr\u006ffile":true}`, unsupported),
		search("rule:ISO-2", "explain in top_hits as a string", `{"size":0,"aggs":{"h":{"top_hits":{"explain":"true"}}}}`, unsupported),
		search("rule:ISO-2", "explain in collapse inner_hits", `{"collapse":{"field":"color.keyword","inner_hits":{"name":"x","explain":true}}}`, unsupported),
		search("rule:ISO-2", "explain in nested inner_hits as a string", `{"query":{"nested":{"path":"items","query":{"match_all":{}},"inner_hits":{"explain":"true"}}}}`, unsupported),
		search("rule:ISO-2", "size as a string", `{"size":"5"}`, served()),
		search("rule:ISO-2", "size as a fraction", `{"size":5.9}`, served()),
		search("rule:ISO-2", "size as a fraction in a string", `{"size":"5.9"}`, served()),
		search("rule:ISO-2", "size in hexadecimal", `{"size":"0x10"}`, unsupported),
		search("rule:ISO-2", "size as Infinity", `{"size":"Infinity"}`, unsupported),
		search("rule:ISO-2", "size as a boolean", `{"size":true}`, unsupported),
		search("rule:ISO-2", "size overflowing a double", `{"size":1e400}`, refused(400, "unsupported_query", "malformed_body")),
		search("rule:ISO-2", "from as a negative string", `{"from":"-1"}`, unsupported),
		search("rule:ISO-2", "track_total_hits as a string", `{"track_total_hits":"true","size":50}`, served()),
		search("rule:ISO-2", "track_total_hits as yes", `{"track_total_hits":"yes"}`, unsupported),
		search("rule:ISO-2", "version and seq_no_primary_term as strings", `{"version":"true","seq_no_primary_term":"true","size":50}`, served()),
		search("rule:ISO-2", "operator in upper case", `{"query":{"match":{"msg":{"query":"acme doc","operator":"AND"}}},"size":50}`, served()),
		search("rule:ISO-2", "zero_terms_query ALL on a query that analyses to nothing", `{"query":{"match":{"msg":{"query":"the","analyzer":"stop","zero_terms_query":"ALL"}}},"size":50}`, served()),
		search("rule:ISO-2", "multi_match type in upper case", `{"query":{"multi_match":{"query":"acme","fields":["msg","color"],"type":"PHRASE"}},"size":50}`, served()),
		search("rule:ISO-2", "sort order and nested score mode in upper case", `{"query":{"nested":{"path":"items","query":{"match_all":{}},"score_mode":"MAX"}},"sort":[{"n":"DESC"}],"size":50}`, served()),
		search("rule:ISO-2", "a reserved field under an escaped name", `{"query":{"term":{"\u005ftenant":"globex"}}}`, unsupported),
		search("rule:ISO-2", "a reserved field fully escaped", `{"query":{"term":{"\u005f\u0074\u0065\u006e\u0061\u006e\u0074":"globex"}}}`, unsupported),
		search("rule:ISO-2", "a reserved field escaped in upper-case hex", `{"query":{"match":{"\u005Flogical_index":"secrets"}}}`, unsupported),
		search("rule:ISO-2", "a reserved field with a trailing NUL", `{"query":{"term":{"_tenant\u0000":"globex"}}}`, unsupported),
		search("rule:ISO-2", "the query member under an escaped name holding a reserved field", `{"\u0071uery":{"term":{"_tenant":"globex"}}}`, unsupported),
		search("rule:ISO-2", "the term clause under an escaped name", `{"query":{"\u0074erm":{"_tenant":"globex"}}}`, unsupported),
		search("rule:ISO-2", "a global aggregation under an escaped name", `{"size":0,"aggs":{"g":{"\u0067lobal":{},"aggs":{"c":{"terms":{"field":"color.keyword"}}}}}}`, unsupported),
		search("rule:ISO-2", "min_doc_count under an escaped name", `{"size":0,"aggs":{"t":{"terms":{"field":"color.keyword","min_doc_c\u006funt":0}}}}`, unsupported),
		search("rule:ISO-2", "suggest under an escaped name", `{"\u0073uggest":{"s":{"text":"gx","term":{"field":"msg"}}}}`, unsupported),
		search("rule:ISO-2", "an escaped query name beside the plain one", `{"query":{"match_all":{}},"\u0071uery":{"term":{"_tenant":"globex"}}}`, refused(400, "malformed_body", "unsupported_query")),
		search("rule:ISO-2", "must repeated under an escaped name", `{"query":{"bool":{"must":[{"match_all":{}}],"\u006dust":[{"match_all":{}}]}}}`, refused(400, "malformed_body", "unsupported_query")),
		search("rule:ISO-2", "the query member under an escaped name alone", `{"\u0071uery":{"match_all":{}},"size":50}`, served().or(unsupported)),
		search("rule:ISO-2", "explain with spaces around the colon", "{ \"explain\"\t:\n true }", unsupported),
		search("rule:ISO-2", "min_doc_count zero in a terms aggregation nested in a filter", `{"size":0,"aggs":{"f":{"filter":{"match_all":{}},"aggs":{"t":{"terms":{"field":"color.keyword","min_doc_count":"0"}}}}}}`, unsupported),
		search("rule:ISO-2", "min_doc_count zero in multi_terms", `{"size":0,"aggs":{"m":{"multi_terms":{"terms":[{"field":"color.keyword"},{"field":"tags"}],"min_doc_count":0.0}}}}`, unsupported),
		search("rule:ISO-2", "show_term_doc_count_error as a string", `{"size":0,"aggs":{"t":{"terms":{"field":"color.keyword","show_term_doc_count_error":"true"}}}}`, served()),
		search("rule:ISO-2", "a null query", `{"query":null,"size":50}`, served().or(unsupported)),
		search("rule:ISO-2", "a null post_filter and null aggregations", `{"post_filter":null,"aggs":null,"size":50}`, served().or(unsupported)),
		search("rule:ISO-2", "a query given as an array", `{"query":[{"term":{"_tenant":"globex"}}]}`, unsupported),
		search("rule:ISO-2", "bool clauses given as objects", `{"query":{"bool":{"must":{"match_all":{}},"should":{"term":{"_tenant":"globex"}}}}}`, unsupported),
		search("rule:ISO-2", "bool clauses given as objects holding no escape", `{"query":{"bool":{"must":{"match_all":{}},"must_not":{"match":{"msg":"acme"}}}},"size":50}`, served()),
		search("rule:ISO-2", "a size beyond every integer type", `{"size":99999999999999999999999}`, refused(400, "unsupported_query", "malformed_body")),
		search("rule:ISO-2", "terminate_after of -1", `{"terminate_after":-1}`, unsupported),
		search("rule:ISO-7", "bools nested 300 deep", nestedBools(300), refused(400, "malformed_body")),
		search("rule:ISO-7", "arrays nested 300 deep", `{"size":1,"query":{"terms":{"tags":`+strings.Repeat("[", 300)+`"t1"`+strings.Repeat("]", 300)+`}}}`, refused(400, "malformed_body")),
		search("rule:ISO-7", "bools nested 30 deep", nestedBools(30), served().or(relayed(400))),
	}...)
	// Every spelling OpenSearch reads as a min_doc_count below 1, and some it does not read
	// at all: refused alike (ISO-6 read by ISO-2).
	for _, v := range []string{`0`, `0.0`, `-0`, `0e0`, `0E+0`, `-0.0`, `"0"`, `"-0"`, `"+0"`, `0.9`, `"0.9"`, `1e-1`, `0.000001`,
		`"0e5"`, `"\u0030"`, `-1`, `"0x0"`, `"0f"`, `"Infinity"`, `"NaN"`, `null`, `[1]`, `{"v":1}`, `true`, `" 0"`} {
		cases = append(cases, securityCases(Label("profile:security"), search("rule:ISO-2", "terms min_doc_count "+v, termsMinDocCount(v), unsupported))...)
	}
	for _, v := range []string{`1.5`, `"1"`, `1e0`, `"2"`} {
		cases = append(cases, securityCases(Label("profile:security"), search("rule:ISO-2", "terms min_doc_count "+v+" is accepted", termsMinDocCount(v), served()))...)
	}
	return cases
}

var _ = attackFamily("spelling", spellingCases())

// Indirections: what OpenSearch decodes or runs on the server is judged like the
// rest or refused (ISO-5).

// wrapper is the wrapper query OpenSearch decodes from base64.
func wrapper(inner string) string { return `{"wrapper":{"query":"` + b64(inner) + `"}}` }

func indirectionCases() []attack {
	escape := `{"term":{"_tenant":"globex"}}`
	mustNotAcme := `{"bool":{"must_not":[{"match":{"msg":"acme"}}]}}`
	q := func(rule, name, query string, want outcome) attack {
		return search(rule, name, `{"query":`+query+`,"size":50}`, want)
	}
	return securityCases(Label("profile:security"), []attack{
		q("rule:ISO-5", "a wrapper holding match_all is judged in place", wrapper(`{"match_all":{}}`), served()),
		q("rule:ISO-5", "a wrapper holding a negation of acme", wrapper(mustNotAcme), served()),
		q("rule:ISO-5", "a wrapper inside a wrapper holding an escape", wrapper(wrapper(escape)), unsupported),
		q("rule:ISO-5", "a wrapper three deep holding an escape", wrapper(wrapper(wrapper(escape))), unsupported),
		q("rule:ISO-5", "a wrapper inside a wrapper holding match_all", wrapper(wrapper(`{"match_all":{}}`)), served()),
		q("rule:ISO-5", "a wrapper holding YAML", `{"wrapper":{"query":"`+b64("term:\n  _tenant: globex\n")+`"}}`, unsupported),
		q("rule:ISO-5", "a wrapper holding SMILE", `{"wrapper":{"query":"`+b64(":)\n\x03\xfa\x86_tenant\x45globex\xfb")+`"}}`, unsupported),
		q("rule:ISO-5", "a wrapper holding a repeated key", wrapper(`{"term":{"msg":"x"},"term":{"_tenant":"globex"}}`), unsupported.or(refused(400, "malformed_body"))),
		q("rule:ISO-5", "a wrapper holding two objects", wrapper(`{"match_all":{}} {"term":{"_tenant":"globex"}}`), unsupported.or(refused(400, "malformed_body"))),
		q("rule:ISO-5", "a wrapper holding an escaped reserved name", wrapper(`{"term":{"\u005ftenant":"globex"}}`), unsupported),
		q("rule:ISO-5", "a wrapper holding a comment", wrapper(`{/* c */"term":{"_tenant":"globex"}}`), unsupported.or(refused(400, "malformed_body"))),
		q("rule:ISO-5", "a wrapper without base64 padding", `{"wrapper":{"query":"`+strings.TrimRight(b64(escape+" "), "=")+`"}}`, unsupported),
		q("rule:ISO-5", "a wrapper in URL-safe base64", `{"wrapper":{"query":"`+strings.NewReplacer("+", "-", "/", "_").Replace(b64(`{"term":{"_tenant":"globex?>"}}`))+`"}}`, unsupported),
		q("rule:ISO-5", "a wrapper with line breaks in its base64", `{"wrapper":{"query":"`+b64(escape)[:12]+`\n`+b64(escape)[12:]+`"}}`, unsupported),
		q("rule:ISO-5", "a wrapper whose query is an object", `{"wrapper":{"query":`+escape+`}}`, unsupported),
		q("rule:ISO-5", "a wrapper holding percolate", wrapper(`{"percolate":{"field":"q","index":"{phys}","id":"globex:orders:victim-id-k9q1"}}`), unsupported),
		q("rule:ISO-5", "a wrapper holding a whole search body", wrapper(`{"query":{"match_all":{}}}`), unsupported),
		q("rule:ISO-5", "a wrapper holding a terms lookup", wrapper(`{"terms":{"msg":{"index":"{phys}","id":"globex:orders:1","path":"msg"}}}`), unsupported),
		search("rule:ISO-5", "a wrapper in post_filter negating acme", `{"post_filter":`+wrapper(mustNotAcme)+`,"size":50}`, served()),
		search("rule:ISO-5", "a body search_pipeline replacing the query", `{"query":{"match_all":{}},"search_pipeline":{"request_processors":[{"filter_query":{"query":{"match_all":{}}}}]}}`, unsupported),
		search("rule:ISO-5", "a body search_pipeline with a script", `{"search_pipeline":{"request_processors":[{"script":{"source":"ctx._source.query = null"}}],"response_processors":[{"rename_field":{"field":"_tenant","target_field":"t"}}]}}`, unsupported),
		search("rule:ISO-5", "an ext member", `{"query":{"match_all":{}},"ext":{"generative_qa_parameters":{}}}`, unsupported),
		search("rule:ISO-5", "an empty ext member", `{"ext":{}}`, unsupported),
		search("rule:ISO-5", "a term suggester on a shared field", `{"suggest":{"s":{"text":"gxcanary","term":{"field":"msg"}}}}`, unsupported),
		search("rule:ISO-5", "a completion suggester", `{"suggest":{"s":{"prefix":"gx","completion":{"field":"globexsecretfield"}}}}`, unsupported),
		search("rule:ISO-5", "a phrase suggester with a global text", `{"suggest":{"text":"gxcanarymsg","p":{"phrase":{"field":"msg"}}}}`, unsupported),
		search("rule:ISO-5", "a top-level knn", `{"knn":{"field":"v","query_vector":[1,2],"k":10}}`, unsupported),
		q("rule:ISO-5", "a knn query", `{"knn":{"v":{"vector":[1,2],"k":10}}}`, unsupported),
		q("rule:ISO-5", "a hybrid query", `{"hybrid":{"queries":[{"match_all":{}}]}}`, unsupported),
		q("rule:ISO-5", "a neural query", `{"neural":{"v":{"query_text":"x","model_id":"m","k":5}}}`, unsupported),
		search("rule:ISO-5", "a pit member", `{"pit":{"id":"x","keep_alive":"1m"}}`, unsupported),
		search("rule:ISO-5", "a slice member", `{"slice":{"id":0,"max":2}}`, unsupported),
		search("rule:ISO-5", "a stats member", `{"stats":["group"]}`, unsupported),
		search("rule:ISO-5", "runtime_mappings emitting the tenant", `{"runtime_mappings":{"t":{"type":"keyword","script":"emit(doc['_tenant'].value)"}},"fields":["t"]}`, unsupported),
		search("rule:ISO-5", "a derived field", `{"derived":{"t":{"type":"keyword","script":"emit(params._source['msg'])"}},"fields":["t"]}`, unsupported),
		search("rule:ISO-5", "indices_boost naming the physical index", `{"indices_boost":[{"{phys}":2.0}]}`, unsupported),
		q("rule:ISO-5", "a template query", `{"template":{"source":{"match_all":{}}}}`, unsupported),
		search("rule:ISO-5", "an index member in the body", `{"index":"{phys}","query":{"match_all":{}}}`, unsupported),
		search("rule:ISO-5", "a routing member in the body", `{"routing":"globex","query":{"match_all":{}}}`, unsupported),
		search("rule:ISO-5", "a q member in the body", `{"q":"_tenant:globex"}`, unsupported),
		search("rule:ISO-5", "a search_type member in the body", `{"search_type":"dfs_query_then_fetch"}`, unsupported),
		q("rule:ISO-5", "a span_term query", `{"span_term":{"msg":"acme"}}`, unsupported),
		q("rule:ISO-5", "an intervals query", `{"intervals":{"msg":{"match":{"query":"gx"}}}}`, unsupported),
		q("rule:ISO-5", "a pinned query naming the victim", `{"pinned":{"ids":["globex:orders:victim-id-k9q1"],"organic":{"match_all":{}}}}`, unsupported),
		q("rule:ISO-5", "a distance_feature query", `{"distance_feature":{"field":"when","pivot":"7d","origin":"now"}}`, unsupported),
		q("rule:ISO-5", "an unknown clause beside a known one", `{"match_all":{},"term":{"_tenant":"globex"}}`, refused(400, "unsupported_query", "malformed_body")),
		search("rule:ISO-5", "rescore with an unknown rescorer", `{"rescore":{"learning_to_rank":{"model":"m"}}}`, unsupported),
		search("rule:ISO-5", "a collapse inside inner_hits on a reserved field", `{"collapse":{"field":"color.keyword","inner_hits":{"name":"i","collapse":{"field":"_tenant"}}}}`, unsupported),
		search("rule:ISO-5", "an unknown top-level member", fmt.Sprintf(`{"query":{"match_all":{}},"%s":1}`, "query_string"), unsupported),
	}...)
}

var _ = attackFamily("indirection", indirectionCases())
