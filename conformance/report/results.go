package report

import (
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/osproxy/osproxy/conformance/specrules"
)

// Rule statuses, as written to results.json.
const (
	StatusPassed     = "passed"
	StatusFailed     = "failed"
	StatusSkipped    = "skipped"
	StatusNotClaimed = "not_claimed"
	StatusNotRun     = "not_run"
)

const (
	rulePrefix    = "rule:"
	profilePrefix = "profile:"
)

// Meta describes the run: what was tested, by which suite, against what.
type Meta struct {
	Implementation string   // name and version of the implementation under test
	SuiteVersion   string   // version of this conformance suite
	Upstream       string   // "mock" or a description of the real cluster
	Profiles       []string // profiles selected for the run; empty means all
}

// Results is the content of results.json.
type Results struct {
	Implementation string             `json:"implementation"`
	SuiteVersion   string             `json:"suite_version"`
	Upstream       string             `json:"upstream"`
	Profiles       []string           `json:"profiles"`
	Rules          []RuleResult       `json:"rules"`
	Measurements   map[string]float64 `json:"measurements"`
	Summary        Summary            `json:"summary"`
}

// RuleResult is one rule's outcome in a run.
type RuleResult struct {
	ID      string `json:"id"`
	Profile string `json:"profile"`
	Level   string `json:"level"`
	Status  string `json:"status"`
	Specs   int    `json:"specs"`
	Reason  string `json:"reason,omitempty"` // skip message, for skipped rules only
}

// Summary counts rules by status; not_run rules count as skipped.
type Summary struct {
	Passed     int `json:"passed"`
	Failed     int `json:"failed"`
	Skipped    int `json:"skipped"`
	NotClaimed int `json:"not_claimed"`
}

// Summarize computes the results of rep against the spec's rules, following
// the rules in the package documentation.
func Summarize(rep types.Report, rules []specrules.Rule, meta Meta) (Results, error) {
	measurements, err := collectMeasurements(rep.SpecReports)
	if err != nil {
		return Results{}, err
	}
	tallies := tallyByRule(rep.SpecReports)
	res := Results{
		Implementation: meta.Implementation,
		SuiteVersion:   meta.SuiteVersion,
		Upstream:       meta.Upstream,
		Profiles:       append([]string{}, meta.Profiles...),
		Rules:          []RuleResult{},
		Measurements:   measurements,
	}
	for _, r := range rules {
		if r.Withdrawn {
			continue
		}
		t := tallies[r.ID]
		if t == nil {
			t = &tally{}
		}
		rr := RuleResult{ID: r.ID, Profile: t.profile, Level: r.Level, Specs: t.executed}
		rr.Status, rr.Reason = t.status(r.Pending)
		res.Rules = append(res.Rules, rr)
		res.Summary.add(rr.Status)
	}
	slices.SortFunc(res.Rules, func(a, b RuleResult) int { return specrules.CompareIDs(a.ID, b.ID) })
	return res, nil
}

func (s *Summary) add(status string) {
	switch status {
	case StatusPassed:
		s.Passed++
	case StatusFailed:
		s.Failed++
	case StatusSkipped, StatusNotRun:
		s.Skipped++
	case StatusNotClaimed:
		s.NotClaimed++
	}
}

// tally accumulates what one rule's specs did.
type tally struct {
	profile  string
	executed int
	failed   bool
	passed   bool
	skipped  bool
	reason   string
}

func (t tally) status(pending bool) (status, reason string) {
	switch {
	case t.failed:
		return StatusFailed, ""
	case t.passed:
		return StatusPassed, ""
	case t.skipped:
		return StatusSkipped, t.reason
	case pending:
		return StatusNotClaimed, ""
	default:
		return StatusNotRun, ""
	}
}

func tallyByRule(specs types.SpecReports) map[string]*tally {
	out := make(map[string]*tally)
	for _, s := range specs {
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		labels := s.Labels()
		profile := firstWithPrefix(labels, profilePrefix)
		for _, l := range labels {
			id, ok := strings.CutPrefix(l, rulePrefix)
			if !ok {
				continue
			}
			t := out[id]
			if t == nil {
				t = &tally{}
				out[id] = t
			}
			t.add(s, profile)
		}
	}
	return out
}

func (t *tally) add(s types.SpecReport, profile string) {
	if t.profile == "" {
		t.profile = profile
	}
	if !executed(s) {
		return
	}
	t.executed++
	switch {
	case s.State.Is(types.SpecStateFailureStates):
		t.failed = true
	case s.State == types.SpecStatePassed:
		t.passed = true
	case s.State == types.SpecStateSkipped:
		if !t.skipped {
			t.reason = s.Failure.Message
		}
		t.skipped = true
	}
}

// executed reports whether a spec ran or was skipped at run time. Ginkgo
// marks specs excluded by the label filter as skipped too, but without an
// attempt or a message.
func executed(s types.SpecReport) bool {
	if s.State == types.SpecStateInvalid || s.State == types.SpecStatePending {
		return false
	}
	return s.State != types.SpecStateSkipped || s.NumAttempts > 0 || s.Failure.Message != ""
}

func firstWithPrefix(labels []string, prefix string) string {
	for _, l := range labels {
		if v, ok := strings.CutPrefix(l, prefix); ok {
			return v
		}
	}
	return ""
}
