package conformance_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// roundTripSeed fixes the random documents and ids of the round-trip property: a
// failure names it, and the same seed reproduces the same data.
const roundTripSeed uint64 = 20261202

// idPieces are what random ids are made of: the separators of the layout and of URLs,
// escapes, and characters of one to four UTF-8 bytes.
var idPieces = []string{"a", "Z", "0", "9", "-", "_", ".", ":", "/", "%", "%2F", "%3A", "..", "?", "#", " ", "+", "&", "=",
	`\`, `"`, "'", "é", "ß", "中", "日本", "😀", "\u00a0", "~", "*", ",", "[", "}"}

// randomID returns an id of at most maxBytes bytes; with full it is exactly maxBytes.
func randomID(rng *rand.Rand, maxBytes int, full bool) string {
	target := maxBytes
	if !full {
		target = 1 + rng.IntN(min(maxBytes, 40))
	}
	var b strings.Builder
	for b.Len() < target {
		p := idPieces[rng.IntN(len(idPieces))]
		if b.Len()+len(p) > target {
			p = strings.Repeat("x", target-b.Len())
		}
		b.WriteString(p)
	}
	return b.String()
}

// randomText is a string of up to n pieces: letters, escapes JSON must write, and
// characters outside ASCII.
func randomText(rng *rand.Rand, n int) string {
	pieces := []string{"a", "b", " ", "\"", "\\", "/", "\n", "\t", "é", "中文", "😀", "<", ">", "&", "\u2028", "x:y", "%20"}
	var b strings.Builder
	for range rng.IntN(n + 1) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

// randomDoc returns a JSON object whose field names keep one type each (s_ strings,
// n_ integers, f_ fractions, b_ booleans, o_ objects, a_ arrays, z_ nulls), so that
// any mix of documents maps cleanly in the shared index.
func randomDoc(rng *rand.Rand) string {
	doc := map[string]any{}
	for range rng.IntN(7) {
		k := rng.IntN(3)
		switch rng.IntN(8) {
		case 0:
			doc[fmt.Sprintf("s_%d", k)] = randomText(rng, 30)
		case 1:
			doc[fmt.Sprintf("n_%d", k)] = rng.Int64N(1<<53) - 1<<52
		case 2:
			doc[fmt.Sprintf("f_%d", k)] = float64(rng.IntN(1e6))/8 + 0.125
		case 3:
			doc[fmt.Sprintf("b_%d", k)] = rng.IntN(2) == 1
		case 4:
			doc[fmt.Sprintf("o_%d", k)] = map[string]any{"s": randomText(rng, 5), "n": rng.IntN(100)}
		case 5:
			doc[fmt.Sprintf("a_%d", k)] = []string{randomText(rng, 4), randomText(rng, 4)}
		case 6:
			doc[fmt.Sprintf("z_%d", k)] = nil
		default:
			doc[[]string{"s_ü", "s_名前", "s_a b"}[k]] = randomText(rng, 10)
		}
	}
	b, err := json.Marshal(doc)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

// corpus is what one tenant wrote: per logical index, its documents by id.
type corpus map[string]map[string]string

// sameDoc reports whether two JSON texts hold the same value, numbers compared as written.
func sameDoc(a, b []byte) bool {
	parse := func(t []byte) any {
		d := json.NewDecoder(bytes.NewReader(t))
		d.UseNumber()
		var v any
		if d.Decode(&v) != nil {
			return fmt.Sprintf("invalid JSON %q", t)
		}
		return v
	}
	return bytes.Equal(mustMarshal(parse(a)), mustMarshal(parse(b)))
}

var _ = Describe("15 writes: the round trip against a real OpenSearch", Label("profile:tenancy-writes", "upstream:opensearch"), func() {
	It("WR-11, WR-14, WR-20, WR-39: reads back by _mget and search exactly the random documents and ids _bulk wrote, stored in the layout",
		Label("rule:WR-11", "rule:WR-14", "rule:WR-20", "rule:WR-39"), func() {
			g := NewGomega(func(message string, skip ...int) {
				Fail(fmt.Sprintf("round trip with seed %d: %s", roundTripSeed, message), append(skip, 1)[0]+1)
			})
			AddReportEntry("seed", roundTripSeed)
			rng := rand.New(rand.NewPCG(roundTripSeed, roundTripSeed))
			physical := newSharedIndex("")
			base := realProxy(physical)
			written := map[string]corpus{}
			for _, tenant := range []string{"acme", "globex"} {
				written[tenant] = writeCorpus(g, rng, base, tenant)
			}
			for tenant, c := range written {
				expectMgetBack(g, rng, base, tenant, c, written)
				expectSearchBack(g, base, tenant, c)
				expectStoredLayout(g, base, physical, tenant, c)
			}
		})
})

// writeCorpus writes about 40 random documents into each of two logical indices for
// tenant with one _bulk, and checks each item's answer.
func writeCorpus(g Gomega, rng *rand.Rand, base, tenant string) corpus {
	c := corpus{"orders": {}, "users": {}}
	var lines []string
	var order [][2]string
	for _, index := range []string{"orders", "users"} {
		limit := 512 - len(tenant+":"+index+":")
		for i := 0; i < 40; i++ {
			id := randomID(rng, limit, i < 4)
			if _, dup := c[index][id]; dup {
				continue
			}
			doc := randomDoc(rng)
			c[index][id] = doc
			verb := []string{"index", "create"}[rng.IntN(2)]
			lines = append(lines, fmt.Sprintf(`{%q:{"_index":%q,"_id":%s}}`, verb, index, jsonString(id)), doc)
			order = append(order, [2]string{index, id})
		}
	}
	r := send("POST", base+"/orders/_bulk?refresh=true", nd(lines...), "x-tenant", tenant, "Content-Type", "application/x-ndjson")
	g.Expect(r.Status).To(Equal(200), "body: %s", r.Body)
	items := bulkItems(r)
	g.Expect(items).To(HaveLen(len(order)))
	for i, it := range items {
		for _, res := range it {
			g.Expect(res).To(And(HaveKeyWithValue("_index", order[i][0]), HaveKeyWithValue("_id", order[i][1]),
				HaveKeyWithValue("status", 201.0)), "tenant %s item %d: %v", tenant, i, it)
		}
	}
	return c
}

// expectMgetBack reads every document of the tenant back with one _mget in a shuffled
// order, with the ids only the other tenant has mixed in, which must be found:false.
func expectMgetBack(g Gomega, rng *rand.Rand, base, tenant string, c corpus, all map[string]corpus) {
	type ref struct{ index, id string }
	var refs []ref
	for other, oc := range all {
		for index, docs := range oc {
			for id := range docs {
				if _, mine := c[index][id]; other == tenant || !mine {
					refs = append(refs, ref{index, id})
				}
			}
		}
	}
	rng.Shuffle(len(refs), func(i, j int) { refs[i], refs[j] = refs[j], refs[i] })
	var req []map[string]string
	for _, rf := range refs {
		req = append(req, map[string]string{"_index": rf.index, "_id": rf.id})
	}
	r := send("POST", base+"/_mget", string(mustMarshal(map[string]any{"docs": req})), "x-tenant", tenant)
	g.Expect(r.Status).To(Equal(200), "body: %s", r.Body)
	var res struct {
		Docs []struct {
			Index  string `json:"_index"`
			ID     string `json:"_id"`
			Found  bool
			Source json.RawMessage `json:"_source"`
		}
	}
	g.Expect(json.Unmarshal(r.Body, &res)).To(Succeed())
	g.Expect(res.Docs).To(HaveLen(len(refs)))
	for i, d := range res.Docs {
		want, mine := c[refs[i].index][refs[i].id]
		g.Expect([2]string{d.Index, d.ID}).To(Equal([2]string{refs[i].index, refs[i].id}), "tenant %s doc %d", tenant, i)
		g.Expect(d.Found).To(Equal(mine), "tenant %s doc %d (%s %q)", tenant, i, d.Index, d.ID)
		if mine {
			g.Expect(sameDoc(d.Source, []byte(want))).To(BeTrue(), "tenant %s %s %q: got %s, wrote %s", tenant, d.Index, d.ID, d.Source, want)
		}
	}
}

// expectSearchBack searches each logical index of the tenant: all its documents and
// only them; and an ids query on a few of the ids finds exactly those.
func expectSearchBack(g Gomega, base, tenant string, c corpus) {
	for index, docs := range c {
		got := searchSources(g, base, tenant, index, `{"size":200}`)
		g.Expect(got).To(HaveLen(len(docs)), "tenant %s index %s", tenant, index)
		var some []string
		for id, want := range docs {
			g.Expect(got).To(HaveKey(id), "tenant %s index %s", tenant, index)
			g.Expect(sameDoc(got[id], []byte(want))).To(BeTrue(), "tenant %s %s %q: got %s, wrote %s", tenant, index, id, got[id], want)
			if len(some) < 5 {
				some = append(some, id)
			}
		}
		q := searchSources(g, base, tenant, index, string(mustMarshal(map[string]any{"query": map[string]any{"ids": map[string]any{"values": some}}})))
		g.Expect(q).To(HaveLen(len(some)), "ids query of tenant %s index %s: %q", tenant, index, some)
	}
}

func searchSources(g Gomega, base, tenant, index, body string) map[string]json.RawMessage {
	r := send("POST", base+"/"+index+"/_search", body, "x-tenant", tenant)
	g.Expect(r.Status).To(Equal(200), "body: %s", r.Body)
	var res struct {
		Hits struct {
			Hits []struct {
				ID     string          `json:"_id"`
				Index  string          `json:"_index"`
				Source json.RawMessage `json:"_source"`
			}
		}
	}
	g.Expect(json.Unmarshal(r.Body, &res)).To(Succeed())
	out := map[string]json.RawMessage{}
	for _, h := range res.Hits.Hits {
		g.Expect(h.Index).To(Equal(index))
		out[h.ID] = h.Source
	}
	return out
}

// expectStoredLayout reads every document straight from OpenSearch by its physical id
// and routing: the reserved fields first, then exactly what the client wrote; and
// reads a few back through the proxy by id, their ids escaped as one path segment.
func expectStoredLayout(g Gomega, base, physical, tenant string, c corpus) {
	var req []map[string]string
	var want []string
	for index, docs := range c {
		for id, doc := range docs {
			req = append(req, map[string]string{"_id": tenant + ":" + index + ":" + id, "routing": tenant})
			want = append(want, doc)
		}
	}
	r := send("POST", clusterURL()+"/"+physical+"/_mget", string(mustMarshal(map[string]any{"docs": req})))
	g.Expect(r.Status).To(Equal(200), "body: %s", r.Body)
	var res struct{ Docs []stored }
	g.Expect(json.Unmarshal(r.Body, &res)).To(Succeed())
	g.Expect(res.Docs).To(HaveLen(len(req)))
	for i, d := range res.Docs {
		pid := req[i]["_id"]
		g.Expect(d.Found).To(BeTrue(), "physical id %q is stored", pid)
		g.Expect(d.Routing).To(Equal(tenant), "physical id %q", pid)
		keys, values := topLevel(d.Source)
		index := strings.SplitN(pid, ":", 3)[1]
		g.Expect(keys[:2]).To(Equal([]string{"_tenant", "_logical_index"}), "physical id %q: %s", pid, d.Source)
		g.Expect(values[:2]).To(Equal([]any{tenant, index}), "physical id %q", pid)
		g.Expect(string(d.Source)).To(HaveSuffix(strings.TrimPrefix(want[i], "{")), "physical id %q keeps the client's bytes", pid)
		if want[i] == "{}" {
			g.Expect(keys).To(HaveLen(2), "physical id %q", pid)
		}
	}
	for i := 0; i < len(req) && i < 10; i++ {
		parts := strings.SplitN(req[i]["_id"], ":", 3)
		r := send("GET", base+"/"+parts[1]+"/_doc/"+url.PathEscape(parts[2]), "", "x-tenant", tenant)
		g.Expect(r.Status).To(Equal(200), "GET by id %q: %s", parts[2], r.Body)
		var doc struct {
			Index  string          `json:"_index"`
			ID     string          `json:"_id"`
			Source json.RawMessage `json:"_source"`
		}
		g.Expect(json.Unmarshal(r.Body, &doc)).To(Succeed())
		g.Expect([2]string{doc.Index, doc.ID}).To(Equal([2]string{parts[1], parts[2]}))
		g.Expect(sameDoc(doc.Source, []byte(want[i]))).To(BeTrue(), "GET by id %q: got %s, wrote %s", parts[2], doc.Source, want[i])
	}
}
