package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"os/signal"
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

// reloadOnHangup re-reads the secret files on each SIGHUP until the returned
// stop is called. A failed reload keeps what was in force and says why.
func reloadOnHangup(proxy *osproxy.Proxy, stderr io.Writer) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-hup:
				if err := proxy.Reload(); err != nil {
					fmt.Fprintf(stderr, "osproxy: SIGHUP: kept the previous secrets: %v\n", err)
					continue
				}
				fmt.Fprintln(stderr, "osproxy: SIGHUP: re-read the tokens file and secret files")
			}
		}
	}()
	return func() { signal.Stop(hup); close(done) }
}
