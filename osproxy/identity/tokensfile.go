package identity

import (
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"github.com/osproxy/osproxy/osproxy/config"
)

// parseTokensFile reads lines `sha256:<64 hex digits>=principal[:tenant|tenant...]`
// (CFG-22); blank lines and lines starting with # are skipped. Errors name the
// line, never its content.
func parseTokensFile(text string) (map[digest]config.Principal, error) {
	table := map[digest]config.Principal{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		at := "line " + strconv.Itoa(n+1) + ": "
		hash, principal, ok := strings.Cut(line, "=")
		hexDigits, isSHA := strings.CutPrefix(strings.TrimSpace(hash), "sha256:")
		if !ok || !isSHA {
			return nil, &config.Error{Field: "tokens_file", Reason: at + "expected `sha256:<hex>=principal`"}
		}
		var d digest
		if b, err := hex.DecodeString(hexDigits); err != nil || len(b) != len(d) {
			return nil, &config.Error{Field: "tokens_file", Reason: at + "expected 64 hex digits after sha256:"}
		} else {
			copy(d[:], b)
		}
		p, err := parseEntryPrincipal(principal)
		if err != nil {
			return nil, &config.Error{Field: "tokens_file", Reason: at + err.Error()}
		}
		if _, dup := table[d]; dup {
			return nil, &config.Error{Field: "tokens_file", Reason: at + "repeats a digest of an earlier line"}
		}
		table[d] = p
	}
	return table, nil
}

// parseEntryPrincipal reads `name[:tenant|tenant...]` and checks the tenants.
func parseEntryPrincipal(s string) (config.Principal, error) {
	name, tenants, bound := strings.Cut(s, ":")
	p := config.Principal{Name: strings.TrimSpace(name)}
	if p.Name == "" {
		return p, errors.New("empty principal")
	}
	if bound {
		for _, t := range strings.Split(tenants, "|") {
			p.Tenants = append(p.Tenants, strings.TrimSpace(t))
		}
	}
	if err := checkTenants("tokens_file", p); err != nil {
		return p, errors.New("principal " + p.Name + " is bound to an invalid tenant id")
	}
	return p, nil
}
