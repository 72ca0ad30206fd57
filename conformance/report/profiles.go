package report

import "github.com/osproxy/osproxy/conformance/specrules"

// Profile verdicts, as written to results.json.
const (
	VerdictSuccess    = "success"
	VerdictPartial    = "partial"
	VerdictFailure    = "failure"
	VerdictNotClaimed = "not_claimed"
)

// ProfileResult is one profile's verdict and the rules behind it.
type ProfileResult struct {
	Name    string `json:"name"`
	Claimed bool   `json:"claimed"`
	Verdict string `json:"verdict"`
	Passed  int    `json:"passed"`
	Failed  int    `json:"failed"`
	Skipped int    `json:"skipped"`
	NotRun  int    `json:"not_run"`
	// FailedRules, SkippedRules and NotRunRules list rule ids by status.
	FailedRules  []string `json:"failed_rules"`
	SkippedRules []string `json:"skipped_rules"`
	NotRunRules  []string `json:"not_run_rules"`
}

// profileResults judges each declared profile over its rules, in the
// spec's order. A claimed profile is a failure when one of its MUST rules
// failed, partial when none failed but one was skipped or not run, and a
// success otherwise; SHOULD and MAY rules are listed but do not change the
// verdict. A profile not claimed, or whose rules are all pending, is
// not_claimed, whatever its rules did; a declared profile with no rule yet is
// left out, since a verdict on nothing would read as a success.
func profileResults(names, claims []string, rules []RuleResult) []ProfileResult {
	out := make([]ProfileResult, 0, len(names))
	for _, name := range names {
		p := ProfileResult{Name: name, Claimed: claimed(claims, name),
			FailedRules: []string{}, SkippedRules: []string{}, NotRunRules: []string{}}
		mustFailed, mustMissing := false, false
		total, judged := 0, 0
		for _, r := range rules {
			if r.Profile != name {
				continue
			}
			total++
			if r.Status != StatusNotClaimed {
				judged++
			}
			must := r.Level == specrules.LevelMust
			switch r.Status {
			case StatusPassed:
				p.Passed++
			case StatusFailed:
				p.Failed++
				p.FailedRules = append(p.FailedRules, r.ID)
				mustFailed = mustFailed || must
			case StatusSkipped:
				p.Skipped++
				p.SkippedRules = append(p.SkippedRules, r.ID)
				mustMissing = mustMissing || must
			case StatusNotRun:
				p.NotRun++
				p.NotRunRules = append(p.NotRunRules, r.ID)
				mustMissing = mustMissing || must
			}
		}
		if total == 0 {
			continue
		}
		switch {
		case !p.Claimed || judged == 0:
			p.Verdict = VerdictNotClaimed
		case mustFailed:
			p.Verdict = VerdictFailure
		case mustMissing:
			p.Verdict = VerdictPartial
		default:
			p.Verdict = VerdictSuccess
		}
		out = append(out, p)
	}
	return out
}
