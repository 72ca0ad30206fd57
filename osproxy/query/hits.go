package query

import (
	"math"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// The kinds of this file describe what a search fetches for each hit: sort, source
// filtering, fields, highlight, inner hits, collapse, rescore and script fields.

// sortKind is a sort: a field, an object, or an array of them. Only the top-level sort
// may be on _id (ISO-9); its positions are recorded so that search_after and each hit's
// sort values can be translated.
var sortKind = &kind{"sort: a field, `{FIELD: order}`, `{FIELD: {…}}`, `_score`, `_doc`, `_geo_distance`, `_script`, or an array of these", nil}

func judgeSort(j *judge, v jsonstream.Value) error {
	if v.Kind() == '[' {
		j.out = append(j.out, '[')
		i := 0
		for e := v.First(); e.Valid(); e = e.Next() {
			j.comma(i)
			j.enterIndex(i)
			if err := sortEntry(j, e); err != nil {
				return err
			}
			j.leave()
			i++
		}
		j.out = append(j.out, ']')
		return nil
	}
	return sortEntry(j, v)
}

// sortEntry judges one sort entry and counts it.
func sortEntry(j *judge, v jsonstream.Value) error {
	var name []byte
	var err error
	switch v.Kind() {
	case '"':
		name, err = j.field(v, allowID|allowScoreDoc)
	case '{':
		name, err = sortObject(j, v)
	default:
		return j.refuse("expected a sort entry")
	}
	if err != nil {
		return err
	}
	if string(name) == "_id" {
		if !j.topSort {
			return j.refuse("_id may be sorted on only in the top-level sort")
		}
		if !j.pol.Filter.single() {
			return j.refuse(multiIndexID)
		}
		if j.sorts >= 64 {
			return j.refuse("a sort on _id must be among the first 64 sort entries")
		}
		j.sortIDs |= 1 << j.sorts
	}
	j.sorts++
	return nil
}

var (
	sortOrder   = enumKind("asc", "desc")
	sortNested  = &kind{"`{path, filter, max_children, nested}`", nil}
	sortOptions = obj(p("order", sortOrder), p("mode", enumKind("min", "max", "sum", "avg", "median")),
		p("missing", scalarKind), p("unmapped_type", textPattern("a field type", isAlnumUnderscore)),
		p("numeric_type", enumKind("double", "long", "date", "date_nanos")), p("format", stringKind),
		p("nested", sortNested))
	geoSort = &fieldKeyed{same: obj(p("order", sortOrder), p("unit", stringKind), p("mode", enumKind("min", "max", "median", "avg")),
		p("distance_type", enumKind("arc", "plane")), p("ignore_unmapped", boolKind), p("nested", sortNested)),
		mode: plainName, value: &kind{"point or array of points", judgePoints}}
	scriptSort = obj(p("script", scriptKind), p("type", enumKind("number", "string")), p("order", sortOrder),
		p("mode", enumKind("min", "max", "sum", "avg", "median")), p("nested", sortNested))
)

func isAlnumUnderscore(c byte) bool { return isAlnum(c) || c == '_' }

func init() {
	sortKind.judge = judgeSort
	sortNested.judge = obj(p("path", plainField), p("filter", queryKind), p("max_children", posInt), p("nested", sortNested)).judge
}

// sortObject judges {FIELD: order} or {FIELD: {options}} and returns the field.
func sortObject(j *judge, v jsonstream.Value) ([]byte, error) {
	if v.Len() != 1 {
		return nil, j.refuse("a sort object names exactly one field")
	}
	m := v.First()
	j.enter(m.Key())
	defer j.leave()
	j.out = append(j.out, '{')
	var name []byte
	var err error
	switch {
	case jsonstream.KeyIs(m.Key(), "_geo_distance"):
		j.writeKey("_geo_distance")
		err = geoSort.judge(j, m)
	case jsonstream.KeyIs(m.Key(), "_script"):
		j.writeKey("_script")
		err = scriptSort.judge(j, m)
	default:
		if name, err = j.fieldKey(m, allowID|allowScoreDoc); err != nil {
			return nil, err
		}
		if m.Kind() == '{' {
			err = sortOptions.judge(j, m)
		} else {
			err = sortOrder.judge(j, m)
		}
	}
	j.out = append(j.out, '}')
	return name, err
}

func judgePoints(j *judge, v jsonstream.Value) error {
	if v.Kind() == '[' && v.Len() > 0 && v.First().Kind() != '0' {
		return j.elements(v, geoPointKind)
	}
	return geoPointKind.judge(j, v)
}

// searchAfter translates the values at the top-level sort's _id positions (ISO-9).
func (j *judge) searchAfter(v jsonstream.Value) error {
	if v.Kind() != '[' {
		return j.refuse("expected an array of sort values")
	}
	j.out = append(j.out, '[')
	i := 0
	for e := v.First(); e.Valid(); e = e.Next() {
		j.comma(i)
		j.enterIndex(i)
		if i < 64 && j.sortIDs&(1<<i) != 0 {
			id, ok := stringText(e)
			if !ok {
				return j.refuse("expected the id of the last hit")
			}
			if err := j.appendPhysicalID(id); err != nil {
				return err
			}
		} else if err := scalarOrNullKind.judge(j, e); err != nil {
			return err
		}
		j.leave()
		i++
	}
	j.out = append(j.out, ']')
	return nil
}

// sourceKind is _source: fetch or not, or include and exclude patterns (ISO-10).
var sourceKind = &kind{"boolean, a field pattern, an array of them, or `{includes, excludes}`", func(j *judge, v jsonstream.Value) error {
	switch v.Kind() {
	case 't', 'f':
		return boolKind.judge(j, v)
	case '{':
		return sourceFilter.judge(j, v)
	}
	return patternFields.judge(j, v)
}}

var (
	patternFields = fieldsKind(allowPattern, "field or pattern")
	sourceFilter  = obj(p("includes", patternFields), p("excludes", patternFields)).aliased("include", "includes", "exclude", "excludes")
)

// fetchFieldsKind is fields: patterns resolve against each hit, but a format applies
// to every matched field of the mapping and its error names them, so a pattern with a
// format is refused (ISO-10).
var fetchFieldsKind = &kind{"array of fields or patterns (`_id` allowed), or `{field, format, include_unmapped}` (no pattern with a format)", func(j *judge, v jsonstream.Value) error {
	return j.elements(v, fetchField)
}}

var fetchField = &kind{"field", func(j *judge, v jsonstream.Value) error {
	if v.Kind() != '{' {
		_, err := j.field(v, allowPattern|allowID)
		return err
	}
	if v.Member("format").Valid() {
		return formattedField.judge(j, v)
	}
	return fetchFieldObject.judge(j, v)
}}

var (
	fetchFieldObject = obj(p("field", fieldKind(allowPattern|allowID, "field or pattern")), p("format", stringKind), p("include_unmapped", boolKind))
	formattedField   = obj(p("field", fieldKind(allowID, "field")), p("format", stringKind), p("include_unmapped", boolKind))
)

var docvalueFields = &kind{"array of fields (`_id` allowed, no pattern), or `{field, format}`", func(j *judge, v jsonstream.Value) error {
	return j.elements(v, docvalueField)
}}

var docvalueField = orObject(fieldKind(allowID, "field"), obj(p("field", fieldKind(allowID, "field")), p("format", stringKind)))

var storedFields = fieldsKind(allowPattern|allowNone, "field, pattern or `_none_`")

// orObject accepts a short value of kind short or the object long.
func orObject(short *kind, long *object) *kind {
	return &kind{short.doc + " or an object", func(j *judge, v jsonstream.Value) error {
		if v.Kind() == '{' {
			return long.judge(j, v)
		}
		return short.judge(j, v)
	}}
}

// The objects of this file, kept for the spec's tables.
var highlightObject, innerHitsObject, collapseObject, rescoreObject, scriptFieldObject *object

var (
	highlightOptions []param
	highlightKind    = &kind{"highlight (parameters below, with `fields`)", nil}
	innerHitsKind    = &kind{"inner hits (parameters below)", nil}
	collapseKind     = &kind{"`{field, inner_hits, max_concurrent_group_searches}`", nil}
	rescoreKind      = &kind{"rescore or array of rescores: `{window_size, query: {rescore_query, query_weight, rescore_query_weight, score_mode}}`", nil}
	scriptFieldsKind = &kind{"`{NAME: {script, ignore_failure}}`", nil}
	trackTotalHits   = &kind{"boolean or integer", func(j *judge, v jsonstream.Value) error {
		if _, ok := boolean(v); ok {
			return boolKind.judge(j, v)
		}
		return hitsThreshold.judge(j, v)
	}}
	hitsThreshold = intKind(-1, math.MaxInt32)
)

func init() {
	highlightOptions = []param{p("type", enumKind("unified", "plain", "fvh")), p("pre_tags", stringsKind), p("post_tags", stringsKind),
		p("tags_schema", enumKind("styled")), p("encoder", enumKind("default", "html")), p("fragment_size", nonNegInt),
		p("number_of_fragments", nonNegInt), p("no_match_size", nonNegInt), p("fragmenter", enumKind("simple", "span")),
		p("order", enumKind("score", "none")), p("require_field_match", boolKind), p("boundary_scanner", enumKind("chars", "sentence", "word")),
		p("boundary_chars", stringKind), p("boundary_max_scan", nonNegInt), p("boundary_scanner_locale", stringKind),
		p("highlight_query", queryKind), p("max_analyzed_offset", posInt), p("phrase_limit", posInt),
		p("force_source", boolKind), p("fragment_offset", nonNegInt), p("matched_fields", fieldsKind(plainName, "field"))}
	perField := obj(highlightOptions...).kind("highlight options")
	fields := &memberMap{fields: true, mode: allowPattern, value: perField}
	fields.asKind = &kind{"`{FIELD_OR_PATTERN: options}`", fields.judge}
	highlightObject = obj(append([]param{p("fields", &kind{"`{FIELD_OR_PATTERN: options}` (patterns allowed) or an array of such objects; options are the other members of this table", fields.judgeMapOrArray})},
		highlightOptions...)...)
	highlightKind.judge = highlightObject.judge
	innerHitsObject = obj(p("name", stringKind), p("from", nonNegInt), p("size", nonNegInt), p("sort", sortKind),
		p("_source", sourceKind), p("highlight", highlightKind), p("explain", falseKind), p("stored_fields", storedFields),
		p("docvalue_fields", docvalueFields), p("fields", fetchFieldsKind), p("version", boolKind),
		p("seq_no_primary_term", boolKind), p("track_scores", boolKind), p("script_fields", scriptFieldsKind),
		p("collapse", obj(p("field", plainField)).kind("`{field}`")))
	innerHitsKind.judge = innerHitsObject.judge
	collapseObject = obj(p("field", plainField), p("inner_hits", &kind{"inner hits or an array of them", func(j *judge, v jsonstream.Value) error {
		if v.Kind() == '[' {
			return j.elements(v, innerHitsKind)
		}
		return innerHitsKind.judge(j, v)
	}}), p("max_concurrent_group_searches", posInt))
	collapseKind.judge = collapseObject.judge
	rescoreObject = obj(p("window_size", posInt), p("query", obj(p("rescore_query", queryKind), p("query_weight", anyFloat),
		p("rescore_query_weight", anyFloat), p("score_mode", enumKind("total", "multiply", "avg", "max", "min"))).kind("`{rescore_query: query, query_weight, rescore_query_weight, score_mode}`")))
	rescore := rescoreObject.kind("rescore")
	rescoreKind.judge = func(j *judge, v jsonstream.Value) error {
		if v.Kind() == '[' {
			return j.elements(v, rescore)
		}
		return rescore.judge(j, v)
	}
	scriptFieldObject = obj(p("script", scriptKind), p("ignore_failure", boolKind))
	scriptField := scriptFieldObject.kind("script field")
	scriptFieldsKind.judge = (&memberMap{value: scriptField}).judge
}

// memberMap is an object whose members all hold one kind of value and whose names are
// either fields judged in mode (highlight's fields) or the client's own labels (script
// field and aggregation names, filters' names).
type memberMap struct {
	fields bool
	mode   fieldMode
	value  *kind
	asKind *kind // m itself, for arrays of such objects
}

func (m *memberMap) judge(j *judge, v jsonstream.Value) error {
	if v.Kind() != '{' {
		return j.refuse("expected an object")
	}
	j.out = append(j.out, '{')
	i := 0
	for e := v.First(); e.Valid(); e = e.Next() {
		j.comma(i)
		j.enter(e.Key())
		if !m.fields {
			j.appendKeyText(e.Key())
		} else if _, err := j.fieldKey(e, m.mode); err != nil {
			return err
		}
		if err := m.value.judge(j, e); err != nil {
			return err
		}
		j.leave()
		i++
	}
	j.out = append(j.out, '}')
	return nil
}

func (m *memberMap) judgeMapOrArray(j *judge, v jsonstream.Value) error {
	if v.Kind() == '[' {
		return j.elements(v, m.asKind)
	}
	return m.judge(j, v)
}

// appendKeyText emits a client-chosen member name canonically, with its colon.
func (j *judge) appendKeyText(raw []byte) {
	if hasEscape(raw) {
		j.out = jsonstream.AppendString(j.out, keyText(raw))
	} else {
		j.out = jsonstream.AppendBytes(j.out, raw)
	}
	j.out = append(j.out, ':')
}
