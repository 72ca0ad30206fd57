package conformance_test

import (
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The life of a logical index (WR-40..46) on a real OpenSearch: acme has orders 1..3 and
// users 1; globex has orders 1, 2 and invoices 1. A logical index exists for a tenant
// exactly when the tenant has documents in it.
var _ = Describe("15 writes: the life of a logical index against a real OpenSearch", Label("profile:tenancy-writes", "upstream:opensearch"), func() {
	var physical, base string
	BeforeEach(func() {
		physical = newSharedIndex("")
		seedVictim(physical)
		for _, id := range []string{"1", "2", "3"} {
			storeDirect(physical, "acme", "orders", id, `"msg":"acme-`+id+`","n":`+id)
		}
		storeDirect(physical, "acme", "users", "1", `"msg":"acme-user"`)
		refresh(physical)
		base = realProxy(physical)
	})
	as := func(tenant, method, target, body string, headers ...string) response {
		r := send(method, base+target, body, append([]string{"x-tenant", tenant}, headers...)...)
		if tenant == "acme" {
			expectNoLeak(r, physical)
		}
		return r
	}
	sharedMapping := func() any {
		r := send("GET", clusterURL()+"/"+physical+"/_mapping", "")
		Expect(r.Status).To(Equal(200))
		return dig(r.JSON(), physical, "mappings")
	}

	It("WR-40: answers HEAD /{index} 200 when the tenant has documents in it, else 404", Label("rule:WR-40"), func() {
		for _, c := range []struct {
			tenant, index string
			status        int
		}{{"acme", "orders", 200}, {"acme", "users", 200}, {"acme", "invoices", 404}, {"acme", "nothing", 404},
			{"globex", "invoices", 200}, {"globex", "users", 404}, {"initech", "orders", 404}} {
			r := as(c.tenant, "HEAD", "/"+c.index, "")
			Expect(r.Status).To(Equal(c.status), "%s HEAD /%s", c.tenant, c.index)
			Expect(r.Body).To(BeEmpty())
		}
	})

	It("WR-41: answers GET /{index} with empty aliases, mappings and settings, or 404 index_not_found_exception", Label("rule:WR-41"), func() {
		r := as("acme", "GET", "/orders", "")
		Expect(r.Status).To(Equal(200))
		sameJSON(r.Body, `{"orders":{"aliases":{},"mappings":{},"settings":{}}}`)
		for _, index := range []string{"invoices", "nothing"} {
			r = as("acme", "GET", "/"+index, "")
			expectError(r, 404, "index_not_found_exception")
			Expect(dig(r.JSON(), "error", "reason")).To(ContainSubstring(index))
		}
	})

	It("WR-42: creates nothing on PUT /{index}: 400 when it has documents, else acknowledged", Label("rule:WR-42"), func() {
		expectError(as("acme", "PUT", "/orders", ""), 400, "resource_already_exists_exception")
		expectError(as("acme", "PUT", "/orders", `{}`), 400, "resource_already_exists_exception")
		for _, index := range []string{"invoices", "fresh"} {
			r := as("acme", "PUT", "/"+index, "")
			Expect(r.Status).To(Equal(200), "body: %s", r.Body)
			sameJSON(r.Body, `{"acknowledged":true,"shards_acknowledged":true,"index":"`+index+`"}`)
			Expect(as("acme", "HEAD", "/"+index, "").Status).To(Equal(404), "PUT created no document")
			Expect(send("HEAD", clusterURL()+"/"+index, "").Status).To(Equal(404), "PUT created no physical index")
		}
		Expect(directCount(physical, "acme", "invoices")).To(Equal(0))
		expectVictimIntact(physical)
	})

	It("WR-43: accepts declared mappings the shared mapping already has, refuses any change, and ignores settings with a Warning", Label("rule:WR-43"), func() {
		before := sharedMapping()
		props := dig(before, "properties").(map[string]any)
		same, err := json.Marshal(map[string]any{"mappings": map[string]any{"properties": map[string]any{"msg": props["msg"], "n": props["n"]}}})
		Expect(err).NotTo(HaveOccurred())
		r := as("acme", "PUT", "/fresh", string(same))
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		for _, b := range []string{
			`{"mappings":{"properties":{"brandnew":{"type":"keyword"}}}}`,
			`{"mappings":{"properties":{"msg":{"type":"keyword"}}}}`,
			`{"mappings":{"properties":{"n":{"type":"text"}}}}`,
			`{"mappings":{"properties":{"msg":{"type":"text","fields":{"raw":{"type":"keyword"}}}}}}`,
			`{"mappings":{"dynamic":"strict","properties":{"n":{"type":"long"}}}}`,
		} {
			expectError(as("acme", "PUT", "/fresh", b), 400, "mapping_change_refused")
		}
		Expect(sharedMapping()).To(Equal(before), "the shared mapping is as it was")
		r = as("acme", "PUT", "/fresh", `{"settings":{"number_of_shards":7,"index":{"refresh_interval":"-1"}}}`)
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		Expect(r.Header.Get("Warning")).To(And(MatchRegexp(`^299 \S+ "`), ContainSubstring("settings")))
		settings := send("GET", clusterURL()+"/"+physical+"/_settings", "")
		Expect(dig(settings.JSON(), physical, "settings", "index", "number_of_shards")).To(Equal("2"))
		expectError(as("acme", "PUT", "/fresh", `{"aliases":{"all-orders":{}}}`), 400, "unsupported_parameter")
		Expect(send("HEAD", clusterURL()+"/all-orders", "").Status).To(Equal(404))
	})

	It("WR-45: makes the tenant's writes visible with POST or GET /{index}/_refresh", Label("rule:WR-45"), func() {
		physical = newSharedIndex(`"refresh_interval":"-1"`)
		base = realProxy(physical)
		for i, method := range []string{"POST", "GET"} {
			id := string(rune('1' + i))
			Expect(bulkItems(bulkTo(base, "/orders/_bulk", nd(`{"index":{"_id":"`+id+`"}}`, `{"msg":"x"}`)))).To(HaveLen(1))
			Expect(searchIDs(base, "acme", "orders")).To(HaveLen(i), "not visible before the refresh")
			r := as("acme", method, "/orders/_refresh", "")
			Expect(r.Status).To(Equal(200), "body: %s", r.Body)
			sameJSON(r.Body, `{"_shards":{"total":2,"successful":2,"failed":0}}`)
			Expect(searchIDs(base, "acme", "orders")).To(HaveLen(i + 1))
		}
	})

	It("WR-46: deletes the tenant's documents of the logical index and only those, then answers 404", Label("rule:WR-46"), func() {
		r := as("acme", "DELETE", "/orders", "")
		Expect(r.Status).To(Equal(200), "body: %s", r.Body)
		sameJSON(r.Body, `{"acknowledged":true}`)
		Expect(directCount(physical, "acme", "orders")).To(Equal(0))
		Expect(directCount(physical, "acme", "users")).To(Equal(1))
		expectVictimIntact(physical)
		Expect(as("acme", "HEAD", "/orders", "").Status).To(Equal(404))
		for _, index := range []string{"orders", "invoices", "nothing"} {
			r = as("acme", "DELETE", "/"+index, "")
			expectError(r, 404, "index_not_found_exception")
			Expect(dig(r.JSON(), "error", "reason")).To(ContainSubstring(index))
		}
		expectVictimIntact(physical)
		Expect(send("HEAD", clusterURL()+"/"+physical, "").Status).To(Equal(200), "the shared index stays")
	})
})
