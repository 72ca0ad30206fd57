//go:build unix

package proc

import "syscall"

// killGroup sends SIGKILL to the child's whole process group, so helpers a
// wrapper script started do not outlive it.
func killGroup(pid int) error {
	return syscall.Kill(-pid, syscall.SIGKILL)
}

// signalExitCode maps a death by signal to the shell's 128+N convention, so
// that a report reads the way a person at a terminal would see it.
func signalExitCode(status any) (int, bool) {
	ws, ok := status.(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return 0, false
	}
	return 128 + int(ws.Signal()), true
}
