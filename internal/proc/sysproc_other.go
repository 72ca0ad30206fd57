//go:build !unix

package proc

import (
	"errors"
	"os/exec"
	"syscall"
)

// Process groups are a Unix notion; elsewhere the child stays in the parent's
// group and only the child itself is killed.
func isolate(*exec.Cmd, syscall.Signal) {}

func killGroup(int) error { return errors.ErrUnsupported }

func signalExitCode(any) (int, bool) { return 0, false }
