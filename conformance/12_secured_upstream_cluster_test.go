package conformance_test

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The secured OpenSearch of the secured-upstream profile. The run that
// selects it (OSPROXY_CONFORMANCE_UPSTREAM=opensearch-secured) names the node
// and a directory holding what ci/opensearch.sh start secured makes:
// ca.pem, other-ca.pem, admin.password, osproxy.password,
// osproxy-client.pem/-key.pem and expired-client.pem/-key.pem (CN=osproxy).
// `make conformance-secured` starts and stops such a node.
const (
	securedURLEnv = "OSPROXY_CONFORMANCE_SECURED_URL"
	securedDirEnv = "OSPROXY_CONFORMANCE_SECURED_DIR"
	securedMode   = "opensearch-secured"
)

// Specs that need the secured node run only when the run targets it.
var _ = BeforeEach(func() {
	if hasLabel(CurrentSpecReport().Labels(), "upstream:"+securedMode) && upstreamMode != securedMode {
		Skip("needs a secured OpenSearch; run make conformance-secured")
	}
})

// securedNode is the secured cluster and its files.
type securedNode struct {
	url, dir string
	admin    *http.Client
}

func secured() securedNode {
	url, dir := strings.TrimRight(os.Getenv(securedURLEnv), "/"), os.Getenv(securedDirEnv)
	if url == "" || dir == "" {
		Fail(securedURLEnv + " and " + securedDirEnv + " must name the secured node and its files (make conformance-secured sets them)")
	}
	pem, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	Expect(err).NotTo(HaveOccurred())
	pool := x509.NewCertPool()
	Expect(pool.AppendCertsFromPEM(pem)).To(BeTrue())
	admin := &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	return securedNode{url: url, dir: dir, admin: admin}
}

func (n securedNode) file(name string) string { return filepath.Join(n.dir, name) }

// asAdmin sends one request to the node as its admin user, for set-up and
// for looking at what the proxy stored.
func (n securedNode) asAdmin(method, path, body string) response {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, n.url+path, rd)
	Expect(err).NotTo(HaveOccurred())
	password, err := os.ReadFile(n.file("admin.password"))
	Expect(err).NotTo(HaveOccurred())
	req.SetBasicAuth("admin", strings.TrimSpace(string(password)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.admin.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// newSecuredIndex creates a shared index the proxy's user may use (its
// role covers osproxy-*) and deletes it afterwards.
func (n securedNode) newSecuredIndex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "osproxy-sec-" + hex.EncodeToString(b[:])
	r := n.asAdmin("PUT", "/"+name, `{"settings":{"number_of_shards":1,"number_of_replicas":0},
	  "mappings":{"properties":{"_tenant":{"type":"keyword"},"_logical_index":{"type":"keyword"}}}}`)
	Expect(r.Status).To(Equal(200), "creating %s: %s", name, r.Body)
	DeferCleanup(func() { n.asAdmin("DELETE", "/"+name, "") })
	return name
}

// proxyEnv fronts the node with the proxy in tenancy mode on index, with extra settings.
func (n securedNode) proxyEnv(index string, extra map[string]string) map[string]string {
	env := tenancyEnv(n.url)
	env["OSPROXY_INDEX"] = index
	env["OSPROXY_UPSTREAM_TIMEOUT"] = "60s"
	env["OSPROXY_UPSTREAM_CA_FILE"] = n.file("ca.pem")
	return merge(env, extra)
}
