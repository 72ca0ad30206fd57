package report

import (
	"fmt"
	"sort"
	"strings"
)

// Markdown renders results as the readable report published beside
// results.json: what was run, one verdict line per profile, then every rule
// that did not pass with its reason.
func Markdown(res Results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# osproxy conformance: %s\n\n", orDash(res.Implementation))
	fmt.Fprintf(&b, "| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| implementation | %s |\n", cell(res.Implementation))
	fmt.Fprintf(&b, "| upstream | %s |\n", cell(res.Upstream))
	fmt.Fprintf(&b, "| suite version | %s |\n", cell(res.SuiteVersion))
	fmt.Fprintf(&b, "| spec version | %s (digest %s) |\n", cell(res.SpecVersion), short(res.SpecDigest))
	claims := "all"
	if len(res.ClaimedProfiles) > 0 {
		claims = strings.Join(res.ClaimedProfiles, ", ")
	}
	fmt.Fprintf(&b, "| claimed profiles | %s |\n", cell(claims))
	s := res.Summary
	fmt.Fprintf(&b, "| rules | %d passed, %d failed, %d skipped, %d not run, %d not claimed |\n\n",
		s.Passed, s.Failed, s.Skipped, s.NotRun, s.NotClaimed)

	b.WriteString("## Profiles\n\n| profile | verdict | passed | failed | skipped | not run |\n|---|---|---|---|---|---|\n")
	for _, p := range res.Profiles {
		fmt.Fprintf(&b, "| `%s` | **%s** | %d | %d | %d | %d |\n", p.Name, p.Verdict, p.Passed, p.Failed, p.Skipped, p.NotRun)
	}
	b.WriteString("\n")
	writeRuleList(&b, "Failed rules", res.Rules, StatusFailed, func(r RuleResult) string { return r.Message })
	writeRuleList(&b, "Skipped rules", res.Rules, StatusSkipped, func(r RuleResult) string { return r.Reason })
	writeRuleList(&b, "Rules not run", res.Rules, StatusNotRun, func(RuleResult) string { return "no spec of this rule ran" })
	if len(res.Measurements) > 0 {
		b.WriteString("## Measurements\n\n| name | value |\n|---|---|\n")
		names := make([]string, 0, len(res.Measurements))
		for n := range res.Measurements {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(&b, "| %s | %.0f |\n", n, res.Measurements[n])
		}
	}
	return b.String()
}

func writeRuleList(b *strings.Builder, title string, rules []RuleResult, status string, why func(RuleResult) string) {
	var rows []string
	for _, r := range rules {
		if r.Status == status {
			rows = append(rows, fmt.Sprintf("| %s | `%s` | %s | %s |", r.ID, r.Profile, r.Level, cell(why(r))))
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(b, "## %s\n\n| rule | profile | level | why |\n|---|---|---|---|\n%s\n\n", title, strings.Join(rows, "\n"))
}

// cell makes text safe inside one Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func short(digest string) string {
	if len(digest) > 12 {
		return digest[:12]
	}
	return orDash(digest)
}
