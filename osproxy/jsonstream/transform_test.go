package jsonstream

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// readers feed a document whole and in awkward pieces, so that every token, member name
// and hit also straddles refills.
var readers = []struct {
	name string
	wrap func(io.Reader) io.Reader
}{
	{"whole", func(r io.Reader) io.Reader { return r }},
	{"one byte", iotest.OneByteReader},
	{"halves", iotest.HalfReader},
	{"data with EOF", iotest.DataErrReader},
}

func identityHit(dst, hit []byte) ([]byte, error) { return append(dst, hit...), nil }

// bracketHit marks each hit so tests can see exactly which bytes were handed to fn.
func bracketHit(dst, hit []byte) ([]byte, error) {
	dst = append(dst, '<')
	dst = append(dst, hit...)
	return append(dst, '>'), nil
}

func transformString(t *testing.T, doc string, wrap func(io.Reader) io.Reader, fn HitFunc, opt Options) (string, error) {
	t.Helper()
	var out bytes.Buffer
	n, err := TransformHits(&out, wrap(strings.NewReader(doc)), fn, opt)
	if n != int64(out.Len()) {
		t.Fatalf("returned %d bytes written, wrote %d", n, out.Len())
	}
	return out.String(), err
}

func TestTransformHits_ValidDocuments_RewritesOnlyTopLevelHits(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"two hits",
			`{"took":1,"hits":{"total":{"value":2},"hits":[{"_id":"a"},{"_id":"b"}]}}`,
			`{"took":1,"hits":{"total":{"value":2},"hits":[<{"_id":"a"}>,<{"_id":"b"}>]}}`},
		{"pretty printed",
			"{\n  \"hits\" : {\n    \"hits\" : [\n      {\n        \"_id\" : \"a\"\n      } ,\n\t\"s\"\r\n    ]\n  }\n}\n",
			"{\n  \"hits\" : {\n    \"hits\" : [\n      <{\n        \"_id\" : \"a\"\n      }> ,\n\t<\"s\">\r\n    ]\n  }\n}\n"},
		{"scalar hits", `{"hits":{"hits":[1,-2.5e3,"x",true,null,[]]}}`, `{"hits":{"hits":[<1>,<-2.5e3>,<"x">,<true>,<null>,<[]>]}}`},
		{"hits absent", `{"took":1,"aggregations":{}}`, `{"took":1,"aggregations":{}}`},
		{"hits empty", `{"hits":{"hits":[]}}`, `{"hits":{"hits":[]}}`},
		{"hits empty with space", `{"hits":{"hits":[ ]}}`, `{"hits":{"hits":[ ]}}`},
		{"inner hits not an array", `{"hits":{"hits":{"a":[1]}}}`, `{"hits":{"hits":{"a":[1]}}}`},
		{"inner hits a string", `{"hits":{"hits":"x"}}`, `{"hits":{"hits":"x"}}`},
		{"top hits an array", `{"hits":[{"hits":[1]}]}`, `{"hits":[{"hits":[1]}]}`},
		{"top hits null", `{"hits":null,"x":{"hits":[1]}}`, `{"hits":null,"x":{"hits":[1]}}`},
		{"nested hits inside a hit", `{"hits":{"hits":[{"inner_hits":{"c":{"hits":{"hits":[1]}}}}]}}`, `{"hits":{"hits":[<{"inner_hits":{"c":{"hits":{"hits":[1]}}}}>]}}`},
		{"hits deeper than top level", `{"aggregations":{"hits":{"hits":[1]}},"x":[{"hits":{"hits":[2]}}]}`, `{"aggregations":{"hits":{"hits":[1]}},"x":[{"hits":{"hits":[2]}}]}`},
		{"hits array nested in sibling of hits", `{"hits":{"total":{"hits":[1]},"hits":[2]}}`, `{"hits":{"total":{"hits":[1]},"hits":[<2>]}}`},
		{"array of arrays under hits", `{"hits":{"hits":[[1,2],[3]]}}`, `{"hits":{"hits":[<[1,2]>,<[3]>]}}`},
		{"duplicate top-level hits", `{"hits":{"hits":[1]},"hits":{"hits":[2]}}`, `{"hits":{"hits":[<1>]},"hits":{"hits":[<2>]}}`},
		{"duplicate inner hits", `{"hits":{"hits":[1],"hits":[2]}}`, `{"hits":{"hits":[<1>],"hits":[<2>]}}`},
		{"escaped member names", `{"h\u0069ts":{"\u0068\u0069\u0074\u0073":[1]}}`, `{"h\u0069ts":{"\u0068\u0069\u0074\u0073":[<1>]}}`},
		{"similar names are not hits", `{"Hits":{"hits":[1]},"hit":{"hits":[2]},"hitss":{"hits":[3]}}`, `{"Hits":{"hits":[1]},"hit":{"hits":[2]},"hitss":{"hits":[3]}}`},
		{"root is an array", `[{"hits":{"hits":[1]}}]`, `[{"hits":{"hits":[1]}}]`},
		{"root is a scalar", ` "hits" `, ` "hits" `},
		{"invalid UTF-8 copied", "{\"a\":\"\xff\",\"hits\":{\"hits\":[\"\xfe\"]}}", "{\"a\":\"\xff\",\"hits\":{\"hits\":[<\"\xfe\">]}}"},
	}
	for _, tc := range tests {
		for _, rd := range readers {
			t.Run(tc.name+"/"+rd.name, func(t *testing.T) {
				got, err := transformString(t, tc.in, rd.wrap, bracketHit, Options{})
				if err != nil || got != tc.want {
					t.Fatalf("got %q, %v\nwant %q", got, err, tc.want)
				}
				got, err = transformString(t, tc.in, rd.wrap, identityHit, Options{})
				if err != nil || got != tc.in {
					t.Fatalf("identity: got %q, %v", got, err)
				}
			})
		}
	}
}

func TestTransformHits_GrammarCases_AgreeWithValidate(t *testing.T) {
	for _, tc := range grammarCases {
		for _, rd := range readers {
			t.Run(tc.name+"/"+rd.name, func(t *testing.T) {
				got, err := transformString(t, tc.doc, rd.wrap, identityHit, Options{})
				checkSyntax(t, err, tc.valid, tc.offset)
				if !strings.HasPrefix(tc.doc, got) || (tc.valid && got != tc.doc) {
					t.Fatalf("output %q is not the input or a prefix of it", got)
				}
			})
		}
	}
}

func TestTransformHits_MalformedHit_FailsWithSyntaxError(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		offset int64
	}{
		{"truncated inside hit", `{"hits":{"hits":[{"a":`, 22},
		{"bad escape inside hit", `{"hits":{"hits":["\q"]}}`, 19},
		{"missing comma between hits", `{"hits":{"hits":[1 2]}}`, 19},
		{"trailing comma in hits", `{"hits":{"hits":[1,]}}`, 19},
		{"garbage after document", `{"hits":{"hits":[1]}} x`, 22},
		{"too deep inside hit", `{"hits":{"hits":[[[[1]]]]}}`, 19},
	}
	for _, tc := range tests {
		for _, rd := range readers {
			t.Run(tc.name+"/"+rd.name, func(t *testing.T) {
				_, err := transformString(t, tc.in, rd.wrap, identityHit, Options{MaxDepth: 5})
				checkSyntax(t, err, false, tc.offset)
			})
		}
	}
}

func TestTransformHits_DepthOption_LimitsNesting(t *testing.T) {
	tests := []struct {
		name     string
		doc      string
		maxDepth int
		valid    bool
	}{
		{"default accepts 10000", nested(10000), 0, true},
		{"default refuses 10001", nested(10001), 0, false},
		{"explicit limit met", nested(300), 300, true},
		{"explicit limit exceeded", nested(301), 300, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := transformString(t, tc.doc, readers[0].wrap, identityHit, Options{MaxDepth: tc.maxDepth})
			if (err == nil) != tc.valid || (tc.valid && got != tc.doc) {
				t.Fatalf("err = %v, valid output = %v, want valid %v", err, got == tc.doc, tc.valid)
			}
		})
	}
}

// TestTransformHits_NameAcrossRefill_StillRecognised moves the member names that matter
// across the 32 KiB refill boundary, where the scanner must keep the partial name.
func TestTransformHits_NameAcrossRefill_StillRecognised(t *testing.T) {
	for _, key := range []string{`"hits"`, `"h\u0069ts"`, `"\u0068\u0069\u0074\u0073"`} {
		for shift := -30; shift <= 2; shift++ {
			// The padding member is `"p":"…",` so the name starts at 1+4+len(pad)+2.
			pad := strings.Repeat("a", bufSize+shift-7)
			in := `{"p":"` + pad + `",` + key + `:{` + key + `:[1]}}`
			want := `{"p":"` + pad + `",` + key + `:{` + key + `:[<1>]}}`
			got, err := transformString(t, in, readers[0].wrap, bracketHit, Options{})
			if err != nil || got != want {
				t.Fatalf("key %s shift %d: err %v, output differs from expected", key, shift, err)
			}
		}
	}
}

func TestTransformHits_LargeHit_CapturedAcrossRefills(t *testing.T) {
	hit := `{"_source":{"text":"` + strings.Repeat("é", 3*bufSize) + `"}}`
	in := `{"hits":{"hits":[` + hit + `,` + hit + `]},"x":1}`
	var seen []int
	fn := func(dst, h []byte) ([]byte, error) {
		if string(h) != hit {
			t.Errorf("hit of %d bytes differs from the input", len(h))
		}
		seen = append(seen, len(h))
		return append(dst, '1'), nil
	}
	got, err := transformString(t, in, readers[0].wrap, fn, Options{})
	if want := `{"hits":{"hits":[1,1]},"x":1}`; err != nil || got != want || len(seen) != 2 {
		t.Fatalf("got %q, %v after %d hits; want %q", got, err, len(seen), want)
	}
}

func TestTransformHits_MaxHitBytes_Enforced(t *testing.T) {
	big := `"` + strings.Repeat("x", 2*bufSize) + `"`
	tests := []struct {
		name  string
		in    string
		limit int
		ok    bool
	}{
		{"hit at limit", `{"hits":{"hits":[1,"12345678"]}}`, 10, true},
		{"hit over limit", `{"hits":{"hits":[1,"123456789"]}}`, 10, false},
		{"hit over limit across refills", `{"hits":{"hits":[` + big + `]}}`, bufSize, false},
		{"large non-hit member unaffected", `{"a":` + big + `,"hits":{"hits":[1]}}`, 10, true},
	}
	for _, tc := range tests {
		for _, rd := range readers[:2] {
			t.Run(tc.name+"/"+rd.name, func(t *testing.T) {
				_, err := transformString(t, tc.in, rd.wrap, identityHit, Options{MaxHitBytes: tc.limit})
				if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, ErrHitTooLarge)) {
					t.Fatalf("err = %v, want ok=%v or ErrHitTooLarge", err, tc.ok)
				}
			})
		}
	}
}

func TestTransformHits_FailingCollaborators_ErrorReturned(t *testing.T) {
	errBoom := errors.New("boom")
	doc := `{"hits":{"hits":[1]},"x":"` + strings.Repeat("y", 3*bufSize) + `"}`
	failHit := func(dst, hit []byte) ([]byte, error) { return dst, errBoom }
	tests := []struct {
		name string
		dst  io.Writer
		src  io.Reader
		fn   HitFunc
	}{
		{"hit func fails", io.Discard, strings.NewReader(doc), failHit},
		{"writer fails", errWriter{errBoom}, strings.NewReader(doc), identityHit},
		{"reader fails midway", io.Discard, io.MultiReader(strings.NewReader(doc[:100]), iotest.ErrReader(errBoom)), identityHit},
		{"reader fails on first read", io.Discard, iotest.ErrReader(errBoom), identityHit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := TransformHits(tc.dst, tc.src, tc.fn, Options{}); !errors.Is(err, errBoom) {
				t.Fatalf("err = %v, want it to wrap %v", err, errBoom)
			}
		})
	}
}

func TestTransformHits_NilHitFunc_CopiesHits(t *testing.T) {
	in := `{"hits":{"hits":[{"_id":"a"}, 2]}}`
	got, err := transformString(t, in, readers[0].wrap, nil, Options{})
	if err != nil || got != in {
		t.Fatalf("got %q, %v; want the input", got, err)
	}
}

func TestTransformHits_ReaderWithoutProgress_Fails(t *testing.T) {
	_, err := TransformHits(io.Discard, emptyReader{}, identityHit, Options{})
	if !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("err = %v, want io.ErrNoProgress", err)
	}
}

// TestTransformHits_SlowUpstream_OutputKeepsPace checks STR-5: what has been read is
// written before the transform blocks waiting for the rest of the response.
func TestTransformHits_SlowUpstream_OutputKeepsPace(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close() // unblocks the transform if the test fails midway
	written := make(chan string, 16)
	dst := writerFunc(func(p []byte) (int, error) {
		written <- string(p)
		return len(p), nil
	})
	done := make(chan error, 1)
	go func() {
		_, err := TransformHits(dst, pr, bracketHit, Options{})
		done <- err
	}()
	if _, err := pw.Write([]byte(`{"hits":{"hits":[{"a":1},`)); err != nil {
		t.Fatal(err)
	}
	// Nothing more is sent until the first part has come out.
	got := ""
	for got != `{"hits":{"hits":[<{"a":1}>,` {
		select {
		case s := <-written:
			got += s
		case err := <-done:
			t.Fatalf("transform ended early: %v", err)
		case <-time.After(10 * time.Second): // a watchdog, not a measurement
			t.Fatalf("after 10s still waiting for output; have %q", got)
		}
	}
	if _, err := pw.Write([]byte(`2]}}`)); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for len(written) > 0 {
		got += <-written
	}
	if want := `{"hits":{"hits":[<{"a":1}>,<2>]}}`; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }
