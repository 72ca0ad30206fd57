package osproxy

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/osproxy/osproxy/osproxy/config"
)

// scrollPage is a scroll page of n hits as the cluster sends it.
func scrollPage(n int) string {
	var b strings.Builder
	b.WriteString(`{"_scroll_id":"RAWSCROLLIDRAWSCROLLIDRAWSCROLLID","took":1,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},` +
		`"hits":{"total":{"value":100,"relation":"eq"},"max_score":1.0,"hits":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"_index":"os-shared","_id":"acme:orders:` + string(rune('a'+i)) + `","_score":1.0,"_routing":"acme",` +
			`"_source":{"_tenant":"acme","_logical_index":"orders","item":"anvil","qty":3}}`)
	}
	b.WriteString(`]}}`)
	return b.String()
}

// staticRoundTrip answers every request with one canned body, reusing its reader.
type staticRoundTrip struct {
	body   string
	status int
	seen   *http.Request
}

func (s *staticRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) {
	s.seen = r
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
	}
	return &http.Response{StatusCode: s.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(s.body))}, nil
}

func readsTestProxy(t *testing.T, rt http.RoundTripper) *Proxy {
	t.Helper()
	cfg := config.Config{Bind: "127.0.0.1:0", Upstream: "http://up", Index: "os-shared", AllowCleartextMutation: true,
		MaxBodyBytes: 1 << 20, UpstreamTimeout: 1e9, CursorAffinityKey: "a-key-of-at-least-thirty-two-characters"}
	p, err := New(cfg, WithTransport(rt))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func serve(p *Proxy, method, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("X-Tenant", "acme")
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, req)
	return rec
}

func TestServeRead_RefusedEndpoints_NoUpstreamCall(t *testing.T) {
	rt := &staticRoundTrip{body: `{}`, status: 200}
	p := readsTestProxy(t, rt)
	for _, c := range []struct{ method, target, body, code string }{
		{"GET", "/orders/_field_caps?fields=*", "", "unsupported_endpoint"},
		{"POST", "/orders/_search/template", `{}`, "unsupported_endpoint"},
		{"GET", "/_search/point_in_time/_all", "", "unsupported_endpoint"},
		{"POST", "/_search/scroll", `{"scroll_id":"x"}`, "invalid_cursor"},
		{"DELETE", "/_search/scroll/_all", "", "invalid_cursor"},
		{"POST", "/orders,_all/_search", `{}`, "invalid_index_name"},
		{"POST", "/orders/_msearch", "{}\n\n{}\n", "malformed_body"},
		{"POST", "/orders/_delete_by_query?wait_for_completion=false", `{}`, "unsupported_parameter"},
		{"GET", "/_cluster/health/orders", "", "unsupported_endpoint"},
	} {
		rt.seen = nil
		rec := serve(p, c.method, c.target, c.body)
		if got := errorType(t, rec); got != c.code || rt.seen != nil {
			t.Errorf("%s %s: %s (upstream called: %v), want %s", c.method, c.target, got, rt.seen != nil, c.code)
		}
	}
}

func TestApplyFilterPath_Patterns_KeepWhatTheyName(t *testing.T) {
	doc := func() map[string]any {
		return map[string]any{"_nodes": map[string]any{"total": 1}, "cluster_name": "c",
			"nodes": map[string]any{"id1": map[string]any{"ip": "1", "version": "2", "http": map[string]any{"publish_address": "a:1"}}}}
	}
	cases := map[string]string{
		"":                                 `{"_nodes":{"total":1},"cluster_name":"c","nodes":{"id1":{"http":{"publish_address":"a:1"},"ip":"1","version":"2"}}}`,
		"nodes.*.ip,cluster_name":          `{"cluster_name":"c","nodes":{"id1":{"ip":"1"}}}`,
		"**.publish_address":               `{"nodes":{"id1":{"http":{"publish_address":"a:1"}}}}`,
		"-nodes":                           `{"_nodes":{"total":1},"cluster_name":"c"}`,
		"nodes.id*.http,-nodes.*.http":     `{"nodes":{"id1":{}}}`,
		"none":                             `{}`,
		"_nodes.total,nodes.*.http.*_addr": `{"_nodes":{"total":1}}`,
	}
	for fp, want := range cases {
		got, _ := json.Marshal(applyFilterPath(doc(), fp))
		if string(got) != want {
			t.Errorf("filter_path %q: got %s, want %s", fp, got, want)
		}
	}
}

func TestPublishAddress_HostHeader_PortAlwaysNamed(t *testing.T) {
	for host, want := range map[string]string{"127.0.0.1:8080": "127.0.0.1:8080", "proxy.example": "proxy.example:80",
		"[::1]:9": "[::1]:9", "[::1]": "[::1]:80"} {
		r := httptest.NewRequest("GET", "/_nodes/http", nil)
		r.Host = host
		if got := publishAddress(r); got != want {
			t.Errorf("Host %q: %q, want %q", host, got, want)
		}
	}
}

func BenchmarkScrollNext_TenHitPage(b *testing.B) {
	rt := &staticRoundTrip{body: scrollPage(10), status: 200}
	cfg := config.Config{Bind: "127.0.0.1:0", Upstream: "http://up", Index: "os-shared", AllowCleartextMutation: true,
		MaxBodyBytes: 1 << 20, UpstreamTimeout: 1e9, CursorAffinityKey: "a-key-of-at-least-thirty-two-characters"}
	p, _ := New(cfg, WithTransport(rt))
	id := p.cursors.seal(nil, &cursor{kind: scrollCursor, tenant: "acme", indices: []string{"orders"}, raw: []byte("RAW")})
	body := `{"scroll":"1m","scroll_id":"` + string(id) + `"}`
	b.ReportAllocs()
	for b.Loop() {
		serve(p, "POST", "/_search/scroll", body)
	}
}
