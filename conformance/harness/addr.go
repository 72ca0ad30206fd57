package harness

import (
	"fmt"
	"net"
)

// FreeAddr returns "127.0.0.1:port" for a port that was free a moment ago:
// it listens on port 0 and closes the listener. Another process may take the
// port before the proxy binds it; that race is rare on a test machine and a
// spec that loses it fails in WaitReady with a clear message.
//
// FreeAddr panics if the loopback interface cannot be listened on, since no
// spec can run on such a machine.
func FreeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("harness: finding a free port: %v", err))
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// dialAddr turns a bind address into one a client can connect to: a
// wildcard or missing host means the proxy listens on every interface, of
// which loopback is the one a test can always reach.
func dialAddr(bind string) (string, error) {
	host, port, err := net.SplitHostPort(bind)
	if err != nil {
		return "", fmt.Errorf("parsing bind address %q: %w", bind, err)
	}
	switch ip := net.ParseIP(host); {
	case host == "":
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified() && ip.To4() != nil:
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	return net.JoinHostPort(host, port), nil
}
