package tenant

import (
	"errors"
	"net/url"
)

// Reserved field names injected into every stored document (TEN-8).
const (
	FieldTenant = "_tenant"
	FieldIndex  = "_logical_index"
)

// Limits of TEN-4, TEN-5 and DOC-3.
const (
	maxTenantLen = 64
	maxIndexLen  = 200
	maxIDLen     = 512
)

var (
	errEmpty   = errors.New("empty")
	errTooLong = errors.New("too long")
	errForm    = errors.New("outside the allowed form")
)

// ValidTenant reports whether id is a tenant id of TEN-4: 1 to 64 bytes of
// A-Z a-z 0-9 _ -, starting with a letter or digit. ':' is excluded so that a
// physical id {tenant}:{index}:{id} can be read back unambiguously: no tenant can
// name itself so that its ids read as another tenant's.
func ValidTenant(id string) bool {
	if id == "" || len(id) > maxTenantLen || !alnum(id[0]) {
		return false
	}
	for i := 1; i < len(id); i++ {
		c := id[i]
		if !alnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// LogicalIndex decodes a raw index segment once and checks it against TEN-5.
// physical is refused so that no tenant can name the shared index directly.
func LogicalIndex(raw, physical string) (string, error) {
	name, err := url.PathUnescape(raw)
	if err != nil {
		return "", errForm
	}
	if err := CheckLogicalIndex(name, physical); err != nil {
		return "", err
	}
	return name, nil
}

// CheckLogicalIndex checks a logical index name as given (in a JSON body, nothing is
// decoded) against TEN-5.
func CheckLogicalIndex(name, physical string) error {
	if name == "" {
		return errEmpty
	}
	if len(name) > maxIndexLen {
		return errTooLong
	}
	if !lowerAlnum(name[0]) || name == physical {
		return errForm
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if !lowerAlnum(c) && c != '_' && c != '.' && c != '-' {
			return errForm
		}
	}
	return nil
}

// DocumentID decodes a raw id segment once and checks it against DOC-3. Any byte
// is allowed: the id is re-encoded as one path segment upstream.
func DocumentID(raw string) (string, error) {
	id, err := url.PathUnescape(raw)
	switch {
	case err != nil:
		return "", errForm
	case id == "":
		return "", errEmpty
	case len(id) > maxIDLen:
		return "", errTooLong
	}
	return id, nil
}

// PhysicalID is the stored id of a tenant's document (TEN-7).
func PhysicalID(tenant, index, id string) string {
	return tenant + ":" + index + ":" + id
}

func alnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func lowerAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}
