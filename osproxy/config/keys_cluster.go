package config

import (
	"strings"
	"time"
)

// clusterKeys are how the proxy reaches each cluster: TLS and credentials for
// the tenancy upstream and for the passthrough endpoint, then the pool caps.
var clusterKeys = append(append(
	clusterKeySet("upstream", "upstream", func(c *Config) (*ClusterTLS, *Credentials) { return &c.UpstreamTLS, &c.UpstreamAuth }),
	clusterKeySet("passthrough", "passthrough_endpoint", func(c *Config) (*ClusterTLS, *Credentials) {
		return &c.PassthroughTLS, &c.PassthroughAuth
	})...),
	key{"upstream_max_connections", "512", "most connections to one upstream host, idle ones included; more requests wait", countKey("upstream_max_connections", func(c *Config) *int { return &c.UpstreamMaxConns })},
	key{"upstream_dial_timeout", "10s", "longest TCP connect to an upstream (Go duration)", applyDialTimeout},
)

// clusterKeySet builds the ten keys of one cluster: prefix_ca_file and so on.
// url names the key holding that cluster's URL, for error reasons.
func clusterKeySet(prefix, url string, sel func(*Config) (*ClusterTLS, *Credentials)) []key {
	str := func(f func(*ClusterTLS, *Credentials) *string) func(*Config, string) error {
		return func(c *Config, v string) error {
			t, a := sel(c)
			*f(t, a) = v
			return nil
		}
	}
	return []key{
		{prefix + "_ca_file", "", "PEM CA bundle that " + url + "'s certificate must chain to (unset: the system pool)",
			str(func(t *ClusterTLS, _ *Credentials) *string { return &t.CAFile })},
		{prefix + "_client_cert", "", "PEM certificate the proxy presents to " + url + " (set with " + prefix + "_client_key)",
			str(func(t *ClusterTLS, _ *Credentials) *string { return &t.ClientCert })},
		{prefix + "_client_key", "", "PEM private key of " + prefix + "_client_cert",
			str(func(t *ClusterTLS, _ *Credentials) *string { return &t.ClientKey })},
		{prefix + "_server_name", "", "name to verify in " + url + "'s certificate (unset: the URL's host)",
			str(func(t *ClusterTLS, _ *Credentials) *string { return &t.ServerName })},
		{prefix + "_insecure_skip_verify", "false", "do not verify " + url + "'s certificate: development only, warned at every start",
			func(c *Config, v string) error {
				t, _ := sel(c)
				b, err := parseBool(prefix+"_insecure_skip_verify", v)
				t.InsecureSkipVerify = b
				return err
			}},
		{prefix + "_user", "", "user the proxy authenticates as to " + url + " (basic auth)",
			str(func(_ *ClusterTLS, a *Credentials) *string { return &a.User })},
		{prefix + "_password", "", "password of " + prefix + "_user (prefer " + prefix + "_password_file)",
			str(func(_ *ClusterTLS, a *Credentials) *string { return &a.Password })},
		{prefix + "_password_file", "", "file holding the password of " + prefix + "_user, re-read on SIGHUP",
			str(func(_ *ClusterTLS, a *Credentials) *string { return &a.PasswordFile })},
		{prefix + "_token", "", "bearer token or API key the proxy sends to " + url + " (prefer " + prefix + "_token_file)",
			str(func(_ *ClusterTLS, a *Credentials) *string { return &a.Token })},
		{prefix + "_token_file", "", "file holding " + prefix + "_token, re-read on SIGHUP",
			str(func(_ *ClusterTLS, a *Credentials) *string { return &a.TokenFile })},
	}
}

func applyDialTimeout(c *Config, v string) error {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 {
		return &Error{"upstream_dial_timeout", "expected a positive duration such as 10s"}
	}
	c.UpstreamDialTimeout = d
	return nil
}

// checkCluster validates one cluster's TLS and credential keys against each
// other and against its URL (CFG-20, CFG-21). Reasons never hold a secret.
func checkCluster(prefix, url, urlKey string, t ClusterTLS, a Credentials) error {
	https := strings.HasPrefix(url, "https://")
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"_ca_file", t.CAFile != ""}, {"_client_cert", t.ClientCert != ""}, {"_client_key", t.ClientKey != ""},
		{"_server_name", t.ServerName != ""}, {"_insecure_skip_verify", t.InsecureSkipVerify},
	} {
		if f.set && !https {
			return &Error{prefix + f.name, "requires an https:// " + urlKey}
		}
	}
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"_user", a.User != ""}, {"_password", a.Password != ""}, {"_password_file", a.PasswordFile != ""},
		{"_token", a.Token != ""}, {"_token_file", a.TokenFile != ""},
	} {
		if f.set && url == "" {
			return &Error{prefix + f.name, "requires " + urlKey}
		}
	}
	basic := a.User != "" || a.Password != "" || a.PasswordFile != ""
	switch {
	case (t.ClientCert == "") != (t.ClientKey == ""):
		return &Error{prefix + "_client_cert", "set both " + prefix + "_client_cert and " + prefix + "_client_key, or neither"}
	case a.Password != "" && a.PasswordFile != "":
		return &Error{prefix + "_password_file", "set " + prefix + "_password or " + prefix + "_password_file, not both"}
	case a.Token != "" && a.TokenFile != "":
		return &Error{prefix + "_token_file", "set " + prefix + "_token or " + prefix + "_token_file, not both"}
	case a.User != "" && a.Password == "" && a.PasswordFile == "":
		return &Error{prefix + "_user", "requires " + prefix + "_password or " + prefix + "_password_file"}
	case a.User == "" && basic:
		return &Error{prefix + "_user", "a password needs " + prefix + "_user"}
	case basic && (a.Token != "" || a.TokenFile != ""):
		return &Error{prefix + "_token", "set basic auth (" + prefix + "_user) or a token, not both"}
	}
	return nil
}
