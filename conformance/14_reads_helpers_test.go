package conformance_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// Helpers of the 14_reads specs (spec/14-reads.md).

// readsKey is a cursor_affinity_key for specs that need cursors to open across
// processes; every other spec lets the proxy make its own.
const readsKey = "conformance-reads-key-0123456789abcdef"

// readsProxy starts the binary in tenancy mode in front of mock, with extra
// environment in name, value pairs.
func readsProxy(mock *mockupstream.Server, extra ...string) string {
	env := tenancyEnv(mock.URL())
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return startProxy(env).URL
}

// physHit is a hit as OpenSearch returns it from the shared index.
func physHit(tenant, index, id, source string) string {
	return fmt.Sprintf(`{"_index":"osproxy-shared","_id":"%s:%s:%s","_score":1.0,"_routing":"%s","_source":{"_tenant":"%s","_logical_index":"%s",%s}}`,
		tenant, index, id, tenant, tenant, index, source)
}

// searchPage is a search response around hits, with extra top-level members first
// (a cursor, say).
func searchPage(extra string, hits ...string) string {
	if extra != "" {
		extra += ","
	}
	return `{` + extra + `"took":1,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},` +
		`"hits":{"total":{"value":` + fmt.Sprint(len(hits)) + `,"relation":"eq"},"max_score":1.0,"hits":[` +
		strings.Join(hits, ",") + `]}}`
}

// wrappedIn is the query the proxy sends for tenant acme around q, with the index
// filter given as JSON (a term or a terms), or none.
func wrappedIn(indexFilter, q string) string {
	filter := `[{"term":{"_tenant":"acme"}}`
	if indexFilter != "" {
		filter += "," + indexFilter
	}
	return `{"bool":{"filter":` + filter + `],"must":[` + q + `]}}`
}

const (
	ordersTerm   = `{"term":{"_logical_index":"orders"}}`
	twoIndexTerm = `{"terms":{"_logical_index":["orders","invoices"]}}`
	matchAllQ    = `{"match_all":{}}`
)

// asAcme sends a request as tenant acme.
func asAcme(method, url, body string, headers ...string) response {
	return send(method, url, body, append([]string{"x-tenant", "acme"}, headers...)...)
}

// jsonField reads one top-level string member of a JSON body.
func jsonField(r response, name string) string {
	v, _ := r.JSON()[name].(string)
	return v
}

// expectOpaque asserts a sealed cursor shows none of what it seals, in clear or in
// base64 (READ-23).
func expectOpaque(sealed string, hidden ...string) {
	ExpectWithOffset(1, sealed).NotTo(BeEmpty())
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	ExpectWithOffset(1, err).NotTo(HaveOccurred(), "a cursor is URL-safe base64: %q", sealed)
	for _, h := range hidden {
		ExpectWithOffset(1, sealed).NotTo(ContainSubstring(h))
		ExpectWithOffset(1, string(raw)).NotTo(ContainSubstring(h))
		ExpectWithOffset(1, sealed).NotTo(ContainSubstring(strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(h)), "=")))
	}
}

// bodyOf decodes a recorded JSON body.
func bodyOf(b []byte) map[string]any {
	var v map[string]any
	ExpectWithOffset(1, json.Unmarshal(b, &v)).To(Succeed(), "body: %s", b)
	return v
}

// rawMember returns the bytes of one top-level member of a JSON body, as sent.
func rawMember(body []byte, name string) string {
	var m map[string]json.RawMessage
	ExpectWithOffset(1, json.Unmarshal(body, &m)).To(Succeed(), "body: %s", body)
	return string(m[name])
}

// recordedAt returns the recorded requests whose raw path is path.
func recordedAt(m *mockupstream.Server, path string) []mockupstream.Request {
	var out []mockupstream.Request
	for _, r := range m.Requests() {
		if r.RawPath == path {
			out = append(out, r)
		}
	}
	return out
}

// mockClusterRoot answers GET / as a cluster would, for the node answers that repeat it.
var mockClusterRoot = mockupstream.JSON(http.StatusOK, `{"name":"n1","cluster_name":"conformance","cluster_uuid":"u",`+
	`"version":{"distribution":"opensearch","number":"2.19.6","build_type":"tar","build_hash":"abc"},"tagline":"The OpenSearch Project"}`)
