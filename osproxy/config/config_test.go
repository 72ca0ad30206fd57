package config

import (
	"errors"
	"os"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func files(m map[string]string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		if v, ok := m[p]; ok {
			return []byte(v), nil
		}
		return nil, &os.PathError{Op: "open", Path: p, Err: os.ErrNotExist}
	}
}

func TestLoad_NoInput_Defaults(t *testing.T) {
	cfg, action, err := Load(nil, env(nil), files(nil))
	if err != nil || action != Run {
		t.Fatalf("Load: %v %v", action, err)
	}
	if cfg.Bind != "127.0.0.1:8080" || cfg.Upstream != "http://127.0.0.1:9200" || cfg.Index != "osproxy-shared" ||
		len(cfg.Tokens) != 0 || cfg.AllowCleartextMutation || cfg.MaxBodyBytes != 8<<20 ||
		cfg.UpstreamTimeout != 30*time.Second || cfg.ShutdownTimeout != 30*time.Second {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}
}

func TestLoad_Layers_FlagsBeatEnvBeatFile(t *testing.T) {
	fs := files(map[string]string{"/c": "bind = \"127.0.0.1:7000\"\nindex = 'from-file'\nupstream=http://file:1\n"})
	e := env(map[string]string{"OSPROXY_CONFIG": "/c", "OSPROXY_BIND": "127.0.0.1:7100", "OSPROXY_UPSTREAM": ""})
	cfg, _, err := Load([]string{"--bind", "127.0.0.1:7777"}, e, fs)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Bind != "127.0.0.1:7777" || cfg.Index != "from-file" || cfg.Upstream != "http://file:1" {
		t.Fatalf("layering wrong: %+v", cfg)
	}
}

func TestLoad_Errors_NameTheField(t *testing.T) {
	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		file  string
		field string
	}{
		{"bad bool", nil, map[string]string{"OSPROXY_ALLOW_CLEARTEXT_MUTATION": "maybe"}, "", "allow_cleartext_mutation"},
		{"bad bind", []string{"--bind=nohost"}, nil, "", "bind"},
		{"unknown flag", []string{"--nope", "x"}, nil, "", "nope"},
		{"stray argument", []string{"serve"}, nil, "", "flags"},
		{"flag without value", []string{"--bind"}, nil, "", "flags"},
		{"unknown file key", nil, nil, "nope = 1", "nope"},
		{"line without equals", nil, nil, "# c\nbind 1", "file"},
		{"half passthrough", nil, map[string]string{"OSPROXY_PASSTHROUGH_CLUSTER": "x"}, "", "passthrough_cluster"},
		{"indices without passthrough", []string{"--passthrough-indices", "a"}, nil, "", "passthrough_indices"},
		{"bad upstream", []string{"--upstream", "ftp://x"}, nil, "", "upstream"},
		{"bad index", []string{"--index", "Bad"}, nil, "", "index"},
		{"bad tokens", []string{"--tokens", "garbage"}, nil, "", "tokens"},
		{"zero body", []string{"--max_body_bytes", "0"}, nil, "", "max_body_bytes"},
		{"bad timeout", []string{"--upstream_timeout", "-1s"}, nil, "", "upstream_timeout"},
		{"missing file", []string{"--config", "/missing"}, nil, "", "config"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := map[string]string{}
			for k, v := range tc.env {
				e[k] = v
			}
			fs := map[string]string{}
			if tc.file != "" {
				fs["/c"] = tc.file
				e["OSPROXY_CONFIG"] = "/c"
			}
			_, _, err := Load(tc.args, env(e), files(fs))
			var ce *Error
			if !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("want error on %q, got %v", tc.field, err)
			}
		})
	}
}

func TestLoad_Values_Parsed(t *testing.T) {
	file := "[passthrough]\ncluster = legacy\nendpoint = http://127.0.0.1:9999/\nindices = \n[]\nmax_body_bytes = 1024"
	cfg, _, err := Load([]string{"--tokens", "s3cr3t=svc, t2 = other ,", "--passthrough-indices=legacy-, raw_",
		"--allow-cleartext-mutation", "YES"}, env(map[string]string{"OSPROXY_CONFIG": "/c", "OSPROXY_NOT_A_KEY": "x"}),
		files(map[string]string{"/c": file}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Tokens["s3cr3t"].Name != "svc" || cfg.Tokens["t2"].Name != "other" || len(cfg.Tokens) != 2 {
		t.Fatalf("tokens: %v", cfg.Tokens)
	}
	if cfg.PassthroughEndpoint != "http://127.0.0.1:9999" || len(cfg.PassthroughIndices) != 2 || !cfg.AllowCleartextMutation || cfg.MaxBodyBytes != 1024 {
		t.Fatalf("values: %+v", cfg)
	}
}

func TestLoad_BoundTokens_TenantsParsed(t *testing.T) {
	cfg, _, err := Load([]string{"--tokens", "a=svc:acme | globex, b=other"}, env(nil), files(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Tokens["a"]; got.Name != "svc" || len(got.Tenants) != 2 || got.Tenants[1] != "globex" {
		t.Fatalf("a: %+v", got)
	}
	if len(cfg.Tokens["b"].Tenants) != 0 {
		t.Fatalf("b bound: %+v", cfg.Tokens["b"])
	}
	if _, _, err := Load([]string{"--tokens", "a=svc:acme||x"}, env(nil), files(nil)); err == nil {
		t.Fatal("empty tenant accepted")
	}
}

func TestLoad_HelpAndVersion_ReturnAction(t *testing.T) {
	for arg, want := range map[string]Action{"--help": Help, "--version": Version} {
		if _, a, err := Load([]string{"--bind", "x", arg}, env(nil), files(nil)); err != nil || a != want {
			t.Fatalf("%s: %v %v", arg, a, err)
		}
	}
}
