package tenant

import (
	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// The states of the read plans (spec/14-reads.md), numbered after every state of
// plan.go so the two lists never meet. A state below readStates is plan.go's, and the
// read plan hands it to the Shaping of the response (or of the current multi-search
// item).
const (
	readStates   uint8 = 100
	rCursorRoot        = readStates + iota // a search page that carries a cursor: _scroll_id, pit_id
	rCursor                                // a captured cursor: wrapped in the proxy's envelope
	rMultiRoot                             // a multi-search response
	rResponses                             // its responses: one element per item, in order
	rItem                                  // one item's response: a search response or an error
	rItemError                             // an item's error: sanitized
	rRefused                               // an item the proxy refused: replaced by its error
	rByQueryRoot                           // a by-query response
	rFailures                              // its failures: each sanitized in the tenant's names
	rFailure                               // one captured failure
)

// Roots of the read plans.
const (
	CursorRoot   = rCursorRoot
	MultiRoot    = rMultiRoot
	ByQueryRoot  = rByQueryRoot
	CountRoot    = sRoot // a count or validation has only _shards to shape
	PITRoot      = rCursorRoot
	ScrollRoot   = rCursorRoot
	ResponseRoot = sRoot
)

// ReadShaping is the plan of the reads beyond a plain search: a page that carries a
// cursor, a multi-search response whose items each have their own view, a by-query
// response. Shaping is the view of the response, or of the multi-search item being
// shaped.
type ReadShaping struct {
	Shaping
	// Wrap appends the envelope of a cursor the cluster issued (its raw text) to dst.
	Wrap func(dst, raw []byte) []byte
	// Items are a multi-search's items, in the order of the request.
	Items   []Item
	next    int // the next item to shape
	refused []byte
}

// Item is one multi-search item: its view, or, for an item the proxy refused, the error
// object that stands in its place.
type Item struct {
	Shaping *Shaping
	Refusal []byte
}

// Member implements jsonstream.Plan.
func (rs *ReadShaping) Member(state uint8, key []byte, c byte) (jsonstream.Action, uint8) {
	switch state {
	case rCursorRoot:
		if c == '"' && (jsonstream.KeyIs(key, "_scroll_id") || jsonstream.KeyIs(key, "pit_id")) {
			return jsonstream.Capture, rCursor
		}
		return rs.Shaping.Member(sRoot, key, c)
	case rMultiRoot:
		if jsonstream.KeyIs(key, "responses") && c == '[' {
			return jsonstream.Walk, rResponses
		}
		return jsonstream.Copy, 0
	case rItem:
		if jsonstream.KeyIs(key, "error") {
			return jsonstream.Capture, rItemError
		}
		return rs.Shaping.Member(sRoot, key, c)
	case rByQueryRoot:
		if jsonstream.KeyIs(key, "failures") && c == '[' {
			return jsonstream.Walk, rFailures
		}
		return jsonstream.Copy, 0
	}
	if state < readStates {
		return rs.Shaping.Member(state, key, c)
	}
	return jsonstream.Copy, 0
}

// Element implements jsonstream.Plan. Each element of a multi-search's responses takes
// the view of its item; an element beyond the items the proxy sent, which a cluster
// never sends, is replaced rather than copied unshaped.
func (rs *ReadShaping) Element(state uint8, c byte) (jsonstream.Action, uint8) {
	switch state {
	case rResponses:
		k := rs.next
		rs.next++
		switch {
		case k >= len(rs.Items):
			rs.refused = unexpectedItem
			return jsonstream.Capture, rRefused
		case rs.Items[k].Refusal != nil:
			rs.refused = rs.Items[k].Refusal
			return jsonstream.Capture, rRefused
		}
		rs.Shaping = *rs.Items[k].Shaping
		if c != '{' {
			rs.refused = unexpectedItem
			return jsonstream.Capture, rRefused
		}
		return jsonstream.Walk, rItem
	case rFailures:
		return jsonstream.Capture, rFailure
	}
	if state < readStates {
		return rs.Shaping.Element(state, c)
	}
	return jsonstream.Copy, 0
}

// unexpectedItem stands in for an item the cluster answered that the proxy did not ask.
var unexpectedItem = []byte(`{"error":{"root_cause":[{"type":"internal_error","reason":"the cluster answered an item the proxy did not send"}],` +
	`"type":"internal_error","reason":"the cluster answered an item the proxy did not send"},"status":500}`)

// Capture is the jsonstream.CaptureFunc of the plan.
func (rs *ReadShaping) Capture(dst []byte, state uint8, v []byte) ([]byte, error) {
	switch state {
	case rCursor:
		raw, err := jsonstream.Unquote(v)
		if err != nil {
			return nil, err
		}
		dst = append(dst, '"')
		dst = rs.Wrap(dst, []byte(raw))
		return append(dst, '"'), nil
	case rItemError, rFailure:
		return rs.Errors.Append(dst, v), nil
	case rRefused:
		return append(dst, rs.refused...), nil
	}
	return rs.Shaping.Capture(dst, state, v)
}
