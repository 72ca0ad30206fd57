package jsonstream

import (
	"encoding/json"
	"testing"
)

func TestKeyIs_RawKeys_ComparedAfterUnescaping(t *testing.T) {
	tests := []struct {
		raw, name string
		want      bool
	}{
		{`_tenant`, "_tenant", true},
		{`\u005ftenant`, "_tenant", true},
		{`\u005Ftenant`, "_tenant", true},
		{`_tenan\u0074`, "_tenant", true},
		{`_tenant\u0000`, "_tenant", false},
		{`_tenan`, "_tenant", false},
		{`_Tenant`, "_tenant", false},
		{`a\"b`, `a"b`, true},
		{`a\\b`, `a\b`, true},
		{`\/`, "/", true},
		{`\n\t\r\b\f`, "\n\t\r\b\f", true},
		{`\u00e9`, "é", true},
		{`\ud83d\ude00`, "😀", true},
		{`\ud800`, "\ufffd", true},
		{`\ud800\u0041`, "\ufffdA", true},
		{`\ud83d`, "\xed\xa0\xbd", false},
		{``, "", true},
		{`\`, `\`, true}, // malformed escapes are compared literally, never panic
		{`\u12`, `\u12`, true},
		{`\x`, `\x`, true},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			if got := KeyIs([]byte(tc.raw), tc.name); got != tc.want {
				t.Fatalf("KeyIs(%q, %q) = %v, want %v", tc.raw, tc.name, got, tc.want)
			}
			// KeyName decides the same, once the name is unescaped.
			var scratch [32]byte
			name, ok := KeyName([]byte(tc.raw), scratch[:])
			if !ok || (string(name) == tc.name) != tc.want {
				t.Fatalf("KeyName(%q) = %q, %v; compared with %q, want %v", tc.raw, name, ok, tc.name, tc.want)
			}
		})
	}
}

func TestKeyName_LongerThanScratch_MatchesNothing(t *testing.T) {
	var scratch [8]byte
	if name, ok := KeyName([]byte(`\u005flogical_index`), scratch[:]); ok || name != nil {
		t.Fatalf("KeyName of a name longer than its scratch = %q, %v; want nil, false", name, ok)
	}
	if name, ok := KeyName([]byte(`_logical_index`), scratch[:]); !ok || string(name) != "_logical_index" {
		t.Fatalf("KeyName of an unescaped name = %q, %v; want it unchanged, whatever its length", name, ok)
	}
	if n := testing.AllocsPerRun(100, func() { KeyName([]byte(`\u005ftenant`), scratch[:]) }); n != 0 {
		t.Fatalf("KeyName allocates %.0f times", n)
	}
}

func TestUnquote_StringTokens_DecodedLikeEncodingJSON(t *testing.T) {
	tests := []string{
		`""`, `"abc"`, `"a\"b\\c\/d"`, `"\b\f\n\r\t"`, `"\u00e9\u65e5"`, `"\ud83d\ude00"`,
		`"\ud800"`, `"\udc00\ud800"`, `"\ud800\u0041"`, `"日本"`, `"\u0000"`,
	}
	for _, raw := range tests {
		t.Run(raw, func(t *testing.T) {
			var want string
			if err := json.Unmarshal([]byte(raw), &want); err != nil {
				t.Fatal(err)
			}
			got, err := Unquote([]byte(raw))
			if err != nil || got != want {
				t.Fatalf("Unquote(%s) = %q, %v; want %q", raw, got, err, want)
			}
		})
	}
}

func TestUnquote_NotOneStringToken_SyntaxError(t *testing.T) {
	tests := []struct {
		raw    string
		offset int64
	}{
		{``, 0}, {`abc`, 0}, {` "a"`, 0}, {`"a" `, 3}, {`"a"b"`, 3}, {`"abc`, 4},
		{`"\x"`, 2}, {`"\u12"`, 5}, {"\"a\nb\"", 2}, {"\"\xff\"", 0}, {`1`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			_, err := Unquote([]byte(tc.raw))
			checkSyntax(t, err, false, tc.offset)
		})
	}
}

func TestCompareKeys_Pairs_OrderedByUnescapedBytes(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{`a`, `a`, 0}, {`a`, `b`, -1}, {`b`, `a`, 1}, {`a`, `ab`, -1}, {`ab`, `a`, 1},
		{`\u0061`, `a`, 0}, {`\u0061`, `b`, -1}, {`a\u0062`, `ab`, 0}, {`\ud800`, `\udfff`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.a+"~"+tc.b, func(t *testing.T) {
			got := compareKeys([]byte(tc.a), []byte(tc.b))
			if (got < 0) != (tc.want < 0) || (got > 0) != (tc.want > 0) {
				t.Fatalf("compareKeys(%q, %q) = %d, want sign of %d", tc.a, tc.b, got, tc.want)
			}
		})
	}
}
