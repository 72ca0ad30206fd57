package config

import (
	"strconv"
	"strings"
	"time"
)

// listenerKeys are the client-identity and listener-hardening settings, checked
// after the original's keys.
var listenerKeys = []key{
	{"tokens_file", "", "file of `sha256:<hex>=principal[:tenant|tenant...]` lines, re-read on SIGHUP", applyTokensFile},
	{"tls_client_ca", "", "PEM bundle: ask clients for a certificate signed by it (needs tls_cert)", applyTLSClientCA},
	{"tls_client_auth", "", "required or optional: whether a client certificate is required (unset: required)", applyTLSClientAuth},
	{"tls_client_principals", "", "cn|dns|email|uri:value=principal[:tenant|tenant...],... maps client certificates to principals", applyClientPrincipals},
	{"read_timeout", "5m", "longest read of one request, body included (Go duration; 0: none)", durationKey("read_timeout", func(c *Config) *time.Duration { return &c.ReadTimeout })},
	{"write_timeout", "5m", "longest write of one response, body included (Go duration; 0: none)", durationKey("write_timeout", func(c *Config) *time.Duration { return &c.WriteTimeout })},
	{"idle_timeout", "2m", "longest wait for the next request on a kept-alive connection (Go duration; 0: none)", durationKey("idle_timeout", func(c *Config) *time.Duration { return &c.IdleTimeout })},
	{"max_connections", "1024", "most client connections open at once; more wait to be accepted", countKey("max_connections", func(c *Config) *int { return &c.MaxConnections })},
}

func applyTokensFile(c *Config, v string) error {
	c.TokensFile = v
	return nil
}

func applyTLSClientCA(c *Config, v string) error {
	c.TLSClientCA = v
	return nil
}

func applyTLSClientAuth(c *Config, v string) error {
	switch v = strings.ToLower(strings.TrimSpace(v)); v {
	case "", "required", "optional":
		c.TLSClientAuth = v
		return nil
	}
	return &Error{"tls_client_auth", "expected required or optional"}
}

// applyClientPrincipals implements CFG-22: entries `kind:value=principal[:tenants]`.
// The value is split from the principal at the last `=`, since a principal never
// holds one and a URI may.
func applyClientPrincipals(c *Config, v string) error {
	c.ClientCertPrincipals = nil
	for _, entry := range strings.Split(v, ",") {
		if entry = strings.TrimSpace(entry); entry == "" {
			continue
		}
		i := strings.LastIndex(entry, "=")
		if i < 0 {
			return &Error{"tls_client_principals", "an entry is not `kind:value=principal`"}
		}
		kind, value, ok := strings.Cut(strings.TrimSpace(entry[:i]), ":")
		kind, value = strings.ToLower(strings.TrimSpace(kind)), strings.TrimSpace(value)
		switch {
		case !ok || value == "":
			return &Error{"tls_client_principals", "an entry is not `kind:value=principal`"}
		case kind != "cn" && kind != "dns" && kind != "email" && kind != "uri":
			return &Error{"tls_client_principals", "kind " + strconv.Quote(kind) + " is not cn, dns, email or uri"}
		}
		p, err := parsePrincipal("tls_client_principals", entry[i+1:])
		if err != nil {
			return err
		}
		c.ClientCertPrincipals = append(c.ClientCertPrincipals, CertPrincipal{Kind: kind, Value: value, Principal: p})
	}
	return nil
}

// parsePrincipal reads `name[:tenant|tenant...]` (SEC-6) for field.
func parsePrincipal(field, s string) (Principal, error) {
	name, tenants, bound := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if name == "" {
		return Principal{}, &Error{field, "an entry has an empty principal"}
	}
	p := Principal{Name: name}
	if bound {
		for _, t := range strings.Split(tenants, "|") {
			if t = strings.TrimSpace(t); t == "" {
				return Principal{}, &Error{field, "principal " + name + " has an empty tenant in its list"}
			}
			p.Tenants = append(p.Tenants, t)
		}
	}
	return p, nil
}

// durationKey applies a non-negative Go duration to the field at f.
func durationKey(name string, f func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d < 0 {
			return &Error{name, "expected a duration such as 30s"}
		}
		*f(c) = d
		return nil
	}
}

// countKey applies a positive whole number to the field at f.
func countKey(name string, f func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n <= 0 {
			return &Error{name, "expected a positive whole number"}
		}
		*f(c) = n
		return nil
	}
}

// checkIdentity validates the client-identity keys against each other (CFG-22).
func checkIdentity(c *Config) error {
	switch {
	case len(c.Tokens) > 0 && c.TokensFile != "":
		return &Error{"tokens_file", "set tokens or tokens_file, not both"}
	case c.TLSClientCA != "" && c.TLSCert == "":
		return &Error{"tls_client_ca", "requires tls_cert and tls_key: client certificates need a TLS listener"}
	case c.TLSClientAuth != "" && c.TLSClientCA == "":
		return &Error{"tls_client_auth", "requires tls_client_ca"}
	case len(c.ClientCertPrincipals) > 0 && c.TLSClientCA == "":
		return &Error{"tls_client_principals", "requires tls_client_ca"}
	}
	return nil
}
