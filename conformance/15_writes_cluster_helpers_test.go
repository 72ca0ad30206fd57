package conformance_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The helpers of the tenancy-writes specs on a real OpenSearch: a shared index of
// their own, and reads straight from the cluster to see the physical layout.

// newSharedIndex creates a shared index with the documented mapping and the given
// index settings (a JSON object's members, such as `"refresh_interval":"-1"`), and
// deletes it afterwards.
func newSharedIndex(settings string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "osproxy-wr-" + hex.EncodeToString(b[:])
	if settings != "" {
		settings = "," + settings
	}
	r := send("PUT", clusterURL()+"/"+name, `{"settings":{"number_of_shards":2,"number_of_replicas":0`+settings+`},`+
		`"mappings":{"properties":{"_tenant":{"type":"keyword"},"_logical_index":{"type":"keyword"}}}}`)
	Expect(r.Status).To(Equal(200), "creating %s: %s", name, r.Body)
	DeferCleanup(func() { send("DELETE", clusterURL()+"/"+name, "") })
	return name
}

// stored is a document as OpenSearch holds it.
type stored struct {
	Found   bool
	Routing string          `json:"_routing"`
	Source  json.RawMessage `json:"_source"`
}

// directDoc reads the document {tenant}:{index}:{id} straight from OpenSearch, routed
// by tenant.
func directDoc(physical, tenant, index, id string) stored {
	target := fmt.Sprintf("%s/%s/_doc/%s?routing=%s", clusterURL(), physical, url.PathEscape(tenant+":"+index+":"+id), url.QueryEscape(tenant))
	r := send("GET", target, "")
	ExpectWithOffset(1, r.Status).To(BeElementOf(200, 404), "reading %s: %s", target, r.Body)
	var d stored
	ExpectWithOffset(1, json.Unmarshal(r.Body, &d)).To(Succeed())
	return d
}

// expectLayout asserts a stored source is in the documented layout (TEN-8): the
// reserved fields of tenant and index as its first two members, then exactly want.
func expectLayout(d stored, tenant, index, want string) {
	ExpectWithOffset(1, d.Found).To(BeTrue(), "the document is stored")
	ExpectWithOffset(1, d.Routing).To(Equal(tenant), "routed by its tenant")
	keys, values := topLevel(d.Source)
	ExpectWithOffset(1, len(keys)).To(BeNumerically(">=", 2), "source %s", d.Source)
	ExpectWithOffset(1, keys[:2]).To(Equal([]string{"_tenant", "_logical_index"}), "the reserved fields come first: %s", d.Source)
	ExpectWithOffset(1, values[:2]).To(Equal([]any{tenant, index}), "source %s", d.Source)
	var got, exp map[string]any
	ExpectWithOffset(1, json.Unmarshal(d.Source, &got)).To(Succeed())
	ExpectWithOffset(1, json.Unmarshal([]byte(want), &exp)).To(Succeed())
	delete(got, "_tenant")
	delete(got, "_logical_index")
	ExpectWithOffset(1, got).To(Equal(exp), "source %s", d.Source)
}

// topLevel returns the member names of a JSON object in their order, and their values.
func topLevel(raw []byte) ([]string, []any) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	ExpectWithOffset(2, err).NotTo(HaveOccurred())
	ExpectWithOffset(2, tok).To(Equal(json.Delim('{')), "an object: %s", raw)
	var keys []string
	var values []any
	for dec.More() {
		k, err := dec.Token()
		ExpectWithOffset(2, err).NotTo(HaveOccurred())
		var v any
		ExpectWithOffset(2, dec.Decode(&v)).To(Succeed())
		keys, values = append(keys, k.(string)), append(values, v)
	}
	return keys, values
}

// directCount counts a tenant's documents of a logical index straight from OpenSearch,
// after a refresh.
func directCount(physical, tenant, index string) int {
	refresh(physical)
	r := send("POST", clusterURL()+"/"+physical+"/_count", fmt.Sprintf(
		`{"query":{"bool":{"filter":[{"term":{"_tenant":%q}},{"term":{"_logical_index":%q}}]}}}`, tenant, index))
	ExpectWithOffset(1, r.Status).To(Equal(200), "counting: %s", r.Body)
	return int(r.JSON()["count"].(float64))
}

// searchIDs searches a logical index through the proxy and returns the ids of its hits.
func searchIDs(base, tenant, index string) []string {
	r := send("POST", base+"/"+index+"/_search", `{"size":100,"sort":[{"_id":"asc"}]}`, "x-tenant", tenant)
	ExpectWithOffset(1, r.Status).To(Equal(200), "body: %s", r.Body)
	ids := []string{}
	for _, h := range dig(r.JSON(), "hits", "hits").([]any) {
		ids = append(ids, h.(map[string]any)["_id"].(string))
	}
	return ids
}

// victim is the other tenant's document every real spec seeds: it must stay as it is
// and never show (ISO-24, ISO-25).
const victimFields = `"msg":"victim-canary-value","n":99,"victimsecretfield":"victim-canary-value"`

// seedVictim stores globex's documents in orders (ids 1 and 2) and invoices (id 1).
func seedVictim(physical string) {
	for _, id := range []string{"1", "2"} {
		storeDirect(physical, "globex", "orders", id, victimFields)
	}
	storeDirect(physical, "globex", "invoices", "1", victimFields)
}

// expectVictimIntact asserts globex's documents are as seedVictim stored them.
func expectVictimIntact(physical string) {
	for _, d := range [][2]string{{"orders", "1"}, {"orders", "2"}, {"invoices", "1"}} {
		expectLayout(directDoc(physical, "globex", d[0], d[1]), "globex", d[0], "{"+victimFields+"}")
	}
	ExpectWithOffset(1, directCount(physical, "globex", "orders")).To(Equal(2))
	ExpectWithOffset(1, directCount(physical, "globex", "invoices")).To(Equal(1))
}
