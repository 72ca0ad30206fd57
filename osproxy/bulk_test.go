package osproxy

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/osproxy/osproxy/osproxy/config"
	"github.com/osproxy/osproxy/osproxy/ndjson"
)

func newBulkReader(t testing.TB, body, pathIndex string) *bulkReader {
	t.Helper()
	p, err := New(config.Config{Upstream: "http://127.0.0.1:1", Index: "os-shared", MaxBodyBytes: 1 << 20,
		IngestPipelines: []string{"allowed"}}, WithIDGenerator(func() string { return "GENERATEDxxxxxxxxxxx" }))
	if err != nil {
		t.Fatal(err)
	}
	return &bulkReader{p: p, lines: ndjson.NewReader(strings.NewReader(body), 1<<20), tenant: "acme", pathIndex: pathIndex}
}

func TestBulkReader_Items_TransformedOrRefused(t *testing.T) {
	body := `{"index":{"_id":"1"}}` + "\n" + `{"x":1}` + "\n" +
		`{"create":{"_index":"users","version":"3","pipeline":"allowed"}}` + "\n" + `{}` + "\n" +
		`{"delete":{"_id":"2","routing":"globex"}}` + "\n" +
		`{"update":{"_id":"3","retry_on_conflict":2}}` + "\n" + `{"doc":{"a":1},"upsert":{"b":2},"doc_as_upsert":true}` + "\n" +
		`{"update":{"_id":"4"}}` + "\n" + `{"script":"ctx._source._tenant='g'"}` + "\n" +
		`{"index":{"_id":"5"}}` + "\n" + `{"\u005ftenant":"globex"}` + "\n"
	b := newBulkReader(t, body, "orders")
	out, err := io.ReadAll(b)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"index":{"_id":"acme:orders:1","routing":"acme"}}` + "\n" + `{"_tenant":"acme","_logical_index":"orders","x":1}` + "\n" +
		`{"create":{"_id":"acme:users:GENERATEDxxxxxxxxxxx","routing":"acme","version":3,"pipeline":"allowed"}}` + "\n" +
		`{"_tenant":"acme","_logical_index":"users"}` + "\n" +
		`{"update":{"_id":"acme:orders:3","routing":"acme","retry_on_conflict":2}}` + "\n" +
		`{"doc":{"_tenant":"acme","_logical_index":"orders","a":1},"upsert":{"_tenant":"acme","_logical_index":"orders","b":2},"doc_as_upsert":true}` + "\n"
	if string(out) != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	var codes []Code
	var positions []int
	for _, r := range b.refused {
		codes, positions = append(codes, r.code), append(positions, r.pos)
	}
	if b.sent != 3 || len(b.refused) != 3 || codes[0] != CodeUnsupportedParameter || codes[1] != CodeUnsupportedQuery ||
		codes[2] != CodeReservedField || positions[0] != 2 || positions[1] != 4 || positions[2] != 5 {
		t.Fatalf("sent %d, refused %+v", b.sent, b.refused)
	}
}

func TestBulkReader_Framing_RefusedWhole(t *testing.T) {
	for name, body := range map[string]string{
		"empty":            "",
		"blank line":       `{"index":{}}` + "\n\n" + `{}` + "\n",
		"no final newline": `{"delete":{"_id":"1"}}`,
		"no source line":   `{"index":{}}` + "\n",
		"two verbs":        `{"index":{},"delete":{}}` + "\n" + `{}` + "\n",
		"unknown verb":     `{"upsert":{}}` + "\n" + `{}` + "\n",
		"not json":         `index` + "\n",
		"verb not object":  `{"index":1}` + "\n" + `{}` + "\n",
		"source as action": `{"delete":{"_id":"1"}}` + "\n" + `{"x":1}` + "\n",
	} {
		b := newBulkReader(t, body, "orders")
		_, err := io.ReadAll(b)
		var fe *errFraming
		if !errors.As(err, &fe) {
			t.Errorf("%s: got %v, want a framing error", name, err)
		}
	}
}

// A bulk document costs a handful of allocations: the reader reuses its line buffer,
// its trees and its output; what remains is the physical id and the document's copy.
func TestBulkReader_HundredDocs_AllocationBudget(t *testing.T) {
	var sb strings.Builder
	for i := range 100 {
		sb.WriteString(`{"index":{"_id":"doc-` + string(rune('a'+i%26)) + `"}}` + "\n")
		sb.WriteString(`{"msg":"a 256 byte document would be about this long, with a few fields","n":12345,"tags":["a","b","c"],"nested":{"k":"v"}}` + "\n")
	}
	body := sb.String()
	buf := make([]byte, 64<<10)
	n := testing.AllocsPerRun(50, func() {
		b := newBulkReader(t, body, "orders")
		for {
			if _, err := b.Read(buf); err != nil {
				break
			}
		}
	})
	perDoc := n / 100
	t.Logf("%.2f allocations per bulk document", perDoc)
	if perDoc > 12 {
		t.Fatalf("%.2f allocations per bulk document, budget 12", perDoc)
	}
}

// Lines that straddle the line buffer's refills are judged the same: the action is
// copied out before its source line is read (a refill moves the buffer under it).
func TestBulkReader_SmallReads_SameOutput(t *testing.T) {
	var sb strings.Builder
	for i := range 300 {
		sb.WriteString(`{"index":{"_index":"idx-` + strings.Repeat("x", i%40) + `","_id":"` + strings.Repeat("i", i%17+1) + `"}}` + "\n")
		sb.WriteString(`{"n":` + strings.Repeat("1", i%30+1) + `}` + "\n")
	}
	whole, err := io.ReadAll(newBulkReader(t, sb.String(), ""))
	if err != nil {
		t.Fatal(err)
	}
	b := newBulkReader(t, "", "")
	b.lines = ndjson.NewReader(iotest.OneByteReader(strings.NewReader(sb.String())), 1<<20)
	small, err := io.ReadAll(b)
	if err != nil || string(small) != string(whole) || len(b.refused) != 0 {
		t.Fatalf("one-byte reads differ (%v, %d refused)", err, len(b.refused))
	}
}
