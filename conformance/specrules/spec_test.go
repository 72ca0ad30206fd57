package specrules

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

const conventions = "# 00 — Conventions\n\nVersion: 1.2.0\n\n## Profiles\n\n```\n# an example title\n| `fenced` | x |\n```\n\n| profile | covers |\n|---|---|\n" +
	"| `core` | configuration |\n| `tenancy` | tenants |\n\n## Other\n\n| `notaprofile` | x |\n"

func TestLoad_ProfilesAndOverrides_AssignsOneProfilePerRule(t *testing.T) {
	fsys := fstest.MapFS{
		ConventionsFile: {Data: []byte(conventions)},
		"01-a.md": {Data: []byte("# 01 — A\n\nProfile: `core`.\n\n- **CFG-1** (MUST) a\n" +
			"- **CFG-2** (MUST, profile: tenancy) b\n- **CFG-3** (SHOULD, pending, profile: tenancy) c\n")},
	}
	spec, err := Load(fsys, "spec")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if spec.Version != "1.2.0" || len(spec.Digest) != 64 {
		t.Errorf("version %q digest %q", spec.Version, spec.Digest)
	}
	if got := spec.ProfileNames(); !reflect.DeepEqual(got, []string{"core", "tenancy"}) {
		t.Errorf("profiles = %v", got)
	}
	got := map[string]string{}
	for _, r := range spec.Rules {
		got[r.ID] = r.Profile
	}
	want := map[string]string{"CFG-1": "core", "CFG-2": "tenancy", "CFG-3": "tenancy"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rule profiles = %v, want %v", got, want)
	}
}

func TestLoad_DigestFollowsContent_Changes(t *testing.T) {
	a := fstest.MapFS{ConventionsFile: {Data: []byte(conventions)}}
	b := fstest.MapFS{ConventionsFile: {Data: []byte(conventions + "\n")}}
	sa, err := Load(a, "")
	if err != nil {
		t.Fatal(err)
	}
	sb, err := Load(b, "")
	if err != nil {
		t.Fatal(err)
	}
	if sa.Digest == sb.Digest {
		t.Error("different spec texts share a digest")
	}
}

func TestLoad_ProfileProblems_ReturnsErrors(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string
	}{
		{"undeclared file profile", map[string]string{"01-a.md": "Profile: `streaming`\n- **CFG-1** (MUST) a\n"},
			`01-a.md:2: rule CFG-1 belongs to profile "streaming", which 00-conventions.md does not declare`},
		{"undeclared override", map[string]string{"01-a.md": "Profile: `core`\n- **CFG-1** (MUST, profile: nope) a\n"},
			`profile "nope"`},
		{"no profile", map[string]string{"01-a.md": "- **CFG-1** (MUST) a\n"}, "rule CFG-1 has no profile"},
		{"profile line after a rule", map[string]string{"01-a.md": "Profile: `core`\n- **CFG-1** (MUST) a\n\nProfile: `tenancy`\n"},
			"01-a.md:4: a file's Profile line comes once"},
		{"malformed profile line", map[string]string{"01-a.md": "Profile: core\n- **CFG-1** (MUST) a\n"}, "malformed Profile line"},
		{"bad override name", map[string]string{"01-a.md": "Profile: `core`\n- **CFG-1** (MUST, profile: Core!) a\n"}, `profile "Core!"`},
		{"profile declared twice", map[string]string{ConventionsFile: conventions + "\n## Profiles\n\n| `core` | again |\n"}, "profile core declared twice"},
		{"no version", map[string]string{ConventionsFile: strings.Replace(conventions, "Version: 1.2.0", "", 1)}, `no "Version: x.y.z" line`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{ConventionsFile: {Data: []byte(conventions)}}
			for name, content := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(content)}
			}
			_, err := Load(fsys, "")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}
