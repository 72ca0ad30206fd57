package osproxy

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/osproxy/osproxy/osproxy/config"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func newTestProxy(t *testing.T, rt roundTripFunc, mutate func(*config.Config)) *Proxy {
	t.Helper()
	cfg := config.Config{Bind: "127.0.0.1:0", Upstream: "http://up", Index: "os-shared", AllowCleartextMutation: true,
		MaxBodyBytes: 1024, UpstreamTimeout: time.Second}
	if mutate != nil {
		mutate(&cfg)
	}
	p, err := New(cfg, WithTransport(rt), WithIDGenerator(func() string { return "generated" }))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func jsonResponse(status int, body string) *http.Response {
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body))}
}

func errorType(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var body struct {
		Error struct {
			Type      string
			RootCause []struct{ Type string } `json:"root_cause"`
		}
		Status int
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("error body is not JSON: %s", rec.Body)
	}
	if body.Status != rec.Code || len(body.Error.RootCause) != 1 || body.Error.RootCause[0].Type != body.Error.Type {
		t.Fatalf("error body not OpenSearch-shaped: %s", rec.Body)
	}
	return body.Error.Type
}

func TestServeHTTP_Failures_OpenSearchShapedErrors(t *testing.T) {
	cases := []struct {
		name, method, target, body string
		header                     http.Header
		rt                         roundTripFunc
		status                     int
		code                       Code
	}{
		{"panicking transport", "GET", "/orders/_search", "", http.Header{"X-Tenant": {"acme"}},
			func(*http.Request) (*http.Response, error) { panic("boom") }, 500, CodeInternal},
		{"unreachable", "GET", "/orders/_search", "", http.Header{"X-Tenant": {"acme"}},
			func(*http.Request) (*http.Response, error) { return nil, errors.New("refused") }, 502, CodeUpstreamUnreachable},
		{"too large", "POST", "/orders/_search", `{"size":` + strings.Repeat(" ", 2000) + `1}`, http.Header{"X-Tenant": {"acme"}},
			nil, 413, CodeRequestTooLarge},
		{"no tenant", "GET", "/orders/_search", "", nil, nil, 400, CodeTenantRequired},
		{"two tenants", "GET", "/orders/_search", "", http.Header{"X-Tenant": {"acme", "globex"}}, nil, 400, CodeTenantAmbiguous},
		{"yaml", "POST", "/orders/_search", "query: {}", http.Header{"X-Tenant": {"acme"}, "Content-Type": {"application/yaml"}},
			nil, 415, CodeUnsupportedMedia},
		{"duplicate keys", "POST", "/orders/_search", `{"query":{},"query":{}}`, http.Header{"X-Tenant": {"acme"}}, nil, 400, CodeMalformedBody},
		{"patch", "PATCH", "/orders/_search", "", nil, nil, 405, CodeMethodNotAllowed},
		{"field caps", "GET", "/orders/_field_caps", "", http.Header{"X-Tenant": {"acme"}}, nil, 400, CodeUnsupportedEndpoint},
		{"empty bulk", "POST", "/orders/_bulk", "", http.Header{"X-Tenant": {"acme"}}, nil, 400, CodeMalformedBody},
		{"reserved", "PUT", "/orders/_doc/1", `{"_tenant":"globex"}`, http.Header{"X-Tenant": {"acme"}}, nil, 400, CodeReservedField},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt := tc.rt
			if rt == nil {
				rt = func(*http.Request) (*http.Response, error) { t.Fatal("upstream contacted"); return nil, nil }
			}
			p := newTestProxy(t, rt, nil)
			req := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			for k, v := range tc.header {
				req.Header[k] = v
			}
			rec := httptest.NewRecorder()
			p.ServeHTTP(rec, req)
			if rec.Code != tc.status || errorType(t, rec) != string(tc.code) {
				t.Fatalf("got %d %s", rec.Code, rec.Body)
			}
		})
	}
}

func TestServeHTTP_DocumentWrite_InjectsAndShapes(t *testing.T) {
	var sent *http.Request
	var sentBody string
	p := newTestProxy(t, func(r *http.Request) (*http.Response, error) {
		sent = r
		b, _ := io.ReadAll(r.Body)
		sentBody = string(b)
		return jsonResponse(201, `{"_index":"os-shared","_id":"acme:orders:generated","result":"created"}`), nil
	}, nil)
	req := httptest.NewRequest("POST", "/orders/_doc?refresh=true", strings.NewReader(`{"msg":"hi"}`))
	req.Header.Set("X-Tenant", "acme")
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, req)
	if rec.Code != 201 || rec.Body.String() != `{"_index":"orders","_id":"generated","result":"created"}` {
		t.Fatalf("response %d %s", rec.Code, rec.Body)
	}
	if sent.Method != "PUT" || sent.URL.String() != "http://up/os-shared/_doc/acme:orders:generated?routing=acme&refresh=true" ||
		sentBody != `{"_tenant":"acme","_logical_index":"orders","msg":"hi"}` {
		t.Fatalf("upstream got %s %s %s", sent.Method, sent.URL, sentBody)
	}
}

func TestRemoveHopByHop_ConnectionNamed_Removed(t *testing.T) {
	h := http.Header{"Connection": {"X-Secret, keep-alive"}, "X-Secret": {"1"}, "Keep-Alive": {"5"},
		"Te": {"trailers"}, "Upgrade": {"h2c"}, "X-Kept": {"a", "b"}}
	removeHopByHop(h)
	if len(h) != 1 || len(h["X-Kept"]) != 2 {
		t.Fatalf("left %v", h)
	}
}

func TestFilterParams_Query_AllowedOrNamed(t *testing.T) {
	if raw, e := filterParams("size=3&&from=1&filter_path=hits.hits._id", searchParams); e != nil || raw == "" {
		t.Fatalf("allowed refused: %v", e)
	}
	for _, q := range []string{"q=*", "size=1&routing=globex", "%71=x", "source={}", "scroll=1m"} {
		if _, e := filterParams(q, searchParams); e == nil || e.Code != CodeUnsupportedParameter {
			t.Fatalf("%s accepted", q)
		}
	}
}

// A panic after the head is sent must abort the connection, not append an
// error body to a response the client would take as complete.
func TestServeHTTP_PanicWhileStreaming_Aborts(t *testing.T) {
	p := newTestProxy(t, func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(panicReader{})}, nil
	}, nil)
	req := httptest.NewRequest("GET", "/orders/_search", nil)
	req.Header.Set("X-Tenant", "acme")
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Fatalf("recovered %v, want http.ErrAbortHandler", v)
		}
	}()
	p.ServeHTTP(httptest.NewRecorder(), req)
	t.Fatal("ServeHTTP returned normally")
}

type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("reader bug") }
