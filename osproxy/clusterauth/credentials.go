package clusterauth

import (
	"encoding/base64"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/osproxy/osproxy/osproxy/config"
)

// Credentials is the Authorization the proxy sends one cluster (UPS-5): basic
// auth or a bearer token, inline or from a file that Reload re-reads. The
// value itself never leaves this type except in the header it sets.
type Credentials struct {
	prefix   string
	settings config.Credentials
	readFile func(string) ([]byte, error)
	header   atomic.Pointer[string] // nil: send no Authorization
}

// NewCredentials reads the credentials of the cluster whose settings are
// prefix_*. Errors are *config.Error naming the setting, never its value.
func NewCredentials(prefix string, s config.Credentials, readFile func(string) ([]byte, error)) (*Credentials, error) {
	c := &Credentials{prefix: prefix, settings: s, readFile: readFile}
	if err := c.Reload(); err != nil {
		return nil, err
	}
	return c, nil
}

// Reload re-reads the password or token file. On an error the credential in
// use stays, so a half-written file never cuts the proxy off its cluster.
func (c *Credentials) Reload() error {
	s := c.settings
	var h string
	switch {
	case s.User != "":
		password, err := c.secret(s.Password, s.PasswordFile, "_password_file")
		if err != nil {
			return err
		}
		h = "Basic " + base64.StdEncoding.EncodeToString([]byte(s.User+":"+password))
	case s.Token != "" || s.TokenFile != "":
		token, err := c.secret(s.Token, s.TokenFile, "_token_file")
		if err != nil {
			return err
		}
		h = "Bearer " + token
	default:
		return nil
	}
	c.header.Store(&h)
	return nil
}

// secret returns the inline value, or the file's content without its
// trailing line break (editors add one).
func (c *Credentials) secret(inline, file, suffix string) (string, error) {
	if file == "" {
		return inline, nil
	}
	data, err := c.readFile(file)
	if err != nil {
		return "", &config.Error{Field: c.prefix + suffix, Reason: "reading " + file + ": " + config.FileReason(err)}
	}
	v := strings.TrimRight(string(data), "\r\n")
	switch {
	case v == "":
		return "", &config.Error{Field: c.prefix + suffix, Reason: file + " is empty"}
	case strings.ContainsAny(v, "\r\n"):
		return "", &config.Error{Field: c.prefix + suffix, Reason: file + " holds more than one line"}
	}
	return v, nil
}

// Authorization returns the value of the proxy's Authorization for the
// cluster, or "" when it has no credentials. A nil Credentials has none.
func (c *Credentials) Authorization() string {
	if c == nil {
		return ""
	}
	if v := c.header.Load(); v != nil {
		return *v
	}
	return ""
}

// Apply sets the proxy's Authorization on an outgoing request's header, or
// removes any when the proxy has no credentials: the client's own is never
// relayed (SEC-5).
func (c *Credentials) Apply(h http.Header) {
	if v := c.header.Load(); v != nil {
		h.Set("Authorization", *v)
		return
	}
	h.Del("Authorization")
}
