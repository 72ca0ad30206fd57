package observe

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// clock is an injected clock that moves only when told.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestMetrics(c *clock) *Metrics {
	return New(Options{Classes: []string{"other", "search"}, Codes: []string{"overloaded", "tenant_required"},
		Clusters: []string{"upstream", "logs"}, ExplainSize: 4, Now: c.now})
}

func exposition(t *testing.T, m *Metrics) string {
	t.Helper()
	var b bytes.Buffer
	if err := m.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMetrics_EndedRequests_CountedByModeClassAndStatus(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	m := newTestMetrics(c)
	for i, status := range []int{200, 200, 429, 299} {
		r := m.Begin(Passthrough, 1, "POST", "id")
		r.Status, r.BytesIn, r.BytesOut = status, 10, 100
		if status == 429 {
			r.Code = "overloaded"
		}
		c.t = c.t.Add(time.Duration(i+1) * time.Millisecond)
		m.End(r)
	}
	text := exposition(t, m)
	for _, want := range []string{
		`osproxy_requests_total{mode="passthrough",class="search",status="200"} 2`,
		`osproxy_requests_total{mode="passthrough",class="search",status="429"} 1`,
		`osproxy_requests_total{mode="passthrough",class="search",status="2xx"} 1`,
		`osproxy_request_bytes_total{mode="passthrough"} 40`,
		`osproxy_response_bytes_total{mode="passthrough"} 400`,
		`osproxy_rejections_total{code="overloaded"} 1`,
		`osproxy_requests_in_flight 0`,
		`osproxy_request_duration_seconds_bucket{mode="passthrough",class="search",le="0.001"} 1`,
		`osproxy_request_duration_seconds_bucket{mode="passthrough",class="search",le="0.005"} 4`,
		`osproxy_request_duration_seconds_count{mode="passthrough",class="search"} 4`,
		`osproxy_request_duration_seconds_sum{mode="passthrough",class="search"} 0.01`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	if strings.Contains(text, `mode="tenancy",class="search",status`) {
		t.Errorf("a series with no request was written:\n%s", text)
	}
}

func TestMetrics_InFlight_CountsUntilEnd(t *testing.T) {
	m := newTestMetrics(&clock{t: time.Unix(0, 0)})
	a := m.Begin(Tenancy, 0, "GET", "a")
	b := m.Begin(Tenancy, 0, "GET", "b")
	if m.InFlight() != 2 {
		t.Fatalf("in flight %d, want 2", m.InFlight())
	}
	m.End(a)
	m.End(b)
	if m.InFlight() != 0 {
		t.Fatalf("in flight %d after End, want 0", m.InFlight())
	}
}

func TestMetrics_ClientAbort_CountedApartFromUpstreamFailures(t *testing.T) {
	m := newTestMetrics(&clock{t: time.Unix(0, 0)})
	r := m.Begin(Tenancy, 1, "GET", "a")
	r.Status, r.Cluster = ClientClosed, 0
	m.End(r)
	m.Upstream(1, UpstreamExchange{Sent: true, Failure: FailTimeout, Head: 2 * time.Second})
	m.Upstream(1, UpstreamExchange{Sent: true, Status: 503, Head: time.Millisecond})
	text := exposition(t, m)
	for _, want := range []string{
		`osproxy_client_aborts_total{mode="tenancy"} 1`,
		`osproxy_upstream_failures_total{cluster="upstream",reason="timeout"} 0`,
		`osproxy_upstream_failures_total{cluster="logs",reason="timeout"} 1`,
		`osproxy_upstream_responses_total{cluster="logs",status_class="5xx"} 1`,
		`osproxy_upstream_head_duration_seconds_count{cluster="logs"} 2`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
}

func TestMetrics_Func_FamiliesFollowInOrder(t *testing.T) {
	m := newTestMetrics(&clock{t: time.Unix(0, 0)})
	m.Func("osproxy_breaker_state", "Breaker.", "gauge", func(emit Emit) {
		emit(2, "cluster", `we"ird\`)
	})
	text := exposition(t, m)
	want := "# HELP osproxy_breaker_state Breaker.\n# TYPE osproxy_breaker_state gauge\n" +
		`osproxy_breaker_state{cluster="we\"ird\\"} 2` + "\n"
	if !strings.HasSuffix(text, want) {
		t.Errorf("exposition ends:\n%s\nwant suffix:\n%s", text[max(0, len(text)-200):], want)
	}
}

func TestMetrics_Explain_FindsRecentAndForgetsOld(t *testing.T) {
	m := newTestMetrics(&clock{t: time.Unix(0, 0)})
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		r := m.Begin(Tenancy, 1, "GET", id)
		r.Status, r.Code = 400, "tenant_required"
		m.End(r)
	}
	got, ok := m.Explain("e")
	if !ok || got.ID != "e" || got.Code != "tenant_required" || got.Status != 400 {
		t.Fatalf("Explain(e) = %+v, %v", got, ok)
	}
	if _, ok := m.Explain("a"); ok {
		t.Errorf("the ring holds 4: the first request must be forgotten")
	}
}

func TestStatusSlot_EveryStatus_HasALabel(t *testing.T) {
	cases := map[int]string{200: "200", 299: "2xx", 429: "429", 599: "5xx", 99: "other", 1000: "other", -1: "other", 103: "1xx"}
	for status, want := range cases {
		if got := statusLabel(statusSlot(status)); got != want {
			t.Errorf("status %d: label %q, want %q", status, got, want)
		}
	}
}

func TestRequestID_GeneratedAndInbound_Validated(t *testing.T) {
	a, b := NewRequestID(), NewRequestID()
	if len(a) != 32 || a == b || !ValidRequestID(a) {
		t.Fatalf("ids %q %q", a, b)
	}
	for id, want := range map[string]bool{
		"abc-123_x.y:z": true, "": false, strings.Repeat("a", 129): false, strings.Repeat("a", 128): true,
		"a b": false, "a\nb": false, "a/b": false, "é": false,
	} {
		if ValidRequestID(id) != want {
			t.Errorf("ValidRequestID(%q) = %v", id, !want)
		}
	}
}

func BenchmarkMetrics_BeginEnd_WithAccessLog(b *testing.B) {
	s := NewSink(discard{}, time.Second)
	defer s.Close()
	m := New(Options{Classes: []string{"other", "search"}, Clusters: []string{"upstream"}, AccessLog: NewJSONHandler(s, nil)})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r := m.Begin(Passthrough, 1, "POST", "0123456789abcdef0123456789abcdef")
		r.Status, r.BytesIn, r.BytesOut, r.Cluster = 200, 256, 1024, 0
		r.Upstream = UpstreamExchange{Sent: true, Status: 200, Head: time.Millisecond}
		m.End(r)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestAppendTime_AnyInstant_MatchesRFC3339Nano(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 12, 2, 15, 46, 46, 59463586, time.UTC),
		time.Date(2026, 12, 2, 15, 46, 46, 0, time.UTC),
		time.Date(2026, 12, 2, 15, 46, 46, 100000000, time.UTC),
		time.Date(2026, 12, 2, 15, 46, 47, 1, time.FixedZone("x", 3600)),
	} {
		for range 2 { // the second formatting comes from the cache
			if got, want := string(appendTime(nil, tm)), tm.UTC().Format(time.RFC3339Nano); got != want {
				t.Errorf("appendTime(%v) = %s, want %s", tm, got, want)
			}
		}
	}
}

func TestAppendMSField_Durations_ThreeDecimals(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: `,"x":0.000`, 11 * time.Microsecond: `,"x":0.011`, 1234567 * time.Nanosecond: `,"x":1.234`,
		2 * time.Second: `,"x":2000.000`, -3 * time.Millisecond: `,"x":-3.000`,
	} {
		if got := string(appendMSField(nil, "x", d)); got != want {
			t.Errorf("%v: %s, want %s", d, got, want)
		}
	}
}
