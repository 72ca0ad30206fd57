package upstream

import (
	"context"
	"errors"
	"net"
)

// Failure classes of Do, for the caller's status mapping.
var (
	// ErrTimeout: no response head within Options.HeaderTimeout.
	ErrTimeout = errors.New("upstream: no response head in time")
	// ErrBadResponse: a response head that cannot be read.
	ErrBadResponse = errors.New("upstream: malformed response")
	// ErrRequestBody: reading the request body from the client failed, so the
	// upstream was sent an incomplete request and the connection dropped.
	ErrRequestBody = errors.New("upstream: the request body could not be read")
	// ErrStalled: a response body sent nothing for Options.StallTimeout.
	ErrStalled = errors.New("upstream: the response body stalled")
)

// Error is a failed exchange: its class (one of the Err values, or the dial
// or I/O error) and whether the client went away.
type Error struct {
	Op  string
	Err error
}

func (e *Error) Error() string { return "upstream: " + e.Op + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// IsTimeout reports whether err is a response-head timeout.
func IsTimeout(err error) bool { return errors.Is(err, ErrTimeout) }

// IsCanceled reports whether err comes from the request's context ending,
// which for a proxied request means its client went away.
func IsCanceled(err error) bool { return errors.Is(err, context.Canceled) }

// isNetTimeout reports whether err is a deadline expiring.
func isNetTimeout(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
