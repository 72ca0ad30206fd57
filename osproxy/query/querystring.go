package query

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// queryStringText is query_string's query: Lucene syntax whose field names are judged
// like any other field reference (ISO-11).
var queryStringText = &kind{"Lucene query text; every `field:` and `_exists_:field` in it is judged as a field (ISO-11)", func(j *judge, v jsonstream.Value) error {
	s, ok := stringText(v)
	if !ok {
		return j.refuse("expected the query text")
	}
	if reason := queryTextProblem(s); reason != "" {
		return j.refuse(reason)
	}
	j.appendText(s)
	return nil
}}

// queryTextProblem scans Lucene classic syntax conservatively: every term directly
// followed by ':' is a field name, and so is the term after `_exists_:`. Phrases,
// regular expressions and ranges are skipped whole (a ':' inside them is not a field
// separator); an unterminated one is refused rather than guessed at.
func queryTextProblem(s []byte) string {
	existsNext := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')' || c == ':' || c == '^' || c == '~':
			i++
			continue
		case c == '"' || c == '/':
			end := closing(s, i+1, c)
			if end < 0 {
				return "the query_string text has an unterminated phrase or regular expression"
			}
			i, existsNext = end+1, false
			continue
		case c == '[' || c == '{':
			end := closingRange(s, i+1)
			if end < 0 {
				return "the query_string text has an unterminated range"
			}
			i, existsNext = end+1, false
			continue
		}
		start := i
		for start < len(s) && (s[start] == '+' || s[start] == '-' || s[start] == '!') {
			start++
		}
		end := termEnd(s, start)
		term := s[start:end]
		isField := end < len(s) && s[end] == ':'
		if isField || existsNext {
			if p := fieldProblem(unescapeTerm(term), plainName); p != "" && !(isField && string(term) == "_exists_") {
				return "in the query_string text: " + p
			}
		}
		existsNext = isField && string(term) == "_exists_"
		if end == i {
			end++ // a lone operator character
		}
		i = end
	}
	if existsNext {
		return "in the query_string text: _exists_ names no field"
	}
	return ""
}

// termEnd returns where the term starting at i ends; a backslash escapes the next byte.
func termEnd(s []byte, i int) int {
	for i < len(s) {
		switch s[i] {
		case '\\':
			i += 2
			continue
		case ' ', '\t', '\n', '\r', '(', ')', '"', ':', '[', ']', '{', '}', '^', '~', '/':
			return i
		}
		i++
	}
	return len(s)
}

// closing returns the index of the unescaped q that closes what opened before i, or -1.
func closing(s []byte, i int, q byte) int {
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case q:
			return i
		}
	}
	return -1
}

// closingRange returns the index of the ] or } that closes a range, or -1.
func closingRange(s []byte, i int) int {
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ']', '}':
			return i
		}
	}
	return -1
}

// unescapeTerm decodes Lucene's escapes as its query parser does: \uXXXX is a character
// (so `\u005fid` is judged as `_id`), a backslash before any other byte is that byte.
func unescapeTerm(t []byte) []byte {
	if bytes.IndexByte(t, '\\') < 0 {
		return t
	}
	out := make([]byte, 0, len(t))
	for i := 0; i < len(t); i++ {
		switch {
		case t[i] != '\\' || i+1 == len(t):
			out = append(out, t[i])
		case t[i+1] == 'u' && i+6 <= len(t) && isHex4(t[i+2:i+6]):
			r, _ := strconv.ParseUint(string(t[i+2:i+6]), 16, 32)
			out = utf8.AppendRune(out, rune(r))
			i += 5
		default:
			i++
			out = append(out, t[i])
		}
	}
	return out
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
