package cluster

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// fakeEnv is an environment made of exactly the given variables.
func fakeEnv(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// describe renders what Choose decided, so one comparison checks the
// provider's kind and the settings it was handed.
func describe(p Provider) string {
	switch p := p.(type) {
	case *Existing:
		return "existing " + p.URL
	case *Local:
		return "local script=" + p.Script + " version=" + p.Version
	case *Testcontainers:
		return "testcontainers pins=" + p.VersionsFile + " version=" + p.Version
	case *unknown:
		return "unknown " + p.value
	}
	return "unexpected"
}

func TestChoose_Environment_PicksProvider(t *testing.T) {
	root := "/repo"
	script := filepath.Join(root, "ci", "opensearch.sh")
	pins := filepath.Join(root, "ci", "opensearch-versions.env")
	tests := []struct {
		name      string
		env       map[string]string
		docker    bool
		wantProbe bool
		want      string
	}{
		{"url set wins over everything", map[string]string{EnvURL: "http://os:9200/", EnvCluster: "local"}, true, false, "existing http://os:9200/"},
		{"url with surrounding space is trimmed", map[string]string{EnvURL: " http://os:9200\n"}, false, false, "existing http://os:9200"},
		{"empty url counts as unset", map[string]string{EnvURL: ""}, false, true, "local script=" + script + " version="},
		{"forced local skips the probe", map[string]string{EnvCluster: "local", EnvVersion: "3"}, true, false, "local script=" + script + " version=3"},
		{"forced testcontainers skips the probe", map[string]string{EnvCluster: "testcontainers"}, false, false, "testcontainers pins=" + pins + " version="},
		{"unknown forced value is kept for Start to report", map[string]string{EnvCluster: "podman"}, true, false, "unknown podman"},
		{"docker answers", map[string]string{EnvVersion: "2.19.6"}, true, true, "testcontainers pins=" + pins + " version=2.19.6"},
		{"no docker", map[string]string{EnvVersion: "2"}, false, true, "local script=" + script + " version=2"},
		{"nothing set and no docker", nil, false, true, "local script=" + script + " version="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probed := false
			docker := func(context.Context) bool { probed = true; return tt.docker }
			got := Choose(fakeEnv(tt.env), docker, root)
			if d := describe(got); d != tt.want {
				t.Errorf("Choose() = %q, want %q", d, tt.want)
			}
			if probed != tt.wantProbe {
				t.Errorf("docker probed = %v, want %v", probed, tt.wantProbe)
			}
		})
	}
}

func TestProvider_Name_MatchesKind(t *testing.T) {
	tests := []struct {
		provider Provider
		want     string
	}{
		{&Existing{}, "existing"},
		{&Local{}, "local"},
		{&Testcontainers{}, "testcontainers"},
		{&unknown{}, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.provider.Name(); got != tt.want {
				t.Errorf("Name() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExisting_Start_ReturnsURLWithoutTrailingSlash(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		want    string
		wantErr bool
	}{
		{"plain", "http://127.0.0.1:9200", "http://127.0.0.1:9200", false},
		{"one trailing slash", "http://127.0.0.1:9200/", "http://127.0.0.1:9200", false},
		{"several trailing slashes", "https://os.example:443//", "https://os.example:443", false},
		{"path kept", "http://gw/opensearch/", "http://gw/opensearch", false},
		{"empty", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Existing{URL: tt.url}
			got, err := e.Start(context.Background())
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("Start() = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
			if err := e.Stop(context.Background()); err != nil {
				t.Errorf("Stop() = %v, want nil", err)
			}
		})
	}
}

func TestUnknown_Start_NamesVariableAndValue(t *testing.T) {
	p := Choose(fakeEnv(map[string]string{EnvCluster: "podman"}), nil, "/repo")
	_, err := p.Start(context.Background())
	if err == nil {
		t.Fatal("Start() = nil error, want one naming the bad value")
	}
	for _, want := range []string{EnvCluster, `"podman"`, "local", "testcontainers"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Start() error %q does not mention %s", err, want)
		}
	}
	if err := p.Stop(context.Background()); err != nil {
		t.Errorf("Stop() = %v, want nil", err)
	}
}
