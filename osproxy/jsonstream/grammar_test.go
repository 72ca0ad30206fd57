package jsonstream

import (
	"strings"
	"testing"
)

// grammarCase is a document whose validity every entry point must agree on. offset is
// where the *SyntaxError must point for an invalid one.
type grammarCase struct {
	name   string
	doc    string
	valid  bool
	offset int64
}

// grammarCases are shared by Validate, TransformHits and the in-memory walkers so that
// they cannot drift apart. None has a duplicate key or invalid UTF-8, on which the entry
// points deliberately differ.
var grammarCases = []grammarCase{
	{name: "empty object", doc: `{}`, valid: true},
	{name: "scalar root", doc: `1`, valid: true},
	{name: "string root", doc: `"a"`, valid: true},
	{name: "literals", doc: `[true,false,null]`, valid: true},
	{name: "numbers", doc: `[0,-0,1.5,-1.5e10,2E-3,1e+2,123456789012345678901234567890]`, valid: true},
	{name: "escapes", doc: `["\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00"]`, valid: true},
	{name: "lone surrogate escape", doc: `{"a":"\ud800"}`, valid: true},
	{name: "pretty printed", doc: "{\n  \"a\" : [\r\n\t1 ,\n 2\n ]\n}\n", valid: true},
	{name: "surrounding whitespace", doc: " \t\r\n{} \n", valid: true},
	{name: "nested", doc: `{"a":{"b":[{"c":[[]]}]}}`, valid: true},
	{name: "non-ASCII", doc: `{"é":"日本"}`, valid: true},

	{name: "empty input", doc: ``, offset: 0},
	{name: "only whitespace", doc: "  \n", offset: 3},
	{name: "truncated object", doc: `{"a":1`, offset: 6},
	{name: "truncated key", doc: `{"a`, offset: 3},
	{name: "truncated after colon", doc: `{"a":`, offset: 5},
	{name: "truncated string", doc: `"abc`, offset: 4},
	{name: "truncated escape", doc: `"\u00`, offset: 5},
	{name: "truncated literal", doc: `tru`, offset: 3},
	{name: "truncated number", doc: `-`, offset: 1},
	{name: "truncated fraction", doc: `1.`, offset: 2},
	{name: "truncated exponent", doc: `1e+`, offset: 3},
	{name: "trailing garbage", doc: `{}x`, offset: 2},
	{name: "two values", doc: `{} {}`, offset: 3},
	{name: "trailing comma in array", doc: `[1,]`, offset: 3},
	{name: "trailing comma in object", doc: `{"a":1,}`, offset: 7},
	{name: "missing colon", doc: `{"a" 1}`, offset: 5},
	{name: "missing comma", doc: `[1 2]`, offset: 3},
	{name: "unquoted key", doc: `{a:1}`, offset: 1},
	{name: "single quotes", doc: `['a']`, offset: 1},
	{name: "bad escape", doc: `"\x"`, offset: 2},
	{name: "bad unicode escape", doc: `"\u12g4"`, offset: 5},
	{name: "raw control character", doc: "\"a\tb\"", offset: 2},
	{name: "raw newline", doc: "\"a\nb\"", offset: 2},
	{name: "leading zero", doc: `01`, offset: 1},
	{name: "leading zero in array", doc: `[00]`, offset: 2},
	{name: "plus sign", doc: `+1`, offset: 0},
	{name: "bare fraction", doc: `.5`, offset: 0},
	{name: "hex number", doc: `0x1`, offset: 1},
	{name: "NaN", doc: `NaN`, offset: 0},
	{name: "bad literal", doc: `nul1`, offset: 3},
	{name: "capitalised literal", doc: `True`, offset: 0},
	{name: "mismatched close", doc: `[1}`, offset: 2},
	{name: "close without open", doc: `]`, offset: 0},
	{name: "byte order mark", doc: "\ufeff{}", offset: 0},
	{name: "comment", doc: `{}//`, offset: 2},
}

// nested returns n arrays nested in each other.
func nested(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }

func TestValidate_GrammarCases_AgreeWithRFC8259(t *testing.T) {
	for _, tc := range grammarCases {
		t.Run(tc.name, func(t *testing.T) {
			checkSyntax(t, Validate([]byte(tc.doc), 0), tc.valid, tc.offset)
		})
	}
}

// checkSyntax asserts that err is nil for a valid document and otherwise a *SyntaxError
// at offset.
func checkSyntax(t *testing.T, err error, valid bool, offset int64) {
	t.Helper()
	if valid {
		if err != nil {
			t.Fatalf("err = %v, want nil", err)
		}
		return
	}
	se, ok := err.(*SyntaxError)
	if !ok {
		t.Fatalf("err = %#v, want *SyntaxError", err)
	}
	if se.Offset != offset {
		t.Fatalf("offset = %d (%s), want %d", se.Offset, se.Msg, offset)
	}
}

func TestValidate_StrictRules_Refused(t *testing.T) {
	tests := []struct {
		name     string
		doc      string
		maxDepth int
		valid    bool
		offset   int64
		msg      string
	}{
		{name: "duplicate key", doc: `{"a":1,"a":2}`, offset: 7, msg: msgDuplicate},
		{name: "duplicate key in nested object", doc: `[{"x":{"b":1,"c":2,"b":3}}]`, offset: 19, msg: msgDuplicate},
		{name: "duplicate after unescaping", doc: `{"_tenant":1,"\u005ftenant":2}`, offset: 13, msg: msgDuplicate},
		{name: "duplicate surrogate pair and raw UTF-8", doc: `{"😀":1,"\ud83d\ude00":2}`, offset: 10, msg: msgDuplicate},
		{name: "lone surrogates both read as U+FFFD", doc: `{"\ud800":1,"\udc00":2}`, offset: 12, msg: msgDuplicate},
		{name: "lone surrogate equals literal U+FFFD", doc: `{"\ud800":1,"` + "\ufffd" + `":2}`, offset: 12, msg: msgDuplicate},
		{name: "duplicate in large object", doc: largeObject(40, 33, 7), offset: 33*8 + 1, msg: msgDuplicate},
		{name: "distinct keys in large object", doc: largeObject(40, -1, -1), valid: true},
		{name: "same key in sibling objects", doc: `[{"a":1},{"a":2}]`, valid: true},
		{name: "same key at different depths", doc: `{"a":{"a":{"a":1}}}`, valid: true},
		{name: "prefix keys are distinct", doc: `{"a":1,"ab":2,"a\u0062c":3}`, valid: true},
		{name: "invalid UTF-8 in string", doc: "[\"a\xffb\"]", offset: 1, msg: msgUTF8},
		{name: "encoded surrogate is invalid UTF-8", doc: "\"\xed\xa0\x80\"", offset: 0, msg: msgUTF8},
		{name: "invalid UTF-8 in key", doc: "{\"\xc3\":1}", offset: 1, msg: msgUTF8},
		{name: "depth at limit", doc: nested(3), maxDepth: 3, valid: true},
		{name: "depth over limit", doc: nested(4), maxDepth: 3, offset: 3, msg: msgDepth},
		{name: "default depth at limit", doc: nested(10000), valid: true},
		{name: "default depth over limit", doc: nested(10001), offset: 10000, msg: msgDepth},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate([]byte(tc.doc), tc.maxDepth)
			checkSyntax(t, err, tc.valid, tc.offset)
			if !tc.valid && err.(*SyntaxError).Msg != tc.msg {
				t.Fatalf("msg = %q, want %q", err.(*SyntaxError).Msg, tc.msg)
			}
		})
	}
}

// largeObject returns an object with n members "k00".."k{n-1}" of 8 bytes each after the
// brace; member dupOf is renamed to repeat member dupAt's name, when both are >= 0.
func largeObject(n, dupOf, dupAt int) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		k := i
		if i == dupOf && dupAt >= 0 {
			k = dupAt
		}
		b.WriteString(`"k` + string(rune('0'+k/10)) + string(rune('0'+k%10)) + `":1`)
	}
	b.WriteByte('}')
	return b.String()
}

func TestSyntaxError_Error_StatesOffsetWithoutContent(t *testing.T) {
	err := Validate([]byte(`{"secret-tenant-value" x}`), 0)
	want := "jsonstream: syntax error at offset 23: " + msgColon
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}
