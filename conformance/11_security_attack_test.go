package conformance_test

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// authMode is how the attacker identifies itself.
type authMode string

const (
	modeOpen  authMode = "open auth"   // x-tenant: acme
	modeToken authMode = "bound token" // Authorization: Bearer tok-acme, bound to acme alone
	// modeGuarded is the bound token on a proxy that refuses cleartext (SEC-3); only
	// cases that name it run in it.
	modeGuarded authMode = "bound token, cleartext refused"
)

// attack is one request the attacker sends, and what the spec lets it get back.
type attack struct {
	rule   string   // "rule:ISO-n": the most specific rule of spec/10 the case checks
	name   string   // unique within its family
	method string   // sent as written
	target string   // the request target exactly as on the wire; {phys} is the physical index
	body   string   // {phys} is the physical index
	header []string // name/value pairs sent as written, after the identity header
	want   outcome
	only   authMode // run in this mode alone; empty: both
	bare   bool     // send no identity header: the case's own headers say who it is
	labels Labels   // the profile label, given by securityCases
}

// securityCases labels every row with the security profile. The label is written in
// each table, beside the rows' rule labels, where spec-check reads both.
func securityCases(profile Labels, rows ...attack) []attack {
	for i := range rows {
		rows[i].labels = profile
	}
	return rows
}

// securityCase is securityCases for one row a helper builds with its own rule label.
func securityCase(profile Labels, a attack) attack {
	a.labels = profile
	return a
}

// ruleOf is the "rule:" label among labels.
func ruleOf(labels Labels) string {
	for _, l := range labels {
		if strings.HasPrefix(l, "rule:") {
			return l
		}
	}
	return ""
}

// alternative is one acceptable answer.
type alternative struct {
	what     string
	statuses []int    // nil: any 2xx
	codes    []string // error types of ERR-1, one of which the proxy must name; nil: not checked
	envelope bool     // an OpenSearch error envelope, the proxy's or the cluster's, sanitized
	acme     bool     // a document or search answer showing only acme's documents
	location string   // the id the Location header must name (ISO-17); "*" a new random id
	locIndex string   // the logical index of that Location
	holds    []string // path, JSON value pairs the body must hold: counts the leak scan cannot read
	empty    bool     // no body at all (HEAD)
}

// outcome lists the acceptable answers; the response must match one.
type outcome []alternative

// refused is the proxy's own refusal: status and one of the codes (ERR-1).
func refused(status int, codes ...string) outcome {
	return outcome{{what: fmt.Sprintf("refused %d %v", status, codes), statuses: []int{status}, codes: codes, envelope: true}}
}

// served is a 2xx answer with only the attacker's documents.
func served() outcome { return outcome{{what: "served with acme's documents only", acme: true}} }

// servedHolding is served, with counts that show only acme's documents were counted:
// pairs of a path ("hits.total.value") and its JSON value.
func servedHolding(pairs ...string) outcome {
	return outcome{{what: fmt.Sprintf("served holding %v", pairs), acme: true, holds: pairs}}
}

// notFound is DOC-4's 404 for a document the attacker does not have: found:false on
// a read, result:not_found on a delete, no body on HEAD.
func notFound() outcome {
	return outcome{
		{what: "404 found:false", statuses: []int{404}, acme: true, holds: []string{"found", "false"}},
		{what: "404 not_found", statuses: []int{404}, acme: true, holds: []string{"result", `"not_found"`}},
		{what: "404 without a body", statuses: []int{404}, empty: true},
	}
}

// relayed is an OpenSearch error relayed with its status (SRCH-10, ISO-16).
func relayed(statuses ...int) outcome {
	return outcome{{what: fmt.Sprintf("relayed error %v", statuses), statuses: statuses, envelope: true}}
}

// or accepts either outcome.
func (o outcome) or(p outcome) outcome { return append(slices.Clip(o), p...) }

// mismatch reports why r matches no alternative, or "" when one matches.
func (o outcome) mismatch(r response) string {
	var why []string
	for _, alt := range o {
		msg := alt.check(r)
		if msg == "" {
			return ""
		}
		why = append(why, alt.what+": "+msg)
	}
	return strings.Join(why, "; ")
}

func (alt alternative) check(r response) string {
	switch {
	case alt.statuses == nil && (r.Status < 200 || r.Status > 299):
		return fmt.Sprintf("status %d is not 2xx", r.Status)
	case alt.statuses != nil && !slices.Contains(alt.statuses, r.Status):
		return fmt.Sprintf("status %d", r.Status)
	case alt.empty && len(r.Body) > 0:
		return "a body"
	case alt.envelope:
		return envelopeProblem(r, alt.codes)
	case alt.location != "":
		if msg := locationProblem(r.Header.Get("Location"), alt.locIndex, alt.location); msg != "" {
			return msg
		}
	}
	if alt.acme {
		if msg := acmeOnlyProblem(r); msg != "" {
			return msg
		}
	}
	return holdsProblem(r, alt.holds)
}

// holdsProblem checks path, value pairs against the JSON body.
func holdsProblem(r response, pairs []string) string {
	if len(pairs) == 0 {
		return ""
	}
	var body any
	if err := jsonUnmarshal(r.Body, &body); err != nil {
		return "body is not JSON"
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		v := body
		for _, k := range strings.Split(pairs[i], ".") {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		var want any
		_ = jsonUnmarshal([]byte(pairs[i+1]), &want)
		if fmt.Sprint(v) != fmt.Sprint(want) {
			return fmt.Sprintf("%s is %v, not %s", pairs[i], v, pairs[i+1])
		}
	}
	return ""
}

// created is a 201 whose Location is the logical path of the id in orders (ISO-17).
func created(id string) outcome { return createdIn("orders", id) }

// createdIn is a 201 whose Location is the logical path of the id in index.
func createdIn(index, id string) outcome {
	return outcome{{what: "201 at /" + index + "/_doc/" + id, statuses: []int{201}, acme: true, location: id, locIndex: index}}
}

// locationProblem checks a Location header: /{index}/_doc/ and the id as one
// percent-encoded segment; "*" stands for DOC-2's random 20-character id.
func locationProblem(loc, index, id string) string {
	seg, ok := strings.CutPrefix(loc, "/"+index+"/_doc/")
	if !ok || strings.Contains(seg, "/") {
		return "Location " + loc
	}
	got, err := url.PathUnescape(seg)
	switch {
	case err != nil:
		return "Location " + loc + ": " + err.Error()
	case id == "*" && !regexp.MustCompile(`^[A-Za-z0-9_-]{20}$`).MatchString(got):
		return "Location " + loc + " is not a new random id"
	case id != "*" && got != id:
		return "Location " + loc + " does not name " + id
	}
	return ""
}

// envelopeProblem checks ERR-1's shape; codes, when given, must name the type.
func envelopeProblem(r response, codes []string) string {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return "content-type " + r.Header.Get("Content-Type")
	}
	var body map[string]any
	if err := jsonUnmarshal(r.Body, &body); err != nil {
		return "not JSON: " + err.Error()
	}
	e, _ := body["error"].(map[string]any)
	typ, _ := e["type"].(string)
	reason, _ := e["reason"].(string)
	causes, _ := e["root_cause"].([]any)
	var cause map[string]any
	if len(causes) == 1 {
		cause, _ = causes[0].(map[string]any)
	}
	switch {
	case body["status"] != float64(r.Status):
		return fmt.Sprintf("body status %v", body["status"])
	case typ == "":
		return "no error.type"
	case codes == nil:
		return ""
	case !slices.Contains(codes, typ):
		return "error type " + typ
	case reason == "" || cause == nil || cause["type"] != typ:
		return "not ERR-1's envelope"
	}
	return ""
}

// acmeOnlyProblem checks that the body is JSON and that no document-like object (one
// with an _id) carries _routing (SRCH-9, ISO-14). Names and values are left to the
// leak scan, which knows what the request itself named: a bulk item may echo the index
// the attacker wrote, a 404 the id it asked for.
func acmeOnlyProblem(r response) string {
	if len(r.Body) == 0 {
		return "" // HEAD
	}
	var problems []string
	err := walkJSON(r.Body, func(path string, obj map[string]any) {
		if _, ok := obj["_id"]; !ok {
			return
		}
		if _, ok := obj["_routing"]; ok {
			problems = append(problems, path+"._routing")
		}
	})
	if err != nil {
		return "body is not JSON: " + err.Error()
	}
	return strings.Join(problems, ", ")
}

// run sends one attack as acme and checks ISO-24, ISO-25 and the outcome.
func (f *secFixture) run(a attack) {
	target, body := f.expand(a.target), f.expand(a.body)
	var header []string
	if !a.bare {
		header = identity(f.mode)
	}
	for _, h := range a.header {
		header = append(header, f.expand(h))
	}
	r, err := rawSend(f.addr, a.method, target, header, body)
	Expect(err).NotTo(HaveOccurred())
	var problems []string
	if leaked := f.leaks(requestText(target, header, body), r); len(leaked) > 0 {
		problems = append(problems, "ISO-24: the response leaks "+strings.Join(leaked, ", "))
	}
	want := slices.Clone(a.want)
	for i := range want {
		want[i].location = f.expand(want[i].location)
	}
	if msg := want.mismatch(r); msg != "" {
		problems = append(problems, "outcome: "+msg)
	}
	if after := victimState(f.physical); !maps.Equal(after, f.victim) {
		problems = append(problems, fmt.Sprintf("ISO-25: the victim's documents changed (ids now %v)", sortedKeys(after)))
	}
	Expect(problems).To(BeEmpty(), "%s %s\nrequest body: %.2000s\n-> %d %v\n%.4000s", a.method, target, body, r.Status, r.Header, r.Body)
}

// expand puts the physical index name into a table string: {phys} as it is, {PHYS}
// in upper case, {phys%} with its first letter percent-encoded.
func (f *secFixture) expand(s string) string {
	return strings.NewReplacer("{phys}", f.physical, "{PHYS}", strings.ToUpper(f.physical),
		"{phys%}", fmt.Sprintf("%%%02X", f.physical[0])+f.physical[1:]).Replace(s)
}

// attackFamily declares one family: in each auth mode, its own index and proxy, set up
// once, and one spec per case, each reported on its own. Cases that write run once
// per mode, each against a fresh copy of the seed.
func attackFamily(family string, cases []attack, opts ...fixtureOption) bool {
	seen, modes := map[string]bool{}, []authMode{modeOpen, modeToken}
	for _, a := range cases {
		if seen[a.name] || !strings.HasPrefix(strings.TrimPrefix(a.rule, "rule:"), "ISO-") || a.method == "" || len(a.want) == 0 || len(a.labels) == 0 {
			panic(fmt.Sprintf("security family %s: case %q is duplicated or incomplete", family, a.name))
		}
		seen[a.name] = true
		if a.only == modeGuarded && !slices.Contains(modes, modeGuarded) {
			modes = append(modes, modeGuarded)
		}
	}
	for _, mode := range modes {
		slug := map[authMode]string{modeOpen: "open", modeToken: "token", modeGuarded: "guarded"}[mode]
		Describe("11 security: "+family+" ("+string(mode)+")", Ordered, ContinueOnFailure,
			Label("profile:security", "upstream:opensearch"), func() {
				var f *secFixture
				BeforeAll(func() { f = setUpFamily(family+"-"+slug, mode, opts...) })
				if mode != modeGuarded {
					It("ISO-24: the victim searching as itself finds its canaries, so the scan can see a leak", Label("rule:ISO-24"), func() {
						f.control()
					})
				}
				for _, a := range cases {
					if a.only != mode && (a.only != "" || mode == modeGuarded) {
						continue
					}
					It(fmt.Sprintf("%s: %s (%s)", strings.TrimPrefix(a.rule, "rule:"), a.name, mode), Label(a.rule), a.labels, func() {
						f.run(a)
					})
				}
			})
	}
	return true
}
