package clusterauth

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"sync/atomic"

	"github.com/osproxy/osproxy/osproxy/config"
)

// TLS is the client side of TLS to one cluster. Its client certificate, if
// any, is re-read by Reload, so a rotated pair is used by the next handshake.
type TLS struct {
	prefix   string // "upstream" or "passthrough": names the settings in errors
	settings config.ClusterTLS
	readFile func(string) ([]byte, error)
	pair     atomic.Pointer[tls.Certificate]
	config   *tls.Config
}

// NewTLS builds the TLS client configuration of the cluster whose settings
// are prefix_* (UPS-1..UPS-4): TLS 1.2 or newer, verified against the CA
// bundle or the system pool, with the client certificate and server name
// given. Errors are *config.Error naming the setting at fault.
func NewTLS(prefix string, s config.ClusterTLS, readFile func(string) ([]byte, error)) (*TLS, error) {
	t := &TLS{prefix: prefix, settings: s, readFile: readFile}
	t.config = &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         s.ServerName,
		InsecureSkipVerify: s.InsecureSkipVerify, // UPS-4: explicit, development only, warned
		// Resumed sessions skip the full handshake on every new connection
		// to the same cluster (UPS-10).
		ClientSessionCache: tls.NewLRUClientSessionCache(64),
	}
	if s.CAFile != "" {
		pool, err := t.loadPool()
		if err != nil {
			return nil, err
		}
		t.config.RootCAs = pool
	}
	if s.ClientCert != "" {
		if err := t.Reload(); err != nil {
			return nil, err
		}
		t.config.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return t.pair.Load(), nil
		}
	}
	return t, nil
}

// Config returns the configuration for the transport. It is shared: callers
// must not change it.
func (t *TLS) Config() *tls.Config { return t.config }

// Reload re-reads the client certificate and key. On an error the pair in use
// stays, so a half-rotated pair never breaks the connection to the cluster.
func (t *TLS) Reload() error {
	if t.settings.ClientCert == "" {
		return nil
	}
	certPEM, err := t.readFile(t.settings.ClientCert)
	if err != nil {
		return t.fail("_client_cert", "reading "+t.settings.ClientCert+": "+config.FileReason(err))
	}
	keyPEM, err := t.readFile(t.settings.ClientKey)
	if err != nil {
		return t.fail("_client_key", "reading "+t.settings.ClientKey+": "+config.FileReason(err))
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		// crypto/tls's reasons name the mismatch, never key material.
		return t.fail("_client_cert", "loading the key pair: "+err.Error())
	}
	t.pair.Store(&pair)
	return nil
}

func (t *TLS) loadPool() (*x509.CertPool, error) {
	data, err := t.readFile(t.settings.CAFile)
	if err != nil {
		return nil, t.fail("_ca_file", "reading "+t.settings.CAFile+": "+config.FileReason(err))
	}
	pool := x509.NewCertPool()
	n := 0
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, t.fail("_ca_file", "parsing a certificate: "+err.Error())
		}
		pool.AddCert(cert)
		n++
	}
	if n == 0 {
		return nil, t.fail("_ca_file", t.settings.CAFile+" holds no PEM certificate")
	}
	return pool, nil
}

func (t *TLS) fail(suffix, reason string) error {
	return &config.Error{Field: t.prefix + suffix, Reason: reason}
}
