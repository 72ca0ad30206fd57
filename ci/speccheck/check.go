package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/osproxy/osproxy/conformance/specrules"
)

// result is the outcome of comparing the spec with the suite.
type result struct {
	Rules    int // rules that are not withdrawn
	Must     int // of which MUST
	Tested   int // of which named by at least one test
	Pending  int // of which pending
	Problems []string
}

// Summary returns the one line printed after the problems.
func (r result) Summary() string {
	verdict := "ok"
	if n := len(r.Problems); n > 0 {
		verdict = fmt.Sprintf("%d problem(s)", n)
	}
	return fmt.Sprintf("spec-check: %d rules (%d MUST), %d tested, %d pending: %s",
		r.Rules, r.Must, r.Tested, r.Pending, verdict)
}

// problem is one line of output, kept with its sort keys.
type problem struct{ id, loc, text string }

// check compares rules with the label uses found in tests. Problems come out
// ordered by rule id, then by location, so that runs are diffable.
func check(rules []specrules.Rule, uses []labelUse) result {
	usesByID := make(map[string][]labelUse)
	for _, u := range uses {
		usesByID[u.ID] = append(usesByID[u.ID], u)
	}
	var res result
	var problems []problem
	for _, r := range rules {
		if r.Withdrawn {
			continue
		}
		res.Rules++
		if r.Level == specrules.LevelMust {
			res.Must++
		}
		if r.Pending {
			res.Pending++
		}
		if len(usesByID[r.ID]) > 0 {
			res.Tested++
		}
		problems = append(problems, ruleProblems(r, usesByID[r.ID])...)
	}
	problems = append(problems, labelProblems(rules, uses)...)
	slices.SortStableFunc(problems, func(a, b problem) int {
		if c := specrules.CompareIDs(a.id, b.id); c != 0 {
			return c
		}
		return strings.Compare(a.loc, b.loc)
	})
	for _, p := range problems {
		res.Problems = append(res.Problems, p.text)
	}
	return res
}

// ruleProblems finds what is wrong with one live rule given its tests.
func ruleProblems(r specrules.Rule, tests []labelUse) []problem {
	var out []problem
	switch {
	case r.Pending:
		for _, u := range tests {
			out = append(out, problem{r.ID, u.Location(), fmt.Sprintf(
				"%s: %s is pending at %s but has a test; remove \"pending\" from the spec",
				u.Location(), r.ID, r.Location())})
		}
	case len(tests) == 0 && (r.Level == specrules.LevelMust || r.Level == specrules.LevelShould):
		out = append(out, problem{r.ID, r.Location(), fmt.Sprintf(
			"%s: %s (%s) has no test labelled \"rule:%s\"", r.Location(), r.ID, r.Level, r.ID)})
	}
	return out
}

// labelProblems finds tests that name ids the spec lacks or has withdrawn.
func labelProblems(rules []specrules.Rule, uses []labelUse) []problem {
	byID := make(map[string]specrules.Rule, len(rules))
	for _, r := range rules {
		byID[r.ID] = r
	}
	var out []problem
	for _, u := range uses {
		r, known := byID[u.ID]
		switch {
		case !known:
			out = append(out, problem{u.ID, u.Location(), fmt.Sprintf(
				"%s: test names %s, which spec/ lacks", u.Location(), u.ID)})
		case r.Withdrawn:
			out = append(out, problem{u.ID, u.Location(), fmt.Sprintf(
				"%s: test names %s, which is withdrawn at %s", u.Location(), u.ID, r.Location())})
		case len(u.Profiles) == 0:
			out = append(out, problem{u.ID, u.Location(), fmt.Sprintf(
				"%s: the test of %s has no \"profile:\" label; %s belongs to %s (%s)", u.Location(), u.ID, u.ID, r.Profile, r.Location())})
		case len(u.Profiles) > 1:
			out = append(out, problem{u.ID, u.Location(), fmt.Sprintf(
				"%s: the test of %s carries %d profile labels (%s); a test belongs to exactly one profile",
				u.Location(), u.ID, len(u.Profiles), strings.Join(u.Profiles, ", "))})
		case u.Profiles[0] != r.Profile:
			out = append(out, problem{u.ID, u.Location(), fmt.Sprintf(
				"%s: the test of %s is labelled \"profile:%s\", but %s declares %s in profile %s",
				u.Location(), u.ID, u.Profiles[0], r.Location(), u.ID, r.Profile)})
		}
	}
	return out
}
