package proc

import (
	"os/exec"
	"syscall"
)

// isolate starts the child in its own process group and, when death is set,
// has the kernel send it death when this process dies.
func isolate(cmd *exec.Cmd, death syscall.Signal) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: death}
}
