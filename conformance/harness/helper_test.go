package harness

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"testing"
)

// helperEnv selects what the re-executed test binary does instead of running
// tests. The harness is tested against this stand-in, never the real proxy,
// so that its tests say nothing about any implementation.
const helperEnv = "HARNESS_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode, ok := os.LookupEnv(helperEnv); ok {
		os.Exit(runHelper(mode))
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "finding test executable:", err)
		os.Exit(2)
	}
	// Every Spawn and Run in these tests starts this binary in helper mode.
	if err := os.Setenv(BinaryEnv, self); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// runHelper plays a small proxy-like process and returns its exit code.
func runHelper(mode string) int {
	switch mode {
	case "env":
		env := os.Environ()
		sort.Strings(env)
		for _, kv := range env {
			fmt.Println(kv)
		}
		return 0
	case "fail":
		fmt.Println("partial output")
		fmt.Fprintln(os.Stderr, "config error: OSPROXY_UPSTREAM is required")
		return 3
	case "hang":
		select {}
	case "listen", "ignore-term", "grow":
		return serve(mode)
	}
	fmt.Fprintln(os.Stderr, "unknown helper mode", mode)
	return 2
}

// serve listens on OSPROXY_BIND and exits 0 on SIGTERM, unless told to
// ignore it; in "grow" mode it allocates 64 MiB on SIGUSR1 and holds it.
func serve(mode string) int {
	terms := make(chan os.Signal, 1)
	if mode == "ignore-term" {
		signal.Ignore(syscall.SIGTERM)
	} else {
		signal.Notify(terms, syscall.SIGTERM)
	}
	grow := make(chan os.Signal, 1)
	signal.Notify(grow, syscall.SIGUSR1)
	l, err := net.Listen("tcp", os.Getenv(BindEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		return 1
	}
	defer l.Close()
	fmt.Fprintln(os.Stderr, "listening")
	var held []byte
	for {
		select {
		case <-terms:
			fmt.Fprintln(os.Stderr, "draining")
			return 0
		case <-grow:
			held = make([]byte, 64<<20)
			// Touch one byte per page: enough to make every page resident,
			// and cheap under the race detector.
			for i := 0; i < len(held); i += 4096 {
				held[i] = 1
			}
		}
	}
}
