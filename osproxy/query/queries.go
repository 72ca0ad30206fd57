package query

import (
	"math"
	"strings"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// queryClauses is the allow-list of query clauses by name; queryTable keeps their order
// for the spec (spec/11-query-language.md). Both are filled by init: the clauses refer
// to queryKind, which refers back to them.
var (
	queryClauses map[string]*clause
	queryTable   []*clause
)

// queryKind judges one query object: exactly one listed clause (ISO-1). A wrapper is
// decoded, judged and emitted inline (ISO-5).
var queryKind = &kind{"query", nil}

// queriesKind is a query or an array of queries (bool's occurrence lists).
var queriesKind = &kind{"query, or array of queries", func(j *judge, v jsonstream.Value) error {
	if v.Kind() == '[' {
		return j.elements(v, queryKind)
	}
	return queryKind.judge(j, v)
}}

var queryArrayKind = &kind{"array of queries", func(j *judge, v jsonstream.Value) error {
	return j.elements(v, queryKind)
}}

func judgeQuery(j *judge, v jsonstream.Value) error {
	if v.Kind() != '{' || v.Len() != 1 {
		return j.refuse("expected an object with exactly one query clause")
	}
	c := v.First()
	j.enter(c.Key())
	defer j.leave()
	if jsonstream.KeyIs(c.Key(), "wrapper") {
		return j.wrapper(c)
	}
	cl := clauseOf(queryClauses, c.Key())
	if cl == nil {
		return j.refuse(unknownQuery(keyText(c.Key())))
	}
	j.out = append(j.out, '{')
	j.writeKey(cl.name)
	if err := cl.judge(j, c); err != nil {
		return err
	}
	j.out = append(j.out, '}')
	return nil
}

// unknownQuery explains why a clause is refused: the ones that read beyond the filter
// are named as such, the rest are simply not listed.
func unknownQuery(name string) string {
	switch name {
	case "percolate", "has_child", "has_parent", "parent_id":
		return "this query reads documents the tenant filter does not cover"
	case "knn", "neural", "hybrid":
		return "this query must sit at the top level, where the tenant filter goes; it is not supported"
	}
	return "unknown query clause; the allow-list does not list it"
}

var (
	boostP      = p("boost", floatKind(false))
	nameP       = p("_name", stringKind)
	rewriteKind = textPattern("a rewrite method such as `constant_score`", func(c byte) bool { return isAlnum(c) || c == '_' })
	analyzerK   = textPattern("an analyzer name", func(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' })
	operatorK   = enumKind("and", "or")
	zeroTermsK  = enumKind("none", "all")
	anyInt      = intKind(math.MinInt32, math.MaxInt32)
	nonNegInt   = intKind(0, math.MaxInt32)
	posInt      = intKind(1, math.MaxInt32)
	anyFloat    = floatKind(false)
	common      = obj(boostP, nameP)
)

func init() {
	queryKind.judge = judgeQuery
	fuzzy := []param{p("fuzziness", fuzzinessKind), p("prefix_length", nonNegInt), p("max_expansions", posInt),
		p("fuzzy_transpositions", boolKind), p("fuzzy_rewrite", rewriteKind)}
	match := obj(append([]param{p("query", scalarKind), p("operator", operatorK), p("minimum_should_match", msmKind),
		p("analyzer", analyzerK), p("lenient", boolKind), p("zero_terms_query", zeroTermsK),
		p("auto_generate_synonyms_phrase_query", boolKind), p("cutoff_frequency", anyFloat), boostP, nameP}, fuzzy...)...)
	phrase := obj(p("query", scalarKind), p("analyzer", analyzerK), p("slop", nonNegInt), p("zero_terms_query", zeroTermsK), boostP, nameP)
	register(queryClauses0(match, phrase, fuzzy)...)
	register(queryClauses1()...)
	register(queryClauses2()...)
}

func register(cs ...*clause) {
	if queryClauses == nil {
		queryClauses = map[string]*clause{}
	}
	for _, c := range cs {
		queryClauses[c.name] = c
		queryTable = append(queryTable, c)
	}
}

// queryClauses0 are the full-text and term-level clauses.
func queryClauses0(match, phrase *object, fuzzy []param) []*clause {
	termLong := obj(p("value", termValue), p("case_insensitive", boolKind), boostP, nameP)
	return []*clause{
		objectClause("match_all", common),
		objectClause("match_none", obj(nameP)),
		keyedClause("match", plainName, scalarKind, match, common),
		keyedClause("match_phrase", plainName, scalarKind, phrase, common),
		keyedClause("match_phrase_prefix", plainName, scalarKind, phrase.with(p("max_expansions", posInt)), common),
		keyedClause("match_bool_prefix", plainName, scalarKind, obj(append([]param{p("query", scalarKind),
			p("analyzer", analyzerK), p("operator", operatorK), p("minimum_should_match", msmKind), boostP, nameP}, fuzzy...)...), common),
		allFields(objectClause("multi_match", obj(append([]param{p("query", scalarKind), p("fields", boostedFields),
			p("type", enumKind("best_fields", "most_fields", "cross_fields", "phrase", "phrase_prefix", "bool_prefix")),
			p("operator", operatorK), p("minimum_should_match", msmKind), p("analyzer", analyzerK), p("lenient", boolKind),
			p("zero_terms_query", zeroTermsK), p("tie_breaker", anyFloat), p("slop", nonNegInt),
			p("auto_generate_synonyms_phrase_query", boolKind), p("cutoff_frequency", anyFloat), boostP, nameP}, fuzzy...)...)), "fields"),
		allFields(objectClause("query_string", queryStringParams()), "fields", "default_field"),
		allFields(objectClause("simple_query_string", obj(p("query", stringKind), p("fields", boostedFields),
			p("default_operator", operatorK), p("analyzer", analyzerK), p("flags", simpleFlagsKind),
			p("fuzzy_max_expansions", posInt), p("fuzzy_prefix_length", nonNegInt), p("fuzzy_transpositions", boolKind),
			p("lenient", boolKind), p("minimum_should_match", msmKind), p("quote_field_suffix", fieldSuffix),
			p("analyze_wildcard", boolKind), p("auto_generate_synonyms_phrase_query", boolKind), boostP, nameP)), "fields"),
		keyedClause("term", allowID, termValue, termLong, common),
		keyedClause("terms", allowID, termsValue, nil, common),
		keyedClause("terms_set", plainName, nil, obj(p("terms", scalarsKind), p("minimum_should_match_field", plainField),
			p("minimum_should_match_script", scriptKind), boostP, nameP), common),
		keyedClause("range", plainName, nil, obj(p("gt", scalarOrNullKind), p("gte", scalarOrNullKind), p("lt", scalarOrNullKind),
			p("lte", scalarOrNullKind), p("from", scalarOrNullKind), p("to", scalarOrNullKind), p("include_lower", boolKind),
			p("include_upper", boolKind), p("format", stringKind), p("time_zone", stringKind),
			p("relation", enumKind("intersects", "contains", "within")), boostP, nameP), common),
		keyedClause("prefix", plainName, stringKind, obj(p("value", stringKind), p("rewrite", rewriteKind),
			p("case_insensitive", boolKind), boostP, nameP), common),
		keyedClause("wildcard", plainName, stringKind, obj(p("value", stringKind), p("wildcard", stringKind),
			p("rewrite", rewriteKind), p("case_insensitive", boolKind), boostP, nameP), common),
		keyedClause("regexp", plainName, stringKind, obj(p("value", stringKind), p("flags", stringKind),
			p("flags_value", anyInt), p("max_determinized_states", posInt), p("rewrite", rewriteKind),
			p("case_insensitive", boolKind), boostP, nameP), common),
		keyedClause("fuzzy", plainName, scalarKind, obj(p("value", scalarKind), p("fuzziness", fuzzinessKind),
			p("max_expansions", posInt), p("prefix_length", nonNegInt), p("transpositions", boolKind),
			p("rewrite", rewriteKind), boostP, nameP), common),
		objectClause("exists", obj(p("field", plainField), boostP, nameP)),
		objectClause("ids", obj(p("values", idValues), boostP, nameP)),
	}
}

// queryClauses1 are the compound clauses.
func queryClauses1() []*clause {
	return []*clause{
		objectClause("bool", obj(p("must", queriesKind), p("filter", queriesKind), p("should", queriesKind),
			p("must_not", queriesKind), p("minimum_should_match", msmKind), p("adjust_pure_negative", boolKind), boostP, nameP)),
		objectClause("boosting", obj(p("positive", queryKind), p("negative", queryKind), p("negative_boost", anyFloat), boostP, nameP)),
		objectClause("constant_score", obj(p("filter", queryKind), boostP, nameP)),
		objectClause("dis_max", obj(p("queries", queryArrayKind), p("tie_breaker", anyFloat), boostP, nameP)),
		objectClause("function_score", functionScore()),
		objectClause("nested", obj(p("path", plainField), p("query", queryKind),
			p("score_mode", enumKind("avg", "max", "min", "none", "sum")), p("ignore_unmapped", boolKind),
			p("inner_hits", innerHitsKind), boostP, nameP)),
		objectClause("more_like_this", obj(p("fields", fieldsKind(plainName, "field")), p("like", likeKind),
			p("unlike", likeKind), p("min_term_freq", nonNegInt), p("max_query_terms", posInt), p("min_doc_freq", nonNegInt),
			p("max_doc_freq", posInt), p("min_word_length", nonNegInt), p("max_word_length", nonNegInt),
			p("stop_words", stringsKind), p("analyzer", analyzerK), p("minimum_should_match", msmKind),
			p("boost_terms", anyFloat), p("include", boolKind), p("fail_on_unsupported_field", boolKind), boostP, nameP)),
		objectClause("script", obj(p("script", scriptKind), boostP, nameP)),
		objectClause("script_score", obj(p("query", queryKind), p("script", scriptKind), p("min_score", anyFloat), boostP, nameP)),
	}
}

// queryClauses2 are the geo clauses.
func queryClauses2() []*clause {
	validation := p("validation_method", enumKind("strict", "ignore_malformed", "coerce"))
	unmapped := p("ignore_unmapped", boolKind)
	return []*clause{
		keyedClause("geo_distance", plainName, geoPointKind, nil, obj(p("distance", scalarKind),
			p("distance_type", enumKind("arc", "plane")), validation, unmapped, boostP, nameP)),
		keyedClause("geo_bounding_box", plainName, nil, obj(p("top_left", geoPointKind), p("bottom_right", geoPointKind),
			p("top_right", geoPointKind), p("bottom_left", geoPointKind), p("top", anyFloat), p("left", anyFloat),
			p("bottom", anyFloat), p("right", anyFloat), p("wkt", stringKind)),
			obj(validation, p("type", enumKind("memory", "indexed")), unmapped, boostP, nameP)),
		keyedClause("geo_shape", plainName, nil, obj(p("shape", opaqueKind),
			p("relation", enumKind("intersects", "disjoint", "within", "contains"))), obj(unmapped, boostP, nameP)),
	}
}

func queryStringParams() *object {
	return obj(p("query", queryStringText), p("default_field", plainField), p("fields", boostedFields),
		p("default_operator", operatorK), p("analyzer", analyzerK), p("quote_analyzer", analyzerK),
		p("allow_leading_wildcard", boolKind), p("enable_position_increments", boolKind), p("fuzziness", fuzzinessKind),
		p("fuzzy_max_expansions", posInt), p("fuzzy_prefix_length", nonNegInt), p("fuzzy_transpositions", boolKind),
		p("fuzzy_rewrite", rewriteKind), p("lenient", boolKind), p("max_determinized_states", posInt),
		p("minimum_should_match", msmKind), p("quote_field_suffix", fieldSuffix), p("phrase_slop", nonNegInt),
		p("analyze_wildcard", boolKind), p("auto_generate_synonyms_phrase_query", boolKind), p("time_zone", stringKind),
		p("rewrite", rewriteKind), p("escape", boolKind), p("tie_breaker", anyFloat),
		p("type", enumKind("best_fields", "most_fields", "cross_fields", "phrase", "phrase_prefix", "bool_prefix")), boostP, nameP)
}

func functionScore() *object {
	decay := &fieldKeyed{same: obj(p("multi_value_mode", enumKind("min", "max", "avg", "sum"))), mode: plainName,
		value: obj(p("origin", originKind), p("scale", scalarKind), p("offset", scalarKind), p("decay", anyFloat)).kind("object")}
	decayKind := &kind{"`{FIELD: {origin, scale, offset, decay}, multi_value_mode}`", decay.judge}
	fns := []param{p("weight", anyFloat), p("field_value_factor", obj(p("field", plainField), p("factor", anyFloat),
		p("modifier", enumKind("none", "log", "log1p", "log2p", "ln", "ln1p", "ln2p", "square", "sqrt", "reciprocal")),
		p("missing", anyFloat)).kind("object")), p("random_score", obj(p("seed", scalarKind), p("field", seqNoField)).kind("object")),
		p("gauss", decayKind), p("linear", decayKind), p("exp", decayKind),
		p("script_score", obj(p("script", scriptKind)).kind("object"))}
	function := obj(append([]param{p("filter", queryKind)}, fns...)...).kind("function")
	return obj(append([]param{p("query", queryKind), p("functions", &kind{"array of functions (`filter` plus one of the function members)",
		func(j *judge, v jsonstream.Value) error { return j.elements(v, function) }}),
		p("boost_mode", enumKind("multiply", "replace", "sum", "avg", "max", "min")),
		p("score_mode", enumKind("multiply", "sum", "avg", "first", "max", "min")),
		p("max_boost", anyFloat), p("min_score", anyFloat), boostP, nameP}, fns...)...)
}

// allFields guards a full-text clause that, without the named members, searches every
// field of the mapping (OpenSearch's default field is *). The mapping is shared, and
// with lenient false the cluster's errors name the fields that failed, other tenants'
// included (ISO-10). So such a clause is sent lenient: lenient false is refused, and an
// absent lenient is added as true.
func allFields(c *clause, fieldsMembers ...string) *clause {
	inner := c.judge
	c.shape += "; without " + strings.Join(fieldsMembers, " or ") + " it searches every field and is sent with `lenient: true` (`lenient: false` is refused)"
	c.judge = func(j *judge, v jsonstream.Value) error {
		if v.Kind() != '{' {
			return inner(j, v)
		}
		for _, name := range fieldsMembers {
			if v.Member(name).Valid() {
				return inner(j, v)
			}
		}
		lenient := v.Member("lenient")
		if lenient.Valid() {
			if b, ok := boolean(lenient); ok && !b {
				j.enter([]byte("lenient"))
				return j.refuse("lenient false is not allowed without fields: the cluster's errors would name other tenants' fields")
			}
		}
		if err := inner(j, v); err != nil || lenient.Valid() {
			return err
		}
		j.out = j.out[:len(j.out)-1] // the object's closing brace
		if j.out[len(j.out)-1] != '{' {
			j.out = append(j.out, ',')
		}
		j.out = append(j.out, `"lenient":true}`...)
		return nil
	}
	return c
}
