package query

import (
	"bytes"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// fieldMode says which field names a context accepts besides plain names (ISO-8..10):
// zero is a plain name, no pattern and nothing starting with _.
type fieldMode uint8

const (
	allowPattern  fieldMode = 1 << iota // resolved against each hit's own values (ISO-10)
	allowID                             // _id, which the caller translates or shapes (ISO-9)
	allowScoreDoc                       // _score and _doc (sorts)
	allowSeqNo                          // _seq_no (random_score.field)
	allowNone                           // _none_ (stored_fields)

	plainName fieldMode = 0
)

// maxFieldLen bounds a field name; OpenSearch's own limit on a path is far below it.
const maxFieldLen = 1024

// fieldProblem returns why name may not be used in mode, or "" when it may.
func fieldProblem(name []byte, mode fieldMode) string {
	if len(name) == 0 || len(name) > maxFieldLen {
		return "expected a field name of 1 to 1024 bytes"
	}
	pattern := bytes.ContainsAny(name, "*?")
	if pattern && mode&allowPattern == 0 {
		return "field patterns are not allowed here: OpenSearch expands them against the mapping every tenant shares"
	}
	if name[0] != '_' || pattern {
		return ""
	}
	switch s := string(name); {
	case s == "_id" && mode&allowID != 0,
		(s == "_score" || s == "_doc") && mode&allowScoreDoc != 0,
		s == "_seq_no" && mode&allowSeqNo != 0,
		s == "_none_" && mode&allowNone != 0:
		return ""
	case s == "_id":
		return "_id is not allowed here; it is supported in ids, term and terms queries, a top-level sort and search_after"
	}
	return "fields starting with _ name the shared index's layout (reserved fields, routing, metadata) and are not allowed"
}

// field judges a field name value in mode and emits it canonically.
func (j *judge) field(v jsonstream.Value, mode fieldMode) ([]byte, error) {
	s, ok := stringText(v)
	if !ok {
		return nil, j.refuse("expected a field name")
	}
	if p := fieldProblem(s, mode); p != "" {
		return nil, j.refuse(p)
	}
	j.appendText(s)
	return s, nil
}

// fieldKey judges the member name of v as a field in mode and emits it with its colon.
// It returns the unescaped name.
func (j *judge) fieldKey(v jsonstream.Value, mode fieldMode) ([]byte, error) {
	raw := v.Key()
	s := raw
	if hasEscape(raw) {
		u, err := jsonstream.Unquote(append(append([]byte{'"'}, raw...), '"'))
		if err != nil {
			return nil, j.refuse("expected a field name")
		}
		s = []byte(u)
	}
	if p := fieldProblem(s, mode); p != "" {
		return nil, j.refuse(p)
	}
	j.appendText(s)
	j.out = append(j.out, ':')
	return s, nil
}

func fieldKind(mode fieldMode, doc string) *kind {
	return &kind{doc, func(j *judge, v jsonstream.Value) error {
		_, err := j.field(v, mode)
		return err
	}}
}

var (
	plainField   = fieldKind(plainName, "field")
	patternField = fieldKind(allowPattern, "field or pattern")
	seqNoField   = fieldKind(allowSeqNo, "field or `_seq_no`")
)

// fieldsKind is a field or an array of fields in mode.
func fieldsKind(mode fieldMode, doc string) *kind {
	one := fieldKind(mode, doc)
	return &kind{doc + ", or an array of them", func(j *judge, v jsonstream.Value) error {
		if v.Kind() == '[' {
			return j.elements(v, one)
		}
		return one.judge(j, v)
	}}
}

// boostedFields is the fields list of the full-text queries: names with an optional
// ^boost, no pattern (ISO-10).
var boostedFields = &kind{"array of fields, each with an optional `^boost`", func(j *judge, v jsonstream.Value) error {
	return j.elements(v, boostedField)
}}

var boostedField = &kind{"field with an optional `^boost`", func(j *judge, v jsonstream.Value) error {
	s, ok := stringText(v)
	if !ok {
		return j.refuse("expected a field name")
	}
	name := s
	if i := bytes.IndexByte(s, '^'); i >= 0 {
		name = s[:i]
		if !isNumber(s[i+1:]) {
			return j.refuse("expected a field name with an optional ^boost")
		}
	}
	if p := fieldProblem(name, plainName); p != "" {
		return j.refuse(p)
	}
	j.appendText(s)
	return nil
}}

// fieldSuffix is quote_field_suffix: appended to the judged field names, it may only
// make a sub-field name, never a pattern or a metadata field.
var fieldSuffix = textPattern("a sub-field suffix such as `.exact`", func(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '-'
})
