package query

import (
	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// appendPhysicalID appends the physical id of a tenant's logical id as a JSON string
// (ISO-9; the layout is TEN-7's {tenant}:{index}:{id}). A view of several logical
// indices has no one physical id for a logical id, and refuses it (READ-5).
func (j *judge) appendPhysicalID(id []byte) error {
	f := &j.pol.Filter
	if !f.single() {
		return j.refuse(multiIndexID)
	}
	buf := make([]byte, 0, len(f.Tenant)+len(f.Index)+2+len(id))
	buf = append(append(append(append(append(buf, f.Tenant...), ':'), f.Index...), ':'), id...)
	j.appendText(buf)
	return nil
}

// multiIndexID explains why _id is refused in a view of several logical indices.
const multiIndexID = "_id names a document of one logical index; name exactly one index to use ids"

// idText reads an id: a string, or a number whose text is the id (OpenSearch reads ids
// as text).
func idText(v jsonstream.Value) ([]byte, bool) {
	switch v.Kind() {
	case '"':
		return stringText(v)
	case '0':
		return v.Raw(), true
	}
	return nil, false
}

// termValue is a term to match; on _id it is a logical id, sent physical.
var termValue = &kind{"string, number or boolean (an id on `_id`)", func(j *judge, v jsonstream.Value) error {
	if !j.onID {
		return scalarKind.judge(j, v)
	}
	id, ok := idText(v)
	if !ok {
		return j.refuse("expected an id")
	}
	return j.appendPhysicalID(id)
}}

// termsValue is the field member of terms: an array of terms. A terms lookup (an object
// naming an index, an id and a path) fetches a document with the proxy's rights,
// outside the tenant filter, and is refused (ISO-6).
var termsValue = &kind{"array of strings, numbers or booleans (ids on `_id`)", func(j *judge, v jsonstream.Value) error {
	if v.Kind() == '{' {
		return j.refuse("a terms lookup reads a document outside the tenant filter and is not allowed")
	}
	return j.elements(v, termValue)
}}

// idValues is the values list of an ids query: logical ids, sent physical.
var idValues = &kind{"array of ids (strings or numbers), sent as physical ids", func(j *judge, v jsonstream.Value) error {
	j.onID = true
	defer func() { j.onID = false }()
	return j.elements(v, termValue)
}}
