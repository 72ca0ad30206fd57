package ndjson

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

type step struct {
	line string
	err  error
}

func readAll(src io.Reader, max int) []step {
	r := NewReader(src, max)
	var out []step
	for {
		line, err := r.Next()
		if err == io.EOF {
			return out
		}
		out = append(out, step{string(line), err})
		if err != nil && !errors.Is(err, ErrLineTooLong) && !errors.Is(err, ErrBlankLine) {
			return out
		}
	}
}

func TestReader_Bodies_LinesAndErrors(t *testing.T) {
	long := strings.Repeat("x", 40)
	cases := []struct {
		name, body string
		want       []step
	}{
		{"two lines", "{\"a\":1}\n{}\n", []step{{`{"a":1}`, nil}, {`{}`, nil}}},
		{"crlf", "{}\r\n{}\r\n", []step{{`{}`, nil}, {`{}`, nil}}},
		{"no final newline", "{}\n{}", []step{{`{}`, nil}, {"", ErrNoFinalNewline}}},
		{"blank line", "{}\n\n{}\n", []step{{`{}`, nil}, {"", ErrBlankLine}, {`{}`, nil}}},
		{"white-space line", "{}\n \t\n", []step{{`{}`, nil}, {"", ErrBlankLine}}},
		{"overlong line skipped", "{}\n" + long + "\n{}\n", []step{{`{}`, nil}, {"", ErrLineTooLong}, {`{}`, nil}}},
		{"overlong last line without its newline", long, []step{{"", ErrNoFinalNewline}}},
		{"exactly the limit", strings.Repeat("y", 32) + "\n", []step{{strings.Repeat("y", 32), nil}}},
		{"empty body", "", nil},
	}
	for _, tc := range cases {
		for _, wrap := range []func(io.Reader) io.Reader{func(r io.Reader) io.Reader { return r }, iotest.OneByteReader, iotest.HalfReader} {
			got := readAll(wrap(strings.NewReader(tc.body)), 32)
			if len(got) != len(tc.want) {
				t.Fatalf("%s: got %v, want %v", tc.name, got, tc.want)
			}
			for i := range got {
				if got[i].line != tc.want[i].line || !errors.Is(got[i].err, tc.want[i].err) && got[i].err != tc.want[i].err {
					t.Fatalf("%s: line %d: got %v, want %v", tc.name, i, got, tc.want)
				}
			}
		}
	}
}

func TestReader_LongBody_BufferNeverPastTheLimit(t *testing.T) {
	body := strings.Repeat(`{"index":{}}`+"\n"+`{"field":"value"}`+"\n", 100000)
	r := NewReader(strings.NewReader(body), 64)
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 200000 || cap(r.buf) > 65 {
		t.Fatalf("read %d lines with a %d-byte buffer", n, cap(r.buf))
	}
}
