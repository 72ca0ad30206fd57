package conformance_test

import (
	"encoding/base64"

	. "github.com/onsi/ginkgo/v2"
)

// Headers: the tenant comes from x-tenant or from the token bound to it, never from a
// header a client forges; a token bound to acme cannot act for globex however the
// headers are spelled, repeated or combined (TEN-1..4, TEN-13, SEC-1, SEC-6); and a
// proxy that refuses cleartext refuses it whatever the request claims (SEC-3).

// withHeaders is a search as acme carrying extra headers.
func withHeaders(name string, h ...string) attack {
	a := securityCase(Label("profile:security"), search("rule:ISO-24", name, `{"size":50}`, served()))
	a.header = h
	return a
}

// as is a search whose identity headers are all given, in one mode only.
func as(mode authMode, name string, want outcome, h ...string) attack {
	a := securityCase(Label("profile:security"), search("rule:ISO-24", name, `{"size":50}`, want))
	a.header, a.bare, a.only = h, true, mode
	return a
}

// headerCases is a table, one case a line: it is longer than 60 lines by its cases, not its logic.
func headerCases() []attack {
	bearer := "Bearer " + attackToken
	forbidden, ambiguous := refused(403, "tenant_forbidden"), refused(400, "tenant_ambiguous")
	noAuth := refused(401, "authentication_required")
	invalid := refused(400, "tenant_invalid")
	anyRefusal := outcome{{what: "a refusal", statuses: []int{400, 401, 403}, envelope: true}}
	write := func(mode authMode, name string, want outcome, h ...string) attack {
		a := securityCase(Label("profile:security"), doc("rule:ISO-25", name, "PUT", "/orders/_doc/victim-id-k9q1", `{"msg":"pwned"}`, want))
		a.header, a.bare, a.only = h, true, mode
		return a
	}
	return securityCases(Label("profile:security"), []attack{
		as(modeToken, "a bound token with x-tenant of the victim", forbidden, "Authorization", bearer, "x-tenant", "globex"),
		as(modeToken, "a bound token with X-TENANT of the victim", forbidden, "Authorization", bearer, "X-TENANT", "globex"),
		as(modeToken, "a bound token with the victim's name in upper case", forbidden, "Authorization", bearer, "x-tenant", "GLOBEX"),
		as(modeToken, "a bound token with the victim's name padded", forbidden, "Authorization", bearer, "x-tenant", " globex\t"),
		as(modeToken, "a bound token with both tenants in one header", ambiguous.or(forbidden), "Authorization", bearer, "x-tenant", "acme,globex"),
		as(modeToken, "a bound token with the victim first in one header", ambiguous.or(forbidden), "Authorization", bearer, "x-tenant", "globex, acme"),
		as(modeToken, "a bound token with x-tenant repeated", ambiguous.or(forbidden), "Authorization", bearer, "x-tenant", "acme", "x-tenant", "globex"),
		as(modeToken, "a bound token with x-tenant repeated in two spellings", ambiguous.or(forbidden), "Authorization", bearer, "X-Tenant", "acme", "x-tenant", "globex"),
		as(modeToken, "a bound token with its own tenant repeated", ambiguous, "Authorization", bearer, "x-tenant", "acme", "x-tenant", "acme"),
		as(modeToken, "a bound token with its own tenant", served(), "Authorization", bearer, "x-tenant", "acme"),
		as(modeToken, "a bound token with a lower-case scheme", served(), "Authorization", "bearer "+attackToken),
		as(modeToken, "a bound token with an empty x-tenant", served().or(refused(400, "tenant_required")), "Authorization", bearer, "x-tenant", ""),
		// spec/08 is silent on a repeated Authorization header: refusing it or acting for
		// the first token's tenant both keep the victim out.
		as(modeToken, "two Authorization headers, the second for the victim", anyRefusal.or(served()), "Authorization", bearer, "Authorization", "Bearer tok-globex"),
		as(modeToken, "two tokens in one Authorization header", noAuth, "Authorization", bearer+", Bearer tok-globex"),
		as(modeToken, "the token sent as Basic credentials", noAuth, "Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(attackToken+":")), "x-tenant", "globex"),
		as(modeToken, "no token with x-tenant of the victim", noAuth, "x-tenant", "globex"),
		as(modeToken, "no token with x-tenant of the attacker", noAuth, "x-tenant", "acme"),
		as(modeToken, "a guessed token for the victim", noAuth, "Authorization", "Bearer tok-globex2", "x-tenant", "globex"),
		as(modeToken, "a token with a binding appended", noAuth, "Authorization", "Bearer tok-acme=svc-acme:globex", "x-tenant", "globex"),
		as(modeToken, "a token with a tenant appended", noAuth, "Authorization", bearer+":globex", "x-tenant", "globex"),
		as(modeToken, "a prefix of the token", noAuth, "Authorization", "Bearer tok-", "x-tenant", "globex"),
		as(modeToken, "the token twice, identical", served().or(anyRefusal), "Authorization", bearer, "Authorization", bearer),
		as(modeToken, "the token in a forged proxy header", noAuth, "Proxy-Authorization", bearer, "x-tenant", "globex"),
		as(modeToken, "the tenant in an obsolete folded header", anyRefusal.or(plainBadRequest()), "Authorization", bearer, "x-tenant", "acme\r\n globex"),
		write(modeToken, "a write to the victim's id with x-tenant of the victim", forbidden, "Authorization", bearer, "x-tenant", "globex"),
		write(modeToken, "a write with x-tenant repeated", ambiguous.or(forbidden), "Authorization", bearer, "x-tenant", "acme", "x-tenant", "globex"),
		as(modeOpen, "x-tenant repeated", ambiguous, "x-tenant", "acme", "x-tenant", "globex"),
		as(modeOpen, "x-tenant repeated in two spellings", ambiguous, "x-tenant", "acme", "X-Tenant", "globex"),
		as(modeOpen, "x-tenant as a comma list", ambiguous, "x-tenant", "acme, globex"),
		as(modeOpen, "x-tenant as a comma list without spaces", ambiguous, "x-tenant", "acme,globex"),
		as(modeOpen, "x-tenant with a colon", invalid, "x-tenant", "globex:orders"),
		as(modeOpen, "x-tenant a wildcard", invalid, "x-tenant", "*"),
		as(modeOpen, "x-tenant _all", invalid, "x-tenant", "_all"),
		as(modeOpen, "x-tenant with a traversal", invalid, "x-tenant", "acme/../globex"),
		as(modeOpen, "x-tenant in fullwidth letters", invalid, "x-tenant", "ａcme"),
		as(modeOpen, "x-tenant percent-encoded", invalid, "x-tenant", "%61cme"),
		as(modeOpen, "x-tenant of 65 bytes", invalid, "x-tenant", "a"+stringOf('c', 64)),
		as(modeOpen, "x-tenant with a dot", invalid, "x-tenant", "acme.globex"),
		as(modeOpen, "x-tenant padded with spaces", served(), "x-tenant", "  acme  "),
		as(modeOpen, "no x-tenant", refused(400, "tenant_required")),
		as(modeOpen, "an empty x-tenant", refused(400, "tenant_required"), "x-tenant", ""),
		as(modeOpen, "the victim's token where tokens are off", served(), "x-tenant", "acme", "Authorization", "Bearer tok-globex"),
		as(modeOpen, "the tenant only under x_tenant", refused(400, "tenant_required"), "x_tenant", "acme"),
		as(modeOpen, "the tenant only in a forged header", refused(400, "tenant_required"), "X-Forwarded-User", "acme"),
		withHeaders("forged forwarded user and roles", "X-Forwarded-User", "globex", "X-Forwarded-Roles", "admin,all_access"),
		withHeaders("a forged client certificate", "X-Forwarded-Client-Cert", "By=spiffe://td/osproxy;URI=spiffe://td/globex"),
		withHeaders("a forged Forwarded header", "Forwarded", "for=10.0.0.1;by=globex;host=globex"),
		withHeaders("the dashboards tenant header", "securitytenant", "globex", "X-Opendistro-Security-Tenant", "globex"),
		withHeaders("forged proxy and remote users", "X-Proxy-User", "admin", "X-Remote-User", "globex", "X-Auth-Request-User", "globex"),
		withHeaders("a forged session cookie", "Cookie", "security_authentication=globex; tenant=globex"),
		withHeaders("other spellings of a tenant header", "X-Tenant-Id", "globex", "tenant", "globex", "x_tenant", "globex"),
		withHeaders("a method override", "X-HTTP-Method-Override", "DELETE", "X-Method-Override", "PUT"),
		withHeaders("forged forwarded host and protocol", "X-Forwarded-Host", "globex.example", "X-Forwarded-Proto", "https", "X-Forwarded-For", "127.0.0.1"),
		withHeaders("an Expect header", "Expect", "100-continue"),
		withHeaders("an opaque id and trace headers", "X-Opaque-Id", "acme-1", "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
		func() attack {
			a := withHeaders("a content type given twice", "Content-Type", "application/json", "Content-Type", "application/yaml")
			a.want = served().or(refused(415, "unsupported_media_type")).or(refused(400, "malformed_body"))
			return a
		}(),
		func() attack {
			a := withHeaders("chunked framing beside a length, smuggling a second request", "Transfer-Encoding", "chunked", "Content-Length", "4")
			a.body = "2\r\n{}\r\n0\r\n\r\nPOST /{phys}/_search HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
			a.want = served().or(plainBadRequest()).or(refused(400, "malformed_body"))
			return a
		}(),
		as(modeGuarded, "a bound token searching over cleartext", refused(403, "tls_required"), "Authorization", bearer),
		as(modeGuarded, "a bound token over cleartext claiming https", refused(403, "tls_required"), "Authorization", bearer, "X-Forwarded-Proto", "https", "Forwarded", "proto=https"),
		write(modeGuarded, "a bound token writing over cleartext", refused(403, "tls_required"), "Authorization", bearer),
	}...)
}

var _ = attackFamily("headers", headerCases())
