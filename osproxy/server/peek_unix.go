//go:build unix

package server

import (
	"net"
	"syscall"
)

// peekReadable blocks, under the connection's read deadline, until tc has a
// byte to read, and reports whether it does (false at the end of input).
func peekReadable(tc *net.TCPConn) bool {
	rc, err := tc.SyscallConn()
	if err != nil {
		return false
	}
	var p peeker
	if err := rc.Read(p.try); err != nil {
		return false
	}
	return p.readable
}

type peeker struct{ readable bool }

func (p *peeker) try(fd uintptr) bool {
	var b [1]byte
	n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	if err == syscall.EAGAIN || err == syscall.EWOULDBLOCK {
		return false // not yet: wait for the descriptor to be readable
	}
	p.readable = err == nil && n > 0
	return true
}
