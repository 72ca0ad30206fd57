package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestLoad_SecuredKeys_ErrorsNameTheField(t *testing.T) {
	https := []string{"--upstream", "https://os.example:9200"}
	cases := []struct {
		name  string
		args  []string
		field string
	}{
		{"password and its file", append(https, "--upstream_user", "u", "--upstream_password", "p", "--upstream_password_file", "/f"), "upstream_password_file"},
		{"token and its file", append(https, "--upstream_token", "t", "--upstream_token_file", "/f"), "upstream_token_file"},
		{"key without certificate", append(https, "--upstream_client_key", "/k"), "upstream_client_cert"},
		{"certificate without key", append(https, "--upstream_client_cert", "/c"), "upstream_client_cert"},
		{"CA on http", []string{"--upstream_ca_file", "/ca"}, "upstream_ca_file"},
		{"insecure on http", []string{"--upstream_insecure_skip_verify", "1"}, "upstream_insecure_skip_verify"},
		{"user without password", append(https, "--upstream_user", "u"), "upstream_user"},
		{"password without user", append(https, "--upstream_password_file", "/f"), "upstream_user"},
		{"basic and token", append(https, "--upstream_user", "u", "--upstream_password", "p", "--upstream_token", "t"), "upstream_token"},
		{"passthrough token without endpoint", []string{"--passthrough_token", "t"}, "passthrough_token"},
		{"passthrough CA without endpoint", []string{"--passthrough_ca_file", "/ca"}, "passthrough_ca_file"},
		{"tokens and tokens file", []string{"--tokens", "a=b", "--tokens_file", "/t"}, "tokens_file"},
		{"client CA without TLS", []string{"--tls_client_ca", "/ca"}, "tls_client_ca"},
		{"client auth without CA", []string{"--tls_client_auth", "optional"}, "tls_client_auth"},
		{"client auth unknown", []string{"--tls_client_auth", "sometimes"}, "tls_client_auth"},
		{"principals without CA", []string{"--tls_client_principals", "cn:a=b"}, "tls_client_principals"},
		{"principal kind unknown", []string{"--tls_client_principals", "ou:a=b"}, "tls_client_principals"},
		{"principal without =", []string{"--tls_client_principals", "cn:a"}, "tls_client_principals"},
		{"negative read timeout", []string{"--read_timeout", "-1s"}, "read_timeout"},
		{"zero max connections", []string{"--max_connections", "0"}, "max_connections"},
		{"zero upstream connections", []string{"--upstream_max_connections", "0"}, "upstream_max_connections"},
		{"zero dial timeout", []string{"--upstream_dial_timeout", "0s"}, "upstream_dial_timeout"},
		{"bad alias", []string{"--allow_cleartext_mutation", "maybe"}, "allow_cleartext_mutation"},
		{"alias contradicts", []string{"--allow_cleartext_tenancy", "yes", "--allow_cleartext_mutation", "no"}, "allow_cleartext_tenancy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Load(tc.args, env(nil), files(nil))
			var ce *Error
			if !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("want error on %q, got %v", tc.field, err)
			}
			if strings.Contains(err.Error(), "p\"") || strings.Contains(ce.Reason, "=b") {
				t.Fatalf("reason echoes a value: %v", err)
			}
		})
	}
}

func TestLoad_SecuredKeys_Parsed(t *testing.T) {
	file := "upstream = https://os:9200\n[upstream]\nca_file = /ca.pem\nuser = osproxy\npassword_file = /pw\n" +
		"[]\ntls_cert = /c\ntls_key = /k\ntls_client_ca = /cca\ntls_client_auth = Optional\n" +
		"tls_client_principals = cn:indexer=svc:acme|globex, uri:spiffe://x/y=mesh\n"
	cfg, _, err := Load([]string{"--allow-cleartext-mutation", "yes"}, env(map[string]string{"OSPROXY_CONFIG": "/c"}),
		files(map[string]string{"/c": file}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.UpstreamTLS.CAFile != "/ca.pem" || cfg.UpstreamAuth.User != "osproxy" || cfg.UpstreamAuth.PasswordFile != "/pw" {
		t.Fatalf("upstream section: %+v %+v", cfg.UpstreamTLS, cfg.UpstreamAuth)
	}
	if cfg.TLSClientAuth != "optional" || len(cfg.ClientCertPrincipals) != 2 || !cfg.AllowCleartextMutation {
		t.Fatalf("identity: %+v", cfg)
	}
	if p := cfg.ClientCertPrincipals[1]; p.Kind != "uri" || p.Value != "spiffe://x/y" || p.Principal.Name != "mesh" {
		t.Fatalf("uri principal: %+v", p)
	}
	if p := cfg.ClientCertPrincipals[0].Principal; p.Name != "svc" || len(p.Tenants) != 2 {
		t.Fatalf("cn principal: %+v", p)
	}
	if cfg.MaxConnections != 1024 || cfg.UpstreamMaxConns != 512 || cfg.IdleTimeout.Minutes() != 2 {
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestLoad_CleartextAliasAgreeing_Accepted(t *testing.T) {
	cfg, _, err := Load([]string{"--allow_cleartext_tenancy", "1", "--allow_cleartext_mutation", "true"}, env(nil), files(nil))
	if err != nil || !cfg.AllowCleartextMutation {
		t.Fatalf("%v %+v", err, cfg)
	}
}

func TestCredentials_Printed_NoSecret(t *testing.T) {
	cfg, _, err := Load([]string{"--upstream", "https://os:9200", "--upstream_user", "u", "--upstream_password", "hunter2",
		"--passthrough_cluster", "x", "--passthrough_endpoint", "https://pt:1", "--passthrough_token", "tok3n"}, env(nil), files(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", *cfg), fmt.Sprintf("%#v", cfg.UpstreamAuth)} {
		if strings.Contains(s, "hunter2") || strings.Contains(s, "tok3n") {
			t.Fatalf("secret printed: %s", s)
		}
	}
}

func TestWriteUsage_SecretDefaults_NeverShown(t *testing.T) {
	var b strings.Builder
	WriteUsage(&b)
	for _, k := range []string{"upstream_password_file", "tokens_file", "tls_client_principals", "allow_cleartext_tenancy"} {
		if !strings.Contains(b.String(), k) {
			t.Fatalf("usage lacks %s", k)
		}
	}
}
