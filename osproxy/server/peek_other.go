//go:build !unix

package server

import "net"

// peekReadable cannot wait without reading here: the caller's read waits.
func peekReadable(*net.TCPConn) bool { return true }
