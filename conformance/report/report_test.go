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
// fails once, CFG-10 fails, STR-1 skips at run time, STR-2 is filtered out.
func syntheticRun() (types.Report, []specrules.Rule) {
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
	rep := types.Report{
		SuiteDescription: "osproxy conformance",
		SpecReports: types.SpecReports{
			passed,
			suiteNode,
			it(types.SpecStateFailed, 1, rule("CFG-10"), rule("CFG-2"), "profile:core"),
			skipped,
			it(types.SpecStateSkipped, 0, rule("STR-2"), "profile:streaming"),
			it(types.SpecStatePassed, 1, rule("CFG-99")),
			it(types.SpecStatePending, 0, rule("CFG-3"), "profile:core"),
		},
	}
	rules := []specrules.Rule{
		{ID: "CFG-10", Level: "MUST"},
		{ID: "CFG-2", Level: "MUST"},
		{ID: "CFG-1", Level: "SHOULD"},
		{ID: "CFG-3", Level: "MAY"},
		{ID: "CFG-9", Withdrawn: true},
		{ID: "ISO-12", Level: "MUST", Pending: true},
		{ID: "STR-1", Level: "MUST"},
		{ID: "STR-2", Level: "MUST"},
	}
	return rep, rules
}

const wantResults = `{
  "implementation": "acme-osproxy 1.2.0",
  "suite_version": "0.1.0",
  "upstream": "mock",
  "profiles": ["core", "streaming"],
  "rules": [
    {"id": "CFG-1", "profile": "core", "level": "SHOULD", "status": "passed", "specs": 1},
    {"id": "CFG-2", "profile": "core", "level": "MUST", "status": "failed", "specs": 2},
    {"id": "CFG-3", "profile": "core", "level": "MAY", "status": "not_run", "specs": 0},
    {"id": "CFG-10", "profile": "core", "level": "MUST", "status": "failed", "specs": 1},
    {"id": "ISO-12", "profile": "", "level": "MUST", "status": "not_claimed", "specs": 0},
    {"id": "STR-1", "profile": "streaming", "level": "MUST", "status": "skipped", "specs": 1,
     "reason": "needs a real OpenSearch"},
    {"id": "STR-2", "profile": "streaming", "level": "MUST", "status": "not_run", "specs": 0}
  ],
  "measurements": {"peak_rss_bytes": 200, "p99_ms": 1.5},
  "summary": {"passed": 1, "failed": 2, "skipped": 3, "not_claimed": 1}
}`

func TestWrite_SyntheticRun_WritesResultsAndJUnit(t *testing.T) {
	rep, rules := syntheticRun()
	dir := filepath.Join(t.TempDir(), "out")
	meta := Meta{Implementation: "acme-osproxy 1.2.0", SuiteVersion: "0.1.0", Upstream: "mock", Profiles: []string{"core", "streaming"}}
	if err := Write(dir, rep, rules, meta); err != nil {
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
	xmlData, err := os.ReadFile(filepath.Join(dir, JUnitFile))
	if err != nil {
		t.Fatal(err)
	}
	var suites reporters.JUnitTestSuites
	if err := xml.Unmarshal(xmlData, &suites); err != nil {
		t.Fatalf("junit.xml is not XML: %v", err)
	}
	if suites.Tests != 7 || suites.Failures != 1 {
		t.Errorf("junit: %d tests, %d failures; want 7, 1", suites.Tests, suites.Failures)
	}
}

func TestSummarize_EmptyRun_EmptyCollectionsNotNull(t *testing.T) {
	res, err := Summarize(types.Report{}, nil, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"profiles":[]`, `"rules":[]`, `"measurements":{}`} {
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
			res, err := Summarize(types.Report{SpecReports: types.SpecReports{spec}}, nil, Meta{})
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
