package query

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The allow-list in spec/11-query-language.md is the judge's own tables, rendered. This
// test fails when the two disagree; OSPROXY_UPDATE_SPEC=1 rewrites the tables in place
// (the prose around the markers is kept), so a change to the judge shows up as a diff
// of the normative spec in the same commit.
func TestAllowList_SpecTables_MatchTheJudge(t *testing.T) {
	path := filepath.Join("..", "..", "spec", "11-query-language.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- allow-list: generated from osproxy/query, do not edit by hand -->\n", "<!-- end of allow-list -->\n"
	doc := string(raw)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the allow-list markers", path)
	}
	want := renderAllowList()
	if got := doc[i+len(begin) : j]; got != want {
		if os.Getenv("OSPROXY_UPDATE_SPEC") == "1" {
			if err := os.WriteFile(path, []byte(doc[:i+len(begin)]+want+doc[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Fatalf("%s is out of date with the judge's tables; rerun with OSPROXY_UPDATE_SPEC=1 and review the diff", path)
	}
}

func renderAllowList() string {
	var b strings.Builder
	b.WriteString("### The search body\n\n")
	writeParams(&b, searchMembers)
	for _, part := range []struct {
		title string
		o     *object
	}{
		{"`_source` as an object", sourceFilter}, {"`highlight`", highlightObject}, {"`collapse`", collapseObject},
		{"inner hits (`inner_hits` of `nested` and `collapse`)", innerHitsObject}, {"a `rescore`", rescoreObject},
		{"a sort's options (`{FIELD: {…}}`)", sortOptions}, {"a script field", scriptFieldObject},
		{"a script as an object", scriptObject},
	} {
		b.WriteString("\n#### " + part.title + "\n\n")
		writeParams(&b, part.o)
	}
	writeReadTables(&b)
	b.WriteString("\n### Query clauses\n\nA query is an object with exactly one of these clauses.\n\n")
	for _, c := range sorted(queryTable) {
		writeClause(&b, c)
	}
	b.WriteString("\n### Aggregations\n\nAn aggregation is an object with exactly one of these types, and optionally `aggs` " +
		"(or `aggregations`) and `meta` (echoed back, any JSON).\n\n")
	for _, c := range sorted(aggTable) {
		writeClause(&b, c)
	}
	return b.String()
}

// writeReadTables renders the bodies and parameters of the reads beyond a plain search
// (spec/14-reads.md).
func writeReadTables(b *strings.Builder) {
	for _, part := range []struct {
		title string
		o     *object
	}{
		{"a point in time (`pit`)", pitObject}, {"The body of `_count` and `_validate/query`", countMembers},
		{"The body of `_delete_by_query`", byQueryMembers}, {"The body of `_update_by_query`", updateByMembers},
		{"A multi-search header", headerMembers},
	} {
		b.WriteString("\n#### " + part.title + "\n\n")
		writeParams(b, part.o)
	}
	b.WriteString("\n### Query-string parameters\n\nA parameter not listed for an endpoint is refused with " +
		"`unsupported_parameter`.\n")
	for _, part := range []struct {
		title string
		e     Endpoint
	}{
		{"`_search`", EndpointSearch}, {"`_count`", EndpointCount}, {"`_validate/query`", EndpointValidate},
		{"`_msearch`", EndpointMultiSearch}, {"`_delete_by_query` and `_update_by_query`", EndpointDeleteByQuery},
		{"`_search/scroll` (the next page)", EndpointScroll}, {"`_search/point_in_time` (creating one)", EndpointCreatePIT},
		{"clearing a scroll, deleting a point in time", EndpointFormatOnly},
	} {
		b.WriteString("\n#### " + part.title + "\n\n| parameter | what the proxy does |\n|---|---|\n")
		for _, row := range paramRows(part.e) {
			b.WriteString("| `" + row[0] + "` | " + row[1] + " |\n")
		}
	}
}

func sorted(cs []*clause) []*clause {
	out := append([]*clause(nil), cs...)
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func writeClause(b *strings.Builder, c *clause) {
	b.WriteString("#### `" + c.name + "`\n\n" + c.shape + ".\n\n")
	if c.same != nil && len(c.same.params) > 0 {
		b.WriteString("Beside the field:\n\n")
		writeParams(b, c.same)
		b.WriteString("\n")
	}
	if c.body != nil {
		if c.same != nil {
			b.WriteString("In the field's object:\n\n")
		}
		writeParams(b, c.body)
		b.WriteString("\n")
	}
}

func writeParams(b *strings.Builder, o *object) {
	b.WriteString("| member | value |\n|---|---|\n")
	for _, pr := range o.params {
		name := "`" + pr.name + "`"
		for alias, canon := range o.alias {
			if canon == pr.name {
				name += " (also `" + alias + "`)"
			}
		}
		b.WriteString("| " + name + " | " + pr.kind.doc + " |\n")
	}
}

// Every listed clause and aggregation can be judged: an empty body of each reaches its
// judge (which may refuse it) without a nil judge or a panic. A kind whose judge is set
// by an init that runs after the tables were built would show here.
func TestAllowList_EveryEntry_Judged(t *testing.T) {
	bodies := []string{}
	for _, c := range queryTable {
		bodies = append(bodies, `{"query":{"`+c.name+`":{}}}`, `{"query":{"`+c.name+`":{"f":{}}}}`)
	}
	for _, c := range aggTable {
		bodies = append(bodies, `{"aggs":{"a":{"`+c.name+`":{}}}}`, `{"aggs":{"a":{"`+c.name+`":{"match_all":{}}}}}`)
	}
	for _, b := range bodies {
		func() {
			defer func() {
				if v := recover(); v != nil {
					t.Errorf("%s: the judge panicked: %v", b, v)
				}
			}()
			_, _ = JudgeSearch(nil, []byte(b), nil, acmePolicy)
		}()
	}
}
