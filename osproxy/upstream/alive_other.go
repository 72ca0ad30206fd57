//go:build !unix

package upstream

import "net"

// peekAlive cannot look without reading here; a dead connection shows on use.
func peekAlive(net.Conn) bool { return true }
