package query

import (
	"bytes"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// scriptKind is a script: refused unless inline scripts are allowed (ISO-12); then an
// inline source whose only reads of documents are doc['literal'] of judged fields
// (ISO-13). Stored scripts are shared by every tenant of the cluster and always refused.
var scriptKind = &kind{"script: a source string, or `{source, lang, params, options}` (ISO-12, ISO-13)", judgeScript}

var scriptObject = obj(p("source", scriptSource), p("lang", enumKind("painless", "expression")),
	p("params", opaqueKind), p("options", opaqueKind))

var scriptSource = &kind{"script source (ISO-13)", func(j *judge, v jsonstream.Value) error {
	s, ok := stringText(v)
	if !ok {
		return j.refuse("expected the script's source")
	}
	if reason := scriptProblem(s); reason != "" {
		return j.refuse(reason)
	}
	j.appendText(s)
	return nil
}}

func judgeScript(j *judge, v jsonstream.Value) error {
	if !j.pol.AllowScripts {
		return j.refuse("scripts are disabled on this proxy (allow_inline_scripts)")
	}
	if v.Kind() == '{' && v.Member("id").Valid() {
		return j.refuse("stored scripts are shared by every tenant and are not allowed")
	}
	if v.Kind() == '"' {
		return scriptSource.judge(j, v)
	}
	return scriptObject.judge(j, v)
}

// forbiddenWords are names a script may not mention anywhere, as an identifier or in a
// string: they reach the source document, the update context, the layout or the
// reserved fields.
var forbiddenWords = [][]byte{[]byte("_source"), []byte("ctx"), []byte("_id"), []byte("_index"),
	[]byte("_routing"), []byte("_tenant"), []byte("_logical_index"), []byte("_fields"), []byte("_type")}

// scriptProblem returns why a script source is refused, or "". It scans the source as a
// Painless (or expression) lexer would, conservatively: identifiers, string literals,
// comments; every doc must be doc['literal'].
func scriptProblem(src []byte) string {
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '/' && i+1 < len(src) && (src[i+1] == '/' || src[i+1] == '*'):
			i = skipComment(src, i)
		case c == '\'' || c == '"':
			lit, end, ok := stringLiteral(src, i)
			if !ok {
				return "the script has an unterminated string"
			}
			if mentionsForbidden(lit) {
				return "the script names a reserved, metadata or source field"
			}
			i = end
		case isIdentStart(c):
			j := i
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			ident := src[i:j]
			if isForbidden(ident) {
				return "the script reads the source, the context or the layout (" + string(ident) + ")"
			}
			var reason string
			switch string(ident) {
			case "doc":
				j, reason = docAccess(src, j)
			case "params":
				j, reason = paramsAccess(src, j)
			case "field":
				if k := skipSpaces(src, j); k < len(src) && src[k] == '(' {
					reason = "a script may read documents only as doc['field']"
				}
			}
			if reason != "" {
				return reason
			}
			i = j
		default:
			i++
		}
	}
	return ""
}

// docAccess checks what follows doc at i: [ 'literal' ] with a plain field, and returns
// where it ends.
func docAccess(src []byte, i int) (int, string) {
	const only = "a script may read documents only as doc['field'] with a literal, plain field name"
	i = skipSpaces(src, i)
	if i >= len(src) || src[i] != '[' {
		return i, only
	}
	i = skipSpaces(src, i+1)
	if i >= len(src) || (src[i] != '\'' && src[i] != '"') {
		return i, only
	}
	lit, end, ok := stringLiteral(src, i)
	if !ok {
		return i, only
	}
	if p := fieldProblem(lit, plainName); p != "" {
		return i, "doc['…'] in a script: " + p
	}
	end = skipSpaces(src, end)
	if end >= len(src) || src[end] != ']' {
		return end, only
	}
	return end + 1, ""
}

// paramsAccess checks what follows params at i: .name, not called. Anything else
// (params['…'], params.get(…), params passed on) could compute the name _source, which
// the search contexts put in params.
func paramsAccess(src []byte, i int) (int, string) {
	const only = "a script may read its params only as params.name"
	i = skipSpaces(src, i)
	if i >= len(src) || src[i] != '.' {
		return i, only
	}
	i = skipSpaces(src, i+1)
	j := i
	for j < len(src) && isIdentPart(src[j]) {
		j++
	}
	if j == i || isForbidden(src[i:j]) {
		return j, only
	}
	if k := skipSpaces(src, j); k < len(src) && src[k] == '(' {
		return j, only
	}
	return j, ""
}

// stringLiteral reads a quoted literal at i; it returns the raw contents (escapes kept:
// a field name needs none) and the index after the closing quote.
func stringLiteral(src []byte, i int) ([]byte, int, bool) {
	q := src[i]
	for k := i + 1; k < len(src); k++ {
		switch src[k] {
		case '\\':
			k++
		case q:
			return src[i+1 : k], k + 1, true
		}
	}
	return nil, 0, false
}

func skipComment(src []byte, i int) int {
	if src[i+1] == '/' {
		if k := bytes.IndexByte(src[i:], '\n'); k >= 0 {
			return i + k + 1
		}
		return len(src)
	}
	if k := bytes.Index(src[i+2:], []byte("*/")); k >= 0 {
		return i + 2 + k + 2
	}
	return len(src)
}

func skipSpaces(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i++
	}
	return i
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func isForbidden(ident []byte) bool {
	for _, w := range forbiddenWords {
		if bytes.Equal(ident, w) {
			return true
		}
	}
	return false
}

// mentionsForbidden reports whether a string literal contains a forbidden word, however
// it is embedded ('_sou' + 'rce' is caught by the other half of the check: it is not a
// literal doc field, and params['…'] of a forbidden name is caught here).
func mentionsForbidden(lit []byte) bool {
	if bytes.IndexByte(lit, '\\') >= 0 {
		return true // an escape could spell anything; a script needs none in a name
	}
	for _, w := range forbiddenWords {
		if bytes.Contains(lit, w) {
			return true
		}
	}
	return false
}
