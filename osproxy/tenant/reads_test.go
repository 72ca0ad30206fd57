package tenant

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

func readShape(t *testing.T, rs *ReadShaping, root uint8, in string) string {
	t.Helper()
	var out bytes.Buffer
	if _, err := jsonstream.Transform(&out, strings.NewReader(in), rs, root, rs.Capture, jsonstream.Options{}); err != nil {
		t.Fatalf("%v; wrote %s", err, out.Bytes())
	}
	return out.String()
}

func multiShaping(indices ...string) *Shaping {
	return &Shaping{Shaper: NewMultiShaper("acme", indices), Errors: NewMultiSanitizer("os-shared", "acme", indices)}
}

func physical(index, id string) string {
	return `{"_index":"os-shared","_id":"acme:` + index + `:` + id + `","_routing":"acme","_source":{"_tenant":"acme","_logical_index":"` + index +
		`","x":1},"fields":{"_id":["acme:` + index + `:` + id + `"],"_index":["os-shared"]}}`
}

func logical(index, id string) string {
	return `{"_index":"` + index + `","_id":"` + id + `","_source":{"x":1},"fields":{"_id":["` + id + `"],"_index":["` + index + `"]}}`
}

func TestMultiShaper_Hits_NamedByTheirOwnID(t *testing.T) {
	sh := multiShaping("orders", "invoices")
	in := `{"hits":{"hits":[` + physical("orders", "1") + `,` + physical("invoices", "a:b") + `]},` +
		`"aggregations":{"t":{"hits":{"hits":[` + physical("invoices", "2") + `]}}}}`
	sh.HitAggs = true
	got := shapeWith(t, sh, SearchRoot, in)
	want := `{"hits":{"hits":[` + logical("orders", "1") + `,` + logical("invoices", "a:b") + `]},` +
		`"aggregations":{"t":{"hits":{"hits":[` + logical("invoices", "2") + `]}}}}`
	assertSameJSON(t, got, want)
}

func TestMultiShaper_ForeignID_KeptAndNamedByTheList(t *testing.T) {
	s := NewMultiShaper("acme", nil)
	got, err := s.Hit(nil, []byte(`{"_index":"os-shared","_id":"globex:orders:1"}`))
	if err != nil || string(got) != `{"_index":"_all","_id":"globex:orders:1"}` {
		t.Fatalf("got %s, %v", got, err)
	}
}

func TestMultiShaper_ReusedBuffer_AllocatesOncePerIndex(t *testing.T) {
	s := NewMultiShaper("acme", []string{"orders", "invoices"})
	hit := []byte(physical("orders", "7"))
	dst := make([]byte, 0, 4096)
	dst, _ = s.Hit(dst[:0], hit)
	if n := testing.AllocsPerRun(200, func() { dst, _ = s.Hit(dst[:0], hit) }); n != 0 {
		t.Fatalf("Hit allocates %v times per hit of an index already seen", n)
	}
}

func TestMultiSanitizer_Failures_IndexFromTheID(t *testing.T) {
	s := NewMultiSanitizer("os-shared", "acme", []string{"orders", "invoices"})
	in := `{"index":"os-shared","id":"acme:invoices:7","cause":{"reason":"[acme:invoices:7] conflict in [os-shared]","index":"os-shared","index_uuid":"u"}}`
	want := `{"index":"invoices","id":"7","cause":{"reason":"[7] conflict in [orders,invoices]","index":"invoices"}}`
	if got := s.Append(nil, []byte(in)); string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestReadShaping_CursorPage_CursorWrappedHitsShaped(t *testing.T) {
	rs := &ReadShaping{Shaping: *acmeShaping(false, 0), Wrap: func(dst, raw []byte) []byte {
		return append(append(dst, "sealed-"...), raw...)
	}}
	in := `{"_scroll_id":"RAW\u002f1","pit_id":"P","took":1,"hits":{"hits":[` + physicalHit + `]}}`
	want := `{"_scroll_id":"sealed-RAW/1","pit_id":"sealed-P","took":1,"hits":{"hits":[` + strings.Replace(logicalHit, `"sort":["7",3]`, `"sort":["acme:orders:7",3]`, 1) + `]}}`
	assertSameJSON(t, []byte(readShape(t, rs, CursorRoot, in)), want)
}

func TestReadShaping_MultiSearch_EachItemItsView(t *testing.T) {
	refusal := []byte(`{"error":{"type":"unsupported_query"},"status":400}`)
	rs := &ReadShaping{Shaping: *acmeShaping(false, 0), Items: []Item{
		{Shaping: acmeShaping(false, 0)}, {Refusal: refusal}, {Shaping: multiShaping("invoices", "orders")}, {Shaping: acmeShaping(false, 0)},
	}}
	in := `{"took":1,"responses":[{"hits":{"hits":[` + physical("orders", "1") + `]},"status":200},` +
		`{"hits":{"hits":[]},"status":200},{"hits":{"hits":[` + physical("invoices", "2") + `]},"status":200},` +
		`{"error":{"reason":"bad [os-shared][acme:orders:3]","index":"os-shared","index_uuid":"u"},"status":400},{"extra":1}]}`
	want := `{"took":1,"responses":[{"hits":{"hits":[` + logical("orders", "1") + `]},"status":200},` + string(refusal) + `,` +
		`{"hits":{"hits":[` + logical("invoices", "2") + `]},"status":200},{"error":{"reason":"bad [orders][3]","index":"orders"},"status":400},` +
		string(unexpectedItem) + `]}`
	assertSameJSON(t, []byte(readShape(t, rs, MultiRoot, in)), want)
}

func TestReadShaping_ByQuery_FailuresSanitized(t *testing.T) {
	rs := &ReadShaping{Shaping: *multiShaping("orders", "invoices")}
	in := `{"took":1,"deleted":0,"failures":[{"index":"os-shared","id":"acme:orders:1","cause":{"index_uuid":"u"},"status":409}],"noops":0}`
	want := `{"took":1,"deleted":0,"failures":[{"index":"orders","id":"1","cause":{},"status":409}],"noops":0}`
	assertSameJSON(t, []byte(readShape(t, rs, ByQueryRoot, in)), want)
}

// FuzzReadShaping runs any JSON document through the read plans: a valid document
// always comes out valid, whichever items and cursors the plan holds.
func FuzzReadShaping(f *testing.F) {
	f.Add([]byte(`{"_scroll_id":"a","hits":{"hits":[` + physical("orders", "1") + `]}}`))
	f.Add([]byte(`{"responses":[{"hits":{"hits":[` + physical("invoices", "1") + `]}},{"error":{"index":"os-shared"}},[],1]}`))
	f.Add([]byte(`{"failures":[{"index":"os-shared","id":"acme:orders:1"},"x",[{}]]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		if !json.Valid(doc) || jsonstream.Validate(doc, 0) != nil {
			return
		}
		for _, root := range []uint8{CursorRoot, MultiRoot, ByQueryRoot} {
			rs := &ReadShaping{Shaping: *multiShaping("orders", "invoices"), Wrap: func(dst, raw []byte) []byte { return append(dst, "w"...) },
				Items: []Item{{Shaping: acmeShaping(true, 1)}, {Refusal: []byte(`{"error":{}}`)}, {Shaping: multiShaping()}}}
			var out bytes.Buffer
			if _, err := jsonstream.Transform(&out, bytes.NewReader(doc), rs, root, rs.Capture, jsonstream.Options{}); err != nil {
				continue // a hit that is not an object may be refused; the caller aborts
			}
			if !json.Valid(out.Bytes()) {
				t.Fatalf("root %d: %q became invalid %q", root, doc, out.Bytes())
			}
		}
	})
}
