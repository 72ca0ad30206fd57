package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/mockupstream"
)

// The helpers of the tenancy-writes specs (spec/15-writes.md): NDJSON bodies, what
// the mock received of a _bulk, and a mock that answers a _bulk as OpenSearch does.

// nd joins lines into an NDJSON body, every line ending in a newline.
func nd(lines ...string) string {
	return strings.Join(lines, "\n") + "\n"
}

// bulkTo sends body to target (path and query, such as "/orders/_bulk?refresh=true") as
// the tenant acme, in NDJSON unless headers name another Content-Type.
func bulkTo(base, target, body string, headers ...string) response {
	h := append([]string{"x-tenant", "acme"}, headers...)
	typed := false
	for i := 0; i+1 < len(headers); i += 2 {
		typed = typed || strings.EqualFold(headers[i], "Content-Type")
	}
	if !typed {
		h = append(h, "Content-Type", "application/x-ndjson")
	}
	return send("POST", base+target, body, h...)
}

// sent is one item as the upstream must receive it: the action's verb and members,
// and the source line byte for byte ("" for a delete).
type sent struct {
	verb   string
	action map[string]any
	source string
}

// phys is the action members of an item the proxy forwards: the physical id of the
// tenant acme and its routing, plus the members the client set that are forwarded.
func phys(index, id string, extra ...any) map[string]any {
	m := map[string]any{"_id": "acme:" + index + ":" + id, "routing": "acme"}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i].(string)] = extra[i+1]
	}
	return m
}

// injected is a client source as WR-20 sends it: the reserved fields first, then the
// client's bytes after its opening brace.
func injected(index, client string) string {
	head := `{"_tenant":"acme","_logical_index":"` + index + `"`
	rest := strings.TrimPrefix(client, "{")
	if strings.TrimSpace(rest) == "}" {
		return head + "}"
	}
	return head + "," + rest
}

// upstreamLines splits a body the mock received into its lines: each must end in a
// newline, none may keep a carriage return.
func upstreamLines(body []byte) []string {
	ExpectWithOffset(2, body).NotTo(BeEmpty())
	ExpectWithOffset(2, body[len(body)-1]).To(Equal(byte('\n')), "the upstream body ends with a newline: %q", body)
	ExpectWithOffset(2, bytes.ContainsRune(body, '\r')).To(BeFalse(), "no carriage return reaches the upstream: %q", body)
	return strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
}

// upstreamAction decodes an action line the mock received. An _index member may only
// name the physical index (the proxy may state it or leave it to the path), and is
// dropped so that the rest compares as the client's view made physical.
func upstreamAction(line string) (string, map[string]any) {
	var a map[string]map[string]any
	ExpectWithOffset(2, json.Unmarshal([]byte(line), &a)).To(Succeed(), "action line %q", line)
	ExpectWithOffset(2, a).To(HaveLen(1), "action line %q", line)
	for verb, members := range a {
		if idx, ok := members["_index"]; ok {
			ExpectWithOffset(2, idx).To(Equal("osproxy-shared"), "an action names only the physical index: %q", line)
			delete(members, "_index")
		}
		return verb, members
	}
	return "", nil
}

// expectSent asserts the one _bulk the upstream received: POST to the physical index,
// and exactly the items of want, in order.
func expectSent(m *mockupstream.Server, want ...sent) mockupstream.Request {
	rec := onlyRequest(m)
	ExpectWithOffset(1, rec.Method+" "+rec.RawPath).To(Equal("POST /osproxy-shared/_bulk"))
	ExpectWithOffset(1, rec.BodyComplete).To(BeTrue())
	lines := upstreamLines(rec.BodyPrefix)
	i := 0
	for n, w := range want {
		ExpectWithOffset(1, len(lines)).To(BeNumerically(">", i), "item %d was not sent: %q", n, rec.BodyPrefix)
		verb, action := upstreamAction(lines[i])
		ExpectWithOffset(1, verb).To(Equal(w.verb), "item %d", n)
		ExpectWithOffset(1, action).To(Equal(w.action), "item %d: %s", n, lines[i])
		i++
		if w.verb == "delete" {
			continue
		}
		ExpectWithOffset(1, len(lines)).To(BeNumerically(">", i), "item %d has no source: %q", n, rec.BodyPrefix)
		ExpectWithOffset(1, lines[i]).To(Equal(w.source), "item %d's source", n)
		i++
	}
	ExpectWithOffset(1, lines[i:]).To(BeEmpty(), "nothing beyond the expected items is sent")
	return rec
}

// fakeBulk answers a _bulk as OpenSearch answers one whose every item succeeds: one
// item per action line of the recorded body, in order, each with the physical id it
// was sent.
func fakeBulk() mockupstream.Responder {
	return mockupstream.ResponderFunc(func(w http.ResponseWriter, req *mockupstream.Request) {
		var items []string
		lines := strings.Split(strings.TrimSuffix(string(req.BodyPrefix), "\n"), "\n")
		for i := 0; i < len(lines); i++ {
			var a map[string]map[string]any
			if json.Unmarshal([]byte(lines[i]), &a) != nil {
				break
			}
			for verb, m := range a {
				items = append(items, okItem(verb, "osproxy-shared", fmt.Sprint(m["_id"]), len(items)))
				if verb != "delete" {
					i++
				}
			}
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		_, _ = fmt.Fprintf(w, `{"took":3,"errors":false,"items":[%s]}`, strings.Join(items, ","))
	})
}

// okItem is the answer item OpenSearch gives a successful action; the proxy's answer
// carries the same with the logical index and id.
func okItem(verb, index, id string, seq int) string {
	result, status := "created", 201
	switch verb {
	case "update":
		result, status = "updated", 200
	case "delete":
		result, status = "deleted", 200
	}
	return fmt.Sprintf(`{%q:{"_index":%q,"_id":%s,"_version":1,"result":%q,"_shards":{"total":1,"successful":1,"failed":0},`+
		`"_seq_no":%d,"_primary_term":1,"status":%d}}`, verb, index, jsonString(id), result, seq, status)
}

// bulkItems decodes a _bulk answer's items, each {"<verb>":{…}}.
func bulkItems(r response) []map[string]map[string]any {
	var body struct {
		Errors *bool
		Items  []map[string]map[string]any
	}
	ExpectWithOffset(1, r.Status).To(Equal(200), "body: %s", r.Body)
	ExpectWithOffset(1, json.Unmarshal(r.Body, &body)).To(Succeed(), "body: %s", r.Body)
	ExpectWithOffset(1, body.Errors).NotTo(BeNil(), "the answer says whether an item failed: %s", r.Body)
	return body.Items
}

// expectRefusedItem asserts a bulk item the proxy refused (WR-27): the verb, the index and id
// as the client gave them, the refusal's status and error type, and a reason.
func expectRefusedItem(item map[string]map[string]any, verb string, index, id any, status int, code string) {
	ExpectWithOffset(1, item).To(HaveKey(verb), "item %v", item)
	got := item[verb]
	ExpectWithOffset(1, got).To(HaveKeyWithValue("_index", index), "item %v", item)
	if id == nil {
		ExpectWithOffset(1, got).To(HaveKeyWithValue("_id", BeNil()), "item %v", item)
	} else {
		ExpectWithOffset(1, got).To(HaveKeyWithValue("_id", id), "item %v", item)
	}
	ExpectWithOffset(1, got).To(HaveKeyWithValue("status", float64(status)), "item %v", item)
	ExpectWithOffset(1, got["error"]).To(And(HaveKeyWithValue("type", code), HaveKeyWithValue("reason", Not(BeEmpty()))), "item %v", item)
}

// settledRequests waits until every request the mock received has a body that ended
// or broke off, and returns them.
func settledRequests(m *mockupstream.Server) []mockupstream.Request {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ExpectWithOffset(1, m.WaitFor(ctx, func() bool {
		for _, r := range m.Requests() {
			if r.BodySHA256 == "" {
				return false
			}
		}
		return true
	})).To(Succeed())
	return m.Requests()
}

// writesMock starts a mock that answers every _bulk with fakeBulk, and the proxy in
// front of it with extra environment.
func writesMock(extra ...string) (*mockupstream.Server, string) {
	m := startMock()
	m.Handle("POST", "/osproxy-shared/_bulk", fakeBulk())
	env := tenancyEnv(m.URL())
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return m, startProxy(env).URL
}

// mustJSON decodes a JSON text the test wrote itself.
func mustJSON(s string) any {
	var v any
	ExpectWithOffset(1, json.Unmarshal([]byte(s), &v)).To(Succeed(), "%s", s)
	return v
}
