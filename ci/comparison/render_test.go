package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osproxy/osproxy/conformance/report"
	"github.com/osproxy/osproxy/conformance/specrules"
)

func TestRender_TwoRuns_TableAndNamedFailures(t *testing.T) {
	spec := specrules.Spec{
		Profiles: []specrules.Profile{{Name: "core"}},
		Rules: []specrules.Rule{
			{ID: "CFG-1", Level: "MUST", Profile: "core", Text: "Every setting can come from a file."},
			{ID: "CFG-2", Level: "MUST", Profile: "core", Text: "The file is named by --config."},
		},
	}
	ours := &report.Results{Implementation: "ours", Rules: []report.RuleResult{
		{ID: "CFG-1", Status: report.StatusPassed}, {ID: "CFG-2", Status: report.StatusPassed}},
		Profiles: []report.ProfileResult{{Name: "core", Verdict: report.VerdictSuccess, Passed: 2}}}
	orig := &report.Results{Implementation: "orig", Rules: []report.RuleResult{
		{ID: "CFG-1", Status: report.StatusPassed},
		{ID: "CFG-2", Status: report.StatusFailed, Message: "exit 1 | not 0"}},
		Profiles: []report.ProfileResult{{Name: "core", Verdict: report.VerdictFailure, Passed: 1, Failed: 1}}}
	got := render(spec, []column{{"ours", ours}, {"orig", orig}, {"absent", nil}})
	for _, want := range []string{
		"| rule | profile | level | ours | orig | absent |",
		"| CFG-2 | `core` | MUST | pass | **FAIL** | — |",
		"| `core` | success (2/2) | failure (1/2) | — |",
		"- **CFG-2** (MUST) The file is named by --config.\n  - orig: exit 1 \\| not 0",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "**CFG-1**") {
		t.Errorf("a rule nobody failed is listed among failures:\n%s", got)
	}
}

func TestRun_MissingFileAndBadArgument_ExitCodes(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec")
	if err := os.MkdirAll(spec, 0o755); err != nil {
		t.Fatal(err)
	}
	conv := "# c\n\nVersion: 1.0.0\n\n## Profiles\n\n| `core` | x |\n"
	if err := os.WriteFile(filepath.Join(spec, specrules.ConventionsFile), []byte(conv), 0o644); err != nil {
		t.Fatal(err)
	}
	res, _ := json.Marshal(report.Results{Implementation: "x"})
	present := filepath.Join(dir, "r.json")
	if err := os.WriteFile(present, res, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"-spec", spec, "a=" + present, "b=" + filepath.Join(dir, "none.json")}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "| b | — | — | — | — |") {
		t.Errorf("a missing run is not shown as dashes:\n%s", out.String())
	}
	if code := run([]string{"-spec", spec, "no-equals-sign"}, &out, &errOut); code != 2 {
		t.Errorf("exit %d for a malformed argument, want 2", code)
	}
}
