package conformance_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
	"github.com/osproxy/osproxy/internal/proc"
	"github.com/osproxy/osproxy/mockupstream"
)

// Specs of spec/16-operations.md. The suite stays a black box: goroutines come
// from the proxy's own metrics (OPS-4), descriptors and memory from /proc.

// opsClient is a client of its own, so a spec can close its idle connections
// and see the proxy's count of them fall back.
func opsClient() *http.Client {
	c := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 64}}
	DeferCleanup(c.CloseIdleConnections)
	return c
}

// sample is one line of a Prometheus text exposition.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// scrape reads the proxy's metrics from base (a listener serving /_osproxy/).
func scrape(base string) []sample {
	resp, err := http.Get(base + "/_osproxy/metrics")
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	ExpectWithOffset(1, resp.StatusCode).To(Equal(200))
	ExpectWithOffset(1, resp.Header.Get("Content-Type")).To(HavePrefix("text/plain; version=0.0.4"))
	var out []sample
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if s, ok := parseSample(sc.Text()); ok {
			out = append(out, s)
		}
	}
	ExpectWithOffset(1, sc.Err()).NotTo(HaveOccurred())
	return out
}

// parseSample reads `name{a="b",c="d"} value`; comments and blank lines are not samples.
func parseSample(line string) (sample, bool) {
	if line == "" || strings.HasPrefix(line, "#") {
		return sample{}, false
	}
	s := sample{labels: map[string]string{}}
	rest := line
	if i := strings.IndexByte(line, '{'); i >= 0 {
		s.name = line[:i]
		j := strings.LastIndexByte(line, '}')
		if j < i {
			return sample{}, false
		}
		for _, pair := range splitLabels(line[i+1 : j]) {
			k, v, _ := strings.Cut(pair, "=")
			uq, err := strconv.Unquote(v)
			if err != nil {
				return sample{}, false
			}
			s.labels[k] = uq
		}
		rest = strings.TrimSpace(line[j+1:])
	} else {
		var ok bool
		s.name, rest, ok = strings.Cut(line, " ")
		if !ok {
			return sample{}, false
		}
	}
	v, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
	if err != nil {
		return sample{}, false
	}
	s.value = v
	return s, true
}

// splitLabels splits a label list at the commas outside quoted values.
func splitLabels(s string) []string {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && inQuote:
			i++
		case s[i] == '"':
			inQuote = !inQuote
		case s[i] == ',' && !inQuote:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// value sums the samples of name whose labels include every pair given.
func value(samples []sample, name string, labels ...string) float64 {
	total := 0.0
	for _, s := range samples {
		if s.name != name {
			continue
		}
		match := true
		for i := 0; i+1 < len(labels); i += 2 {
			match = match && s.labels[labels[i]] == labels[i+1]
		}
		if match {
			total += s.value
		}
	}
	return total
}

// has reports whether a sample of name exists.
func has(samples []sample, name string) bool {
	for _, s := range samples {
		if s.name == name {
			return true
		}
	}
	return false
}

// footprint is what a settled proxy holds: goroutines, descriptors, memory.
// fds leaves out the proxy's kept-alive connections to the mock (pooled, not
// leaked), which the mock counts from its side.
type footprint struct {
	goroutines, fds int
	rss             uint64
}

func measure(p *harness.Proxy, base string, m *mockupstream.Server) footprint {
	fds, err := proc.FDCount(p.PID)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	rss, err := proc.RSS(p.PID)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	goroutines := int(value(scrape(base), "go_goroutines"))
	if m != nil {
		fds -= int(m.OpenConnections())
	}
	return footprint{goroutines: goroutines, fds: fds, rss: rss}
}

// settlesAt waits until the proxy's goroutines and descriptors are back at
// most at the baseline's, and returns the figures it settled at. It fails the
// spec with the last figures when they do not come back within timeout: a leak.
func settlesAt(p *harness.Proxy, m *mockupstream.Server, baseline footprint, timeout time.Duration) footprint {
	var last footprint
	EventuallyWithOffset(1, func() bool {
		last = measure(p, p.URL, m)
		return last.goroutines <= baseline.goroutines && last.fds <= baseline.fds
	}).WithTimeout(timeout).WithPolling(100*time.Millisecond).Should(BeTrue(),
		func() string {
			return "the proxy did not come back to its baseline: now " + describe(last) + ", baseline " + describe(baseline)
		})
	return last
}

func describe(f footprint) string {
	return strconv.Itoa(f.goroutines) + " goroutines, " + strconv.Itoa(f.fds) + " descriptors, " +
		strconv.FormatFloat(mib(f.rss), 'f', 1, 64) + " MiB"
}

// opsEnv is passthrough of every path to the mock, for the fault specs: what
// passthrough relays verbatim is what a fault does to a client.
func opsEnv(m *mockupstream.Server, extra ...string) map[string]string {
	env := passthroughEnv(m.URL())
	env["OSPROXY_PASSTHROUGH_CLUSTER"] = "legacy"
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return env
}

// get sends a GET with c and returns status, body and the error of reading it.
func get(c *http.Client, url string, headers ...string) (int, []byte, error) {
	req, err := http.NewRequest("GET", url, nil)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// jsonOf decodes a JSON object.
func jsonOf(b []byte) map[string]any {
	var v map[string]any
	ExpectWithOffset(1, json.Unmarshal(b, &v)).To(Succeed(), "body: %s", b)
	return v
}

// accessLines returns the access-log lines the proxy wrote, decoded.
func accessLines(p *harness.Proxy) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(p.Stderr(), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var v map[string]any
		if json.Unmarshal([]byte(line), &v) == nil && v["msg"] == "request" {
			out = append(out, v)
		}
	}
	return out
}

// waitOpen waits until the mock has n connections open.
func waitOpen(m *mockupstream.Server, n int64, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return m.WaitFor(ctx, func() bool { return m.OpenConnections() == n })
}
