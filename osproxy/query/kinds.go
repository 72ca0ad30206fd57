package query

import (
	"math"
	"strconv"
	"strings"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// kind judges one value and appends its canonical form to the judge's output. doc is
// what the allow-list of spec/11-query-language.md says of the value.
type kind struct {
	doc   string
	judge func(j *judge, v jsonstream.Value) error
}

// stringText returns the contents of a string value, unescaped. A string without
// escapes is returned as a slice of the body, without allocating.
func stringText(v jsonstream.Value) ([]byte, bool) {
	if v.Kind() != '"' {
		return nil, false
	}
	raw := v.Raw()
	if !hasEscape(raw) {
		return raw[1 : len(raw)-1], true
	}
	s, err := jsonstream.Unquote(raw)
	if err != nil {
		return nil, false
	}
	return []byte(s), true
}

// appendText appends s as a canonical JSON string.
func (j *judge) appendText(s []byte) {
	j.out = jsonstream.AppendBytes(j.out, s)
}

// numeral returns the text of a number: a JSON number token, or a string holding
// exactly a JSON number (ISO-2: OpenSearch coerces numeric strings). Other strings,
// hexadecimal, suffixed or infinite forms included, are not numbers.
func numeral(v jsonstream.Value) ([]byte, bool) {
	switch v.Kind() {
	case '0':
		return v.Raw(), true
	case '"':
		s, ok := stringText(v)
		return s, ok && isNumber(s)
	}
	return nil, false
}

// isNumber reports whether s is exactly a JSON number.
func isNumber(s []byte) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start || (s[start] == '0' && i-start > 1) {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	return i == len(s)
}

// integer reads a number as OpenSearch reads an integer parameter: a fraction is
// truncated toward zero (ISO-2).
func integer(s []byte) (int64, bool) {
	if n, err := strconv.ParseInt(string(s), 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(string(s), 64)
	if err != nil || math.IsInf(f, 0) || math.Abs(f) >= 1<<63 {
		return 0, false
	}
	return int64(f), true
}

// intKind accepts an integer in [lo, hi] and emits it plainly.
func intKind(lo, hi int64) *kind {
	doc := "integer"
	switch {
	case lo == 0 && hi == math.MaxInt32:
		doc = "integer ≥ 0"
	case lo == 1 && hi == math.MaxInt32:
		doc = "integer ≥ 1"
	case lo != math.MinInt32 || hi != math.MaxInt32:
		doc = "integer " + strconv.FormatInt(lo, 10) + ".." + strconv.FormatInt(hi, 10)
	}
	return &kind{doc, func(j *judge, v jsonstream.Value) error {
		s, ok := numeral(v)
		if !ok {
			return j.refuse("expected a number")
		}
		n, ok := integer(s)
		if !ok || n < lo || n > hi {
			return j.refuse("the number is out of range (" + doc + ")")
		}
		j.out = strconv.AppendInt(j.out, n, 10)
		return nil
	}}
}

// floatKind accepts a finite number and emits it in Go's shortest form.
func floatKind(nonNegative bool) *kind {
	doc := "number"
	if nonNegative {
		doc = "number ≥ 0"
	}
	return &kind{doc, func(j *judge, v jsonstream.Value) error {
		s, ok := numeral(v)
		if !ok {
			return j.refuse("expected a number")
		}
		f, err := strconv.ParseFloat(string(s), 64)
		if err != nil || math.IsInf(f, 0) || (nonNegative && f < 0) {
			return j.refuse("the number is out of range (" + doc + ")")
		}
		j.out = strconv.AppendFloat(j.out, f, 'g', -1, 64)
		return nil
	}}
}

// boolean reads true, false, "true" or "false" (ISO-2).
func boolean(v jsonstream.Value) (value, ok bool) {
	switch v.Kind() {
	case 't':
		return true, true
	case 'f':
		return false, true
	case '"':
		s, _ := stringText(v)
		switch string(s) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

var boolKind = &kind{"boolean", func(j *judge, v jsonstream.Value) error {
	b, ok := boolean(v)
	if !ok {
		return j.refuse("expected a boolean")
	}
	j.out = strconv.AppendBool(j.out, b)
	return nil
}}

// falseKind accepts only false: profile and explain would show the physical layout
// and the statistics of every tenant (ISO-6).
var falseKind = &kind{"`false` only", func(j *judge, v jsonstream.Value) error {
	b, ok := boolean(v)
	if !ok || b {
		return j.refuse("only false is allowed: it would show the shared index's layout and other tenants' statistics")
	}
	j.out = append(j.out, "false"...)
	return nil
}}

// enumKind accepts one of values in any letter case and emits it in lower case.
func enumKind(values ...string) *kind {
	return &kind{"one of `" + strings.Join(values, "`, `") + "`", func(j *judge, v jsonstream.Value) error {
		s, ok := stringText(v)
		if ok {
			for _, want := range values {
				if strings.EqualFold(string(s), want) {
					j.out = jsonstream.AppendString(j.out, want)
					return nil
				}
			}
		}
		return j.refuse("expected one of " + strings.Join(values, ", "))
	}}
}

var stringKind = &kind{"string", func(j *judge, v jsonstream.Value) error {
	s, ok := stringText(v)
	if !ok {
		return j.refuse("expected a string")
	}
	j.appendText(s)
	return nil
}}

// scalarKind is a value to match: a string, number or boolean, kept as given.
var scalarKind = &kind{"string, number or boolean", func(j *judge, v jsonstream.Value) error {
	switch v.Kind() {
	case '"':
		s, _ := stringText(v)
		j.appendText(s)
	case '0', 't', 'f':
		j.out = append(j.out, v.Raw()...)
	default:
		return j.refuse("expected a string, number or boolean")
	}
	return nil
}}

var scalarOrNullKind = &kind{"string, number, boolean or null", func(j *judge, v jsonstream.Value) error {
	if v.Kind() == 'n' {
		j.out = append(j.out, "null"...)
		return nil
	}
	return scalarKind.judge(j, v)
}}

var scalarsKind = &kind{"array of strings, numbers or booleans", func(j *judge, v jsonstream.Value) error {
	return j.elements(v, scalarKind)
}}

var stringsKind = &kind{"string or array of strings", func(j *judge, v jsonstream.Value) error {
	if v.Kind() == '[' {
		return j.elements(v, stringKind)
	}
	return stringKind.judge(j, v)
}}

// opaqueKind is a value OpenSearch only echoes or evaluates without reading documents
// (an aggregation's meta, a GeoJSON shape, script params): any JSON, re-emitted as it is.
var opaqueKind = &kind{"any JSON (echoed or evaluated, never a document reference)", func(j *judge, v jsonstream.Value) error {
	j.out = append(j.out, v.Raw()...)
	return nil
}}

// textPattern accepts a string made only of the given ASCII classes.
func textPattern(doc string, allowed func(c byte) bool) *kind {
	return &kind{doc, func(j *judge, v jsonstream.Value) error {
		s, ok := stringText(v)
		if !ok || len(s) == 0 || len(s) > 256 {
			return j.refuse("expected " + doc)
		}
		for _, c := range s {
			if !allowed(c) {
				return j.refuse("expected " + doc)
			}
		}
		j.appendText(s)
		return nil
	}}
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// timeKind is a duration: a string such as 10s, 500ms, 1m, or a number of milliseconds.
var timeKind = &kind{"duration (`10s`, `500ms`) or milliseconds", func(j *judge, v jsonstream.Value) error {
	if v.Kind() == '0' {
		return intKind(-1, math.MaxInt64).judge(j, v)
	}
	s, ok := stringText(v)
	if !ok || !isDuration(s) {
		return j.refuse("expected a duration such as 10s or 500ms")
	}
	j.appendText(s)
	return nil
}}

func isDuration(s []byte) bool {
	if string(s) == "-1" {
		return true
	}
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	if i == 0 {
		return false
	}
	switch string(s[i:]) {
	case "", "d", "h", "m", "s", "ms", "micros", "nanos":
		return true
	}
	return false
}
