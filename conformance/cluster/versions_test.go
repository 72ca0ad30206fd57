package cluster

import (
	"os"
	"path/filepath"
	"testing"
)

const pinsFixture = `# comment
OPENSEARCH_VERSION_2=2.19.6

OPENSEARCH_VERSION_3=3.8.0
lowercase=ignored
OPENSEARCH_VERSION=${OPENSEARCH_VERSION_2}
`

func writePins(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "opensearch-versions.env")
	if err := os.WriteFile(file, []byte(pinsFixture), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestResolveVersion_Input_FullVersion(t *testing.T) {
	pins := writePins(t)
	tests := []struct {
		name    string
		version string
		file    string
		env     map[string]string
		want    string
		wantErr bool
	}{
		{"empty is the pinned default", "", pins, nil, "2.19.6", false},
		{"default is the pinned default", "default", pins, nil, "2.19.6", false},
		{"alias 2", "2", pins, nil, "2.19.6", false},
		{"alias 3", "3", pins, nil, "3.8.0", false},
		{"full version needs no file", "2.18.0", "/nonexistent", nil, "2.18.0", false},
		{"environment pin wins and feeds references", "", pins, map[string]string{"OPENSEARCH_VERSION_2": "2.17.1"}, "2.17.1", false},
		{"empty environment pin does not win", "2", pins, map[string]string{"OPENSEARCH_VERSION_2": ""}, "2.19.6", false},
		{"not a version", "latest", pins, nil, "", true},
		{"missing file for an alias", "", "/nonexistent", nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolveVersion(tt.version, tt.file, fakeEnv(tt.env))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("resolveVersion(%q) = %q, %v; want %q, error %v", tt.version, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// The repository's own pins must keep parsing the way the script reads them.
func TestResolveVersion_RepositoryPins_ResolveEveryAlias(t *testing.T) {
	file := filepath.Join("..", "..", "ci", "opensearch-versions.env")
	for _, alias := range []string{"", "2", "3"} {
		t.Run("alias "+alias, func(t *testing.T) {
			if _, err := resolveVersion(alias, file, fakeEnv(nil)); err != nil {
				t.Errorf("resolveVersion(%q) = %v", alias, err)
			}
		})
	}
}
