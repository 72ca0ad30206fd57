package specrules

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeSpec lays out files (name -> content) in a fresh directory.
func writeSpec(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestParse_WellFormedItems_ReturnsRules(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []Rule
	}{
		{"must", "Profile: `core`\n# Config\n\n- **CFG-3** (MUST) Empty means unset.\n", []Rule{{ID: "CFG-3", Level: "MUST", Line: 4, Profile: "core", Text: "Empty means unset."}}},
		{"pending should", "Profile: `core`\n* **ISO-12** (SHOULD, pending) Isolate.\n", []Rule{{ID: "ISO-12", Level: "SHOULD", Pending: true, Line: 2, Profile: "core", Text: "Isolate."}}},
		{
			name:    "withdrawn without level",
			content: "Profile: `core`\n- **CFG-9** (withdrawn) Replaced by CFG-10.\n",
			want:    []Rule{{ID: "CFG-9", Withdrawn: true, Line: 2, Profile: "core", Text: "Replaced by CFG-10."}},
		},
		{
			name:    "withdrawn keeping level",
			content: "Profile: `core`\n- **CFG-9** (MAY, withdrawn) Old.\n",
			want:    []Rule{{ID: "CFG-9", Level: "MAY", Withdrawn: true, Line: 2, Profile: "core", Text: "Old."}},
		},
		{
			name:    "continuation lines joined",
			content: "Profile: `core`\n- **CFG-1** (MUST) First line\n  second line\nlazy third.\n\nProse.\n",
			want:    []Rule{{ID: "CFG-1", Level: "MUST", Line: 2, Profile: "core", Text: "First line second line lazy third."}},
		},
		{
			name:    "next item ends continuation",
			content: "Profile: `core`\n- **CFG-1** (MUST) One.\n- **CFG-2** (MAY) Two.\n",
			want: []Rule{
				{ID: "CFG-1", Level: "MUST", Line: 2, Profile: "core", Text: "One."},
				{ID: "CFG-2", Level: "MAY", Line: 3, Profile: "core", Text: "Two."},
			},
		},
		{
			name:    "bold prose and fenced examples ignored",
			content: "Profile: `core`\n- **Note** this is prose.\n```\n- **CFG-7** (MUST) example only\n- **bad-1** nothing\n```\n| **CFG-8** | (MUST) |\n",
			want:    nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeSpec(t, map[string]string{"01-config.md": tt.content})
			got, err := Parse(dir)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			for i := range tt.want {
				tt.want[i].File = filepath.Join(dir, "01-config.md")
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParse_MalformedItems_ReturnsErrorWithLocation(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		wantErr []string
	}{
		{"no level", map[string]string{"01-a.md": "- **CFG-3** An empty value.\n"}, []string{"01-a.md:1:", "CFG-3 has no level"}},
		{"unknown level", map[string]string{"01-a.md": "\n- **CFG-3** (MUSTN'T) x\n"}, []string{"01-a.md:2:", `"MUSTN'T"`}},
		{"lowercase level", map[string]string{"01-a.md": "- **CFG-3** (must) x\n"}, []string{`"must"`}},
		{"pending alone", map[string]string{"01-a.md": "- **CFG-3** (pending) x\n"}, []string{`"pending"`}},
		{"unclosed", map[string]string{"01-a.md": "- **CFG-3** (MUST x\n"}, []string{"unclosed"}},
		{"pending and withdrawn", map[string]string{"01-a.md": "- **CFG-3** (MUST, pending, withdrawn) x\n"}, []string{"both pending and withdrawn"}},
		{"malformed id", map[string]string{"01-a.md": "- **cfg-3** (MUST) x\n"}, []string{`malformed rule id "cfg-3"`}},
		{
			"duplicate across files",
			map[string]string{"01-a.md": "- **CFG-3** (MUST) x\n", "02-b.md": "\n- **CFG-3** (MAY) y\n"},
			[]string{"02-b.md:2: duplicate rule id CFG-3, first defined at", "01-a.md:1"},
		},
		{
			"every problem reported",
			map[string]string{"01-a.md": "- **CFG-1** x\n- **CFG-2** y\n"},
			[]string{"01-a.md:1:", "01-a.md:2:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, err := Parse(writeSpec(t, tt.files))
			if err == nil {
				t.Fatalf("Parse succeeded with %+v, want error", rules)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

func TestParse_MissingDirectory_ReturnsError(t *testing.T) {
	if _, err := Parse(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Fatal("Parse of a missing directory succeeded")
	}
}

func TestParse_SeveralFiles_KeepsFileOrder(t *testing.T) {
	dir := writeSpec(t, map[string]string{
		"02-b.md":   "Profile: `tenancy`\n- **TEN-1** (MUST) b\n",
		"01-a.md":   "Profile: `core`\n- **CFG-1** (MUST) a\n",
		"notes.txt": "- **X-1** (MUST) not markdown\n",
	})
	got, err := Parse(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
	}
	if want := []string{"CFG-1", "TEN-1"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("ids = %v, want %v", ids, want)
	}
}

func TestCompareIDs_Pairs_OrderNaturally(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"CFG-2", "CFG-10", -1},
		{"CFG-10", "CFG-2", 1},
		{"CFG-3", "CFG-3", 0},
		{"CFG-99", "ENV-1", -1},
		{"odd", "CFG-1", 1},
	}
	for _, tt := range tests {
		t.Run(tt.a+"_"+tt.b, func(t *testing.T) {
			if got := CompareIDs(tt.a, tt.b); got != tt.want {
				t.Errorf("CompareIDs(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}
