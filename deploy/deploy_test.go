package deploy

import (
	"bufio"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/osproxy/osproxy/osproxy/config"
)

// unit reads a systemd unit's Key=Value lines (sections flattened; a repeated
// key keeps every value).
func unit(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: not Key=Value: %q", path, line)
		}
		out[k] = append(out[k], v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func noEnv(string) (string, bool) { return "", false }

func TestConfig_Example_Loads(t *testing.T) {
	cfg, action, err := config.Load([]string{"--config", "osproxy.conf"}, noEnv, os.ReadFile)
	if err != nil || action != config.Run {
		t.Fatalf("the example configuration does not load: %v", err)
	}
	if cfg.AdminBind == "" || cfg.TokensFile == "" || cfg.UpstreamAuth.PasswordFile == "" || cfg.TLSCert == "" {
		t.Errorf("the example lost what it shows: admin listener, tokens file, password file, TLS: %+v", cfg)
	}
}

// TestUnit_ExecStart_MatchesTheBinary: the unit starts the binary with flags it
// accepts and the example configuration, as a non-root user, stops it with
// SIGTERM, and waits longer than the configured drain before killing it.
func TestUnit_ExecStart_MatchesTheBinary(t *testing.T) {
	u := unit(t, "osproxy.service")
	exec := strings.Fields(one(t, u, "ExecStart"))
	if len(exec) < 1 || filepath.Base(exec[0]) != "osproxy" {
		t.Fatalf("ExecStart does not run osproxy: %v", exec)
	}
	conf, err := os.ReadFile("osproxy.conf")
	if err != nil {
		t.Fatal(err)
	}
	// The unit's config path stands for the example file.
	readFile := func(path string) ([]byte, error) {
		if path == "/etc/osproxy/osproxy.conf" {
			return conf, nil
		}
		return os.ReadFile(path)
	}
	cfg, action, err := config.Load(exec[1:], noEnv, readFile)
	if err != nil || action != config.Run {
		t.Fatalf("the binary refuses ExecStart's flags %v: %v", exec[1:], err)
	}
	if user := one(t, u, "User"); user == "" || user == "root" || user == "0" {
		t.Errorf("User=%q: the proxy must not run as root", user)
	}
	if sig := one(t, u, "KillSignal"); sig != "SIGTERM" {
		t.Errorf("KillSignal=%s: the drain starts on SIGTERM", sig)
	}
	stop, err := time.ParseDuration(one(t, u, "TimeoutStopSec"))
	if err != nil {
		t.Fatalf("TimeoutStopSec: %v", err)
	}
	if drain := cfg.ShutdownDelay + cfg.ShutdownTimeout; stop <= drain {
		t.Errorf("TimeoutStopSec=%v does not outlast the drain (shutdown_delay + shutdown_timeout = %v)", stop, drain)
	}
	for _, env := range append(u["Environment"], exec...) {
		if l := strings.ToLower(env); strings.Contains(l, "password=") || strings.Contains(l, "token=") || strings.Contains(l, "tokens=") {
			t.Errorf("a secret on the command line or in the environment: %q; use the _file keys", env)
		}
	}
}

func one(t *testing.T, u map[string][]string, key string) string {
	t.Helper()
	if len(u[key]) != 1 {
		t.Fatalf("the unit has %d %s= lines, want 1", len(u[key]), key)
	}
	return u[key][0]
}

// TestDist_Binary_StaticStampedAndSummed builds what `make dist` builds, for
// this machine's platform: a static binary whose --version names the version
// and commit it was given, listed in SHA256SUMS with its digest.
func TestDist_Binary_StaticStampedAndSummed(t *testing.T) {
	if _, err := exec.LookPath("sha256sum"); err != nil {
		t.Skip("sha256sum is not installed: ci/dist.sh needs it")
	}
	out := t.TempDir()
	platform := runtime.GOOS + "/" + runtime.GOARCH
	cmd := exec.Command("../ci/dist.sh", out)
	cmd.Env = append(os.Environ(), "DIST_PLATFORMS="+platform, "VERSION=9.9.9-test", "COMMIT=0123456789ab")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ci/dist.sh: %v\n%s", err, b)
	}
	bin := filepath.Join(out, "osproxy-9.9.9-test-"+runtime.GOOS+"-"+runtime.GOARCH)
	version, err := exec.Command(bin, "--version").Output()
	if err != nil || string(version) != "osproxy 9.9.9-test+0123456789ab\n" {
		t.Errorf("--version printed %q (%v)", version, err)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s asks for a dynamic loader: not static", bin)
		}
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	sums, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	if want := hex.EncodeToString(sum[:]) + "  " + filepath.Base(bin) + "\n"; string(sums) != want {
		t.Errorf("SHA256SUMS = %q, want %q", sums, want)
	}
}
