package identity

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/osproxy/osproxy/osproxy/config"
	"github.com/osproxy/osproxy/osproxy/tenant"
)

// The reasons a request is not authenticated. Their texts are safe to send to
// the client: they never include what the client presented.
var (
	ErrNoCredential = errors.New("a bearer token or a mapped client certificate is required")
	ErrUnknownToken = errors.New("the bearer token is not valid")
)

// digest is a token's SHA-256. Tokens are looked up by digest, so a lookup's
// timing tells a caller nothing about how close a guess is to a real token
// (SEC-9), and a tokens file never holds a usable secret.
type digest = [sha256.Size]byte

// Authenticator maps a request's credential to a principal. It is safe for
// concurrent use; Reload swaps the token table atomically.
type Authenticator struct {
	open       bool
	clear      map[digest]config.Principal // from `tokens`
	tokensFile string
	certs      []config.CertPrincipal
	readFile   func(string) ([]byte, error)
	fromFile   atomic.Pointer[map[digest]config.Principal]
}

// New builds an Authenticator from a validated configuration, reading the
// tokens file with readFile (os.ReadFile in production). Its errors are
// *config.Error naming the setting at fault.
func New(cfg config.Config, readFile func(string) ([]byte, error)) (*Authenticator, error) {
	a := &Authenticator{
		clear:      make(map[digest]config.Principal, len(cfg.Tokens)),
		tokensFile: cfg.TokensFile,
		certs:      cfg.ClientCertPrincipals,
		readFile:   readFile,
	}
	a.open = len(cfg.Tokens) == 0 && cfg.TokensFile == "" && len(cfg.ClientCertPrincipals) == 0
	for tok, p := range cfg.Tokens {
		if err := checkTenants("tokens", p); err != nil {
			return nil, err
		}
		a.clear[sha256.Sum256([]byte(tok))] = p
	}
	for _, c := range cfg.ClientCertPrincipals {
		if err := checkTenants("tls_client_principals", c.Principal); err != nil {
			return nil, err
		}
	}
	if err := a.Reload(); err != nil {
		return nil, err
	}
	return a, nil
}

// Reload re-reads the tokens file, if any. On an error the previous table
// stays in force, so a half-written file never locks every client out.
func (a *Authenticator) Reload() error {
	if a.tokensFile == "" {
		return nil
	}
	data, err := a.readFile(a.tokensFile)
	if err != nil {
		return &config.Error{Field: "tokens_file", Reason: "reading " + a.tokensFile + ": " + config.FileReason(err)}
	}
	table, err := parseTokensFile(string(data))
	if err != nil {
		return err
	}
	a.fromFile.Store(&table)
	return nil
}

// Open reports whether authentication is off (SEC-2): no tokens, no tokens
// file and no certificate mapping configured.
func (a *Authenticator) Open() bool { return a.open }

// Authenticate returns the principal of a request: the one its verified client
// certificate maps to (SEC-8), else the one its bearer token names (SEC-1).
// In open mode the principal is empty and unbound.
func (a *Authenticator) Authenticate(h http.Header, cs *tls.ConnectionState) (config.Principal, error) {
	if a.open {
		return config.Principal{}, nil
	}
	if cs != nil && len(cs.VerifiedChains) > 0 && len(cs.VerifiedChains[0]) > 0 {
		if p, ok := a.byCertificate(cs.VerifiedChains[0][0]); ok {
			return p, nil
		}
	}
	scheme, token, ok := strings.Cut(h.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return config.Principal{}, ErrNoCredential
	}
	d := sha256.Sum256([]byte(token))
	if p, ok := a.clear[d]; ok {
		return p, nil
	}
	if table := a.fromFile.Load(); table != nil {
		if p, ok := (*table)[d]; ok {
			return p, nil
		}
	}
	return config.Principal{}, ErrUnknownToken
}

// byCertificate finds the first mapping that leaf satisfies, in configured order.
func (a *Authenticator) byCertificate(leaf *x509.Certificate) (config.Principal, bool) {
	for _, m := range a.certs {
		if certHas(leaf, m.Kind, m.Value) {
			return m.Principal, true
		}
	}
	return config.Principal{}, false
}

func certHas(leaf *x509.Certificate, kind, value string) bool {
	switch kind {
	case "cn":
		return leaf.Subject.CommonName == value
	case "dns":
		return containsFold(leaf.DNSNames, value)
	case "email":
		return containsFold(leaf.EmailAddresses, value)
	case "uri":
		for _, u := range leaf.URIs {
			if u.String() == value {
				return true
			}
		}
	}
	return false
}

// containsFold compares names case-insensitively, as DNS names and the domain
// part of addresses are.
func containsFold(list []string, v string) bool {
	for _, s := range list {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}

func checkTenants(field string, p config.Principal) error {
	for _, t := range p.Tenants {
		if !tenant.ValidTenant(t) {
			return &config.Error{Field: field, Reason: "principal " + p.Name + " is bound to an invalid tenant id"}
		}
	}
	return nil
}
