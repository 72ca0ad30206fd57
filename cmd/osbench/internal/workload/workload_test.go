package workload

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDoc_AnySize_IsValidJSONOfExactlyThatSize(t *testing.T) {
	for _, n := range []int{256, 4 << 10, 64 << 10} {
		d := Doc(n, 42)
		if len(d) != n || !json.Valid([]byte(d)) {
			t.Errorf("Doc(%d) has %d bytes, valid=%v", n, len(d), json.Valid([]byte(d)))
		}
	}
}

func TestWrapQuery_ClientQuery_IsNestedUnderTheTenantFilter(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"query":{"match":{"msg":"hi"}}}`,
			`{"query":{"bool":{"filter":[{"term":{"_tenant":"acme"}},{"term":{"_logical_index":"orders"}}],"must":[{"match":{"msg":"hi"}}]}}}`},
		{`{"size":10,"aggs":{}}`,
			`{"size":10,"aggs":{},"query":{"bool":{"filter":[{"term":{"_tenant":"acme"}},{"term":{"_logical_index":"orders"}}],"must":[{"match_all":{}}]}}}`},
	}
	for _, tt := range tests {
		if got := WrapQuery(tt.in); got != tt.want || !json.Valid([]byte(got)) {
			t.Errorf("WrapQuery(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func TestRequest_TenantBaseline_SendsWhatTheProxySendsUpstream(t *testing.T) {
	w := Workload{Kind: Write, DocBytes: 256}
	req, err := w.Request(DirectTenant, "h:1")
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(string(req), "\r\n\r\n")
	if !strings.HasPrefix(head, "PUT /osproxy-shared/_doc/acme:orders:1?routing=acme HTTP/1.1\r\n") ||
		strings.Contains(head, "x-tenant") || !strings.HasPrefix(body, `{"_tenant":"acme","_logical_index":"orders","id":1`) {
		t.Fatalf("got %q", req)
	}
	tr, _ := w.Request(Tenancy, "h:1")
	if !strings.Contains(string(tr), "\r\nx-tenant: acme\r\n") || !strings.HasPrefix(string(tr), "PUT /orders/_doc/1 ") {
		t.Fatalf("T request %q", tr)
	}
}

func TestBulkRequest_EveryLeg_IsWholeNDJSONItems(t *testing.T) {
	for _, leg := range []Leg{Direct, DirectTenant, Tenancy} {
		req, _ := Workload{Kind: Bulk, Docs: 100, DocBytes: 256}.Request(leg, "h:1")
		_, body, _ := strings.Cut(string(req), "\r\n\r\n")
		lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
		if len(lines) != 200 {
			t.Fatalf("%s: %d lines", leg, len(lines))
		}
		for _, l := range lines {
			if !json.Valid([]byte(l)) {
				t.Fatalf("%s: invalid line %q", leg, l)
			}
		}
	}
}
