package clusterauth

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"strings"
)

// ErrRejected is what Transport returns when the cluster answers 401: the
// credential at fault is the proxy's own (the client's is never relayed), so
// the client must not see it as its own 401 (UPS-6).
var ErrRejected = errors.New("the upstream rejected the proxy's credentials (HTTP 401)")

// Transport sends each request with the cluster's credentials through Base.
type Transport struct {
	Base        http.RoundTripper
	Credentials *Credentials
}

// RoundTrip sets the proxy's Authorization on req, which must be a request
// the proxy built or cloned (never the inbound one), and turns a 401 into
// ErrRejected.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.Credentials.Apply(req.Header)
	resp, err := t.Base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusUnauthorized {
		resp.Body.Close()
		return nil, ErrRejected
	}
	return resp, nil
}

// DescribeTLS names a TLS failure in err for an error reason or a log line
// (UPS-7), or reports false when err is not about TLS. The text names the
// failure, never a certificate's content.
func DescribeTLS(err error) (string, bool) {
	var verr *tls.CertificateVerificationError
	if errors.As(err, &verr) {
		var unknown x509.UnknownAuthorityError
		var invalid x509.CertificateInvalidError
		var host x509.HostnameError
		switch {
		case errors.As(verr.Err, &unknown):
			return "TLS: the upstream's certificate is not signed by a trusted CA", true
		case errors.As(verr.Err, &invalid) && invalid.Reason == x509.Expired:
			return "TLS: the upstream's certificate has expired or is not yet valid", true
		case errors.As(verr.Err, &host):
			return "TLS: the upstream's certificate does not name the host the proxy asked for", true
		}
		return "TLS: the upstream's certificate could not be verified", true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" && strings.HasPrefix(op.Err.Error(), "tls: ") {
		return "TLS: the upstream ended the handshake (" + op.Err.Error() + "); is the proxy's client certificate accepted?", true
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		return "TLS: the upstream did not answer in TLS; is it an http:// URL?", true
	}
	if strings.Contains(err.Error(), "tls: ") {
		return "TLS: the handshake with the upstream failed", true
	}
	return "", false
}
