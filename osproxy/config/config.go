package config

import (
	"time"
)

// Config is the validated configuration of one osproxy process.
type Config struct {
	Bind                   string
	Upstream               string
	Index                  string
	Tokens                 map[string]Principal // by token; empty means open dev mode
	AllowCleartextMutation bool
	PassthroughCluster     string
	PassthroughEndpoint    string
	PassthroughIndices     []string
	MaxBodyBytes           int64
	UpstreamTimeout        time.Duration
	ShutdownTimeout        time.Duration
	TLSCert, TLSKey        string        // PEM files; both set means the listener serves HTTPS
	AllowInlineScripts     bool          // ISO-12, ISO-13
	BodyReadTimeout        time.Duration // ISO-20
	IngestPipelines        []string      // WR-4, WR-7: pipelines a tenant may name
}

// Principal is who a token stands for, and the tenants it may act for (SEC-6);
// no tenants means any tenant.
type Principal struct {
	Name    string
	Tenants []string
}

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
var keys = []key{
	{"bind", "127.0.0.1:8080", "listen address host:port (the host may be a name)", applyBind},
	{"upstream", "http://127.0.0.1:9200", "base URL of the OpenSearch cluster for tenancy traffic", applyUpstream},
	{"index", "osproxy-shared", "the shared physical index", applyIndex},
	{"tokens", "", "token=principal[:tenant|tenant...],... (empty: open dev mode)", applyTokens},
	{"allow_cleartext_mutation", "false", "let tenancy traffic use cleartext HTTP (1/true/yes or 0/false/no)", applyCleartext},
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
}

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
