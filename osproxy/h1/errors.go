package h1

import "errors"

// Codes of the refusals; each has one row in spec/06-errors.md.
const (
	CodeMalformed          = "malformed_request"
	CodeHeaderTooLarge     = "request_header_too_large"
	CodeURITooLong         = "uri_too_long"
	CodeUnsupportedTE      = "unsupported_transfer_encoding"
	CodeVersionUnsupported = "http_version_not_supported"
	CodeExpectation        = "expectation_failed"
)

// Error is a request the parser refuses: the status and stable code of the
// answer, the HTTP-n rule that refuses it and a fixed reason that never quotes
// the message's bytes.
type Error struct {
	Status int
	Code   string
	Rule   string
	Reason string
}

func (e *Error) Error() string { return e.Code + " (" + e.Rule + "): " + e.Reason }

func malformed(rule, reason string) *Error {
	return &Error{Status: 400, Code: CodeMalformed, Rule: rule, Reason: reason}
}

// Errors of the body readers and of the response parser.
var (
	// ErrBodyFraming is a chunked body that breaks its framing (HTTP-7).
	ErrBodyFraming = malformed("HTTP-7", "the chunked body is malformed")
	// ErrTruncated is a body that ended before its declared length.
	ErrTruncated = errors.New("h1: body ended before its declared length")
	// ErrResponse is an upstream response head that cannot be read.
	ErrResponse = errors.New("h1: malformed response head")
)
