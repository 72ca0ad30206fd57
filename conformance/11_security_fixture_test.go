package conformance_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The security profile's world: one physical index per family of attacks, holding the
// documents of an attacker (acme) and of a victim (globex) in the documented layout
// (TEN-7, TEN-8), all on one shard so that every attack runs over the victim's
// documents too. Every value, id and field name of the victim is a canary: a string
// that appears nowhere in the attacker's data, so finding one in a response proves a
// leak (ISO-24).

// secRun makes this process's physical index names unique on a shared cluster.
var secRun = func() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}()

// physFor is the physical index of a family in one auth mode ("places-open").
func physFor(familyMode string) string { return "osproxy-sec-" + familyMode + "-" + secRun }

// The tokens of the token auth mode, each bound to one tenant (SEC-6).
const (
	secTokens   = "tok-acme=svc-acme:acme,tok-globex=svc-globex:globex"
	attackToken = "tok-acme"
)

// acmeIDs are the attacker's own logical ids in orders.
var acmeIDs = []string{"1", "2", "3", "acme-a"}

// seedDoc is one seeded document: its logical index, logical id and fields.
type seedDoc struct {
	index, id, fields string
}

// victimDocs: three with ids only globex has, two whose logical ids acme also uses
// (so that id collisions are tried), and one in a logical index acme never wrote.
var victimDocs = []seedDoc{
	{"orders", "victim-id-k9q1", victimSeedFields("k1")},
	{"orders", "victim-id-k9q2", victimSeedFields("k2")},
	{"orders", "victim-id-k9q3", victimSeedFields("k3")},
	{"orders", "1", victimSeedFields("c1")},
	{"orders", "2", victimSeedFields("c2")},
	{"secrets", "victim-id-s1x", `"globexsecretfield":"gxcanarysecrets1","msg":"gxcanarymsgs1","n":918273645`},
}

// victimSeedFields is a victim document: canaries in the fields acme uses too and in
// fields only globex has. String canaries are single tokens, so that analysed
// terms are canaries as well.
func victimSeedFields(k string) string {
	return fmt.Sprintf(`"msg":"gxcanarymsg%[1]s","color":"gxcanarycolor%[1]s","n":918273645,"tags":["gxcanarytag%[1]s"],`+
		`"when":"1987-06-05","loc":{"lat":12.3456,"lon":65.4321},"items":[{"name":"gxcanaryitem%[1]s","qty":77}],`+
		`"globexsecretfield":"gxcanarysecret%[1]s","globexsecretnum":918273646,"globexsecretobj":{"globexinner":"gxcanaryinner%[1]s"}`, k)
}

// acmeDocs are the attacker's own documents.
var acmeDocs = func() []seedDoc {
	var out []seedDoc
	for i, id := range acmeIDs {
		out = append(out, seedDoc{"orders", id, fmt.Sprintf(
			`"msg":"acme-doc","color":"red","n":%d,"tags":["t%d"],"when":"2024-01-0%dT00:00:00Z",`+
				`"loc":{"lat":40.7,"lon":-74.0},"items":[{"name":"anvil","qty":%d}],"acmeonly":"ax"`, i+1, i, i+1, i+1)})
	}
	return append(out, seedDoc{"users", "1", `"msg":"acme-user","n":100,"color":"green"`})
}()

// victimNeedles are the victim's values, ids and field names, and the physical id
// prefixes and routing, that no response to acme may carry unless acme's own request
// carried them first (a guessed id or field name echoed back leaks nothing).
var victimNeedles = func() []string {
	out := []string{"globexsecretfield", "globexsecretnum", "globexsecretobj", "globexinner",
		"918273645", "918273646", "9.18273645E8", "9.18273646E8", "1987-06-05", "549849600000",
		"12.345", "65.432", "globex:", "acme:orders:", "acme:users:", "acme:secrets:", "_routing"}
	for _, d := range victimDocs {
		if strings.HasPrefix(d.id, "victim-id-") {
			out = append(out, d.id)
		}
	}
	for _, k := range []string{"k1", "k2", "k3", "c1", "c2"} {
		for _, f := range []string{"msg", "color", "tag", "item", "secret", "inner"} {
			out = append(out, "gxcanary"+f+k)
		}
	}
	return append(out, "gxcanarysecrets1", "gxcanarymsgs1")
}()

// secFixture is what one family's attacks run against.
type secFixture struct {
	physical string
	uuid     string // the physical index's uuid, which no error may show (ISO-16)
	mode     authMode
	addr     string            // the proxy of this mode
	victim   map[string]string // the victim's documents as seeded (ISO-25)
}

// fixtureOption adjusts the environment of a family's proxy.
type fixtureOption func(env map[string]string)

// withInlineScripts turns on ISO-13's inline scripts.
func withInlineScripts(env map[string]string) { env["OSPROXY_ALLOW_INLINE_SCRIPTS"] = "true" }

// setUpFamily creates and seeds the index of a family in one mode and starts the
// proxy of that mode; it runs in a BeforeAll, so its cleanups run after the last case.
func setUpFamily(familyMode string, mode authMode, opts ...fixtureOption) *secFixture {
	f := &secFixture{mode: mode, physical: physFor(familyMode)}
	url := clusterURL()
	send("DELETE", url+"/"+f.physical, "")
	r := send("PUT", url+"/"+f.physical, `{"settings":{"number_of_shards":1,"number_of_replicas":0},
	  "mappings":{"properties":{"_tenant":{"type":"keyword"},"_logical_index":{"type":"keyword"},
	    "items":{"type":"nested"},"tags":{"type":"keyword"},"loc":{"type":"geo_point"},"when":{"type":"date"},"n":{"type":"long"}}}}`)
	Expect(r.Status).To(Equal(200), "creating %s: %s", f.physical, r.Body)
	DeferCleanup(func() { send("DELETE", url+"/"+f.physical, "") })

	var bulk strings.Builder
	add := func(tenant string, d seedDoc) {
		fmt.Fprintf(&bulk, `{"index":{"_id":%q,"routing":%q}}`+"\n", tenant+":"+d.index+":"+d.id, tenant)
		fmt.Fprintf(&bulk, `{"_tenant":%q,"_logical_index":%q,%s}`+"\n", tenant, d.index, d.fields)
	}
	for _, d := range acmeDocs {
		add("acme", d)
	}
	for _, d := range victimDocs {
		add("globex", d)
	}
	r = send("POST", url+"/"+f.physical+"/_bulk?refresh=true", bulk.String(), "Content-Type", "application/x-ndjson")
	Expect(r.Status).To(Equal(200), "seeding: %s", r.Body)
	Expect(r.JSON()["errors"]).To(Equal(false), "seeding: %s", r.Body)

	settings := send("GET", url+"/"+f.physical+"/_settings", "")
	f.uuid, _ = dig(settings.JSON(), f.physical, "settings", "index", "uuid").(string)
	Expect(f.uuid).NotTo(BeEmpty())
	f.victim = victimState(f.physical)
	Expect(f.victim).To(HaveLen(len(victimDocs)))

	switch mode {
	case modeOpen:
		f.addr = f.startProxy("", "true", opts)
	case modeToken:
		f.addr = f.startProxy(secTokens, "true", opts)
	case modeGuarded:
		f.addr = f.startProxy(secTokens, "false", opts)
	}
	return f
}

// startProxy runs the binary in front of the family's index and returns its address.
func (f *secFixture) startProxy(tokens, cleartext string, opts []fixtureOption) string {
	env := tenancyEnv(clusterURL())
	env["OSPROXY_INDEX"] = f.physical
	env["OSPROXY_UPSTREAM_TIMEOUT"] = "60s"
	env["OSPROXY_ALLOW_CLEARTEXT_MUTATION"] = cleartext
	env["OSPROXY_TOKENS"] = tokens
	for _, o := range opts {
		o(env)
	}
	return startProxy(env).Addr
}

// control searches as the victim and checks that the leak scan finds its canaries:
// a scan that finds nothing there could not fail anywhere else.
func (f *secFixture) control() {
	h := []string{"x-tenant", "globex"}
	if f.mode != modeOpen {
		h = []string{"Authorization", "Bearer tok-globex"}
	}
	r, err := rawSend(f.addr, "POST", "/orders/_search", h, `{"size":50}`)
	Expect(err).NotTo(HaveOccurred())
	Expect(r.Status).To(Equal(200), "body: %s", r.Body)
	found := f.leaks("", r)
	for _, canary := range []string{"gxcanarymsgk1", "gxcanarysecretc2", "globexsecretfield", "victim-id-k9q3"} {
		Expect(found).To(ContainElement(ContainSubstring(canary)), "the victim's own search: %s", r.Body)
	}
}

// victimState reads, straight from OpenSearch, every document that belongs to globex
// by id, routing or reserved field, as "version seq_no source" keyed by physical id.
func victimState(physical string) map[string]string {
	url := clusterURL() + "/" + physical
	Expect(send("POST", url+"/_refresh", "").Status).To(Equal(200))
	r := send("POST", url+"/_search", `{"size":1000,"version":true,"seq_no_primary_term":true,"query":{"match_all":{}}}`)
	ExpectWithOffset(1, r.Status).To(Equal(200), "reading the victim's documents: %s", r.Body)
	var res struct {
		Hits struct {
			Hits []struct {
				ID      string          `json:"_id"`
				Routing string          `json:"_routing"`
				Version int64           `json:"_version"`
				SeqNo   int64           `json:"_seq_no"`
				Source  json.RawMessage `json:"_source"`
			}
		}
	}
	ExpectWithOffset(1, json.Unmarshal(r.Body, &res)).To(Succeed())
	out := map[string]string{}
	for _, h := range res.Hits.Hits {
		var src map[string]any
		_ = json.Unmarshal(h.Source, &src)
		// acme's own documents, written by the proxy or seeded, are the only others.
		if strings.HasPrefix(h.ID, "acme:") && h.Routing == "acme" && src["_tenant"] == "acme" {
			continue
		}
		canon, _ := json.Marshal(src) // map keys sorted: a stable form
		out[h.ID] = fmt.Sprintf("v%d s%d %s", h.Version, h.SeqNo, canon)
	}
	return out
}

// sortedKeys lists a map's keys in order, for messages.
func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
