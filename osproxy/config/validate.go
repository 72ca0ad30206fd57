package config

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

func applyBind(c *Config, v string) error {
	// CFG-9: host names are allowed (the original accepted IP literals only).
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return &Error{"bind", "expected `host:port`"}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return &Error{"bind", "expected a numeric port between 0 and 65535"}
	}
	c.Bind = v
	return nil
}

func applyUpstream(c *Config, v string) error {
	if err := checkURL(v); err != "" {
		return &Error{"upstream", err}
	}
	c.Upstream = strings.TrimRight(v, "/")
	return nil
}

func applyIndex(c *Config, v string) error {
	if reason := checkIndexName(v); reason != "" {
		return &Error{"index", reason}
	}
	c.Index = v
	return nil
}

func applyTokens(c *Config, v string) error {
	c.Tokens = map[string]Principal{}
	for _, entry := range strings.Split(v, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		tok, principal, ok := strings.Cut(entry, "=")
		tok = strings.TrimSpace(tok)
		if !ok {
			// The entry is not echoed: it may be a secret.
			return &Error{"tokens", "an entry is not `token=principal`"}
		}
		if tok == "" {
			return &Error{"tokens", "an entry has an empty token or principal"}
		}
		p, err := parsePrincipal("tokens", principal)
		if err != nil {
			return err
		}
		c.Tokens[tok] = p
	}
	return nil
}

// applyCleartext sets allow_cleartext_tenancy; unset means false (SEC-3).
func applyCleartext(c *Config, v string) error {
	if v == "" {
		return nil
	}
	b, err := parseBool("allow_cleartext_tenancy", v)
	c.AllowCleartextMutation, c.cleartextSet = b, true
	return err
}

// applyCleartextAlias accepts the original's name (CFG-25). Given under both
// names, the values must agree: no layer silently outranks the other name.
func applyCleartextAlias(c *Config, v string) error {
	if v == "" {
		return nil
	}
	b, err := parseBool("allow_cleartext_mutation", v)
	if err != nil {
		return err
	}
	if c.cleartextSet && b != c.AllowCleartextMutation {
		return &Error{"allow_cleartext_tenancy", "contradicts its alias allow_cleartext_mutation; set one of them"}
	}
	c.AllowCleartextMutation = b
	return nil
}

func applyPassthroughCluster(c *Config, v string) error {
	c.PassthroughCluster = v
	return nil
}

func applyPassthroughEndpoint(c *Config, v string) error {
	if v == "" {
		return nil
	}
	if err := checkURL(v); err != "" {
		return &Error{"passthrough_endpoint", err}
	}
	c.PassthroughEndpoint = strings.TrimRight(v, "/")
	return nil
}

func applyPassthroughIndices(c *Config, v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.PassthroughIndices = append(c.PassthroughIndices, p)
		}
	}
	return nil
}

func applyIngestPipelines(c *Config, v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.IngestPipelines = append(c.IngestPipelines, p)
		}
	}
	return nil
}

func applyMaxBody(c *Config, v string) error {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 {
		return &Error{"max_body_bytes", "expected a positive whole number of bytes"}
	}
	c.MaxBodyBytes = n
	return nil
}

func applyUpstreamTimeout(c *Config, v string) error {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 {
		return &Error{"upstream_timeout", "expected a positive duration such as 30s"}
	}
	c.UpstreamTimeout = d
	return nil
}

func applyShutdownTimeout(c *Config, v string) error {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d < 0 {
		return &Error{"shutdown_timeout", "expected a duration such as 30s"}
	}
	c.ShutdownTimeout = d
	return nil
}

func applyInlineScripts(c *Config, v string) error {
	b, err := parseBool("allow_inline_scripts", v)
	c.AllowInlineScripts = b
	return err
}

func applyBodyReadTimeout(c *Config, v string) error {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 {
		return &Error{"body_read_timeout", "expected a positive duration such as 30s"}
	}
	c.BodyReadTimeout = d
	return nil
}

func applyTLSCert(c *Config, v string) error {
	c.TLSCert = v
	return nil
}

func applyTLSKey(c *Config, v string) error {
	c.TLSKey = v
	return nil
}

// crossCheck validates rules that span keys (CFG-13, CFG-14, CFG-20..22, SEC-4).
func crossCheck(c *Config) error {
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return &Error{"tls_cert", "set both tls_cert and tls_key, or neither"}
	}
	if (c.PassthroughCluster == "") != (c.PassthroughEndpoint == "") {
		return &Error{"passthrough_cluster", "set both passthrough_cluster and passthrough_endpoint, or neither"}
	}
	if len(c.PassthroughIndices) > 0 && c.PassthroughCluster == "" {
		return &Error{"passthrough_indices", "requires passthrough_cluster and passthrough_endpoint"}
	}
	if err := checkIdentity(c); err != nil {
		return err
	}
	if err := checkOperations(c); err != nil {
		return err
	}
	if err := checkCluster("upstream", c.Upstream, "upstream", c.UpstreamTLS, c.UpstreamAuth); err != nil {
		return err
	}
	return checkCluster("passthrough", c.PassthroughEndpoint, "passthrough_endpoint", c.PassthroughTLS, c.PassthroughAuth)
}

// parseBool implements CFG-4.
func parseBool(field, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes":
		return true, nil
	case "0", "false", "no":
		return false, nil
	}
	return false, &Error{field, "expected a boolean (1/true/yes or 0/false/no)"}
}

// checkURL implements CFG-10 and returns a reason, or "".
func checkURL(v string) string {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "expected an absolute http:// or https:// URL"
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "expected a URL without credentials, query or fragment"
	}
	return ""
}

// checkIndexName implements CFG-11 and returns a reason, or "".
func checkIndexName(v string) string {
	switch {
	case v == "" || v == "." || v == "..":
		return "expected an index name"
	case len(v) > 255:
		return "an index name is at most 255 bytes"
	case strings.ContainsAny(v[:1], "-_+"):
		return "an index name cannot start with -, _ or +"
	case strings.ContainsAny(v, "\\/*?\"<>|,#: "):
		return "an index name cannot contain \\ / * ? \" < > | , # : or space"
	case strings.ToLower(v) != v:
		return "an index name must be lower case"
	}
	return ""
}
