package tenant

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestValidTenant_Forms_Verdict(t *testing.T) {
	cases := map[string]bool{
		"acme": true, "Acme-01_x": true, "9": true, "": false, "-acme": false, "_acme": false,
		"ac:me": false, "ac.me": false, "ac*": false, "a,b": false, "é": false,
		"a234567890123456789012345678901234567890123456789012345678901234":  true,
		"a2345678901234567890123456789012345678901234567890123456789012345": false,
	}
	for id, want := range cases {
		if got := ValidTenant(id); got != want {
			t.Errorf("ValidTenant(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestLogicalIndex_Names_DecodedOnceAndChecked(t *testing.T) {
	cases := []struct {
		raw, want string
		ok        bool
	}{
		{"orders", "orders", true},
		{"logs-2026.11", "logs-2026.11", true},
		{"%6Frders", "orders", true},
		{"orders%2Cos-shared", "", false},
		{"os-shared", "", false},
		{"%6Fs-shared", "", false},
		{"orders,other", "", false},
		{"*", "", false},
		{"_all", "", false},
		{".kibana", "", false},
		{"remote:orders", "", false},
		{"%3Corders-%7Bnow%2Fd%7D%3E", "", false},
		{"Orders", "", false},
		{"%zz", "", false},
		{"", "", false},
		{"%252C", "", false},
	}
	for _, tc := range cases {
		got, err := LogicalIndex(tc.raw, "os-shared")
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("LogicalIndex(%q) = %q, %v; want %q ok=%v", tc.raw, got, err, tc.want, tc.ok)
		}
	}
}

func TestDocumentID_Raw_Decoded(t *testing.T) {
	if id, err := DocumentID("..%2F..%2Fx"); err != nil || id != "../../x" {
		t.Fatalf("got %q %v", id, err)
	}
	if _, err := DocumentID(""); err == nil {
		t.Fatal("empty id accepted")
	}
}

func TestInject_Documents_ReservedFirst(t *testing.T) {
	cases := []struct {
		doc, want string
		err       error
	}{
		{`{"msg":"hi"}`, `{"_tenant":"acme","_logical_index":"orders","msg":"hi"}`, nil},
		{` {} `, `{"_tenant":"acme","_logical_index":"orders"}`, nil},
		{`{ "a" : 1 , "b":[1] }`, `{"_tenant":"acme","_logical_index":"orders", "a" : 1 , "b":[1] }`, nil},
		{`{"_tenant":"globex"}`, "", ErrReservedField},
		{`{"\u005ftenant":"globex"}`, "", ErrReservedField},
		{`{"x":1,"_logical_index":"users"}`, "", ErrReservedField},
		{`{"_tenant.x":1}`, "", ErrReservedField},
		{`[1]`, "", ErrNotObject},
	}
	for _, tc := range cases {
		got, err := Inject(nil, []byte(tc.doc), "acme", "orders")
		if err != tc.err || tc.err == nil && string(got) != tc.want {
			t.Errorf("Inject(%s) = %s, %v; want %s, %v", tc.doc, got, err, tc.want, tc.err)
		}
	}
}

func TestShaperHit_StoredHit_LogicalView(t *testing.T) {
	hit := `{"_index":"os-shared","_id":"acme:orders:7","_score":1.0,"_routing":"acme",
	  "_source":{"_tenant":"acme","_logical_index":"orders","msg":"hi","nested":{"_tenant":"kept"}},
	  "fields":{"_tenant":["acme"],"_tenant.keyword":["acme"],"msg":["hi"]},
	  "highlight":{"_tenant":["<em>acme</em>"],"msg":["<em>hi</em>"]},
	  "inner_hits":{"c":{"hits":{"total":{"value":1},"hits":[{"_index":"os-shared","_id":"acme:orders:8","_source":{"_tenant":"acme","x":1}}]}}}}`
	want := `{"_index":"orders","_id":"7","_score":1.0,"_source":{"msg":"hi","nested":{"_tenant":"kept"}},
	  "fields":{"msg":["hi"]},"highlight":{"msg":["<em>hi</em>"]},
	  "inner_hits":{"c":{"hits":{"total":{"value":1},"hits":[{"_index":"orders","_id":"8","_source":{"x":1}}]}}}}`
	got, err := NewShaper("acme", "orders").Hit(nil, []byte(hit))
	if err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, got, want)
}

func TestShaperHit_EscapedIDAndForeignPrefix_Handled(t *testing.T) {
	s := NewShaper("acme", "orders")
	got, _ := s.Hit(nil, []byte(`{"_id":"acme:orders:a\"b"}`))
	assertSameJSON(t, got, `{"_id":"a\"b"}`)
	got, _ = s.Hit(nil, []byte(`{"_id":"other:1"}`))
	assertSameJSON(t, got, `{"_id":"other:1"}`)
}

func assertSameJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
