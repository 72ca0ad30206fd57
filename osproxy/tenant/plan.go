package tenant

import (
	"bytes"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// The states of the response plans: where in a response the transform is.
const (
	sRoot      uint8 = iota // a search response
	sHits                   // its top-level hits object
	sHitArray               // top-level hits.hits: each element is a hit
	sAggs                   // inside aggregations, looking for top_hits results
	sAggHits                // an aggregation member named hits: a top_hits result, or an aggregation so named
	sNestedArr              // the hits array of a top_hits result
	sShards                 // _shards
	sFailures               // _shards.failures: each element is sanitized
	dRoot                   // a document (GET by id)
	dSource                 // its _source
	cIndex                  // a captured _index: replaced by the logical index
	cID                     // a captured _id: made logical
	cFields                 // captured fields or highlight: shaped like a hit's
	sHit                    // a top-level hit, streamed
	sNestedHit              // a hit of top_hits, streamed; its sort values are kept
	cInner                  // a hit's captured inner_hits
	cSort                   // a top-level hit's captured sort values (ISO-9)
)

// Shaping shapes every surface of one tenant's responses (ISO-14..16, ISO-18): it is the
// plan for jsonstream.Transform and the capture function that goes with it.
type Shaping struct {
	Shaper  *Shaper
	Errors  *Sanitizer
	HitAggs bool // an aggregation of the request returns hits

	name [32]byte // a member's name unescaped (Member); longer than every name it knows
}

// SearchRoot and DocumentRoot are the states to start a transform in.
const (
	SearchRoot   = sRoot
	DocumentRoot = dRoot
	SourceRoot   = dSource // a document's source alone (GET _source)
)

// Member implements jsonstream.Plan. It unescapes the member's name once
// (jsonstream.KeyName) and decides on that, so "\u005fsource" is _source.
func (sh *Shaping) Member(state uint8, key []byte, c byte) (jsonstream.Action, uint8) {
	container := c == '{' || c == '['
	name, _ := jsonstream.KeyName(key, sh.name[:])
	switch state {
	case sRoot:
		switch {
		case string(name) == "hits" && c == '{':
			return jsonstream.Walk, sHits
		case string(name) == "aggregations" && container && sh.HitAggs:
			return jsonstream.Walk, sAggs
		case string(name) == "_shards" && c == '{':
			return jsonstream.Walk, sShards
		}
	case sHits:
		if string(name) == "hits" && c == '[' {
			return jsonstream.Walk, sHitArray
		}
	case sAggs, sAggHits:
		// Found by shape, not by name: a top_hits result is a member "hits" whose own
		// "hits" is an array. A name too long to keep is walked, never skipped.
		switch {
		case state == sAggHits && string(name) == "hits" && c == '[':
			return jsonstream.Walk, sNestedArr
		case (key == nil || string(name) == "hits") && c == '{':
			return jsonstream.Walk, sAggHits
		case container:
			return jsonstream.Walk, sAggs
		}
	case sShards:
		if string(name) == "failures" && c == '[' {
			return jsonstream.Walk, sFailures
		}
	case dRoot:
		return documentMember(name, c)
	case sHit, sNestedHit:
		return sh.hitMember(state, name, c)
	case dSource:
		if string(name) == FieldTenant || string(name) == FieldIndex {
			return jsonstream.Drop, 0
		}
	}
	return jsonstream.Copy, 0
}

// hitMember decides for the members of a hit (SRCH-9, ISO-14), by unescaped name: the
// hit streams, its _source walked for the reserved fields, only its small members
// captured; a hit of any size passes with memory bounded by those.
func (sh *Shaping) hitMember(state uint8, name []byte, c byte) (jsonstream.Action, uint8) {
	switch {
	case string(name) == "inner_hits" && c == '{':
		return jsonstream.Capture, cInner
	case string(name) == "highlight" && c == '{':
		return jsonstream.Capture, cFields
	case string(name) == "sort" && c == '[' && state == sHit && sh.Shaper.SortIDs != 0:
		return jsonstream.Capture, cSort
	}
	return documentMember(name, c)
}

// documentMember decides for the members of a stored document (ISO-18), by unescaped
// name: the document itself streams, only its small metadata is captured.
func documentMember(name []byte, c byte) (jsonstream.Action, uint8) {
	switch string(name) {
	case "_index":
		return jsonstream.Capture, cIndex
	case "_id":
		return jsonstream.Capture, cID
	case "_routing":
		return jsonstream.Drop, 0
	case "_source":
		if c == '{' {
			return jsonstream.Walk, dSource
		}
	case "fields":
		if c == '{' {
			return jsonstream.Capture, cFields
		}
	case "get":
		if c == '{' {
			return jsonstream.Walk, dRoot // an update's answer carries the document it made
		}
	}
	return jsonstream.Copy, 0
}

// Drops implements jsonstream.Plan: only a hit, a document and a source lose members.
func (sh *Shaping) Drops(state uint8) bool {
	return state == dRoot || state == dSource || state == sHit || state == sNestedHit
}

// Element implements jsonstream.Plan.
func (sh *Shaping) Element(state uint8, c byte) (jsonstream.Action, uint8) {
	switch state {
	case sHitArray, sNestedArr:
		if c == '{' && sh.Shaper.multi != nil {
			// A view of several indices names a hit by its _id, which comes after its
			// _index: such a hit is held whole while it is shaped (views.go, READ-4).
			return jsonstream.Capture, state
		}
		if c == '{' {
			if state == sHitArray {
				return jsonstream.Walk, sHit
			}
			return jsonstream.Walk, sNestedHit
		}
		return jsonstream.Copy, 0
	case sFailures:
		return jsonstream.Capture, state
	case sAggs, sAggHits:
		if c == '{' || c == '[' {
			return jsonstream.Walk, sAggs
		}
	}
	return jsonstream.Copy, 0
}

// Capture is the jsonstream.CaptureFunc of the plan.
func (sh *Shaping) Capture(dst []byte, state uint8, v []byte) ([]byte, error) {
	switch state {
	case sHitArray: // a hit of a view of several indices, held whole
		return sh.Shaper.Hit(dst, v)
	case sNestedArr:
		return sh.Shaper.NestedHit(dst, v)
	case sFailures:
		return sh.Errors.Append(dst, v), nil
	case cIndex:
		return jsonstream.AppendString(dst, sh.Shaper.index), nil
	case cID:
		return sh.Shaper.appendLogicalID(dst, v), nil
	case cFields:
		w := memberWriter{dst: dst}
		err := sh.Shaper.object(&w, v, filterFields)
		return w.dst, err
	case cInner:
		w := memberWriter{dst: dst}
		err := sh.Shaper.object(&w, v, filterInnerHits)
		return w.dst, err
	case cSort:
		return sh.Shaper.appendSortValues(dst, v, sh.Shaper.SortIDs), nil
	}
	return append(dst, v...), nil
}

// Sanitizer rewrites an upstream error body for a tenant (ISO-16): logical index names
// and ids, no index_uuid, and no message that shows the reserved fields.
type Sanitizer struct {
	physical string // the shared index's name
	logical  string
	tenant   []byte // "{tenant}:": every {tenant}:{index}: goes from texts (views.go)
	multi    bool
}

// NewSanitizer returns the sanitizer of one tenant's view of one logical index.
func NewSanitizer(physical, tenant, index string) *Sanitizer {
	return &Sanitizer{physical: physical, logical: index, tenant: []byte(tenant + ":")}
}

// Withheld replaces a message that would show the proxy's layout.
const Withheld = "the query failed; the cluster's message named the proxy's layout and was withheld"

// Append appends the sanitized form of body. A body that is not JSON is sanitized as text.
func (s *Sanitizer) Append(dst, body []byte) []byte {
	var t jsonstream.Tree
	if t.Parse(body, 512) != nil {
		return s.appendText(dst, body)
	}
	return s.value(dst, t.Root(), s.logical)
}

// value sanitizes one value; logical names the physical index where it appears (a
// multi-index view narrows it to the index an object's id names, for its members).
func (s *Sanitizer) value(dst []byte, v jsonstream.Value, logical string) []byte {
	switch v.Kind() {
	case '{':
		dst = append(dst, '{')
		n := 0
		if name := s.objectIndex(v); name != "" {
			logical = name
		}
		for m := v.First(); m.Valid(); m = m.Next() {
			key := m.Key()
			if jsonstream.KeyIs(key, "index_uuid") {
				continue
			}
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
			dst = append(append(append(dst, '"'), key...), '"', ':')
			if (jsonstream.KeyIs(key, "index") || jsonstream.KeyIs(key, "_index")) && m.Kind() == '"' {
				dst = jsonstream.AppendString(dst, logical)
				continue
			}
			dst = s.value(dst, m, logical)
		}
		return append(dst, '}')
	case '[':
		dst = append(dst, '[')
		for e, n := v.First(), 0; e.Valid(); e, n = e.Next(), n+1 {
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = s.value(dst, e, logical)
		}
		return append(dst, ']')
	case '"':
		text, err := jsonstream.Unquote(v.Raw())
		if err != nil {
			return jsonstream.AppendString(dst, Withheld)
		}
		return jsonstream.AppendString(dst, string(s.appendText(nil, []byte(text))))
	}
	return append(dst, v.Raw()...)
}

// Text sanitizes a free-text message, such as a Warning header, as appendText does.
func (s *Sanitizer) Text(msg string) string { return string(s.appendText(nil, []byte(msg))) }

// appendText sanitizes a message: the physical index becomes the logical one, physical
// id prefixes go, and a message naming a reserved field is withheld whole.
func (s *Sanitizer) appendText(dst, text []byte) []byte {
	if bytes.Contains(text, []byte(FieldTenant)) || bytes.Contains(text, []byte(FieldIndex)) {
		return append(dst, Withheld...)
	}
	text = s.stripTenantPrefixes(text) // every {tenant}:{index}: goes, the view's and any other (READ-21)
	text = s.dropUUIDs(text)
	return append(dst, bytes.ReplaceAll(text, []byte(s.physical), []byte(s.logical))...)
}

// dropUUIDs removes the index uuid OpenSearch writes after the index name in messages
// ([name/uuid]): a uuid is 22 characters of URL-safe base64.
func (s *Sanitizer) dropUUIDs(text []byte) []byte {
	marker := []byte(s.physical + "/")
	if !bytes.Contains(text, marker) {
		return text
	}
	var out []byte
	for {
		i := bytes.Index(text, marker)
		if i < 0 {
			return append(out, text...)
		}
		out = append(out, text[:i+len(s.physical)]...)
		rest := text[i+len(marker):]
		n := 0
		for n < len(rest) && n < 22 && (alnum(rest[n]) || rest[n] == '_' || rest[n] == '-') {
			n++
		}
		if n == 22 {
			text = rest[22:]
		} else {
			out = append(out, '/')
			text = rest
		}
	}
}
