package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// scriptWaitDelay bounds how long Start and Stop wait for the script's output
// pipes to close after the script exits or its context ends: a node that
// inherited them must not hang the suite.
const scriptWaitDelay = 10 * time.Second

// Local runs a node with ci/opensearch.sh, for machines without a Docker
// engine. It is not safe for concurrent use.
type Local struct {
	// Script is the path to ci/opensearch.sh or a stand-in with the same
	// start/stop contract: `start VERSION PORT` prints the URL as its only
	// stdout line; `stop VERSION PORT` is idempotent.
	Script string
	// Version is passed to the script verbatim; empty means its default.
	Version string
	// Stderr receives the script's progress; nil means os.Stderr.
	Stderr io.Writer

	port string // the port Start asked for; empty when nothing may be running
}

// Start runs the script's start on a free loopback port and returns the URL
// it prints.
func (l *Local) Start(ctx context.Context) (string, error) {
	if l.port != "" {
		return "", errors.New("starting local OpenSearch: already started")
	}
	port, err := freePort()
	if err != nil {
		return "", fmt.Errorf("starting local OpenSearch: %w", err)
	}
	// Recorded before the script runs: a start that times out waiting for
	// health may leave a node behind, and Stop must still find it.
	l.port = port
	var out bytes.Buffer
	cmd := l.command(ctx, "start", port)
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("starting local OpenSearch with %s: %w", l.Script, err)
	}
	u, err := parseURL(out.String())
	if err != nil {
		return "", fmt.Errorf("starting local OpenSearch with %s: %w", l.Script, err)
	}
	return u, nil
}

// Stop runs the script's stop for the port Start used, if any.
func (l *Local) Stop(ctx context.Context) error {
	if l.port == "" {
		return nil
	}
	cmd := l.command(ctx, "stop", l.port)
	cmd.Stdout = cmd.Stderr // stop prints nothing the caller needs
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("stopping local OpenSearch on port %s: %w", l.port, err)
	}
	l.port = ""
	return nil
}

// Name returns "local".
func (l *Local) Name() string { return "local" }

func (l *Local) command(ctx context.Context, verb, port string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, l.Script, verb, l.Version, port)
	cmd.Stderr = l.Stderr
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	cmd.WaitDelay = scriptWaitDelay
	return cmd
}

// parseURL checks that the script printed an http(s) URL, so a script that
// printed chatter on stdout fails here rather than in the first spec.
func parseURL(out string) (string, error) {
	s := strings.TrimRight(strings.TrimSpace(out), "/")
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("reading the URL: got %q, want one http(s) URL", s)
	}
	return s, nil
}

// freePort asks the kernel for a free loopback port. The port is released
// before the node binds it, so another process could take it in between; the
// script then fails to start with its own error rather than reaching a
// stranger's server, which is the trade accepted for not fixing a port.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}
