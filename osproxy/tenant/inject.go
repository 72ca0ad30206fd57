package tenant

import (
	"bytes"
	"errors"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// ErrReservedField reports a client document that sets a reserved field (TEN-9).
var ErrReservedField = errors.New("the document sets a reserved field")

// ErrNotObject reports a document that is not a JSON object.
var ErrNotObject = errors.New("the document is not a JSON object")

// Inject appends doc to dst with the reserved fields spliced in as its first two
// members (TEN-8). doc must already be valid JSON (it is read in one quick pass, not
// checked again); the client's bytes are kept as they are after the opening brace.
func Inject(dst, doc []byte, tenant, index string) ([]byte, error) {
	doc = bytes.TrimSpace(doc)
	if jsonstream.Kind(doc) != '{' {
		return dst, ErrNotObject
	}
	if err := jsonstream.MembersTrusted(doc, func(key, _ []byte) error { return CheckTopName(key) }); err != nil {
		return dst, err
	}
	return Splice(dst, doc, tenant, index)
}

// CheckTopName refuses a top-level member name of a client document that is a
// reserved field, under any spelling: a dotted name such as "_tenant.x" is an object
// path under the reserved field to OpenSearch, so it is refused too. rawKey is the name
// as it stands between its quotes, escapes intact.
func CheckTopName(rawKey []byte) error {
	if isReserved(rawKey, true) {
		return ErrReservedField
	}
	return nil
}

// Splice is Inject for a document whose top-level names CheckTopName has already
// passed, in the pass that validated it (jsonstream.ValidateObject): it only writes.
func Splice(dst, doc []byte, tenant, index string) ([]byte, error) {
	doc = bytes.TrimSpace(doc)
	if jsonstream.Kind(doc) != '{' {
		return dst, ErrNotObject
	}
	dst = append(dst, `{"`+FieldTenant+`":`...)
	dst = jsonstream.AppendString(dst, tenant)
	dst = append(dst, `,"`+FieldIndex+`":`...)
	dst = jsonstream.AppendString(dst, index)
	inner := doc[1 : len(doc)-1]
	if len(bytes.TrimSpace(inner)) > 0 {
		dst = append(dst, ',')
		dst = append(dst, inner...)
	}
	return append(dst, '}'), nil
}
