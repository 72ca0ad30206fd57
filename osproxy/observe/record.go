package observe

import (
	"encoding/hex"
	"math/rand/v2"
	"time"
)

// Mode is how the proxy served a request.
type Mode uint8

// The modes, as metrics and logs name them.
const (
	Tenancy Mode = iota
	Passthrough
	Admin // the proxy's own endpoints (liveness, readiness, metrics, explain)
	modeCount
)

var modeNames = [modeCount]string{"tenancy", "passthrough", "admin"}

func (m Mode) String() string {
	if m < modeCount {
		return modeNames[m]
	}
	return "unknown"
}

// Abort says which side cut a response short after it had started.
type Abort uint8

// The sides.
const (
	NoAbort Abort = iota
	ClientAbort
	UpstreamAbort
)

func (a Abort) String() string {
	switch a {
	case ClientAbort:
		return "client"
	case UpstreamAbort:
		return "upstream"
	}
	return ""
}

// ClientClosed is the status recorded for a request whose client went away
// before the proxy answered. It is never sent: there is no one to send it to.
const ClientClosed = 499

// Record describes one request as the proxy handled it: shapes and names only.
// The proxy fills it as the request goes; End counts and logs it. Its string
// fields hold only names the proxy chose (classes, codes, kinds) and the request
// id, never a value taken from the request's path or body.
type Record struct {
	ID      string
	Method  string // one of the methods the proxy knows, else "OTHER"
	Mode    Mode
	Class   int // index into Options.Classes
	Cluster int // index into Options.Clusters; -1 when no cluster was involved
	Start   time.Time
	// Status is the status answered, ClientClosed when the client left first.
	Status            int
	BytesIn, BytesOut int64
	// Code is the error code the proxy answered with, "" when it relayed an answer.
	Code string
	// Rewrite is what the proxy did to the request before sending it upstream.
	Rewrite string
	// Upstream is the last upstream exchange, if any.
	Upstream UpstreamExchange
	// Abort is set when the response was cut short after it started.
	Abort    Abort
	Duration time.Duration

	inflight bool // counted in the in-flight gauge, until End
}

// UpstreamExchange is one request to a cluster, as far as it went.
type UpstreamExchange struct {
	Sent    bool
	Status  int           // the upstream's status, 0 when no head arrived
	Head    time.Duration // from sending to the response head
	Failure Failure
}

// Failure names why an upstream exchange failed.
type Failure uint8

// The failures.
const (
	NoFailure       Failure = iota
	FailUnreachable         // refused, reset or closed before a response head
	FailTimeout             // no connection or no head in time
	FailTLS                 // the TLS handshake with the cluster failed
	FailAuth                // the cluster refused the proxy's own credentials
	FailBreakerOpen         // not sent: the cluster's circuit breaker is open
	FailBody                // the response body broke off mid-way
	FailStall               // the response body paused longer than the stall timeout
	failureCount
)

var failureNames = [failureCount]string{"", "unreachable", "timeout", "tls", "auth", "breaker_open", "body", "stall"}

func (f Failure) String() string {
	if f < failureCount {
		return failureNames[f]
	}
	return "unknown"
}

// knownMethods are the methods logged by name; any other is "OTHER", so a
// client cannot write arbitrary tokens into the log.
var knownMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"}

// MethodName is method when it is a known one, else "OTHER".
func MethodName(method string) string {
	for _, m := range knownMethods {
		if method == m {
			return m
		}
	}
	return "OTHER"
}

// NewRequestID returns 32 lower-case hex digits from 128 random bits: unique
// enough to look a request up, and not guessable from another's id.
func NewRequestID() string {
	var b [16]byte
	u, v := rand.Uint64(), rand.Uint64() // runtime ChaCha8: unpredictable, no system call
	for i := 0; i < 8; i++ {
		b[i], b[8+i] = byte(u>>(8*i)), byte(v>>(8*i))
	}
	return hex.EncodeToString(b[:])
}

// ValidRequestID reports whether a client's X-Request-Id may be kept: 1 to 128
// characters of letters, digits and . _ : -, so it can go into a header, a log
// line and a URL path segment unchanged.
func ValidRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}
