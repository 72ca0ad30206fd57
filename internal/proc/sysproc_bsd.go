//go:build unix && !linux

package proc

import (
	"os/exec"
	"syscall"
)

// isolate starts the child in its own process group; a death signal is a
// Linux feature, so elsewhere a killed parent may leave the child running.
func isolate(cmd *exec.Cmd, _ syscall.Signal) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
