package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/osproxy/osproxy/osproxy"
	"github.com/osproxy/osproxy/osproxy/config"
)

// loadTLS reads the key pair and the client CA before any socket opens
// (CFG-6, SEC-4, SEC-7), or returns nil when the listener serves cleartext.
func loadTLS(cfg *config.Config) (*tls.Config, error) {
	if cfg.TLSCert == "" {
		return nil, nil
	}
	pair, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		return nil, &config.Error{Field: "tls_cert", Reason: "loading the key pair: " + err.Error()}
	}
	tc := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	if cfg.TLSClientCA == "" {
		return tc, nil
	}
	data, err := os.ReadFile(cfg.TLSClientCA)
	if err != nil {
		return nil, &config.Error{Field: "tls_client_ca", Reason: "reading " + cfg.TLSClientCA + ": " + config.FileReason(err)}
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, &config.Error{Field: "tls_client_ca", Reason: cfg.TLSClientCA + " holds no PEM certificate"}
	}
	tc.ClientCAs = pool
	tc.ClientAuth = tls.RequireAndVerifyClientCert
	if cfg.TLSClientAuth == "optional" {
		tc.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return tc, nil
}

// listenerTLS is the TLS listener's configuration, re-read on SIGHUP (CFG-26):
// each handshake takes the configuration in force, so a rotated certificate or
// client CA applies from the next connection while those open keep theirs.
type listenerTLS struct {
	cfg     *config.Config
	current atomic.Pointer[tls.Config]
}

// newListenerTLS loads the listener's files before any socket opens; nil when the
// listener serves cleartext.
func newListenerTLS(cfg *config.Config) (*listenerTLS, error) {
	tc, err := loadTLS(cfg)
	if err != nil || tc == nil {
		return nil, err
	}
	l := &listenerTLS{cfg: cfg}
	l.current.Store(tc)
	return l, nil
}

// Config is the listener's tls.Config (nil for cleartext): it hands each handshake
// the configuration in force.
func (l *listenerTLS) Config() *tls.Config {
	if l == nil {
		return nil
	}
	return &tls.Config{MinVersion: tls.VersionTLS12,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) { return l.current.Load(), nil }}
}

// Reload re-reads the certificate, key and client CA; on failure what was in
// force stays, and the error names the key.
func (l *listenerTLS) Reload() error {
	if l == nil {
		return nil
	}
	tc, err := loadTLS(l.cfg)
	if err != nil {
		return err
	}
	l.current.Store(tc)
	return nil
}

// reloadOnHangup re-reads the secret files and the listener's certificates on each
// SIGHUP until the returned stop is called. A failed reload keeps what was in
// force and says why.
func reloadOnHangup(proxy *osproxy.Proxy, listener *listenerTLS, stderr io.Writer) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-hup:
				if err := errors.Join(proxy.Reload(), listener.Reload()); err != nil {
					fmt.Fprintf(stderr, "osproxy: SIGHUP: kept the previous secrets: %v\n", err)
					continue
				}
				fmt.Fprintln(stderr, "osproxy: SIGHUP: re-read the tokens file, secret files and certificates")
			}
		}
	}()
	return func() { signal.Stop(hup); close(done) }
}
