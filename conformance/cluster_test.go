package conformance_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	oscluster "github.com/osproxy/osproxy/conformance/cluster"
)

// The real cluster of upstream:opensearch specs, provided once per run by
// conformance/cluster: OSPROXY_CONFORMANCE_OPENSEARCH_URL when set, else a
// testcontainers container where a Docker engine answers, else a local node
// that ci/opensearch.sh starts (OSPROXY_CONFORMANCE_CLUSTER forces either).
var cluster struct {
	once     sync.Once
	provider oscluster.Provider
	url      string
	err      error
	about    string // "opensearch <version>", read when the cluster is first used
}

// clusterStartTimeout covers a first run's download (Maven or an image pull)
// plus the node's own start; Start kills the provisioning when it passes.
const clusterStartTimeout = 20 * time.Minute

func clusterURL() string {
	cluster.once.Do(func() {
		p := oscluster.Choose(os.LookupEnv, oscluster.DockerAvailable, clusterRoot())
		switch p := p.(type) {
		case *oscluster.Local:
			p.Stderr = GinkgoWriter
		case *oscluster.Testcontainers:
			p.Stderr = GinkgoWriter
		}
		cluster.provider = p
		ctx, cancel := context.WithTimeout(context.Background(), clusterStartTimeout)
		defer cancel()
		cluster.url, cluster.err = p.Start(ctx)
		if cluster.err == nil {
			cluster.about = describeCluster(cluster.url)
		}
	})
	Expect(cluster.err).NotTo(HaveOccurred())
	return cluster.url
}

// stopCluster releases what this run provisioned, including a node whose
// start failed half-way; an existing cluster is left running.
func stopCluster() {
	if cluster.provider == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := cluster.provider.Stop(ctx); err != nil {
		fmt.Fprintf(GinkgoWriter, "stopping the %s cluster: %v\n", cluster.provider.Name(), err)
	}
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
