package harness

import (
	"os"
	"path/filepath"
	"testing"
)

func TestBinary_EnvOverride_ValidatesPath(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "exe")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		value   string
		wantErr bool
	}{
		{"executable", exe, false},
		{"missing", filepath.Join(dir, "nope"), true},
		{"not executable", plain, true},
		{"directory", dir, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(BinaryEnv, tt.value)
			got, err := Binary()
			if (err != nil) != tt.wantErr || (err == nil && got != tt.value) {
				t.Errorf("Binary() = %q, %v; want %q, error %t", got, err, tt.value, tt.wantErr)
			}
		})
	}
}

func TestModuleRoot_NestedDirectory_FindsGoMod(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "conformance", "sub")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, start, want string
		wantErr           bool
	}{
		{"from nested dir", deep, root, false},
		{"from root", root, root, false},
		{"outside any module", filepath.Dir(root), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := moduleRoot(tt.start)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("moduleRoot(%q) = %q, %v; want %q, error %t", tt.start, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestBuild_ModuleWithCmdOsproxy_ProducesBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a program")
	}
	root := t.TempDir()
	files := map[string]string{
		"go.mod":              "module example.com/m\n\ngo 1.22\n",
		"cmd/osproxy/main.go": "package main\n\nfunc main() {}\n",
	}
	for name, content := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := build(root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := checkExecutable(out); err != nil {
		t.Errorf("built binary: %v", err)
	}
	if _, err := build(t.TempDir(), t.TempDir()); err == nil {
		t.Error("build without a module succeeded")
	}
}
