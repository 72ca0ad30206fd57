package config

import (
	"net"
	"sort"
	"strconv"
	"strings"
	"time"
)

// operationsKeys are the settings an operator runs the proxy with: the admin
// listener, the access log, overload protection and the drain (spec/16-operations.md).
var operationsKeys = []key{
	{"admin_bind", "", "listen address host:port of the /_osproxy/ endpoints (unset: served on bind)", applyAdminBind},
	{"access_log", "true", "write one JSON line per request to standard error (1/true/yes or 0/false/no)", applyAccessLog},
	{"max_buffered_bytes", "", "most bytes of request bodies buffered at once across requests; beyond, 429 (unset: 256 MiB, or max_body_bytes if larger)", applyMaxBuffered},
	{"stall_timeout", "30s", "longest pause in a streamed response body, from the upstream or to the client (Go duration; 0: none)",
		durationKey("stall_timeout", func(c *Config) *time.Duration { return &c.StallTimeout })},
	{"shutdown_delay", "0s", "on SIGTERM/SIGINT, how long readiness reports draining before the listener closes (Go duration)",
		durationKey("shutdown_delay", func(c *Config) *time.Duration { return &c.ShutdownDelay })},
	{"upstream_breaker_failures", "5", "consecutive failures to reach a cluster that open its circuit breaker (0: never)", applyBreakerFailures},
	{"upstream_breaker_cooldown", "10s", "how long an open breaker refuses before a trial request (Go duration)", applyBreakerCooldown},
}

func applyAdminBind(c *Config, v string) error {
	if v == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return &Error{"admin_bind", "expected `host:port`"}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return &Error{"admin_bind", "expected a numeric port between 0 and 65535"}
	}
	c.AdminBind = v
	return nil
}

func applyAccessLog(c *Config, v string) error {
	b, err := parseBool("access_log", v)
	c.AccessLog = b
	return err
}

// defaultMaxBuffered is max_buffered_bytes when it is unset and max_body_bytes is
// smaller: enough for a few dozen large bodies at once on a modest machine.
const defaultMaxBuffered = 256 << 20

func applyMaxBuffered(c *Config, v string) error {
	if v == "" {
		return nil // checkOperations picks the default once max_body_bytes is known
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 {
		return &Error{"max_buffered_bytes", "expected a positive whole number of bytes"}
	}
	c.MaxBufferedBytes = n
	return nil
}

func applyBreakerFailures(c *Config, v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return &Error{"upstream_breaker_failures", "expected a whole number, 0 or more"}
	}
	c.BreakerFailures = n
	return nil
}

func applyBreakerCooldown(c *Config, v string) error {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 {
		return &Error{"upstream_breaker_cooldown", "expected a positive duration such as 10s"}
	}
	c.BreakerCooldown = d
	return nil
}

// checkOperations validates the operations keys against the others.
func checkOperations(c *Config) error {
	if c.MaxBufferedBytes == 0 { // unset: the default, raised to fit the largest body
		c.MaxBufferedBytes = max(defaultMaxBuffered, c.MaxBodyBytes)
	}
	switch {
	case c.AdminBind != "" && c.AdminBind == c.Bind:
		return &Error{"admin_bind", "must differ from bind: the admin endpoints need a listener of their own"}
	case c.MaxBufferedBytes < c.MaxBodyBytes:
		return &Error{"max_buffered_bytes", "must be at least max_body_bytes, or no body of the largest size could be read"}
	}
	return nil
}

// Setting is one key's effective value, for the start-up log line.
type Setting struct {
	Key, Value string
}

// Redacted is the value shown for a secret that is set.
const Redacted = "<redacted>"

// secret reports whether key's value must never be written out (CFG-19,
// CFG-27): secrets, and the lists that name principals and tenants.
func secret(key string) bool {
	switch {
	case key == "tokens", key == "tls_client_principals", key == "cursor_affinity_key":
		return true
	case strings.HasSuffix(key, "_password"), strings.HasSuffix(key, "_token"):
		return true
	}
	return false
}

// Settings lists every key with the value in force (the default where no layer
// set one), secrets and tenant names replaced by Redacted, in key order.
func (c *Config) Settings() []Setting { return append([]Setting(nil), c.settings...) }

// settingsOf redacts the raw values as they are read, so a Config never holds a
// secret it could print with %v.
func settingsOf(values map[string]string) []Setting {
	out := make([]Setting, 0, len(keys))
	for _, k := range keys {
		v, ok := values[k.name]
		if !ok || v == "" {
			v = k.def
		}
		if v != "" && secret(k.name) {
			v = Redacted
		}
		out = append(out, Setting{Key: k.name, Value: v})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
