package query

import (
	"bytes"
	"strings"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// fuzzinessKind is AUTO, AUTO:low,high, or an edit distance of 0 to 2.
var fuzzinessKind = &kind{"`AUTO`, `AUTO:low,high` or an integer 0..2", func(j *judge, v jsonstream.Value) error {
	if s, ok := stringText(v); ok && !isNumber(s) {
		if !isAutoFuzziness(s) {
			return j.refuse("expected AUTO, AUTO:low,high or an edit distance")
		}
		j.out = append(j.out, '"')
		j.out = append(j.out, bytes.ToUpper(s)...)
		j.out = append(j.out, '"')
		return nil
	}
	return editDistance.judge(j, v)
}}

var editDistance = intKind(0, 2)

func isAutoFuzziness(s []byte) bool {
	if len(s) < 4 || !strings.EqualFold(string(s[:4]), "auto") {
		return false
	}
	rest := s[4:]
	if len(rest) == 0 {
		return true
	}
	lo, hi, ok := bytes.Cut(rest[1:], []byte{','})
	return rest[0] == ':' && ok && isDigits(lo) && isDigits(hi)
}

func isDigits(s []byte) bool {
	if len(s) == 0 || len(s) > 9 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// msmKind is minimum_should_match: an integer, a percentage, or conditional forms
// such as `3<90%` separated by spaces.
var msmKind = &kind{"integer, or a string such as `75%`, `-1` or `3<90%`", func(j *judge, v jsonstream.Value) error {
	if v.Kind() == '0' {
		return anyInt.judge(j, v)
	}
	s, ok := stringText(v)
	if !ok || !isMinimumShouldMatch(s) {
		return j.refuse("expected an integer, a percentage or conditional forms such as 3<90%")
	}
	j.appendText(s)
	return nil
}}

func isMinimumShouldMatch(s []byte) bool {
	parts := bytes.Fields(s)
	if len(parts) == 0 {
		return false
	}
	for _, part := range parts {
		if i := bytes.IndexByte(part, '<'); i >= 0 {
			if !isDigits(part[:i]) {
				return false
			}
			part = part[i+1:]
		}
		part = bytes.TrimSuffix(bytes.TrimPrefix(part, []byte{'-'}), []byte{'%'})
		if !isDigits(part) {
			return false
		}
	}
	return true
}

// simpleFlagsKind is simple_query_string's flags: names joined by |, or a bit mask.
var simpleFlagsKind = &kind{"flag names joined by `|` (`ALL`, `AND`, `OR`, `NOT`, `PREFIX`, `PHRASE`, …) or an integer", func(j *judge, v jsonstream.Value) error {
	if v.Kind() == '0' {
		return anyInt.judge(j, v)
	}
	s, ok := stringText(v)
	if !ok {
		return j.refuse("expected flag names joined by |")
	}
	for _, f := range bytes.Split(s, []byte{'|'}) {
		switch strings.ToUpper(strings.TrimSpace(string(f))) {
		case "ALL", "NONE", "AND", "OR", "NOT", "PREFIX", "PHRASE", "PRECEDENCE", "ESCAPE", "WHITESPACE", "FUZZY", "NEAR", "SLOP":
		default:
			return j.refuse("unknown simple_query_string flag")
		}
	}
	j.appendText(s)
	return nil
}}

// geoPointKind is a point: {lat, lon}, [lon, lat], or a string (lat,lon, geohash, WKT).
var geoPointKind = &kind{"point: `{lat, lon}`, `[lon, lat]` or a string", func(j *judge, v jsonstream.Value) error {
	switch v.Kind() {
	case '{':
		return latLon.judge(j, v)
	case '[':
		if v.Len() < 2 || v.Len() > 3 {
			return j.refuse("expected [lon, lat]")
		}
		return j.elements(v, anyFloat)
	case '"':
		return stringKind.judge(j, v)
	}
	return j.refuse("expected a point")
}}

var latLon = obj(p("lat", anyFloat), p("lon", anyFloat))

// originKind is a decay function's origin: a number, a date or a point.
var originKind = &kind{"number, string or point", func(j *judge, v jsonstream.Value) error {
	switch v.Kind() {
	case '{', '[':
		return geoPointKind.judge(j, v)
	}
	return scalarKind.judge(j, v)
}}

// likeKind is more_like_this's like or unlike: text only. A document given by index and
// id is fetched outside the tenant filter, so it is refused (ISO-6).
var likeKind = &kind{"string or array of strings (free text; documents are refused)", func(j *judge, v jsonstream.Value) error {
	one := func(j *judge, e jsonstream.Value) error {
		if e.Kind() == '{' {
			return j.refuse("more_like_this naming documents reads them outside the tenant filter and is not allowed")
		}
		return stringKind.judge(j, e)
	}
	if v.Kind() == '[' {
		return j.elements(v, &kind{"text", one})
	}
	return one(j, v)
}}
