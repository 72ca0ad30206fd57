package workload

import (
	"strings"
	"testing"
)

func TestMultiSearch_Requests_TenantLegSendsWhatTheProxySends(t *testing.T) {
	w := Workload{Kind: MultiSearch, Docs: 10}
	if w.Name() != "msearch-10x10hits" {
		t.Fatalf("name %q", w.Name())
	}
	tr, _ := w.Request(Tenancy, "h:1")
	dt, _ := w.Request(DirectTenant, "h:1")
	if !strings.HasPrefix(string(tr), "POST /orders/_msearch HTTP/1.1\r\n") || strings.Count(string(tr), "{}\n") != 10 {
		t.Fatalf("tenant request:\n%s", tr)
	}
	line := `{"index":"osproxy-shared","routing":"acme"}` + "\n" + WrapQuery(`{"query":{"match":{"msg":"hi"}}}`) + "\n"
	if !strings.HasPrefix(string(dt), "POST /_msearch HTTP/1.1\r\n") || strings.Count(string(dt), line) != 10 {
		t.Fatalf("direct tenant request:\n%s", dt)
	}
}
