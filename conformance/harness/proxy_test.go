package harness

import (
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

const testTimeout = 10 * time.Second

// helper returns the environment that selects a helper mode. Under -race the
// child would otherwise sleep a second at exit waiting for race reports,
// which would read as a proxy that drains slowly.
func helper(mode string) map[string]string {
	return map[string]string{helperEnv: mode, "GORACE": "atexit_sleep_ms=0"}
}

func spawnHelper(t *testing.T, mode string, env map[string]string) *Proxy {
	t.Helper()
	all := helper(mode)
	for k, v := range env {
		all[k] = v
	}
	p, err := Spawn(all)
	if err != nil {
		t.Fatalf("Spawn: %v", err)
	}
	t.Cleanup(func() { _, _ = p.Stop(time.Second) })
	return p
}

func TestSpawn_NoBindGiven_ListensOnAddedLoopbackAddress(t *testing.T) {
	env := helper("listen")
	p, err := Spawn(env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = p.Stop(time.Second) })
	if _, mutated := env[BindEnv]; mutated {
		t.Error("Spawn modified the caller's env map")
	}
	if !strings.HasPrefix(p.Addr, "127.0.0.1:") || p.URL != "http://"+p.Addr {
		t.Errorf("Addr %q URL %q, want a loopback address and its URL", p.Addr, p.URL)
	}
	if err := p.WaitReady(testTimeout); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", p.Addr)
	if err != nil {
		t.Fatalf("dialling ready proxy: %v", err)
	}
	conn.Close()
}

func TestSpawn_WildcardBind_DialsLoopback(t *testing.T) {
	port := strings.TrimPrefix(FreeAddr(), "127.0.0.1:")
	p := spawnHelper(t, "listen", map[string]string{BindEnv: "0.0.0.0:" + port})
	if p.Addr != "127.0.0.1:"+port {
		t.Errorf("Addr = %q, want 127.0.0.1:%s", p.Addr, port)
	}
	if err := p.WaitReady(testTimeout); err != nil {
		t.Fatal(err)
	}
}

func TestRun_SuiteEnvironment_NotInherited(t *testing.T) {
	t.Setenv("OSPROXY_LEAK", "from-the-developer-shell")
	env := helper("env")
	env["OSPROXY_GIVEN"] = "yes"
	stdout, _, code, err := Run(env, testTimeout)
	if err != nil || code != 0 {
		t.Fatalf("Run: code %d, err %v", code, err)
	}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		name, _, _ := strings.Cut(line, "=")
		switch name {
		case "PATH", "HOME", "TMPDIR", helperEnv, "GORACE", "OSPROXY_GIVEN":
		default:
			t.Errorf("child saw unexpected variable %q", line)
		}
	}
	if !strings.Contains(stdout, "OSPROXY_GIVEN=yes\n") {
		t.Errorf("child lacks the given variable; env:\n%s", stdout)
	}
}

func TestWaitReady_ProcessExits_FailsEarlyWithStderr(t *testing.T) {
	p := spawnHelper(t, "fail", nil)
	start := time.Now()
	err := p.WaitReady(testTimeout)
	if err == nil {
		t.Fatal("WaitReady succeeded for a process that exited")
	}
	if !strings.Contains(err.Error(), "OSPROXY_UPSTREAM is required") || !strings.Contains(err.Error(), "code 3") {
		t.Errorf("error %q lacks the exit code or stderr", err)
	}
	if elapsed := time.Since(start); elapsed > testTimeout/2 {
		t.Errorf("WaitReady took %s; it should notice the exit early", elapsed)
	}
	if !p.Exited() {
		t.Error("Exited() = false after the process exited")
	}
}

func TestWaitReady_NothingListens_TimesOut(t *testing.T) {
	p := spawnHelper(t, "hang", nil)
	err := p.WaitReady(50 * time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "not accepting connections") {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if p.Exited() {
		t.Error("Exited() = true for a running process")
	}
}

func TestStop_Process_ExitCode(t *testing.T) {
	tests := []struct {
		name     string
		mode     string
		wantCode int
		wantErr  bool
		wantLog  string
	}{
		{"drains on SIGTERM", "listen", 0, false, "draining"},
		{"ignores SIGTERM", "ignore-term", 128 + int(syscall.SIGKILL), true, "listening"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := spawnHelper(t, tt.mode, nil)
			if err := p.WaitReady(testTimeout); err != nil {
				t.Fatal(err)
			}
			code, err := p.Stop(200 * time.Millisecond)
			if code != tt.wantCode || (err != nil) != tt.wantErr {
				t.Errorf("Stop = %d, %v; want %d, error %t", code, err, tt.wantCode, tt.wantErr)
			}
			if !strings.Contains(p.Stderr(), tt.wantLog) {
				t.Errorf("stderr %q lacks %q", p.Stderr(), tt.wantLog)
			}
			if again, err := p.Stop(time.Second); again != code || err != nil {
				t.Errorf("second Stop = %d, %v; want %d, nil", again, err, code)
			}
		})
	}
}

func TestSignal_Interrupt_WaitReturnsSignalExitCode(t *testing.T) {
	p := spawnHelper(t, "hang", nil)
	if _, err := p.Wait(10 * time.Millisecond); err == nil {
		t.Fatal("Wait on a running process succeeded")
	}
	if err := p.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	code, err := p.Wait(testTimeout)
	if err != nil || code != 128+int(syscall.SIGINT) {
		t.Errorf("Wait = %d, %v; want %d", code, err, 128+int(syscall.SIGINT))
	}
	if err := p.Signal(os.Interrupt); err == nil {
		t.Error("Signal to an exited process succeeded")
	}
}

func TestRun_Process_OutputAndExitCode(t *testing.T) {
	tests := []struct {
		name       string
		mode       string
		timeout    time.Duration
		wantStdout string
		wantStderr string
		wantCode   int
		wantErr    bool
	}{
		{"exits non-zero", "fail", testTimeout, "partial output\n", "config error: OSPROXY_UPSTREAM is required\n", 3, false},
		{"never exits", "hang", 50 * time.Millisecond, "", "", 128 + int(syscall.SIGKILL), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code, err := Run(helper(tt.mode), tt.timeout)
			if stdout != tt.wantStdout || stderr != tt.wantStderr || code != tt.wantCode || (err != nil) != tt.wantErr {
				t.Errorf("Run = %q, %q, %d, %v; want %q, %q, %d, error %t",
					stdout, stderr, code, err, tt.wantStdout, tt.wantStderr, tt.wantCode, tt.wantErr)
			}
		})
	}
}
