package jsonstream

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

func TestAppendString_Inputs_EscapedAsJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"\n\r\t\b\f", `"\n\r\t\b\f"`},
		{"\x00\x1f\x7f", `"\u0000\u001f` + "\x7f" + `"`},
		{"é日本😀", `"é日本😀"`},
		{"a\xffb", `"a\ufffdb"`},
		{"\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`},
		{"\u2028\u2029", `"\u2028\u2029"`},
		{"<&>", `"<&>"`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := AppendString([]byte("prefix:"), tc.in)
			if string(got) != "prefix:"+tc.want {
				t.Fatalf("AppendString(%q) = %s, want %s", tc.in, got[7:], tc.want)
			}
			var back string
			if err := json.Unmarshal(got[7:], &back); err != nil {
				t.Fatalf("output %s does not decode: %v", got[7:], err)
			}
			if utf8.ValidString(tc.in) && back != tc.in {
				t.Fatalf("round trip gave %q, want %q", back, tc.in)
			}
		})
	}
}
