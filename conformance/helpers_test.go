package conformance_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
	"github.com/osproxy/osproxy/mockupstream"
)

// client talks to the proxy: no compression, no redirects, bounded.
var client = &http.Client{
	Timeout:   2 * time.Minute,
	Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 16},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// startMock starts a mock upstream for this spec only.
func startMock() *mockupstream.Server {
	m, err := mockupstream.Start()
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(m.Close)
	return m
}

// tenancyEnv is the seed's environment: open auth, cleartext allowed.
func tenancyEnv(upstream string) map[string]string {
	return map[string]string{
		"OSPROXY_UPSTREAM":                 upstream,
		"OSPROXY_INDEX":                    "osproxy-shared",
		"OSPROXY_TOKENS":                   "",
		"OSPROXY_ALLOW_CLEARTEXT_MUTATION": "1",
	}
}

// passthroughEnv adds whole-instance passthrough to endpoint.
func passthroughEnv(endpoint string) map[string]string {
	env := tenancyEnv(endpoint)
	env["OSPROXY_PASSTHROUGH_CLUSTER"] = "mock"
	env["OSPROXY_PASSTHROUGH_ENDPOINT"] = endpoint
	return env
}

// startProxy spawns the binary under test and waits until it listens.
func startProxy(env map[string]string, args ...string) *harness.Proxy {
	p, err := harness.Spawn(env, args...)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { _, _ = p.Stop(5 * time.Second) })
	Expect(p.WaitReady(20*time.Second)).To(Succeed(), "proxy stderr: %s", p.Stderr())
	return p
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value.
func (r response) JSON() map[string]any {
	var v map[string]any
	ExpectWithOffset(1, json.Unmarshal(r.Body, &v)).To(Succeed(), "body: %s", r.Body)
	return v
}

// send makes one request; headers come in name, value pairs.
func send(method, url, body string, headers ...string) response {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// expectError asserts a refusal by its status and its code, the two facts a
// rule naming a code fixes. The code is read wherever a JSON error body puts
// it (error.type as OpenSearch does, or error as a bare string) so that a
// rule's test fails for that rule's code, not for the envelope, which is
// ERR-1's business alone (expectEnvelope).
func expectError(r response, status int, code string) {
	ExpectWithOffset(1, r.Status).To(Equal(status), "body: %s", r.Body)
	ExpectWithOffset(1, errorCode(r.Body)).To(Equal(code), "body: %s", r.Body)
}

// expectRefused asserts only a refusal's status, for specs that use a
// refusal to observe something else (which setting applied) and must not
// depend on the rule that names the refusal's code.
func expectRefused(r response, status int) {
	ExpectWithOffset(1, r.Status).To(Equal(status), "body: %s", r.Body)
}

// errorCode finds the error code in a JSON error body, or "".
func errorCode(body []byte) string {
	var v struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &v) != nil || len(v.Error) == 0 {
		return ""
	}
	var bare string
	if json.Unmarshal(v.Error, &bare) == nil {
		return bare
	}
	var obj struct{ Type string }
	if json.Unmarshal(v.Error, &obj) == nil {
		return obj.Type
	}
	return ""
}

// expectEnvelope asserts ERR-1's OpenSearch-shaped error body for a refusal
// of the given status and code.
func expectEnvelope(r response, status int, code string) {
	ExpectWithOffset(1, r.Status).To(Equal(status), "body: %s", r.Body)
	ExpectWithOffset(1, r.Header.Get("Content-Type")).To(HavePrefix("application/json"))
	var body struct {
		Error struct {
			RootCause []struct{ Type, Reason string } `json:"root_cause"`
			Type      string
			Reason    string
		}
		Status int
	}
	ExpectWithOffset(1, json.Unmarshal(r.Body, &body)).To(Succeed(), "body: %s", r.Body)
	ExpectWithOffset(1, body.Status).To(Equal(status))
	ExpectWithOffset(1, body.Error.Type).To(Equal(code), "body: %s", r.Body)
	ExpectWithOffset(1, body.Error.Reason).NotTo(BeEmpty())
	ExpectWithOffset(1, body.Error.RootCause).To(HaveLen(1))
	ExpectWithOffset(1, body.Error.RootCause[0].Type).To(Equal(code))
	ExpectWithOffset(1, body.Error.RootCause[0].Reason).To(Equal(body.Error.Reason))
}

// recorded returns the mock's recordings, failing when it saw none.
func onlyRequest(m *mockupstream.Server) mockupstream.Request {
	reqs := m.Requests()
	ExpectWithOffset(1, reqs).To(HaveLen(1))
	return reqs[0]
}

// sameJSON asserts two JSON texts are equal as values.
func sameJSON(got []byte, want string) {
	var g, w any
	ExpectWithOffset(1, json.Unmarshal(got, &g)).To(Succeed(), "got: %s", got)
	ExpectWithOffset(1, json.Unmarshal([]byte(want), &w)).To(Succeed())
	ExpectWithOffset(1, g).To(Equal(w), "got: %s", got)
}

var jsonMarshal = json.Marshal

var _ = bytes.Equal
