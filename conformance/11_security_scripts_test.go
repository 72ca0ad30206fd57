package conformance_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
)

// Scripts: with allow_inline_scripts off (the default) every script is refused wherever
// it sits (ISO-12). With it on, a script may read doc['NAME'] of plain fields and
// nothing else: not _source, not ctx, not the layout, not doc by a computed name
// (ISO-13); and a harmless one works.

// scriptPlaces holds the script S in every place a search body takes one.
var scriptPlaces = []struct{ name, body string }{
	{"a script query", `{"query":{"script":{"script":S}},"size":50}`},
	{"script_score", `{"query":{"script_score":{"query":{"match_all":{}},"script":S}},"size":50}`},
	{"function_score script_score", `{"query":{"function_score":{"functions":[{"script_score":{"script":S}}]}},"size":50}`},
	{"script_fields", `{"script_fields":{"x":{"script":S}},"size":50}`},
	{"a script sort", `{"sort":{"_script":{"type":"number","script":S,"order":"asc"}},"size":50}`},
	{"a terms aggregation script", `{"size":0,"aggs":{"t":{"terms":{"script":S,"size":100}}}}`},
	{"an avg aggregation script", `{"size":0,"aggs":{"t":{"avg":{"script":S}}}}`},
	{"terms_set minimum_should_match_script", `{"query":{"terms_set":{"tags":{"terms":["t1","t2"],"minimum_should_match_script":S}}},"size":50}`},
	{"script_fields of top_hits", `{"size":0,"aggs":{"h":{"top_hits":{"size":50,"script_fields":{"x":{"script":S}}}}}}`},
	{"script_fields of collapse inner_hits", `{"collapse":{"field":"color.keyword","inner_hits":{"name":"i","script_fields":{"x":{"script":S}}}},"size":50}`},
}

// painless is an inline script object.
func painless(source string) string { return `{"source":"` + source + `","lang":"painless"}` }

// scriptCase is one script and the labels of its cases.
type scriptCase struct {
	labels       Labels
	name, script string
}

// scriptCases puts every script in every place. With scriptsOn the first script is the
// harmless one and is served (in a script query, as the boolean such a query needs);
// every other is refused.
func scriptCases(scripts []scriptCase, scriptsOn bool) []attack {
	var out []attack
	for _, p := range scriptPlaces {
		for i, s := range scripts {
			script, want := s.script, unsupported
			if scriptsOn && i == 0 {
				want = served()
				if p.name == "a script query" {
					script = painless(`doc['n'].size() > 0 && doc['n'].value > 0`)
				}
			}
			a := search(ruleOf(s.labels), "in "+p.name+": "+s.name, strings.Replace(p.body, "S", script, 1), want)
			a.labels = s.labels
			out = append(out, a)
		}
	}
	return out
}

// scriptsOffCases: every script refused, harmless or not, in every form.
func scriptsOffCases() []attack {
	scripts := []scriptCase{
		{Label("rule:ISO-12", "profile:security"), "a harmless inline script", painless(`doc['n'].value`)},
		{Label("rule:ISO-12", "profile:security"), "a script as a bare string", `"doc['n'].value"`},
		{Label("rule:ISO-12", "profile:security"), "a script reading _source", painless(`params._source.toString().length()`)},
		{Label("rule:ISO-12", "profile:security"), "a stored script", `{"id":"globex-script"}`},
		{Label("rule:ISO-12", "profile:security"), "an expression script", `{"source":"doc['n'].value","lang":"expression"}`},
	}
	cases := scriptCases(scripts, false)
	return append(cases, securityCases(Label("profile:security"),
		search("rule:ISO-12", "a bucket_script pipeline", `{"size":0,"aggs":{"t":{"terms":{"field":"tags"},"aggs":{"s":{"sum":{"field":"n"}},"b":{"bucket_script":{"buckets_path":{"x":"s"},"script":"params.x"}}}}}}`, unsupported),
		search("rule:ISO-12", "a moving_fn pipeline", `{"size":0,"aggs":{"h":{"histogram":{"field":"n","interval":1},"aggs":{"s":{"sum":{"field":"n"}},"m":{"moving_fn":{"buckets_path":"s","window":2,"script":"MovingFunctions.sum(values)"}}}}}}`, unsupported),
		search("rule:ISO-12", "a script under an escaped member name", `{"query":{"\u0073cript":{"script":"doc['n'].value > 0"}}}`, unsupported),
		search("rule:ISO-12", "a script in a wrapper", `{"query":`+wrapper(`{"script":{"script":"doc['_tenant'].value == 'globex'"}}`)+`}`, unsupported),
	)...)
}

var _ = attackFamily("scripts-off", scriptsOffCases())

// scriptsOnCases: a proxy that allows inline scripts still refuses every script that
// could reach the layout, the source or a computed field, and runs a harmless one.
func scriptsOnCases() []attack {
	scripts := []scriptCase{
		{Label("rule:ISO-13", "profile:security"), "a harmless read of doc['n']", painless(`doc['n'].size() == 0 ? 0 : doc['n'].value`)},
		{Label("rule:ISO-13", "profile:security"), "params._source", painless(`params._source.msg.length()`)},
		{Label("rule:ISO-13", "profile:security"), "params['_source'] of a reserved field", painless(`params['_source']['_tenant'] == 'globex' ? 1 : 0`)},
		{Label("rule:ISO-13", "profile:security"), "doc['_tenant']", painless(`doc['_tenant'].value == 'acme' ? 1 : 0`)},
		{Label("rule:ISO-13", "profile:security"), `doc["_logical_index"]`, painless(`doc[\"_logical_index\"].value.length()`)},
		{Label("rule:ISO-13", "profile:security"), "doc['_tenant.keyword']", painless(`doc['_tenant.keyword'].size()`)},
		{Label("rule:ISO-13", "profile:security"), "doc['_id']", painless(`doc['_id'].value.length()`)},
		{Label("rule:ISO-13", "profile:security"), "doc['_index']", painless(`doc['_index'].value.length()`)},
		{Label("rule:ISO-13", "profile:security"), "doc['_routing']", painless(`doc['_routing'].value.length()`)},
		{Label("rule:ISO-13", "profile:security"), "doc['_seq_no']", painless(`doc['_seq_no'].value`)},
		{Label("rule:ISO-13", "profile:security"), "doc by a computed name", painless(`doc['_ten' + 'ant'].value.length()`)},
		{Label("rule:ISO-13", "profile:security"), "doc by a name from params", `{"source":"doc[params.f].value.length()","lang":"painless","params":{"f":"_tenant"}}`},
		{Label("rule:ISO-13", "profile:security"), "doc by a variable", painless(`String f = 'msg.keyword'; return doc[f].size();`)},
		{Label("rule:ISO-13", "profile:security"), "doc through an alias", painless(`def d = doc; return d['n'].value;`)},
		{Label("rule:ISO-13", "profile:security"), "doc.get", painless(`doc.get('n').value`)},
		{Label("rule:ISO-13", "profile:security"), "doc.keySet", painless(`doc.keySet().size()`)},
		{Label("rule:ISO-13", "profile:security"), "iteration over doc", painless(`int c = 0; for (def k : doc.keySet()) { c++ } return c;`)},
		{Label("rule:ISO-13", "profile:security"), "doc.containsKey", painless(`doc.containsKey('_tenant') ? 1 : 0`)},
		{Label("rule:ISO-13", "profile:security"), "whitespace between doc and its name", painless(`doc ['_tenant'].value.length()`)},
		{Label("rule:ISO-13", "profile:security"), "a comment between doc and its name", painless(`doc/**/['_tenant'].value.length()`)},
		{Label("rule:ISO-13", "profile:security"), "a name escaped in the JSON text", painless(`doc['\u005ftenant'].value.length()`)},
		{Label("rule:ISO-13", "profile:security"), "ctx", painless(`ctx._source.size()`)},
		{Label("rule:ISO-13", "profile:security"), "_source without params", painless(`_source.size()`)},
		{Label("rule:ISO-13", "profile:security"), "a reserved name split across a string concatenation", painless(`params['_sou' + 'rce'].size()`)},
		{Label("rule:ISO-13", "profile:security"), "a stored script id", `{"id":"globex-script"}`},
		{Label("rule:ISO-13", "profile:security"), "the mustache language", `{"source":"doc['n'].value","lang":"mustache"}`},
		{Label("rule:ISO-13", "profile:security"), "an expression reading _tenant", `{"source":"doc['_tenant'].value","lang":"expression"}`},
		{Label("rule:ISO-13", "profile:security"), "a reserved name in a bare string", `"doc['_tenant'].value.length()"`},
	}
	cases := scriptCases(scripts, true)
	return append(cases, securityCases(Label("profile:security"),
		search("rule:ISO-13", "a harmless script field shows acme's values only", `{"script_fields":{"twice":{"script":{"source":"doc['n'].value * 2"}}},"size":50}`, served()),
		search("rule:ISO-13", "a harmless expression script sort", `{"sort":{"_script":{"type":"number","script":{"source":"doc['n'].value","lang":"expression"},"order":"desc"}},"size":50}`, served().or(relayed(400))),
		search("rule:ISO-13", "a script reading a victim field by name sees nothing of the victim", `{"script_fields":{"v":{"script":"doc['globexsecretnum'].size() == 0 ? 0 : doc['globexsecretnum'].value"}},"size":50}`, served().or(relayed(400))),
		search("rule:ISO-13", "a script in runtime_mappings", `{"runtime_mappings":{"t":{"type":"keyword","script":"emit(doc['msg.keyword'].value)"}},"fields":["t"]}`, unsupported),
	)...)
}

var _ = attackFamily("scripts-on", scriptsOnCases(), withInlineScripts)
