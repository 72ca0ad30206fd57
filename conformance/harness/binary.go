package harness

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// BinaryEnv names the variable that points the suite at a prebuilt binary.
const BinaryEnv = "OSPROXY_CONFORMANCE_BINARY"

var built struct {
	mu   sync.Mutex
	path string // set once a build has succeeded
	dir  string // temporary directory holding the build
}

// Binary returns the path of the osproxy binary to test: the value of
// OSPROXY_CONFORMANCE_BINARY, which must name an executable file, or else a
// build of ./cmd/osproxy from the module containing the working directory.
// The build happens at most once per process; a failed build is retried on
// the next call so that one flaky compile does not doom every spec.
func Binary() (string, error) {
	if p := os.Getenv(BinaryEnv); p != "" {
		if err := checkExecutable(p); err != nil {
			return "", fmt.Errorf("checking %s: %w", BinaryEnv, err)
		}
		return p, nil
	}
	built.mu.Lock()
	defer built.mu.Unlock()
	if built.path != "" {
		return built.path, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding working directory: %w", err)
	}
	root, err := moduleRoot(wd)
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "osproxy-conformance-")
	if err != nil {
		return "", fmt.Errorf("creating build directory: %w", err)
	}
	path, err := build(root, dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", err
	}
	built.path, built.dir = path, dir
	return path, nil
}

// Cleanup removes a binary that Binary built, if any. Suites call it after
// the last spec (for example in SynchronizedAfterSuite) so that runs do not
// leave binaries in the temporary directory.
func Cleanup() error {
	built.mu.Lock()
	defer built.mu.Unlock()
	if built.dir == "" {
		return nil
	}
	err := os.RemoveAll(built.dir)
	built.path, built.dir = "", ""
	if err != nil {
		return fmt.Errorf("removing built binary: %w", err)
	}
	return nil
}

func checkExecutable(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if info.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	if info.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not executable", path)
	}
	return nil
}

// moduleRoot walks up from dir to the nearest directory holding go.mod.
func moduleRoot(dir string) (string, error) {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("finding module root: no go.mod above %s", dir)
		}
		d = parent
	}
}

// build compiles root/cmd/osproxy into outDir and returns the binary's path.
func build(root, outDir string) (string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("building osproxy: %w (set %s to test a prebuilt binary)", err, BinaryEnv)
	}
	out := filepath.Join(outDir, "osproxy")
	cmd := exec.Command(gobin, "build", "-o", out, "./cmd/osproxy")
	cmd.Dir = root
	if output, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building osproxy in %s: %w\n%s", root, err, output)
	}
	return out, nil
}
