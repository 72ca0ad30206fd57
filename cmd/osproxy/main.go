package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/osproxy/osproxy/osproxy"
	"github.com/osproxy/osproxy/osproxy/config"
	"github.com/osproxy/osproxy/osproxy/server"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, action, err := config.Load(args, os.LookupEnv, os.ReadFile)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "osproxy: %v\n", err)
		return 1
	case action == config.Help:
		config.WriteUsage(stdout)
		return 0
	case action == config.Version:
		fmt.Fprintf(stdout, "osproxy %s\n", version)
		return 0
	}
	tlsConfig, err := loadTLS(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "osproxy: %v\n", err)
		return 1
	}
	proxy, err := osproxy.New(*cfg)
	if err != nil {
		fmt.Fprintf(stderr, "osproxy: %v\n", err)
		return 1
	}
	ln, err := net.Listen("tcp", cfg.Bind)
	if err != nil {
		fmt.Fprintf(stderr, "osproxy: binding %s: %v\n", cfg.Bind, err)
		return 1
	}
	// HTTP/1.1 runs on the proxy's own loop, HTTP/2 (TLS only) on net/http.
	srv := server.New(server.Config{
		Handler:           proxy,
		TLS:               tlsConfig,
		ReadHeaderTimeout: 10 * time.Second, // slowloris guard
		ReadTimeout:       cfg.ReadTimeout,  // CFG-23
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       noneIfZero(cfg.IdleTimeout),
		MaxConns:          cfg.MaxConnections, // CFG-24
		Refuse:            proxy.Refuse,
	})
	for _, w := range proxy.Warnings() {
		fmt.Fprintf(stderr, "osproxy: %s\n", w) // UPS-4, CFG-29: once bound, before the readiness line
	}
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
	}
	// CFG-18: the socket is bound, so this line is a readiness signal.
	fmt.Fprintf(stdout, "osproxy listening on %s://%s (%s)\n", scheme, ln.Addr(), proxy.Mode())
	ctx, stopChecks := context.WithCancel(context.Background())
	defer stopChecks()
	go proxy.CheckUpstreams(ctx, func(line string) { fmt.Fprintf(stderr, "osproxy: %s\n", line) }) // UPS-8
	return serve(srv, ln, cfg.ShutdownTimeout, proxy, stderr)
}

// noneIfZero maps a timeout of 0, which the configuration reads as "no
// limit" (CFG-23), to the server's negative.
func noneIfZero(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// serve runs srv until a signal, then drains for at most grace (CFG-17).
// SIGHUP re-reads the secret files without touching connections (CFG-26).
func serve(srv *server.Server, ln net.Listener, grace time.Duration, proxy *osproxy.Proxy, stderr io.Writer) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	stopReloads := reloadOnHangup(proxy, stderr)
	defer stopReloads()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		fmt.Fprintf(stderr, "osproxy: serving: %v\n", err)
		return 1
	case <-sigs:
	}
	fmt.Fprintln(stderr, "osproxy: shutdown signal received, draining in-flight requests")
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(stderr, "osproxy: draining: %v\n", err)
	}
	return 0
}
