package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync"
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

// limitListener accepts at most n connections at once (CFG-24); further
// clients wait in the kernel's backlog until one closes.
func limitListener(ln net.Listener, n int) net.Listener {
	if n <= 0 {
		return ln
	}
	return &limitedListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

type limitedListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{} // closed by Close, so a full Accept does not outlive the listener
	closeOnce sync.Once
}

func (l *limitedListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitedListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
