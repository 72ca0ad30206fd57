package conformance_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The real cluster of upstream:opensearch specs: OSPROXY_CONFORMANCE_OPENSEARCH_URL
// when set, else a local node that ci/opensearch.sh starts once per run (no
// Docker engine here; see the README for where testcontainers is used).
var cluster struct {
	once    sync.Once
	url     string
	err     error
	started string // "version port" when this run started the node
	about   string // "opensearch <version>", read when the cluster is first used
}

func clusterURL() string {
	cluster.once.Do(func() {
		if u := os.Getenv("OSPROXY_CONFORMANCE_OPENSEARCH_URL"); u != "" {
			cluster.url = strings.TrimRight(u, "/")
			return
		}
		version := os.Getenv("OPENSEARCH_VERSION")
		port := freePort()
		script := filepath.Join(moduleRoot(), "ci", "opensearch.sh")
		cmd := exec.Command(script, "start", version, port)
		cmd.Stderr = GinkgoWriter
		out, err := cmd.Output()
		if err != nil {
			cluster.err = fmt.Errorf("starting OpenSearch with %s: %w", script, err)
			return
		}
		cluster.url = strings.TrimSpace(string(out))
		cluster.started = version + " " + port
		if cluster.err == nil {
			cluster.about = describeCluster(cluster.url)
		}
	})
	Expect(cluster.err).NotTo(HaveOccurred())
	return cluster.url
}

// stopCluster stops the node this run started, if any.
func stopCluster() {
	if cluster.started == "" {
		return
	}
	args := append([]string{"stop"}, strings.Fields(cluster.started)...)
	_ = exec.Command(filepath.Join(moduleRoot(), "ci", "opensearch.sh"), args...).Run()
}

func upstreamDescription() string {
	if upstreamMode == "mock" {
		return "mock"
	}
	if cluster.about == "" {
		return "opensearch (not contacted)"
	}
	return cluster.about
}

// describeCluster names the cluster's distribution and version for the report.
func describeCluster(url string) string {
	r := send("GET", url+"/", "")
	version, _ := r.JSON()["version"].(map[string]any)
	return fmt.Sprintf("%v %v", version["distribution"], version["number"])
}

func freePort() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// newPhysicalIndex creates a fresh shared index with the documented mapping
// (spec/03-tenancy.md) for one spec, and deletes it afterwards.
func newPhysicalIndex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "osproxy-conf-" + hex.EncodeToString(b[:])
	r := send("PUT", clusterURL()+"/"+name,
		`{"settings":{"number_of_shards":2,"number_of_replicas":0},
		  "mappings":{"properties":{"_tenant":{"type":"keyword"},"_logical_index":{"type":"keyword"}}}}`)
	Expect(r.Status).To(Equal(200), "creating %s: %s", name, r.Body)
	DeferCleanup(func() { send("DELETE", clusterURL()+"/"+name, "") })
	return name
}

// storeDirect writes a document straight into OpenSearch in the documented layout
// (TEN-7, TEN-8), as an ingest tool beside the proxy would.
func storeDirect(physical, tenant, index, id, fields string) {
	body := fmt.Sprintf(`{"_tenant":%q,"_logical_index":%q,%s}`, tenant, index, fields)
	url := fmt.Sprintf("%s/%s/_doc/%s:%s:%s?routing=%s", clusterURL(), physical, tenant, index, id, tenant)
	r := send("PUT", url, body)
	Expect(r.Status).To(BeElementOf(200, 201), "storing: %s", r.Body)
}

func refresh(physical string) {
	Expect(send("POST", clusterURL()+"/"+physical+"/_refresh", "").Status).To(Equal(200))
}

// realProxy starts the binary in tenancy mode in front of the real cluster.
func realProxy(physical string) string {
	env := tenancyEnv(clusterURL())
	env["OSPROXY_INDEX"] = physical
	env["OSPROXY_UPSTREAM_TIMEOUT"] = "60s"
	return startProxy(env).URL
}

var _ = time.Second
