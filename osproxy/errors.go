package osproxy

import (
	"net/http"
	"strconv"
	"time"

	"github.com/osproxy/osproxy/osproxy/h1"
	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// Code is a stable error code; each has one row in spec/06-errors.md.
type Code string

const (
	CodeMalformedBody        Code = "malformed_body"
	CodeTenantRequired       Code = "tenant_required"
	CodeTenantAmbiguous      Code = "tenant_ambiguous"
	CodeTenantInvalid        Code = "tenant_invalid"
	CodeInvalidIndexName     Code = "invalid_index_name"
	CodeInvalidDocumentID    Code = "invalid_document_id"
	CodeReservedField        Code = "reserved_field"
	CodeUnsupportedQuery     Code = "unsupported_query"
	CodeUnsupportedParameter Code = "unsupported_parameter"
	CodeUnsupportedEndpoint  Code = "unsupported_endpoint"
	CodeAuthRequired         Code = "authentication_required"
	CodeTLSRequired          Code = "tls_required"
	CodeTenantForbidden      Code = "tenant_forbidden"
	CodeMethodNotAllowed     Code = "method_not_allowed"
	CodeRequestTooLarge      Code = "request_too_large"
	CodeRequestTimeout       Code = "request_timeout"
	CodeUnsupportedMedia     Code = "unsupported_media_type"
	CodeInternal             Code = "internal_error"
	CodeUpstreamUnreachable  Code = "upstream_unreachable"
	CodeUpstreamTimeout      Code = "upstream_timeout"
	// OpenSearch's own types, for answers about a logical index that stock clients
	// branch on exactly as they do for a real one (WR-40..42, WR-46).
	CodeIndexNotFound        Code = "index_not_found_exception"
	CodeIndexExists          Code = "resource_already_exists_exception"
	CodeMappingChangeRefused Code = "mapping_change_refused"
	CodeUpstreamAuthFailed   Code = "upstream_auth_failed"
	// Operations (spec/16-operations.md).
	CodeTooManyRequests     Code = "too_many_requests"
	CodeUpstreamUnavailable Code = "upstream_unavailable"
	CodeRequestNotFound     Code = "request_not_found"
	// Refusals of the HTTP/1.1 parser (spec/13-http.md).
	CodeMalformedRequest    Code = h1.CodeMalformed
	CodeURITooLong          Code = h1.CodeURITooLong
	CodeHeaderTooLarge      Code = h1.CodeHeaderTooLarge
	CodeExpectationFailed   Code = h1.CodeExpectation
	CodeUnsupportedTE       Code = h1.CodeUnsupportedTE
	CodeVersionNotSupported Code = h1.CodeVersionUnsupported
	CodeInvalidCursor       Code = "invalid_cursor" // READ-30
)

// statusOf maps each code to its HTTP status (ERR-1). One table, one place.
var statusOf = map[Code]int{
	CodeMalformedBody:        http.StatusBadRequest,
	CodeTenantRequired:       http.StatusBadRequest,
	CodeTenantAmbiguous:      http.StatusBadRequest,
	CodeTenantInvalid:        http.StatusBadRequest,
	CodeInvalidIndexName:     http.StatusBadRequest,
	CodeInvalidDocumentID:    http.StatusBadRequest,
	CodeReservedField:        http.StatusBadRequest,
	CodeUnsupportedQuery:     http.StatusBadRequest,
	CodeUnsupportedParameter: http.StatusBadRequest,
	CodeUnsupportedEndpoint:  http.StatusBadRequest,
	CodeAuthRequired:         http.StatusUnauthorized,
	CodeTLSRequired:          http.StatusForbidden,
	CodeTenantForbidden:      http.StatusForbidden,
	CodeMethodNotAllowed:     http.StatusMethodNotAllowed,
	CodeRequestTooLarge:      http.StatusRequestEntityTooLarge,
	CodeRequestTimeout:       http.StatusRequestTimeout,
	CodeUnsupportedMedia:     http.StatusUnsupportedMediaType,
	CodeInternal:             http.StatusInternalServerError,
	CodeUpstreamUnreachable:  http.StatusBadGateway,
	CodeUpstreamTimeout:      http.StatusGatewayTimeout,
	CodeIndexNotFound:        http.StatusNotFound,
	CodeIndexExists:          http.StatusBadRequest,
	CodeMappingChangeRefused: http.StatusBadRequest,
	CodeUpstreamAuthFailed:   http.StatusBadGateway,
	CodeTooManyRequests:      http.StatusTooManyRequests,
	CodeUpstreamUnavailable:  http.StatusServiceUnavailable,
	CodeRequestNotFound:      http.StatusNotFound,
	CodeMalformedRequest:     http.StatusBadRequest,
	CodeURITooLong:           http.StatusRequestURITooLong,
	CodeHeaderTooLarge:       http.StatusRequestHeaderFieldsTooLarge,
	CodeExpectationFailed:    http.StatusExpectationFailed,
	CodeUnsupportedTE:        http.StatusNotImplemented,
	CodeVersionNotSupported:  http.StatusHTTPVersionNotSupported,
	CodeInvalidCursor:        http.StatusBadRequest,
}

// Error is a request-path error with a stable code. Reason must never carry
// tenant values, tokens or document contents (ERR-2).
type Error struct {
	Code   Code
	Reason string
	// RetryAfter, when set, is sent as Retry-After (OPS-11, OPS-13).
	RetryAfter time.Duration
	// Close ends the connection after the answer (a body left unread).
	Close bool
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Reason }

// Status reports the HTTP status of e's code.
func (e *Error) Status() int {
	if s, ok := statusOf[e.Code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

func fail(code Code, reason string) *Error { return &Error{Code: code, Reason: reason} }

// writeError sends e as an OpenSearch-shaped error body (ERR-1).
func writeError(w http.ResponseWriter, r *http.Request, e *Error) {
	status := e.Status()
	if t := trackedOf(r); t != nil {
		t.refused(e.Code) // OPS-3: every refusal counted by its code
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	switch e.Code {
	case CodeAuthRequired:
		h.Set("WWW-Authenticate", `Bearer realm="osproxy"`)
	case CodeMethodNotAllowed:
		if h.Get("Allow") == "" {
			h.Set("Allow", "GET, HEAD, POST, PUT, DELETE")
		}
	}
	if e.RetryAfter > 0 {
		retryAfter(h, e.RetryAfter)
	}
	if e.Close {
		h.Set("Connection", "close")
	}
	body := appendErrorBody(make([]byte, 0, 256), e, status)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func appendErrorBody(b []byte, e *Error, status int) []byte {
	cause := func(b []byte) []byte {
		b = append(b, `"type":`...)
		b = jsonstream.AppendString(b, string(e.Code))
		b = append(b, `,"reason":`...)
		return jsonstream.AppendString(b, e.Reason)
	}
	b = append(b, `{"error":{"root_cause":[{`...)
	b = cause(b)
	b = append(b, `}],`...)
	b = cause(b)
	b = append(b, `},"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	return append(b, '}')
}
