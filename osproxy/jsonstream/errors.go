package jsonstream

import (
	"errors"
	"strconv"
)

// ErrHitTooLarge reports that one element of hits.hits exceeded Options.MaxHitBytes. The
// transform stops rather than buffer it, because the memory bound is the point.
var ErrHitTooLarge = errors.New("jsonstream: hit exceeds the size limit")

// SyntaxError reports malformed JSON.
type SyntaxError struct {
	Offset int64  // byte offset of the first byte that could not be accepted
	Msg    string // a fixed description; never contains document bytes
}

func (e *SyntaxError) Error() string {
	return "jsonstream: syntax error at offset " + strconv.FormatInt(e.Offset, 10) + ": " + e.Msg
}

// Messages are constants rather than formatted with the offending byte: the documents
// belong to tenants, and an error string must be safe to log at default verbosity.
const (
	msgEOF       = "unexpected end of JSON input"
	msgValue     = "invalid character looking for beginning of value"
	msgKey       = "invalid character looking for beginning of object key string"
	msgColon     = "invalid character after object key"
	msgAfterPair = "invalid character after object key:value pair"
	msgAfterElem = "invalid character after array element"
	msgTrailing  = "invalid character after top-level value"
	msgControl   = "invalid control character in string literal"
	msgEscape    = "invalid escape in string literal"
	msgUTF8      = "invalid UTF-8 in string literal"
	msgLiteral   = "invalid character in literal"
	msgNumber    = "invalid character in numeric literal"
	msgDepth     = "exceeded max depth"
	msgDuplicate = "duplicate object key"
	msgNotObject = "value is not an object"
	msgNotArray  = "value is not an array"
	msgNotString = "value is not a single string token"
)
