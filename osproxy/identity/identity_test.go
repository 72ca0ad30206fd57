package identity

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/osproxy/osproxy/osproxy/config"
)

func fileOf(m map[string]string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		if v, ok := m[p]; ok {
			return []byte(v), nil
		}
		return nil, &os.PathError{Op: "open", Path: p, Err: os.ErrNotExist}
	}
}

func hashLine(token, principal string) string {
	d := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(d[:]) + "=" + principal + "\n"
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

func TestAuthenticate_TokensFile_HashedTokensAccepted(t *testing.T) {
	files := map[string]string{"/t": "# hashed\n\n" + hashLine("s3cr3t", "svc:acme|globex") + hashLine("other", "ops")}
	a, err := New(config.Config{TokensFile: "/t"}, fileOf(files))
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Authenticate(bearer("s3cr3t"), nil)
	if err != nil || p.Name != "svc" || len(p.Tenants) != 2 {
		t.Fatalf("got %+v %v", p, err)
	}
	if _, err := a.Authenticate(bearer(hashLine("s3cr3t", "")[7:71]), nil); !errors.Is(err, ErrUnknownToken) {
		t.Fatalf("the digest itself must not authenticate: %v", err)
	}
	if _, err := a.Authenticate(http.Header{}, nil); !errors.Is(err, ErrNoCredential) {
		t.Fatalf("no header: %v", err)
	}
}

func TestReload_ChangedFile_NewTableOldKeptOnError(t *testing.T) {
	files := map[string]string{"/t": hashLine("old", "svc")}
	a, err := New(config.Config{TokensFile: "/t"}, fileOf(files))
	if err != nil {
		t.Fatal(err)
	}
	files["/t"] = hashLine("new", "svc")
	if err := a.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(bearer("old"), nil); err == nil {
		t.Fatal("a removed token still authenticates")
	}
	files["/t"] = "garbage"
	var ce *config.Error
	if err := a.Reload(); !errors.As(err, &ce) || ce.Field != "tokens_file" {
		t.Fatalf("bad file: %v", err)
	}
	if _, err := a.Authenticate(bearer("new"), nil); err != nil {
		t.Fatalf("a failed reload dropped the table in force: %v", err)
	}
}

func TestNew_BadTokensFile_ErrorNamesLineNotContent(t *testing.T) {
	for name, text := range map[string]string{
		"no prefix":      "abcd=svc",
		"short digest":   "sha256:abcd=svc",
		"empty name":     hashLine("x", ""),
		"bad tenant":     hashLine("x", "svc:Not Valid!"),
		"repeated token": hashLine("x", "a") + hashLine("x", "b"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(config.Config{TokensFile: "/t"}, fileOf(map[string]string{"/t": text}))
			var ce *config.Error
			if !errors.As(err, &ce) || ce.Field != "tokens_file" {
				t.Fatalf("got %v", err)
			}
		})
	}
	_, err := New(config.Config{TokensFile: "/missing"}, fileOf(nil))
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Field != "tokens_file" {
		t.Fatalf("missing file: %v", err)
	}
}

func verified(leaf *x509.Certificate) *tls.ConnectionState {
	return &tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{leaf}}}
}

func TestAuthenticate_ClientCertificate_MappedBySubjectOrSAN(t *testing.T) {
	u, _ := url.Parse("spiffe://mesh/indexer")
	cfg := config.Config{ClientCertPrincipals: []config.CertPrincipal{
		{Kind: "cn", Value: "reporter", Principal: config.Principal{Name: "reports", Tenants: []string{"acme"}}},
		{Kind: "dns", Value: "ingest.example", Principal: config.Principal{Name: "ingest"}},
		{Kind: "email", Value: "ops@example.org", Principal: config.Principal{Name: "ops"}},
		{Kind: "uri", Value: "spiffe://mesh/indexer", Principal: config.Principal{Name: "indexer"}},
	}}
	a, err := New(cfg, fileOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	for want, leaf := range map[string]*x509.Certificate{
		"reports": {Subject: pkix.Name{CommonName: "reporter"}},
		"ingest":  {DNSNames: []string{"other.example", "INGEST.example"}},
		"ops":     {EmailAddresses: []string{"ops@example.org"}},
		"indexer": {URIs: []*url.URL{u}},
	} {
		p, err := a.Authenticate(http.Header{}, verified(leaf))
		if err != nil || p.Name != want {
			t.Fatalf("%s: got %+v %v", want, p, err)
		}
	}
	unmapped := &x509.Certificate{Subject: pkix.Name{CommonName: "stranger"}}
	if _, err := a.Authenticate(http.Header{}, verified(unmapped)); !errors.Is(err, ErrNoCredential) {
		t.Fatalf("unmapped certificate: %v", err)
	}
	// An unverified certificate (PeerCertificates only) never maps.
	cs := &tls.ConnectionState{PeerCertificates: []*x509.Certificate{{Subject: pkix.Name{CommonName: "reporter"}}}}
	if _, err := a.Authenticate(http.Header{}, cs); err == nil {
		t.Fatal("an unverified certificate authenticated")
	}
}

func TestAuthenticate_NothingConfigured_Open(t *testing.T) {
	a, err := New(config.Config{}, fileOf(nil))
	if err != nil || !a.Open() {
		t.Fatalf("%v", err)
	}
	if p, err := a.Authenticate(bearer("anything"), nil); err != nil || p.Name != "" {
		t.Fatalf("%+v %v", p, err)
	}
	if b, _ := New(config.Config{TokensFile: "/t"}, fileOf(map[string]string{"/t": ""})); b.Open() {
		t.Fatal("an empty tokens file opened authentication")
	}
}
