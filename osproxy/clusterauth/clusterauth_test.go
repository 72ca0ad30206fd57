package clusterauth

import (
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/osproxy/osproxy/osproxy/config"
)

// get sends GET / through a transport built from s and creds.
func get(t *testing.T, url string, s config.ClusterTLS, creds config.Credentials) (*http.Response, error) {
	t.Helper()
	tc, err := NewTLS("upstream", s, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewCredentials("upstream", creds, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	rt := &Transport{Base: &http.Transport{TLSClientConfig: tc.Config()}, Credentials: c}
	req, _ := http.NewRequest("GET", url+"/", nil)
	req.Header.Set("Authorization", "Bearer client-own")
	return rt.RoundTrip(req)
}

func TestTransport_VerifiedServer_RequestCarriesProxyCredentials(t *testing.T) {
	ca := newAuthority(t, "ca")
	srv := tlsServer(t, ca.valid(t, "node"), nil)
	caFile := writeFile(t, filepath.Join(t.TempDir(), "ca.pem"), ca.pem)
	pwFile := writeFile(t, filepath.Join(t.TempDir(), "pw"), []byte("p4ss:word\n"))
	resp, err := get(t, srv.URL, config.ClusterTLS{CAFile: caFile}, config.Credentials{User: "osproxy", PasswordFile: pwFile})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Seen-Authorization"); got != "Basic b3Nwcm94eTpwNHNzOndvcmQ=" {
		t.Fatalf("Authorization upstream: %q", got)
	}
	resp, err = get(t, srv.URL, config.ClusterTLS{CAFile: caFile}, config.Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Seen-Authorization"); got != "" {
		t.Fatalf("the client's Authorization was relayed: %q", got)
	}
}

func TestTransport_TLSFailures_DescribedAsTLS(t *testing.T) {
	ca, other := newAuthority(t, "ca"), newAuthority(t, "other")
	caFile := writeFile(t, filepath.Join(t.TempDir(), "ca.pem"), ca.pem)
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	expired := ca.issue(t, "node", time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	cert, key := writePair(t, other.valid(t, "proxy"))
	cases := []struct {
		name   string
		srv    string
		s      config.ClusterTLS
		reason string
	}{
		{"wrong CA", tlsServer(t, other.valid(t, "node"), nil).URL, config.ClusterTLS{CAFile: caFile}, "not signed by a trusted CA"},
		{"system pool", tlsServer(t, ca.valid(t, "node"), nil).URL, config.ClusterTLS{}, "not signed by a trusted CA"},
		{"expired", tlsServer(t, expired, nil).URL, config.ClusterTLS{CAFile: caFile}, "expired"},
		{"server name", tlsServer(t, ca.valid(t, "node"), nil).URL, config.ClusterTLS{CAFile: caFile, ServerName: "elsewhere"}, "does not name the host"},
		{"client cert refused", tlsServer(t, ca.valid(t, "node"), pool).URL, config.ClusterTLS{CAFile: caFile, ClientCert: cert, ClientKey: key}, "ended the handshake"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := get(t, tc.srv, tc.s, config.Credentials{})
			reason, ok := DescribeTLS(err)
			if !ok || !strings.HasPrefix(reason, "TLS: ") || !strings.Contains(reason, tc.reason) {
				t.Fatalf("err %v described as %q", err, reason)
			}
		})
	}
}

func TestTransport_ClientCertificateAndInsecure_Connect(t *testing.T) {
	ca := newAuthority(t, "ca")
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	srv := tlsServer(t, ca.valid(t, "node"), pool)
	caFile := writeFile(t, filepath.Join(t.TempDir(), "ca.pem"), ca.pem)
	cert, key := writePair(t, ca.valid(t, "proxy"))
	resp, err := get(t, srv.URL, config.ClusterTLS{CAFile: caFile, ClientCert: cert, ClientKey: key, ServerName: "localhost"}, config.Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = get(t, tlsServer(t, newAuthority(t, "x").valid(t, "n"), nil).URL, config.ClusterTLS{InsecureSkipVerify: true}, config.Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestTransport_Upstream401_ErrRejected(t *testing.T) {
	srv := tlsServer(t, newAuthority(t, "x").valid(t, "n"), nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(401) })
	_, err := get(t, srv.URL, config.ClusterTLS{InsecureSkipVerify: true}, config.Credentials{Token: "t"})
	if !errors.Is(err, ErrRejected) {
		t.Fatalf("got %v", err)
	}
}

func TestNewTLS_BadFiles_ErrorNamesTheSetting(t *testing.T) {
	dir := t.TempDir()
	notPEM := writeFile(t, filepath.Join(dir, "x"), []byte("not a certificate"))
	cert, _ := writePair(t, newAuthority(t, "a").valid(t, "p"))
	_, otherKey := writePair(t, newAuthority(t, "b").valid(t, "p"))
	cases := []struct {
		name  string
		s     config.ClusterTLS
		field string
	}{
		{"missing CA", config.ClusterTLS{CAFile: filepath.Join(dir, "missing")}, "upstream_ca_file"},
		{"CA not PEM", config.ClusterTLS{CAFile: notPEM}, "upstream_ca_file"},
		{"unreadable key", config.ClusterTLS{ClientCert: cert, ClientKey: filepath.Join(dir, "missing")}, "upstream_client_key"},
		{"mismatched pair", config.ClusterTLS{ClientCert: cert, ClientKey: otherKey}, "upstream_client_cert"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewTLS("upstream", tc.s, os.ReadFile)
			var ce *config.Error
			if !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("want error on %s, got %v", tc.field, err)
			}
		})
	}
}

func TestCredentials_Files_ReadTrimmedAndReloaded(t *testing.T) {
	dir := t.TempDir()
	tok := writeFile(t, filepath.Join(dir, "tok"), []byte("abc\n"))
	c, err := NewCredentials("passthrough", config.Credentials{TokenFile: tok}, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	c.Apply(h)
	if h.Get("Authorization") != "Bearer abc" {
		t.Fatalf("got %q", h.Get("Authorization"))
	}
	writeFile(t, tok, []byte("def"))
	if err := c.Reload(); err != nil {
		t.Fatal(err)
	}
	c.Apply(h)
	if h.Get("Authorization") != "Bearer def" {
		t.Fatalf("after reload: %q", h.Get("Authorization"))
	}
	for name, content := range map[string]string{"empty": "\n", "two lines": "a\nb\n"} {
		writeFile(t, tok, []byte(content))
		var ce *config.Error
		if err := c.Reload(); !errors.As(err, &ce) || ce.Field != "passthrough_token_file" {
			t.Fatalf("%s: %v", name, err)
		}
		c.Apply(h)
		if h.Get("Authorization") != "Bearer def" {
			t.Fatalf("%s: a failed reload changed the credential", name)
		}
	}
	if _, err := NewCredentials("upstream", config.Credentials{User: "u", PasswordFile: filepath.Join(dir, "none")}, os.ReadFile); err == nil {
		t.Fatal("unreadable password file accepted")
	}
}
