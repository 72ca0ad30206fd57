package jsonstream

import (
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// tokenWalk validates doc one token at a time through next, from memory and without the
// UTF-8 check, which is how TransformHits validated every byte before skim existed. It
// is the oracle for skim: TransformHits must return exactly its error, offset and
// message included, whatever the chunking of the input. maxDepth is as in Options.
func tokenWalk(doc []byte, maxDepth int) error {
	var p parser
	p.init(maxDepth)
	p.r.initBytes(doc)
	for {
		tok, err := p.next()
		if err != nil || tok == tokEOF {
			return err
		}
	}
}

// sameSyntaxError reports whether got and want are both nil or both *SyntaxError with
// the same offset and message.
func sameSyntaxError(got, want error) bool {
	var g, w *SyntaxError
	if want == nil || got == nil {
		return got == nil && want == nil
	}
	return errors.As(got, &g) && errors.As(want, &w) && *g == *w
}

// chunkReader returns at most n bytes per Read, so that tokens straddle refills at
// places other than the fixed readers choose.
type chunkReader struct {
	r io.Reader
	n int
}

func (c chunkReader) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// skimTokens are values of every shape skim takes itself or hands to next: short and
// long, escaped, at and beyond its limits, and malformed.
var skimTokens = []string{
	`"k"`, `""`, `"doc_count"`, `"a somewhat longer string value, past eight bytes"`,
	`"a\"b"`, `"\u00e9\ud83d\ude00"`, `"é日本"`, "\"\xff\"", "\"a\tb\"", `"\x"`, `"\u12g4"`,
	`0`, `7`, `42`, `-1`, `-0`, `0.5`, `23.5`, `-12.25`, `1234567`, `12345678`, `0.1234567`,
	`0.12345678`, `1e5`, `1E+5`, `2.5e-3`, `01`, `-01`, `1.`, `1.x`, `.5`, `-`, `--1`, `1ex`,
	`true`, `false`, `null`, `tru`, `nul1`, `True`,
	`{}`, `[]`, `{"a":1}`, `[1,"x",{"b":[null,true]}]`, `{"a":{"b":{"c":[[[]]]}}}`,
	"{ \"a\" : [ 1 ,\n\t2 ] , \"b\" :\r\n{} }", `{"a" 1}`, `{"a":1,}`, `[1,]`, `[1 2]`,
	`{a:1}`, `[1}`, `{"a":1]`, `{"a":1}}`, `]`, `}`, `,`, `:`, `x`,
}

// TestTransformHits_TokensAnywhere_SameResultAsTokenWalk puts each token inside an
// aggregation and inside a hit, shifted so that it straddles the end of the read buffer
// at every offset, and checks the output or the error against the token walk.
func TestTransformHits_TokensAnywhere_SameResultAsTokenWalk(t *testing.T) {
	const head = `{"took":1,"aggregations":{"pad":"`
	chunked := []func(io.Reader) io.Reader{
		readers[0].wrap,
		func(r io.Reader) io.Reader { return chunkReader{r, 1000} },
	}
	for _, tok := range skimTokens {
		// skim looks up to 18 bytes ahead of a token.
		for shift := 0; shift < len(tok)+20; shift++ {
			pad := strings.Repeat("a", bufSize-len(head)-len(`","v":[`)-shift)
			agg := head + pad + `","v":[` + tok + `,{"w":` + tok + `}]}`
			in := agg + `,"hits":{"hits":[` + tok + `]}}`
			want := agg + `,"hits":{"hits":[<` + tok + `>]}}`
			wantErr := tokenWalk([]byte(in), 0)
			for k, wrap := range chunked {
				got, err := transformString(t, in, wrap, bracketHit, Options{})
				if !sameSyntaxError(err, wantErr) {
					t.Fatalf("token %q shift %d reader %d: err %v, want %v", tok, shift, k, err, wantErr)
				}
				if err == nil && got != want {
					t.Fatalf("token %q shift %d reader %d: output differs", tok, shift, k)
				}
			}
		}
	}
}

// TestTransformHits_GrammarCasesNested_SameErrorAsTokenWalk embeds each grammar case
// where skim reads it, with input in chunks of every small size.
func TestTransformHits_GrammarCasesNested_SameErrorAsTokenWalk(t *testing.T) {
	wrappers := []struct{ name, before, after string }{
		{"aggregation", `{"aggregations":{"a":[`, `]}}`},
		{"hit", `{"hits":{"hits":[`, `]}}`},
		{"deep", `{"x":[[{"y":{"z":`, `}}]]}`},
	}
	for _, tc := range grammarCases {
		for _, w := range wrappers {
			in := w.before + tc.doc + w.after
			wantErr := tokenWalk([]byte(in), 0)
			for n := 1; n <= 20; n++ {
				wrap := func(r io.Reader) io.Reader { return chunkReader{r, n} }
				got, err := transformString(t, in, wrap, identityHit, Options{})
				if !sameSyntaxError(err, wantErr) || (err == nil && got != in) {
					t.Fatalf("%s in %s, chunks of %d: err %v, want %v", tc.name, w.name, n, err, wantErr)
				}
			}
		}
	}
}

// TestTransformHits_DeepNesting_LeftToTokenWalk crosses the depth the skim loop handles
// itself, inside a value it skips and inside a hit.
func TestTransformHits_DeepNesting_LeftToTokenWalk(t *testing.T) {
	for _, depth := range []int{inlineLevels - 2, inlineLevels, inlineLevels + 3, 1000} {
		inner := strings.Repeat(`{"a":[`, depth) + `1` + strings.Repeat(`]}`, depth)
		for _, in := range []string{
			`{"aggregations":` + inner + `,"hits":{"hits":[` + inner + `]}}`,
			`{"aggregations":` + inner[:len(inner)-1] + `,"x":1}`,
		} {
			_, err := transformString(t, in, iotest.HalfReader, identityHit, Options{MaxDepth: 2*depth + 4})
			if wantErr := tokenWalk([]byte(in), 2*depth+4); !sameSyntaxError(err, wantErr) {
				t.Fatalf("depth %d: err %v, want %v", depth, err, wantErr)
			}
		}
	}
}

// TestStringStops_EveryByteInEveryLane_FindsTheFirstStop checks the SWAR test against a
// byte-at-a-time one, with fillers that provoke borrows across lanes.
func TestStringStops_EveryByteInEveryLane_FindsTheFirstStop(t *testing.T) {
	isStop := func(c byte) bool { return c < 0x20 || c == '"' || c == '\\' }
	checkLanes(t, stringStops, isStop)
}

// TestDigitLanes_EveryByteInEveryLane_CountsLeadingDigits does the same for digitLanes.
func TestDigitLanes_EveryByteInEveryLane_CountsLeadingDigits(t *testing.T) {
	notDigit := func(c byte) bool { return !isDigit(c) }
	checkLanes(t, func(x uint64) uint64 {
		n := digitLanes(x)
		if n == 8 {
			return 0
		}
		return 0x80 << (8 * n)
	}, notDigit)
}

// checkLanes compares the lowest lane marked by mark with the first byte for which stop
// holds, for every byte value in every lane among fillers of both kinds.
func checkLanes(t *testing.T, mark func(uint64) uint64, stop func(byte) bool) {
	t.Helper()
	fillers := []byte{'a', '0', '9', ' ', '!', '#', '"', '\\', 0x00, 0x1f, 0x7f, 0x80, 0xff}
	for c := range 256 {
		for lane := range 8 {
			for _, fill := range fillers {
				var b [8]byte
				for k := range b {
					b[k] = fill
				}
				b[lane] = byte(c)
				want := 8
				for k := range b {
					if stop(b[k]) {
						want = k
						break
					}
				}
				got := 8
				if m := mark(binary.LittleEndian.Uint64(b[:])); m != 0 {
					got = trailingLane(m)
				}
				if got != want {
					t.Fatalf("byte %#x in lane %d among %#x: first stop %d, want %d", c, lane, fill, got, want)
				}
			}
		}
	}
}

func trailingLane(m uint64) int {
	for k := range 8 {
		if m>>(8*k+7)&1 != 0 {
			return k
		}
	}
	return 8
}
