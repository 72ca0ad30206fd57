package cluster

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

func TestTestcontainers_Image_NamesOfficialImageWithResolvedVersion(t *testing.T) {
	pins := writePins(t)
	tests := []struct {
		name    string
		version string
		want    string
		wantErr bool
	}{
		{"empty reads the pinned default", "", "opensearchproject/opensearch:2.19.6", false},
		{"alias 3", "3", "opensearchproject/opensearch:3.8.0", false},
		{"full version", "2.18.0", "opensearchproject/opensearch:2.18.0", false},
		{"not a version", "latest", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Testcontainers{Version: tt.version, VersionsFile: pins, Env: fakeEnv(nil)}
			got, err := p.Image()
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("Image() = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestContainerEnv_Always_SingleNodeWithoutSecurity(t *testing.T) {
	want := map[string]string{
		"discovery.type":              "single-node",
		"DISABLE_SECURITY_PLUGIN":     "true",
		"DISABLE_INSTALL_DEMO_CONFIG": "true",
		"OPENSEARCH_JAVA_OPTS":        "-Xms512m -Xmx512m",
	}
	got := containerEnv()
	if len(got) != len(want) {
		t.Errorf("containerEnv() = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("containerEnv()[%q] = %q, want %q", k, got[k], v)
		}
	}
}

func TestTestcontainers_BadVersion_StartErrorsBeforeDocker(t *testing.T) {
	p := &Testcontainers{Version: "latest", VersionsFile: "/nonexistent", Env: fakeEnv(nil)}
	if url, err := p.Start(context.Background()); err == nil {
		t.Fatalf("Start() = %q, nil; want a version error", url)
	}
	if err := p.Stop(context.Background()); err != nil {
		t.Errorf("Stop() = %v, want nil when nothing was created", err)
	}
}

// engineHinted reports whether this machine points at a Docker engine, in
// which case the no-engine answer cannot be expected.
func engineHinted() bool {
	if os.Getenv("DOCKER_HOST") != "" {
		return true
	}
	_, err := os.Stat("/var/run/docker.sock")
	return err == nil
}

// The bound is the contract (Choose probes before every run), so it is
// asserted, with slack for a loaded machine.
func TestDockerAvailable_NoEngine_FalseWithinTimeout(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		skip bool
	}{
		{"cancelled context", cancelled, false},
		{"no engine on this machine", context.Background(), engineHinted()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip {
				t.Skip("this machine points at a Docker engine")
			}
			began := time.Now()
			if DockerAvailable(tt.ctx) {
				t.Fatal("DockerAvailable() = true, want false")
			}
			if took := time.Since(began); took > probeTimeout+2*time.Second {
				t.Errorf("DockerAvailable() took %v, want at most about %v", took, probeTimeout)
			}
		})
	}
}

// hangingEngineEnv marks the child process of the test below.
const hangingEngineEnv = "OSPROXY_CLUSTER_TEST_HANGING_ENGINE"

// An engine whose socket accepts but never answers is the case that would
// hang: testcontainers checks the host with a context that has no deadline.
// The check runs in a child process because testcontainers caches the host it
// finds once per process, so any earlier probe would hide the hang.
func TestDockerAvailable_EngineNeverAnswers_FalseWithinTimeout(t *testing.T) {
	if os.Getenv(hangingEngineEnv) == "1" {
		began := time.Now()
		if DockerAvailable(context.Background()) {
			t.Fatal("DockerAvailable() = true, want false")
		}
		if took := time.Since(began); took > probeTimeout+2*time.Second {
			t.Errorf("DockerAvailable() took %v, want at most about %v", took, probeTimeout)
		}
		return
	}
	sock := hangingEngine(t)
	// The child's own timeout turns a regression (a probe that hangs) into a
	// failure with a stack trace instead of a stuck run.
	cmd := exec.Command(os.Args[0], "-test.run=^TestDockerAvailable_EngineNeverAnswers_FalseWithinTimeout$", "-test.timeout=30s")
	// A fresh HOME keeps a developer's ~/.testcontainers.properties, which
	// testcontainers reads before DOCKER_HOST, out of the child.
	cmd.Env = append(os.Environ(), hangingEngineEnv+"=1", "DOCKER_HOST=unix://"+sock, "HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child test failed: %v\n%s", err, out)
	}
}

// hangingEngine listens on a unix socket, accepts connections and never
// answers them, and returns the socket's path.
func hangingEngine(t *testing.T) string {
	t.Helper()
	// Not t.TempDir: a unix socket path must stay under about 100 bytes.
	dir, err := os.MkdirTemp("", "engine")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "docker.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	return sock
}
