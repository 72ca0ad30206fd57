package config

import (
	"time"
)

// Config is the validated configuration of one osproxy process.
type Config struct {
	Bind                   string
	Upstream               string
	Index                  string
	Tokens                 map[string]Principal // by token; empty with no TokensFile means open dev mode
	TokensFile             string               // lines `sha256:<hex>=principal[:tenants]`, re-read on SIGHUP
	AllowCleartextMutation bool                 // allow_cleartext_tenancy: gates every tenancy request
	PassthroughCluster     string
	PassthroughEndpoint    string
	PassthroughIndices     []string
	MaxBodyBytes           int64
	UpstreamTimeout        time.Duration
	ShutdownTimeout        time.Duration
	TLSCert, TLSKey        string        // PEM files; both set means the listener serves HTTPS
	AllowInlineScripts     bool          // ISO-12, ISO-13
	BodyReadTimeout        time.Duration // ISO-20
	IngestPipelines        []string      // WR-18: pipelines a tenant may name
	CursorAffinityKey      string        // READ-23: seals scroll and point-in-time cursors; empty: one per process

	// Client identity on the listener (SEC-7..SEC-9).
	TLSClientCA          string          // PEM bundle: ask clients for certificates signed by it
	TLSClientAuth        string          // "required" or "optional"; empty means required
	ClientCertPrincipals []CertPrincipal // certificate → principal mapping

	// How the proxy reaches each cluster (spec/12-secured-upstream.md).
	UpstreamTLS, PassthroughTLS   ClusterTLS
	UpstreamAuth, PassthroughAuth Credentials
	UpstreamMaxConns              int           // per upstream host, dials + active + idle
	UpstreamDialTimeout           time.Duration // longest TCP connect (TLS handshake has its own bound)

	// Listener hardening (CFG-23, CFG-24).
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	MaxConnections                         int

	// Operations (spec/16-operations.md).
	AdminBind        string        // listener of the /_osproxy/ endpoints; empty: served on Bind
	AccessLog        bool          // one JSON line per request
	MaxBufferedBytes int64         // request-body bytes buffered at once across requests
	StallTimeout     time.Duration // longest pause in a streamed response body
	ShutdownDelay    time.Duration // readiness false before the listener closes
	BreakerFailures  int           // consecutive upstream failures that open a breaker; 0: never
	BreakerCooldown  time.Duration // how long an open breaker refuses

	cleartextSet bool      // allow_cleartext_tenancy was given, for its alias's check
	settings     []Setting // every key's value in force, secrets redacted (Settings)
}

// Principal is who a token stands for, and the tenants it may act for (SEC-6);
// no tenants means any tenant.
type Principal struct {
	Name    string
	Tenants []string
}

// CertPrincipal maps a verified client certificate to a principal: Kind is
// "cn" (subject common name), "dns", "email" or "uri" (subject alternative
// names); Value must equal the certificate's (SEC-8).
type CertPrincipal struct {
	Kind, Value string
	Principal   Principal
}

// ClusterTLS is how the proxy verifies a cluster and proves itself to it over
// TLS (UPS-1..UPS-4). The zero value verifies against the system pool.
type ClusterTLS struct {
	CAFile                string // PEM bundle; empty means the system pool
	ClientCert, ClientKey string // PEM files for mTLS to the cluster
	ServerName            string // name checked in the cluster's certificate; empty means the URL's host
	InsecureSkipVerify    bool   // development only: logged as a warning at every start
}

// Credentials is what the proxy sends the cluster as its Authorization
// (UPS-5): basic auth with User and a password, or a bearer token, each
// inline or from a file re-read on SIGHUP.
type Credentials struct {
	User                   string
	Password, PasswordFile string
	Token, TokenFile       string
}

// String never shows a secret, so a Config printed with %v or %+v leaks none (CFG-19).
func (c Credentials) String() string {
	switch {
	case c.User != "":
		return "basic auth as " + c.User
	case c.Token != "" || c.TokenFile != "":
		return "bearer token"
	}
	return "none"
}

// GoString is String, for %#v.
func (c Credentials) GoString() string { return c.String() }

// Error is a configuration error: the field it concerns and why.
type Error struct {
	Field  string
	Reason string
}

func (e *Error) Error() string { return "config: `" + e.Field + "`: " + e.Reason }

// key describes one setting: its default and how to apply a raw value to a Config.
type key struct {
	name  string
	def   string
	help  string
	apply func(c *Config, v string) error
}

// keys lists every setting in validation order (CFG-6: the first error wins, so
// the order is part of the contract).
var keys = append(append([]key{
	{"bind", "127.0.0.1:8080", "listen address host:port (the host may be a name)", applyBind},
	{"upstream", "http://127.0.0.1:9200", "base URL of the OpenSearch cluster for tenancy traffic", applyUpstream},
	{"index", "osproxy-shared", "the shared physical index", applyIndex},
	{"tokens", "", "token=principal[:tenant|tenant...],... (empty: open dev mode unless tokens_file)", applyTokens},
	{"allow_cleartext_tenancy", "", "let tenancy requests, reads included, arrive over cleartext HTTP (1/true/yes or 0/false/no; unset: false)", applyCleartext},
	{"allow_cleartext_mutation", "", "the original's name of allow_cleartext_tenancy, still accepted", applyCleartextAlias},
	{"passthrough_cluster", "", "name of the passthrough cluster; set with passthrough_endpoint", applyPassthroughCluster},
	{"passthrough_endpoint", "", "base URL that passthrough requests are forwarded to verbatim", applyPassthroughEndpoint},
	{"passthrough_indices", "", "comma list of logical-index prefixes to pass through (empty: everything)", applyPassthroughIndices},
	{"max_body_bytes", "8388608", "largest request body buffered to rewrite, in bytes", applyMaxBody},
	{"upstream_timeout", "30s", "longest wait for an upstream response head (Go duration)", applyUpstreamTimeout},
	{"shutdown_timeout", "30s", "longest drain of in-flight requests on shutdown (Go duration)", applyShutdownTimeout},
	{"tls_cert", "", "PEM certificate chain: serve HTTPS (set with tls_key)", applyTLSCert},
	{"tls_key", "", "PEM private key of tls_cert", applyTLSKey},
	{"allow_inline_scripts", "false", "accept inline scripts that read only doc['field'] of plain fields (1/true/yes or 0/false/no)", applyInlineScripts},
	{"body_read_timeout", "30s", "longest pause while a request body arrives (Go duration)", applyBodyReadTimeout},
	{"ingest_pipelines", "", "comma list of ingest pipelines a tenant may name on writes (empty: none)", applyIngestPipelines},
	{"cursor_affinity_key", "", "secret (32+ characters) sealing scroll and point-in-time cursors; unset: a key per process", applyCursorKey},
}, listenerKeys...), append(clusterKeys, operationsKeys...)...)

func lookupKey(name string) (key, bool) {
	for _, k := range keys {
		if k.name == name {
			return k, true
		}
	}
	return key{}, false
}

// Keys returns the names of every setting, in validation order.
func Keys() []string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.name
	}
	return names
}
