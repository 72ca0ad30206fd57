//go:build !unix

package harness

import (
	"errors"
	"os/exec"
)

// Process groups are a Unix notion; elsewhere the child stays in the
// suite's group and only the child itself is killed.
func isolate(*exec.Cmd) {}

func killGroup(int) error { return errors.ErrUnsupported }

func signalExitCode(any) (int, bool) { return 0, false }
