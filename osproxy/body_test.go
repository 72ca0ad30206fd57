package osproxy

import (
	"bytes"
	"strings"
	"testing"
)

func TestReadCapped_Lengths_ReadWholeOrRefuse(t *testing.T) {
	cases := []struct {
		name            string
		body            string
		declared, limit int64
		wantErr         error
	}{
		{"declared exact", strings.Repeat("a", 70000), 70000, 1 << 20, nil},
		{"unknown length grows", strings.Repeat("b", 70000), -1, 1 << 20, nil},
		{"empty", "", 0, 10, nil},
		{"at the limit", "0123456789", -1, 10, nil},
		{"over the limit unknown", "0123456789x", -1, 10, errTooLarge},
		{"declared over the limit", "0123456789x", 11, 10, errTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readCapped(strings.NewReader(tc.body), tc.declared, tc.limit, nil)
			if err != tc.wantErr || err == nil && !bytes.Equal(got, []byte(tc.body)) {
				t.Fatalf("got %d bytes, %v", len(got), err)
			}
		})
	}
}

func TestReadCapped_DeclaredLength_OneAllocation(t *testing.T) {
	body := strings.Repeat("a", 64<<10)
	n := testing.AllocsPerRun(50, func() { _, _ = readCapped(strings.NewReader(body), int64(len(body)), 8<<20, nil) })
	if n > 2 { // the buffer, and the strings.Reader
		t.Fatalf("reading a 64 KiB body allocates %v times", n)
	}
}
