package jsonstream

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestMembers_Objects_YieldRawNamesAndTrimmedValues(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // name=value pairs
	}{
		{"empty", `{}`, nil},
		{"scalars", `{"a":1,"b":"x","c":true,"d":null,"e":-1.5}`, []string{`a=1`, `b="x"`, `c=true`, `d=null`, `e=-1.5`}},
		{"containers", `{"q":{"bool":{"must":[1,{"x":2}]}},"s":[]}`, []string{`q={"bool":{"must":[1,{"x":2}]}}`, `s=[]`}},
		{"pretty printed", "{\n \"a\" : [ 1 , 2 ] ,\n\t\"b\"\t:\t{ }\n}\n", []string{`a=[ 1 , 2 ]`, `b={ }`}},
		{"escapes kept raw", `{"\u005ftenant":"a\"b"}`, []string{`\u005ftenant="a\"b"`}},
		{"duplicates yielded in order", `{"a":1,"a":2}`, []string{`a=1`, `a=2`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			err := Members([]byte(tc.doc), func(k, v []byte) error {
				got = append(got, string(k)+"="+string(v))
				return nil
			})
			if err != nil || strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestElements_Arrays_YieldTrimmedValues(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"empty", `[ ]`, nil},
		{"mixed", "[1, \"a\" ,{\"b\":[2]},[ ],null]", []string{`1`, `"a"`, `{"b":[2]}`, `[ ]`, `null`}},
		{"nested arrays", `[[[1]],[2]]`, []string{`[[1]]`, `[2]`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			err := Elements([]byte(tc.doc), func(v []byte) error {
				got = append(got, string(v))
				return nil
			})
			if err != nil || strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestMembers_NotOneWellFormedObject_SyntaxError(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		offset int64
		msg    string
	}{
		{"array", `[1]`, 0, msgNotObject},
		{"string", ` "a"`, 1, msgNotObject},
		{"empty", ``, 0, msgEOF},
		{"truncated", `{"a":1`, 6, msgEOF},
		{"trailing garbage", `{"a":1} {}`, 8, msgTrailing},
		{"invalid UTF-8", "{\"a\":\"\xff\"}", 5, msgUTF8},
		{"bad value", `{"a":01}`, 6, msgAfterPair},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Members([]byte(tc.doc), func(k, v []byte) error { return nil })
			checkSyntax(t, err, false, tc.offset)
			if msg := err.(*SyntaxError).Msg; msg != tc.msg {
				t.Fatalf("msg = %q, want %q", msg, tc.msg)
			}
		})
	}
}

func TestElements_NotAnArray_SyntaxError(t *testing.T) {
	err := Elements([]byte(`{"a":1}`), func([]byte) error { return nil })
	checkSyntax(t, err, false, 0)
	if err.(*SyntaxError).Msg != msgNotArray {
		t.Fatalf("msg = %q", err.(*SyntaxError).Msg)
	}
}

func TestMembers_GrammarCases_AgreeWithValidate(t *testing.T) {
	for _, tc := range grammarCases {
		t.Run(tc.name, func(t *testing.T) {
			doc := `{"k":` + tc.doc + `}`
			err := Members([]byte(doc), func(k, v []byte) error { return nil })
			if (err == nil) != tc.valid {
				t.Fatalf("err = %v, want valid %v", err, tc.valid)
			}
		})
	}
}

func TestMembers_CallbackError_StopsWalk(t *testing.T) {
	errStop := errors.New("stop")
	calls := 0
	err := Members([]byte(`{"a":1,"b":2,"c":3}`), func(k, v []byte) error {
		calls++
		if string(k) == "b" {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) || calls != 2 {
		t.Fatalf("err = %v after %d calls, want errStop after 2", err, calls)
	}
}

func TestKind_Values_ClassifiedByFirstByte(t *testing.T) {
	tests := []struct {
		value string
		want  byte
	}{
		{`{}`, '{'}, {`[1]`, '['}, {`"s"`, '"'}, {`null`, 'n'}, {`true`, 't'}, {`false`, 'f'},
		{`0`, '0'}, {`-1`, '0'}, {`9.5`, '0'}, {``, 0}, {`x`, 0}, {` 1`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			if got := Kind([]byte(tc.value)); got != tc.want {
				t.Fatalf("Kind(%q) = %q, want %q", tc.value, got, tc.want)
			}
		})
	}
}

func TestMembersTrusted_ValidDocuments_SameAsMembers(t *testing.T) {
	for _, doc := range []string{`{}`, ` { "a" : 1 , "b":[1,{"c":"d"}],"e":{"f":null}, "\u0067":"h\"i" } `, `{"x":true}`} {
		var want, got [][2]string
		_ = Members([]byte(doc), func(k, v []byte) error { want = append(want, [2]string{string(k), string(v)}); return nil })
		if err := MembersTrusted([]byte(doc), func(k, v []byte) error { got = append(got, [2]string{string(k), string(v)}); return nil }); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: got %q, want %q", doc, got, want)
		}
	}
	for _, bad := range []string{`{"a":}`, `{"a":1,}`, `[1]`, `{"a":1} x`} {
		if MembersTrusted([]byte(bad), func(k, v []byte) error { return nil }) == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

func TestElementsTrusted_ValidArrays_SameAsElements(t *testing.T) {
	for _, doc := range []string{`[]`, ` [ 1 , "a" , {"b":[2]} , [ ] , null ] `} {
		var want, got []string
		_ = Elements([]byte(doc), func(v []byte) error { want = append(want, string(v)); return nil })
		if err := ElementsTrusted([]byte(doc), func(v []byte) error { got = append(got, string(v)); return nil }); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: got %q, want %q", doc, got, want)
		}
	}
	for _, bad := range []string{`[1,]`, `[1 2]`, `{}`, `[1] x`} {
		if ElementsTrusted([]byte(bad), func(v []byte) error { return nil }) == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
