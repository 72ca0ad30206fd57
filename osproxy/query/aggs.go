package query

import (
	"bytes"
	"math"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// aggTypes is the allow-list of aggregation types; aggTable keeps their order for the
// spec. Filled by init, as the types nest aggregations and queries.
var (
	aggTypes map[string]*clause
	aggTable []*clause
)

// aggsKind is an aggs (or aggregations) object: names of the client's choosing, each an
// aggregation definition.
var aggsKind = &kind{"`{NAME: aggregation}`", nil}

// refusedAggs explains the aggregation types that read beyond the filter (ISO-6).
var refusedAggs = map[string]string{
	"global":            "a global aggregation ignores the query and would count every tenant's documents",
	"significant_terms": "significant_terms compares with the whole shared index as its background",
	"significant_text":  "significant_text compares with the whole shared index as its background",
	"children":          "join aggregations read documents the tenant filter does not cover",
	"parent":            "join aggregations read documents the tenant filter does not cover",
	"scripted_metric":   "scripted_metric runs scripts over documents with no field restriction",
}

func judgeAggs(j *judge, v jsonstream.Value) error {
	if v.Kind() != '{' {
		return j.refuse("expected an object of named aggregations")
	}
	j.out = append(j.out, '{')
	i := 0
	for e := v.First(); e.Valid(); e = e.Next() {
		j.comma(i)
		j.enter(e.Key())
		if bytes.ContainsAny(e.Key(), "[]>") || len(e.Key()) == 0 {
			return j.refuse("an aggregation name may not be empty or contain [, ] or >")
		}
		j.appendKeyText(e.Key())
		if err := judgeAggDef(j, e); err != nil {
			return err
		}
		j.leave()
		i++
	}
	j.out = append(j.out, '}')
	return nil
}

// judgeAggDef judges {TYPE: {...}, aggs: {...}, meta: {...}}: exactly one type.
func judgeAggDef(j *judge, v jsonstream.Value) error {
	if v.Kind() != '{' {
		return j.refuse("expected an aggregation definition")
	}
	j.out = append(j.out, '{')
	n, types := 0, 0
	for m := v.First(); m.Valid(); m = m.Next() {
		j.enter(m.Key())
		j.comma(n)
		n++
		switch {
		case jsonstream.KeyIs(m.Key(), "aggs"), jsonstream.KeyIs(m.Key(), "aggregations"):
			if jsonstream.KeyIs(m.Key(), "aggs") {
				j.writeKey("aggs")
			} else {
				j.writeKey("aggregations")
			}
			if err := judgeAggs(j, m); err != nil {
				return err
			}
		case jsonstream.KeyIs(m.Key(), "meta"):
			j.writeKey("meta")
			if err := opaqueKind.judge(j, m); err != nil {
				return err
			}
		default:
			if types++; types > 1 {
				return j.refuse("an aggregation definition has exactly one type")
			}
			t := clauseOf(aggTypes, m.Key())
			if t == nil {
				if reason, ok := refusedAggs[keyText(m.Key())]; ok {
					return j.refuse(reason)
				}
				return j.refuse("unknown aggregation type; the allow-list does not list it")
			}
			if t.name == "top_hits" {
				j.hitAggs = true
			}
			j.writeKey(t.name)
			if err := t.judge(j, m); err != nil {
				return err
			}
		}
		j.leave()
	}
	if types == 0 {
		return j.refuse("the aggregation definition has no type")
	}
	j.out = append(j.out, '}')
	return nil
}

var (
	fieldP      = p("field", plainField)
	missingP    = p("missing", scalarKind)
	formatP     = p("format", stringKind)
	scriptP     = p("script", scriptKind)
	valueTypeP  = p("value_type", enumKind("string", "long", "double", "number", "date", "date_nanos", "ip", "numeric", "geo_point", "boolean"))
	keyedP      = p("keyed", boolKind)
	bucketsPath = p("buckets_path", &kind{"string, array of strings, or `{NAME: path}`", opaqueStrings})
	gapPolicy   = p("gap_policy", enumKind("skip", "insert_zeros", "keep_values"))
	orderKind   = &kind{"`{KEY: asc|desc}` or an array of them (KEY is `_count`, `_key` or a sub-aggregation path)", nil}
	termMinDocs = intKind(1, math.MaxInt32) // ISO-6: zero lists the shared index's terms
	histMinDocs = intKind(0, math.MaxInt32)
	bounds      = obj(p("min", scalarKind), p("max", scalarKind)).kind("`{min, max}`")
	includeKind = &kind{"regular expression, array of terms, or `{partition, num_partitions}`", judgeInclude}
	rangesKind  = &kind{"array of `{key, from, to}`", nil}
)

// metric returns an object clause of the metric shape: a field or script, plus extras.
func metric(name string, extra ...param) *clause {
	return objectClause(name, obj(append([]param{fieldP, missingP, formatP, scriptP, valueTypeP}, extra...)...))
}

func init() {
	aggsKind.judge = judgeAggs
	orderKind.judge = judgeOrder
	rangesKind.judge = func(j *judge, v jsonstream.Value) error { return j.elements(v, rangeEntry) }
	aggTypes = map[string]*clause{}
	for _, c := range append(append(metricAggs(), bucketAggs()...), pipelineAggs()...) {
		aggTypes[c.name] = c
		aggTable = append(aggTable, c)
	}
}

var rangeEntry = obj(p("key", stringKind), p("from", scalarOrNullKind), p("to", scalarOrNullKind), p("mask", stringKind)).kind("range")

func metricAggs() []*clause {
	percents := p("percents", &kind{"array of numbers", func(j *judge, v jsonstream.Value) error { return j.elements(v, anyFloat) }})
	tdigest := p("tdigest", obj(p("compression", anyFloat)).kind("`{compression}`"))
	hdr := p("hdr", obj(p("number_of_significant_value_digits", intKind(0, 5))).kind("`{number_of_significant_value_digits}`"))
	weighted := obj(fieldP, p("missing", scalarKind)).kind("`{field, missing}`")
	return []*clause{
		metric("avg"), metric("sum"), metric("min"), metric("max"), metric("value_count"), metric("stats"),
		metric("extended_stats", p("sigma", floatKind(true))),
		metric("cardinality", p("precision_threshold", nonNegInt), p("execution_hint", stringKind)),
		metric("percentiles", percents, keyedP, tdigest, hdr),
		metric("percentile_ranks", p("values", &kind{"array of numbers", func(j *judge, v jsonstream.Value) error { return j.elements(v, anyFloat) }}), keyedP, tdigest, hdr),
		metric("median_absolute_deviation", p("compression", anyFloat)),
		objectClause("weighted_avg", obj(p("value", weighted), p("weight", weighted), formatP, valueTypeP)),
		objectClause("geo_bounds", obj(fieldP, p("wrap_longitude", boolKind))),
		objectClause("geo_centroid", obj(fieldP)),
		objectClause("top_hits", obj(p("from", nonNegInt), p("size", nonNegInt), p("sort", sortKind), p("_source", sourceKind),
			p("highlight", highlightKind), p("explain", falseKind), p("stored_fields", storedFields),
			p("docvalue_fields", docvalueFields), p("fields", fetchFieldsKind), p("version", boolKind),
			p("seq_no_primary_term", boolKind), p("track_scores", boolKind), p("script_fields", scriptFieldsKind))),
	}
}

func bucketAggs() []*clause {
	termsCommon := []param{p("size", posInt), p("shard_size", intKind(-1, math.MaxInt32)), p("min_doc_count", termMinDocs),
		p("shard_min_doc_count", nonNegInt), p("order", orderKind), p("show_term_doc_count_error", boolKind),
		p("collect_mode", enumKind("depth_first", "breadth_first"))}
	hist := []param{fieldP, missingP, formatP, scriptP, p("min_doc_count", histMinDocs), p("extended_bounds", bounds),
		p("hard_bounds", bounds), p("order", orderKind), keyedP, p("offset", scalarKind)}
	calendar := []param{p("calendar_interval", stringKind), p("fixed_interval", stringKind), p("interval", scalarKind), p("time_zone", stringKind)}
	return []*clause{
		objectClause("terms", obj(append([]param{fieldP, missingP, formatP, scriptP, valueTypeP, p("include", includeKind),
			p("exclude", includeKind), p("execution_hint", enumKind("map", "global_ordinals"))}, termsCommon...)...)),
		objectClause("multi_terms", obj(append([]param{p("terms", &kind{"array of `{field, missing}`", func(j *judge, v jsonstream.Value) error {
			return j.elements(v, multiTermsSource)
		}})}, termsCommon...)...)),
		objectClause("rare_terms", obj(fieldP, missingP, p("max_doc_count", posInt), p("precision", anyFloat),
			p("include", includeKind), p("exclude", includeKind))),
		objectClause("histogram", obj(append(hist, p("interval", anyFloat))...)),
		objectClause("date_histogram", obj(append(hist, calendar...)...)),
		objectClause("auto_date_histogram", obj(fieldP, missingP, formatP, p("buckets", posInt), p("time_zone", stringKind),
			p("minimum_interval", enumKind("second", "minute", "hour", "day", "month", "year")))),
		objectClause("variable_width_histogram", obj(fieldP, p("buckets", posInt), p("shard_size", posInt), p("initial_buffer", posInt))),
		objectClause("range", obj(fieldP, missingP, formatP, scriptP, keyedP, p("ranges", rangesKind))),
		objectClause("date_range", obj(fieldP, missingP, formatP, keyedP, p("time_zone", stringKind), p("ranges", rangesKind))),
		objectClause("ip_range", obj(fieldP, missingP, keyedP, p("ranges", rangesKind))),
		// A closure, not queryKind.judge: that field is set by another file's init, which
		// may run after this one.
		{name: "filter", shape: "a query", judge: func(j *judge, v jsonstream.Value) error { return queryKind.judge(j, v) }},
		objectClause("filters", obj(p("filters", &kind{"`{NAME: query}` or an array of queries", judgeFilters}),
			p("other_bucket", boolKind), p("other_bucket_key", stringKind))),
		objectClause("adjacency_matrix", obj(p("filters", &kind{"`{NAME: query}`", (&memberMap{value: queryKind}).judge}),
			p("separator", stringKind))),
		objectClause("missing", obj(fieldP)),
		objectClause("nested", obj(p("path", plainField))),
		objectClause("reverse_nested", obj(p("path", plainField))),
		objectClause("composite", obj(p("size", posInt), p("sources", &kind{"array of `{NAME: {terms|histogram|date_histogram|geotile_grid: {…}}}`", judgeSources}),
			p("after", &kind{"`{NAME: value}`", (&memberMap{value: scalarOrNullKind}).judge}))),
		objectClause("sampler", obj(p("shard_size", posInt))),
		objectClause("diversified_sampler", obj(fieldP, p("shard_size", posInt), p("max_docs_per_value", posInt),
			p("execution_hint", enumKind("map", "global_ordinals", "bytes_hash")))),
		objectClause("geohash_grid", obj(fieldP, p("precision", scalarKind), p("size", posInt), p("shard_size", posInt), p("bounds", opaqueKind))),
		objectClause("geotile_grid", obj(fieldP, p("precision", intKind(0, 29)), p("size", posInt), p("shard_size", posInt), p("bounds", opaqueKind))),
		objectClause("geo_distance", obj(fieldP, p("origin", geoPointKind), p("ranges", rangesKind), p("unit", stringKind),
			p("distance_type", enumKind("arc", "plane")), keyedP)),
	}
}

func pipelineAggs() []*clause {
	base := []param{bucketsPath, gapPolicy, formatP}
	return []*clause{
		objectClause("avg_bucket", obj(base...)), objectClause("sum_bucket", obj(base...)),
		objectClause("min_bucket", obj(base...)), objectClause("max_bucket", obj(base...)),
		objectClause("stats_bucket", obj(base...)),
		objectClause("extended_stats_bucket", obj(append(base, p("sigma", floatKind(true)))...)),
		objectClause("percentiles_bucket", obj(append(base, p("percents", &kind{"array of numbers", func(j *judge, v jsonstream.Value) error { return j.elements(v, anyFloat) }}), keyedP)...)),
		objectClause("derivative", obj(append(base, p("unit", stringKind))...)),
		objectClause("cumulative_sum", obj(bucketsPath, formatP)),
		objectClause("serial_diff", obj(append(base, p("lag", posInt))...)),
		objectClause("bucket_sort", obj(p("sort", sortKind), p("from", nonNegInt), p("size", posInt), gapPolicy)),
		objectClause("bucket_script", obj(append(base, scriptP)...)),
		objectClause("bucket_selector", obj(bucketsPath, gapPolicy, scriptP)),
		objectClause("moving_fn", obj(bucketsPath, gapPolicy, scriptP, p("window", posInt), p("shift", anyInt))),
	}
}

var multiTermsSource = obj(fieldP, missingP).kind("`{field, missing}`")

// opaqueStrings accepts a string, an array of strings, or an object of strings:
// bucket paths, which name aggregations, never documents.
func opaqueStrings(j *judge, v jsonstream.Value) error {
	switch v.Kind() {
	case '"', '[':
		return stringsKind.judge(j, v)
	case '{':
		return (&memberMap{value: stringKind}).judge(j, v)
	}
	return j.refuse("expected a bucket path")
}

func judgeOrder(j *judge, v jsonstream.Value) error {
	if v.Kind() == '[' {
		return j.elements(v, orderKind)
	}
	if v.Kind() != '{' {
		return j.refuse("expected {KEY: asc|desc}")
	}
	for m := v.First(); m.Valid(); m = m.Next() {
		// A key is _count, _key (or the older _term), or the path of a sub-aggregation;
		// any other name starting with _ would be read as a field of the layout.
		if k := m.Key(); len(k) > 0 && k[0] == '_' && !jsonstream.KeyIs(k, "_count") &&
			!jsonstream.KeyIs(k, "_key") && !jsonstream.KeyIs(k, "_term") {
			j.enter(k)
			return j.refuse("an order key is _count, _key or a sub-aggregation's path")
		}
	}
	return (&memberMap{value: sortOrder}).judge(j, v)
}

func judgeInclude(j *judge, v jsonstream.Value) error {
	switch v.Kind() {
	case '"':
		return stringKind.judge(j, v)
	case '[':
		return scalarsKind.judge(j, v)
	}
	return obj(p("partition", nonNegInt), p("num_partitions", posInt)).judge(j, v)
}

func judgeFilters(j *judge, v jsonstream.Value) error {
	if v.Kind() == '[' {
		return j.elements(v, queryKind)
	}
	return (&memberMap{value: queryKind}).judge(j, v)
}

// judgeSources judges composite sources: each one named source of a listed type.
func judgeSources(j *judge, v jsonstream.Value) error {
	return j.elements(v, &kind{"source", func(j *judge, s jsonstream.Value) error {
		return (&memberMap{value: compositeSource}).judge(j, s)
	}})
}

var compositeSource = &kind{"`{terms|histogram|date_histogram|geotile_grid: {…}}`", nil}

func init() {
	common := []param{fieldP, scriptP, valueTypeP, p("missing_bucket", boolKind), p("order", sortOrder), formatP}
	sources := obj(
		p("terms", obj(common...).kind("terms source")),
		p("histogram", obj(append(common, p("interval", anyFloat))...).kind("histogram source")),
		p("date_histogram", obj(append(common, p("calendar_interval", stringKind), p("fixed_interval", stringKind),
			p("interval", scalarKind), p("time_zone", stringKind), p("offset", scalarKind))...).kind("date_histogram source")),
		p("geotile_grid", obj(fieldP, p("precision", intKind(0, 29)), p("bounds", opaqueKind), p("missing_bucket", boolKind), p("order", sortOrder)).kind("geotile_grid source")))
	compositeSource.judge = func(j *judge, v jsonstream.Value) error {
		if v.Kind() != '{' || v.Len() != 1 {
			return j.refuse("a composite source has exactly one type")
		}
		return sources.judge(j, v)
	}
}
