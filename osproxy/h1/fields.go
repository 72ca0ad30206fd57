package h1

import "net/textproto"

// Field is one header field line: the name as sent and the value without
// surrounding white space.
type Field struct {
	Name, Value string
}

// tchar marks the bytes of a token (RFC 9110 5.6.2): method and field names.
var tchar = alnumAnd("!#$%&'*+-.^_`|~")

// hostByte marks the bytes a Host value may hold: a host name, an IP literal
// in brackets (with a zone), and a port.
var hostByte = alnumAnd("!$%&'()*+,-.:;=[]_~")

// alnumAnd marks ASCII letters, digits and the bytes of extra.
func alnumAnd(extra string) (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for i := 0; i < len(extra); i++ {
		t[extra[i]] = true
	}
	return t
}

// isToken reports whether s is a non-empty token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tchar[s[i]] {
			return false
		}
	}
	return true
}

// validValue reports whether a field value holds no control byte other than
// horizontal tab (HTTP-2); bytes above 0x7f (obs-text) are allowed.
func validValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// trimOWS removes spaces and tabs around s.
func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// EqualFold reports whether ASCII strings a and b are equal ignoring case.
func EqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if x, y := a[i], b[i]; x != y && lower(x) != lower(y) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// HasToken reports whether the comma-separated list v holds token tok,
// compared without regard to case.
func HasToken(v, tok string) bool {
	for v != "" {
		var item string
		item, v = cutByte(v, ',')
		if EqualFold(trimOWS(item), tok) {
			return true
		}
	}
	return false
}

func cutByte(s string, c byte) (before, after string) {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// parseLength reads a Content-Length value: one to eighteen digits, so it
// cannot overflow (HTTP-5). It returns -1 for anything else.
func parseLength(s string) int64 {
	if s == "" || len(s) > 18 {
		return -1
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

// commonNames are the field names seen on nearly every request and
// response, in their canonical form.
var commonNames = [...]string{"Host", "Accept", "Connection", "User-Agent", "Content-Type", "Content-Length",
	"Content-Encoding", "Transfer-Encoding", "Authorization", "Accept-Encoding", "Date", "Expect",
	"X-Tenant", "X-Opaque-Id", "Traceparent", "Tracestate", "Keep-Alive", "Te", "Trailer", "Upgrade",
	"Proxy-Connection", "Warning"}

// CanonicalName returns the canonical form of a field name: a constant for
// the common names, whatever their case, without allocating; others as
// net/textproto canonicalizes them.
func CanonicalName(name string) string {
	for _, c := range commonNames {
		if len(c) == len(name) && EqualFold(c, name) {
			return c
		}
	}
	return textproto.CanonicalMIMEHeaderKey(name)
}
