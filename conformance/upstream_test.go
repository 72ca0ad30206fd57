package conformance_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// startUpstream gives a spec the upstream it studies through recordings
// only. Against the mock (the default) it is a plain mock; against a real
// OpenSearch it is a mock whose every route forwards to the cluster: a
// recording proxy in front of OpenSearch, so a spec that judges what reached
// the upstream (or that nothing did) runs on a real cluster too, and what
// the client gets back is what OpenSearch answered. Specs that script the
// upstream's answers use startMock and carry upstream:mock.
func startUpstream() *mockupstream.Server {
	m := startMock()
	if upstreamMode != "mock" {
		m.Handle("", "/*", forwardTo(clusterURL()))
	}
	return m
}

// searchUpstream is startUpstream answering every search: the mock's empty
// search envelope, or the real cluster's answer.
func searchUpstream() *mockupstream.Server {
	m := startUpstream()
	if upstreamMode == "mock" {
		m.Handle("", "/*", mockupstream.SearchEnvelope(nil, 0))
	}
	return m
}

// docTarget splits a recorded single-document request into the physical
// index, the document id (its path segment decoded once) and the query, so
// that specs judge what the rules fix, not how a valid id is spelt or the
// order of parameters.
func docTarget(r mockupstream.Request) (index, id string, query url.Values) {
	parts := strings.Split(strings.TrimPrefix(r.RawPath, "/"), "/")
	ExpectWithOffset(1, parts).To(HaveLen(3), "not /{index}/_doc/{id}: %s", r.RawPath)
	ExpectWithOffset(1, parts[1]).To(Equal("_doc"), r.RawPath)
	id, err := url.PathUnescape(parts[2])
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	query, err = url.ParseQuery(r.RawQuery)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return parts[0], id, query
}

// requireForwardedWrite skips the spec when this binary forwards no plain
// document write at all, which is DOC-1's business: a rule about what a
// write carries cannot be judged then, and must not be blamed. The probe's
// recording is cleared.
func requireForwardedWrite(base string, up *mockupstream.Server) {
	up.Reset()
	send("PUT", base+"/orders/_doc/probe-write", `{"probe":1}`, "x-tenant", "acme")
	if len(up.Requests()) == 0 {
		Skip("this binary forwards no plain document write (DOC-1), so this rule cannot be judged on writes")
	}
	up.Reset()
}

// leadingKeys returns the first n member names of a JSON object, in order.
func leadingKeys(body []byte, n int) []string {
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	ExpectWithOffset(1, tok).To(Equal(json.Delim('{')), "body: %s", body)
	var keys []string
	for len(keys) < n && dec.More() {
		k, err := dec.Token()
		ExpectWithOffset(1, err).NotTo(HaveOccurred())
		keys = append(keys, k.(string))
		var skip json.RawMessage
		ExpectWithOffset(1, dec.Decode(&skip)).To(Succeed())
	}
	return keys
}

// forwardTo is a Responder relaying each request to base as it came (method,
// raw target, headers, body) and the answer back as it came.
func forwardTo(base string) mockupstream.Responder {
	return forwarder{base: strings.TrimRight(base, "/")}
}

type forwarder struct{ base string }

// forwardClient keeps its own connections to the cluster and never follows
// redirects or adds compression, so the answer is the cluster's own.
var forwardClient = &http.Client{
	Timeout:   2 * time.Minute,
	Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 8},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// StreamsBody reports true: the body is read while it is forwarded, which
// also records it.
func (forwarder) StreamsBody() bool { return true }

// hopHeaders are not forwarded in either direction: each connection has its own.
var hopHeaders = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// forwardBodyLimit bounds what the forwarder holds: the specs that use a real
// cluster send small bodies; the 64 MiB cases need the mock.
const forwardBodyLimit = 8 << 20

func (f forwarder) Respond(w http.ResponseWriter, req *mockupstream.Request) {
	// The body is read whole before it is forwarded, so the recording is
	// complete before the cluster answers: a cluster that answers early (an
	// error) would otherwise leave part of what the proxy sent unrecorded.
	body, err := io.ReadAll(io.LimitReader(req.Body(), forwardBodyLimit))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out, err := http.NewRequestWithContext(req.Context(), req.Method, f.base+req.RequestURI, bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = req.Header.Clone()
	for _, h := range hopHeaders {
		out.Header.Del(h)
	}
	out.ContentLength = int64(len(body))
	resp, err := forwardClient.Do(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	for _, h := range hopHeaders {
		w.Header().Del(h)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// forwarded returns the "METHOD request-target" lines the upstream recorded.
func forwarded(m *mockupstream.Server) []string {
	out := []string{}
	for _, r := range m.Requests() {
		out = append(out, r.Method+" "+r.RequestURI)
	}
	return out
}

// expectNothingForwarded asserts that no request reached the upstream.
func expectNothingForwarded(m *mockupstream.Server) {
	ExpectWithOffset(1, forwarded(m)).To(BeEmpty())
}
