package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
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
		fmt.Fprintf(stdout, "osproxy %s\n", versionString())
		return 0
	}
	logs := newLogging(stderr)
	defer logs.sink.Close()
	// From here every line to standard error goes through the log's buffer, so
	// a plain line can never land inside a JSON one.
	stderr = logs.sink
	listenerTLS, err := newListenerTLS(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "osproxy: %v\n", err)
		return 1
	}
	var access slog.Handler
	if cfg.AccessLog {
		access = logs.handler // OPS-6
	}
	proxy, err := osproxy.New(*cfg, osproxy.WithLogger(logs.logger, access))
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
		TLS:               listenerTLS.Config(), // re-read on SIGHUP (CFG-26)
		ReadHeaderTimeout: 10 * time.Second,     // slowloris guard
		ReadTimeout:       cfg.ReadTimeout,      // CFG-23
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       noneIfZero(cfg.IdleTimeout),
		MaxConns:          cfg.MaxConnections, // CFG-24
		Refuse:            proxy.Refuse,
		BodyStallTimeout:  cfg.BodyReadTimeout, // OPS-16
		WriteStallTimeout: cfg.StallTimeout,    // OPS-15
		ErrorLog:          errorLog(logs),
	})
	ops, err := startOperations(cfg, proxy, srv, logs)
	if err != nil {
		fmt.Fprintf(stderr, "osproxy: %v\n", err)
		return 1
	}
	defer ops.stop()
	logs.logConfig(cfg)
	for _, w := range proxy.Warnings() {
		fmt.Fprintf(stderr, "osproxy: %s\n", w) // UPS-4, CFG-29: once bound, before the readiness line
	}
	scheme := "http"
	if listenerTLS != nil {
		scheme = "https"
	}
	// CFG-18: the socket is bound, so this line is a readiness signal; what
	// start-up wrote to standard error is out before it.
	logs.sink.Flush()
	fmt.Fprintf(stdout, "osproxy listening on %s://%s (%s)\n", scheme, ln.Addr(), proxy.Mode())
	ctx, stopChecks := context.WithCancel(context.Background())
	defer stopChecks()
	go proxy.CheckUpstreams(ctx, func(line string) { fmt.Fprintf(stderr, "osproxy: %s\n", line) }) // UPS-8
	return serve(srv, ln, cfg, proxy, listenerTLS, stderr, logs.logger)
}

// noneIfZero maps a timeout of 0, which the configuration reads as "no
// limit" (CFG-23), to the server's negative.
func noneIfZero(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// serve runs srv until a signal, then drains (CFG-17, OPS-9): readiness turns
// false, then after shutdown_delay the listener closes, in-flight requests
// finish for at most shutdown_timeout, and the process exits 0. SIGHUP re-reads
// the secret files and the listener's certificates without touching connections
// (CFG-26).
func serve(srv *server.Server, ln net.Listener, cfg *config.Config, proxy *osproxy.Proxy, listener *listenerTLS, stderr io.Writer, logger *slog.Logger) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	stopReloads := reloadOnHangup(proxy, listener, stderr)
	defer stopReloads()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		fmt.Fprintf(stderr, "osproxy: serving: %v\n", err)
		return 1
	case <-sigs:
	}
	proxy.Drain()
	fmt.Fprintln(stderr, "osproxy: shutdown signal received, draining in-flight requests")
	inFlight := proxy.Metrics().InFlight()
	logger.Info("draining", "in_flight", inFlight, "shutdown_delay", cfg.ShutdownDelay.String(),
		"shutdown_timeout", cfg.ShutdownTimeout.String())
	if cfg.ShutdownDelay > 0 {
		select { // a second signal cuts the delay short
		case <-time.After(cfg.ShutdownDelay):
		case <-sigs:
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(stderr, "osproxy: draining: %v\n", err)
	}
	logger.Info("drained", "cut_short", err != nil, "in_flight", proxy.Metrics().InFlight())
	return 0
}
