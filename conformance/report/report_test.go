package report

import (
	"encoding/json"
	"encoding/xml"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/osproxy/osproxy/conformance/specrules"
)

// rule builds a rule label by concatenation so that ci/speccheck, which
// scans these files too, does not take them for conformance tests.
func rule(id string) string { return rulePrefix + id }

func it(state types.SpecState, attempts int, labels ...string) types.SpecReport {
	return types.SpecReport{
		LeafNodeType:   types.NodeTypeIt,
		LeafNodeText:   strings.Join(labels, " "),
		LeafNodeLabels: labels,
		State:          state,
		NumAttempts:    attempts,
	}
}

func entry(name string, value any) types.ReportEntry {
	return types.ReportEntry{Name: name, Value: types.WrapEntryValue(value)}
}

// syntheticRun covers every status: CFG-1 passes, CFG-2 passes once and
// fails once, CFG-10 fails, STR-1 skips at run time, STR-2 is filtered out,
// ISO-12 is pending and TEN-1's profile is not claimed.
func syntheticRun() (types.Report, specrules.Spec) {
	passed := it(types.SpecStatePassed, 1, rule("CFG-1"), rule("CFG-2"), "profile:core")
	passed.ReportEntries = types.ReportEntries{
		entry("measurement:peak_rss_bytes", 100),
		entry("measurement:p99_ms", 1.5),
		entry("note", "not a measurement"),
	}
	suiteNode := types.SpecReport{LeafNodeType: types.NodeTypeSynchronizedAfterSuite, State: types.SpecStatePassed}
	suiteNode.ReportEntries = types.ReportEntries{entry("measurement:peak_rss_bytes", uint64(200))}
	skipped := it(types.SpecStateSkipped, 1, rule("STR-1"))
	skipped.ContainerHierarchyLabels = [][]string{{"profile:streaming"}}
	skipped.Failure.Message = "needs a real OpenSearch"
	failed := it(types.SpecStateFailed, 1, rule("CFG-10"), rule("CFG-2"), "profile:core")
	failed.Failure.Message = "\nExpected\n    <int>: 500\nto equal\n    <int>: 200"
	rep := types.Report{
		SuiteDescription: "osproxy conformance",
		SpecReports: types.SpecReports{
			passed,
			suiteNode,
			failed,
			skipped,
			it(types.SpecStateSkipped, 0, rule("STR-2"), "profile:streaming"),
			it(types.SpecStatePassed, 1, rule("CFG-99")),
			it(types.SpecStatePending, 0, rule("CFG-3"), "profile:core"),
			it(types.SpecStatePassed, 1, rule("TEN-1"), "profile:tenancy"),
		},
	}
	spec := specrules.Spec{
		Version:  "0.2.0",
		Digest:   "abc",
		Profiles: []specrules.Profile{{Name: "core"}, {Name: "tenancy"}, {Name: "streaming"}, {Name: "isolation"}, {Name: "empty"}},
		Rules: []specrules.Rule{
			{ID: "CFG-10", Level: "MUST", Profile: "core"},
			{ID: "CFG-2", Level: "MUST", Profile: "core"},
			{ID: "CFG-1", Level: "SHOULD", Profile: "core"},
			{ID: "CFG-3", Level: "MAY", Profile: "core"},
			{ID: "CFG-9", Withdrawn: true, Profile: "core"},
			{ID: "ISO-12", Level: "MUST", Pending: true, Profile: "isolation"},
			{ID: "STR-1", Level: "MUST", Profile: "streaming"},
			{ID: "STR-2", Level: "MUST", Profile: "streaming"},
			{ID: "TEN-1", Level: "MUST", Profile: "tenancy"},
		},
	}
	return rep, spec
}

const wantResults = `{
  "implementation": "acme-osproxy 1.2.0",
  "suite_version": "0.1.0",
  "spec_version": "0.2.0",
  "spec_digest": "abc",
  "upstream": "mock",
  "claimed_profiles": ["core", "streaming", "isolation"],
  "profiles": [
    {"name": "core", "claimed": true, "verdict": "failure", "passed": 1, "failed": 2, "skipped": 0, "not_run": 1,
     "failed_rules": ["CFG-2", "CFG-10"], "skipped_rules": [], "not_run_rules": ["CFG-3"]},
    {"name": "tenancy", "claimed": false, "verdict": "not_claimed", "passed": 0, "failed": 0, "skipped": 0, "not_run": 0,
     "failed_rules": [], "skipped_rules": [], "not_run_rules": []},
    {"name": "streaming", "claimed": true, "verdict": "partial", "passed": 0, "failed": 0, "skipped": 1, "not_run": 1,
     "failed_rules": [], "skipped_rules": ["STR-1"], "not_run_rules": ["STR-2"]},
    {"name": "isolation", "claimed": true, "verdict": "not_claimed", "passed": 0, "failed": 0, "skipped": 0, "not_run": 0,
     "failed_rules": [], "skipped_rules": [], "not_run_rules": []}
  ],
  "rules": [
    {"id": "CFG-1", "profile": "core", "level": "SHOULD", "status": "passed", "specs": 1},
    {"id": "CFG-2", "profile": "core", "level": "MUST", "status": "failed", "specs": 2, "message": "Expected <int>: 500 to equal <int>: 200"},
    {"id": "CFG-3", "profile": "core", "level": "MAY", "status": "not_run", "specs": 0},
    {"id": "CFG-10", "profile": "core", "level": "MUST", "status": "failed", "specs": 1, "message": "Expected <int>: 500 to equal <int>: 200"},
    {"id": "ISO-12", "profile": "isolation", "level": "MUST", "status": "not_claimed", "specs": 0, "reason": "pending in spec/"},
    {"id": "STR-1", "profile": "streaming", "level": "MUST", "status": "skipped", "specs": 0,
     "reason": "needs a real OpenSearch"},
    {"id": "STR-2", "profile": "streaming", "level": "MUST", "status": "not_run", "specs": 0},
    {"id": "TEN-1", "profile": "tenancy", "level": "MUST", "status": "not_claimed", "specs": 1, "reason": "profile tenancy not claimed"}
  ],
  "measurements": {"peak_rss_bytes": 200, "p99_ms": 1.5},
  "summary": {"passed": 1, "failed": 2, "skipped": 1, "not_run": 2, "not_claimed": 2}
}`

func TestWrite_SyntheticRun_WritesResultsAndJUnit(t *testing.T) {
	rep, spec := syntheticRun()
	dir := filepath.Join(t.TempDir(), "out")
	meta := Meta{Implementation: "acme-osproxy 1.2.0", SuiteVersion: "0.1.0", Upstream: "mock", Profiles: []string{"core", "streaming", "isolation"}}
	if err := Write(dir, rep, spec, meta); err != nil {
		t.Fatalf("Write: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("results.json is not JSON: %v", err)
	}
	if err := json.Unmarshal([]byte(wantResults), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("results.json:\n%s\nwant:\n%s", data, wantResults)
	}
	md, err := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| `core` | **failure** | 1 | 2 | 0 | 1 |", "| `tenancy` | **not_claimed** |",
		"| CFG-10 | `core` | MUST | Expected <int>: 500 to equal <int>: 200 |", "| STR-1 | `streaming` | MUST | needs a real OpenSearch |",
		"| spec version | 0.2.0 (digest abc) |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q:\n%s", want, md)
		}
	}
	xmlData, err := os.ReadFile(filepath.Join(dir, JUnitFile))
	if err != nil {
		t.Fatal(err)
	}
	var suites reporters.JUnitTestSuites
	if err := xml.Unmarshal(xmlData, &suites); err != nil {
		t.Fatalf("junit.xml is not XML: %v", err)
	}
	if suites.Tests != 8 || suites.Failures != 1 {
		t.Errorf("junit: %d tests, %d failures; want 8, 1", suites.Tests, suites.Failures)
	}
}

func TestSummarize_EmptyRun_EmptyCollectionsNotNull(t *testing.T) {
	res, err := Summarize(types.Report{}, specrules.Spec{}, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"claimed_profiles":[]`, `"profiles":[]`, `"rules":[]`, `"measurements":{}`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %s", data, want)
		}
	}
}

// roundTripped returns e as a parallel run delivers it: through JSON.
func roundTripped(t *testing.T, e types.ReportEntry) types.ReportEntry {
	t.Helper()
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var out types.ReportEntry
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSummarize_MeasurementValues_ConvertOrFail(t *testing.T) {
	tests := []struct {
		name    string
		entry   types.ReportEntry
		want    float64
		wantErr bool
	}{
		{"int", entry("measurement:x", 7), 7, false},
		{"uint64", entry("measurement:x", uint64(1<<40)), 1 << 40, false},
		{"float32", entry("measurement:x", float32(0.5)), 0.5, false},
		{"json round trip", roundTripped(t, entry("measurement:x", 42)), 42, false},
		{"json number text only", types.ReportEntry{Name: "measurement:x", Value: types.ReportEntryValue{AsJSON: "3.25"}}, 3.25, false},
		{"string", entry("measurement:x", "fast"), 0, true},
		{"nan", entry("measurement:x", math.NaN()), 0, true},
		{"infinite", entry("measurement:x", math.Inf(1)), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := it(types.SpecStatePassed, 1)
			spec.ReportEntries = types.ReportEntries{tt.entry}
			res, err := Summarize(types.Report{SpecReports: types.SpecReports{spec}}, specrules.Spec{}, Meta{})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %t", err, tt.wantErr)
			}
			if err == nil && res.Measurements["x"] != tt.want {
				t.Errorf("measurement = %v, want %v", res.Measurements["x"], tt.want)
			}
		})
	}
}

func TestLabelFilter_ProfileList_GinkgoFilter(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{" , ", ""},
		{"core", "profile:core"},
		{"core,streaming", "profile:core || profile:streaming"},
		{" core , profile:tenancy,", "profile:core || profile:tenancy"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := LabelFilter(tt.in); got != tt.want {
				t.Errorf("LabelFilter(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
