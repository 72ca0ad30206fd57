package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/osproxy/osproxy/osproxy"
	"github.com/osproxy/osproxy/osproxy/config"
	"github.com/osproxy/osproxy/osproxy/observe"
	"github.com/osproxy/osproxy/osproxy/server"
)

// commit is set at build time with -ldflags "-X main.commit=…" (make dist); a
// plain go build in a checkout takes it from the build's VCS stamp.
var commit = ""

// versionString is what --version prints after "osproxy ": the version, and
// the commit it was built from after a "+" (CFG-8 wants one word).
func versionString() string {
	c := commit
	if c == "" {
		if info, ok := debug.ReadBuildInfo(); ok {
			dirty := false
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					c = s.Value
				case "vcs.modified":
					dirty = s.Value == "true"
				}
			}
			if c != "" && dirty {
				c += "-dirty"
			}
		}
	}
	if c == "" {
		return version
	}
	if len(c) >= 40 {
		c = c[:12] + c[40:] // the short form of a full hash, keeping "-dirty"
	}
	return version + "+" + c
}

// logging is the process's structured log: JSON lines on standard error,
// written in the background so no request waits for a write (OPS-6).
type logging struct {
	sink    *observe.Sink
	handler *observe.JSONHandler
	logger  *slog.Logger
}

func newLogging(stderr io.Writer) *logging {
	sink := observe.NewSink(stderr, 100*time.Millisecond)
	h := observe.NewJSONHandler(sink, slog.LevelInfo)
	return &logging{sink: sink, handler: h, logger: slog.New(h)}
}

// logConfig writes the configuration in force, secrets and tenant names
// redacted (OPS-6, CFG-19, CFG-27).
func (l *logging) logConfig(cfg *config.Config) {
	settings := cfg.Settings()
	attrs := make([]any, 0, len(settings))
	for _, s := range settings {
		attrs = append(attrs, slog.String(s.Key, s.Value))
	}
	l.logger.Info("configuration", slog.String("version", versionString()), slog.Group("config", attrs...))
}

// operations are the admin listener and the metrics only the process knows.
type operations struct {
	admin   *server.Server
	adminLn net.Listener
	done    chan error
}

// startOperations registers the process's metrics and, with admin_bind, binds
// and serves the admin listener (OPS-1). Binding fails like bind does (CFG-9).
func startOperations(cfg *config.Config, proxy *osproxy.Proxy, srv *server.Server, l *logging) (*operations, error) {
	m := proxy.Metrics()
	m.RegisterProcess(version, commit)
	m.Func("osproxy_client_connections", "Client connections open now (HTTP/1.1).", "gauge", func(emit observe.Emit) {
		emit(float64(srv.Conns()))
	})
	m.Func("osproxy_log_lines_dropped_total", "Log lines dropped because standard error did not keep up.", "counter", func(emit observe.Emit) {
		emit(float64(l.sink.Dropped()))
	})
	ops := &operations{done: make(chan error, 1)}
	if cfg.AdminBind == "" {
		return ops, nil
	}
	ln, err := net.Listen("tcp", cfg.AdminBind)
	if err != nil {
		return nil, fmt.Errorf("binding admin_bind %s: %w", cfg.AdminBind, err)
	}
	ops.adminLn = ln
	ops.admin = server.New(server.Config{Handler: proxy.AdminHandler(), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, MaxConns: 64, Refuse: proxy.Refuse,
		ErrorLog: errorLog(l)})
	go func() { ops.done <- ops.admin.Serve(ln) }()
	return ops, nil
}

// stop closes the admin listener, last, so readiness stays observable while the
// main listener drains.
func (o *operations) stop() {
	if o.admin == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = o.admin.Shutdown(ctx)
	if err := <-o.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		_ = err // the admin listener ends with the process; nothing left to tell
	}
}

// errorLog is a *log.Logger for the server loop's own complaints, as ERROR lines.
func errorLog(l *logging) *log.Logger { return slog.NewLogLogger(l.handler, slog.LevelError) }
