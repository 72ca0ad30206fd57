package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/osproxy/osproxy/conformance/specrules"
)

func must(id string) specrules.Rule {
	return specrules.Rule{ID: id, Level: "MUST", Profile: "core", File: "spec/01-a.md", Line: 1}
}

func use(id string, line int) labelUse {
	return labelUse{ID: id, File: "conformance/01_a_test.go", Line: line, Profiles: []string{"core"}}
}

// TestCheck_SpecAndTests_ReportsProblems is one table of every problem kind;
// it runs past 60 lines because the table is the documentation.
func TestCheck_SpecAndTests_ReportsProblems(t *testing.T) {
	pending := must("ISO-12")
	pending.Pending = true
	withdrawn := must("CFG-9")
	withdrawn.Withdrawn = true
	should := must("CFG-4")
	should.Level = "SHOULD"
	may := must("CFG-5")
	may.Level = "MAY"

	tests := []struct {
		name  string
		rules []specrules.Rule
		uses  []labelUse
		want  []string
	}{
		{"all tested", []specrules.Rule{must("CFG-1"), may}, []labelUse{use("CFG-1", 3)}, nil},
		{
			"untested must and should, may exempt",
			[]specrules.Rule{must("CFG-10"), should, may, must("CFG-2")},
			nil,
			[]string{
				`spec/01-a.md:1: CFG-2 (MUST) has no test labelled "rule:CFG-2"`,
				`spec/01-a.md:1: CFG-4 (SHOULD) has no test labelled "rule:CFG-4"`,
				`spec/01-a.md:1: CFG-10 (MUST) has no test labelled "rule:CFG-10"`,
			},
		},
		{"untested pending is fine", []specrules.Rule{pending}, nil, nil},
		{
			"pending with a test",
			[]specrules.Rule{pending},
			[]labelUse{use("ISO-12", 7)},
			[]string{`conformance/01_a_test.go:7: ISO-12 is pending at spec/01-a.md:1 but has a test; remove "pending" from the spec`},
		},
		{
			"unknown id",
			[]specrules.Rule{must("CFG-1")},
			[]labelUse{use("CFG-1", 1), use("CFG-99", 9)},
			[]string{"conformance/01_a_test.go:9: test names CFG-99, which spec/ lacks"},
		},
		{
			"profile problems",
			[]specrules.Rule{must("CFG-1")},
			[]labelUse{
				{ID: "CFG-1", File: "t.go", Line: 1},
				{ID: "CFG-1", File: "t.go", Line: 2, Profiles: []string{"core", "tenancy"}},
				{ID: "CFG-1", File: "t.go", Line: 3, Profiles: []string{"tenancy"}},
				{ID: "CFG-1", File: "t.go", Line: 4, Profiles: []string{"core"}},
			},
			[]string{
				`t.go:1: the test of CFG-1 has no "profile:" label; CFG-1 belongs to core (spec/01-a.md:1)`,
				"t.go:2: the test of CFG-1 carries 2 profile labels (core, tenancy); a test belongs to exactly one profile",
				`t.go:3: the test of CFG-1 is labelled "profile:tenancy", but spec/01-a.md:1 declares CFG-1 in profile core`,
			},
		},
		{
			"withdrawn id",
			[]specrules.Rule{withdrawn},
			[]labelUse{use("CFG-9", 4)},
			[]string{"conformance/01_a_test.go:4: test names CFG-9, which is withdrawn at spec/01-a.md:1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check(tt.rules, tt.uses).Problems
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestCheck_Counts_SummaryLine(t *testing.T) {
	pending := must("ISO-12")
	pending.Pending = true
	withdrawn := must("CFG-9")
	withdrawn.Withdrawn = true
	may := must("CFG-5")
	may.Level = "MAY"
	res := check([]specrules.Rule{must("CFG-1"), may, pending, withdrawn}, []labelUse{use("CFG-1", 1), use("CFG-1", 2)})
	want := "spec-check: 3 rules (2 MUST), 1 tested, 1 pending: ok"
	if got := res.Summary(); got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
}

// ruleLiteral builds a label without writing one as a literal, so that this
// file never looks like a conformance test to the scanner.
func ruleLiteral(id string) string { return `"` + labelPrefix + id + `"` }

func TestScanLabels_TestFiles_FindsLiteralsOnly(t *testing.T) {
	dir := t.TempDir()
	src := "package c\n\n// " + ruleLiteral("CMT-1") + " in a comment does not count\n" +
		"var _ = []string{" + ruleLiteral("CFG-3") + ", \"profile:core\", `" + labelPrefix + "TEN-7`}\n" +
		"var _ = \"" + labelPrefix + "\" + \"x\"\n"
	files := map[string]string{
		"01_a_test.go":       src,
		"sub/02_b_test.go":   "package sub\nvar _ = " + ruleLiteral("ISO-1") + "\n",
		"helper.go":          "package c\nvar _ = " + ruleLiteral("NOT-1") + "\n",
		"testdata/x_test.go": "package x\nvar _ = " + ruleLiteral("NOT-2") + "\n",
		".hidden/y_test.go":  "package y\nvar _ = " + ruleLiteral("NOT-3") + "\n",
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	uses, err := scanLabels(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range uses {
		rel, _ := filepath.Rel(dir, u.File)
		got = append(got, fmt.Sprintf("%s@%s:%d", u.ID, rel, u.Line))
	}
	want := []string{"CFG-3@01_a_test.go:4", "TEN-7@01_a_test.go:4", "ISO-1@sub/02_b_test.go:2"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("uses = %v, want %v", got, want)
	}
}

func TestScanLabels_ContainerLabels_AttachProfiles(t *testing.T) {
	dir := t.TempDir()
	prof := func(p string) string { return `"profile:` + p + `"` }
	src := "package c\n" +
		"var _ = Describe(\"d\", Label(" + prof("core") + "), func() {\n" +
		"\tIt(\"a\", Label(" + ruleLiteral("CFG-1") + "), func() {})\n" +
		"\tIt(\"b\", Label(" + ruleLiteral("CFG-2") + ", " + prof("tenancy") + "), func() {})\n" +
		"})\n" +
		"var _ = It(\"c\", ginkgo.Label(" + ruleLiteral("CFG-3") + ", " + prof("core") + ", " + prof("core") + "), func() {})\n" +
		"var _ = It(\"d\", Label(" + ruleLiteral("CFG-4") + "), func() {})\n"
	if err := os.WriteFile(filepath.Join(dir, "01_a_test.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	uses, err := scanLabels(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, u := range uses {
		got[u.ID] = u.Profiles
	}
	want := map[string][]string{"CFG-1": {"core"}, "CFG-2": {"core", "tenancy"}, "CFG-3": {"core"}, "CFG-4": nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("profiles = %v, want %v", got, want)
	}
}

func TestScanLabels_UnparsableFile_ReturnsError(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a_test.go"), []byte("package"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := scanLabels(dir); err == nil {
		t.Fatal("scanLabels of a broken file succeeded")
	}
}

func TestRun_Directories_ExitCode(t *testing.T) {
	spec := t.TempDir()
	if err := os.WriteFile(filepath.Join(spec, "01-a.md"), []byte("Profile: `core`\n- **CFG-1** (MUST) x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tested := t.TempDir()
	if err := os.WriteFile(filepath.Join(tested, "01_a_test.go"), []byte("package c\nvar _ = Label("+ruleLiteral("CFG-1")+", \"profile:core\")\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"consistent", []string{"-spec", spec, "-tests", tested}, 0, "spec-check: 1 rules (1 MUST), 1 tested, 0 pending: ok\n"},
		{"untested", []string{"-spec", spec, "-tests", t.TempDir()}, 1, "1 problem(s)"},
		{"missing spec", []string{"-spec", filepath.Join(spec, "nope"), "-tests", tested}, 2, ""},
		{"bad flag", []string{"-bogus"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(tt.args, &out, &errOut); code != tt.wantCode {
				t.Errorf("exit %d, want %d; stdout %q stderr %q", code, tt.wantCode, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("stdout %q lacks %q", out.String(), tt.wantOut)
			}
		})
	}
}
