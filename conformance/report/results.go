package report

import (
	"slices"
	"strings"
	"unicode/utf8"

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
	Profiles       []string // profiles the implementation claims; empty means all
}

// Results is the content of results.json.
type Results struct {
	Implementation string `json:"implementation"`
	SuiteVersion   string `json:"suite_version"`
	SpecVersion    string `json:"spec_version"`
	SpecDigest     string `json:"spec_digest"`
	Upstream       string `json:"upstream"`
	// ClaimedProfiles is what the implementation claimed; empty means all.
	ClaimedProfiles []string           `json:"claimed_profiles"`
	Profiles        []ProfileResult    `json:"profiles"`
	Rules           []RuleResult       `json:"rules"`
	Measurements    map[string]float64 `json:"measurements"`
	Summary         Summary            `json:"summary"`
}

// RuleResult is one rule's outcome in a run.
type RuleResult struct {
	ID      string `json:"id"`
	Profile string `json:"profile"`
	Level   string `json:"level"`
	Status  string `json:"status"`
	// Specs counts the specs that ran to a verdict (passed or failed);
	// specs skipped at run time are not counted.
	Specs int `json:"specs"`
	// Reason says why a rule was skipped or not claimed; Message is the
	// first failing spec's failure, for failed rules.
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// Summary counts rules by status; the five counts add up to the rules.
type Summary struct {
	Passed     int `json:"passed"`
	Failed     int `json:"failed"`
	Skipped    int `json:"skipped"`
	NotRun     int `json:"not_run"`
	NotClaimed int `json:"not_claimed"`
}

// Summarize computes the results of rep against the spec, following the
// rules in the package documentation.
func Summarize(rep types.Report, spec specrules.Spec, meta Meta) (Results, error) {
	measurements, err := collectMeasurements(rep.SpecReports)
	if err != nil {
		return Results{}, err
	}
	tallies := tallyByRule(rep.SpecReports)
	res := Results{
		Implementation:  meta.Implementation,
		SuiteVersion:    meta.SuiteVersion,
		SpecVersion:     spec.Version,
		SpecDigest:      spec.Digest,
		Upstream:        meta.Upstream,
		ClaimedProfiles: append([]string{}, meta.Profiles...),
		Rules:           []RuleResult{},
		Measurements:    measurements,
	}
	for _, r := range spec.Rules {
		if r.Withdrawn {
			continue
		}
		t := tallies[r.ID]
		if t == nil {
			t = &tally{}
		}
		rr := RuleResult{ID: r.ID, Profile: r.Profile, Level: r.Level, Specs: t.ran}
		switch {
		case r.Pending:
			rr.Status, rr.Reason = StatusNotClaimed, "pending in spec/"
		case !claimed(meta.Profiles, r.Profile):
			rr.Status, rr.Reason = StatusNotClaimed, "profile "+r.Profile+" not claimed"
		default:
			rr.Status, rr.Reason, rr.Message = t.status()
		}
		res.Rules = append(res.Rules, rr)
		res.Summary.add(rr.Status)
	}
	slices.SortFunc(res.Rules, func(a, b RuleResult) int { return specrules.CompareIDs(a.ID, b.ID) })
	res.Profiles = profileResults(spec.ProfileNames(), meta.Profiles, res.Rules)
	return res, nil
}

// claimed reports whether profile is among the claimed ones; an empty
// claim claims every profile.
func claimed(claims []string, profile string) bool {
	return len(claims) == 0 || slices.Contains(claims, profile)
}

func (s *Summary) add(status string) {
	switch status {
	case StatusPassed:
		s.Passed++
	case StatusFailed:
		s.Failed++
	case StatusSkipped:
		s.Skipped++
	case StatusNotRun:
		s.NotRun++
	case StatusNotClaimed:
		s.NotClaimed++
	}
}

// tally accumulates what one rule's specs did.
type tally struct {
	ran     int // specs that passed or failed
	failed  bool
	passed  bool
	skipped bool
	reason  string // the first skip message
	message string // the first failure message
}

func (t tally) status() (status, reason, message string) {
	switch {
	case t.failed:
		return StatusFailed, "", t.message
	case t.passed:
		return StatusPassed, "", ""
	case t.skipped:
		return StatusSkipped, t.reason, ""
	default:
		return StatusNotRun, "", ""
	}
}

func tallyByRule(specs types.SpecReports) map[string]*tally {
	out := make(map[string]*tally)
	for _, s := range specs {
		if s.LeafNodeType != types.NodeTypeIt {
			continue
		}
		for _, l := range s.Labels() {
			id, ok := strings.CutPrefix(l, rulePrefix)
			if !ok {
				continue
			}
			t := out[id]
			if t == nil {
				t = &tally{}
				out[id] = t
			}
			t.add(s)
		}
	}
	return out
}

func (t *tally) add(s types.SpecReport) {
	if !executed(s) {
		return
	}
	switch {
	case s.State.Is(types.SpecStateFailureStates):
		if !t.failed {
			t.message = firstLine(s.Failure.Message, messageLimit)
		}
		t.ran++
		t.failed = true
	case s.State == types.SpecStatePassed:
		t.ran++
		t.passed = true
	case s.State == types.SpecStateSkipped:
		if !t.skipped {
			t.reason = s.Failure.Message
		}
		t.skipped = true
	}
}

// messageLimit bounds a failure message kept in results.json: its start
// says what broke; the console and junit.xml keep the rest.
const messageLimit = 300

// firstLine returns s with its white space runs folded to one space, cut to
// at most n bytes (on a rune boundary): Gomega's "Expected\n<int>: 200\nto
// equal\n<int>: 403" reads as one line.
func firstLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
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
