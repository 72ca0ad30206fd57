package tenant

import "github.com/osproxy/osproxy/osproxy/jsonstream"

// memberWriter re-emits the members of an object one by one, managing commas.
type memberWriter struct {
	dst   []byte
	count int
}

// raw writes "key": and, when value is not nil, the value bytes.
func (w *memberWriter) raw(key, value []byte) {
	if w.count > 0 {
		w.dst = append(w.dst, ',')
	}
	w.count++
	w.dst = append(w.dst, '"')
	w.dst = append(w.dst, key...)
	w.dst = append(w.dst, '"', ':')
	w.dst = append(w.dst, value...)
}

// filter says what to do with the members of a nested object of a hit. It is a
// value rather than a callback so the nested writer stays on the stack: shaping
// a hit allocates nothing beyond the output buffer.
type filter int

const (
	filterSource     filter = iota // _source: drop reserved fields
	filterFields                   // fields, highlight: also their sub-fields
	filterInnerHits                // inner_hits: {name: {...}}
	filterNamedInner               // one inner hit result: {"hits": {...}}
	filterInnerArray               // its hits object: {"hits": [...]}
)

// object writes value as an object whose members pass through f. A value that
// is not an object is copied as it is.
func (s *Shaper) object(w *memberWriter, value []byte, f filter) error {
	if jsonstream.Kind(value) != '{' {
		w.dst = append(w.dst, value...)
		return nil
	}
	inner := memberWriter{dst: append(w.dst, '{')}
	err := jsonstream.MembersTrusted(value, func(key, v []byte) error { return s.member(&inner, key, v, f) })
	w.dst = append(inner.dst, '}')
	return err
}

func (s *Shaper) member(w *memberWriter, key, v []byte, f filter) error {
	switch f {
	case filterSource:
		if !isReserved(key, false) {
			w.raw(key, v)
		}
	case filterFields:
		// ISO-14: fields also carry metadata: _id physical, _index physical, _routing.
		switch {
		case isReserved(key, true), jsonstream.KeyIs(key, "_routing"):
		case jsonstream.KeyIs(key, "_id"):
			w.raw(key, nil)
			w.dst = s.appendIDValues(w.dst, v)
		case jsonstream.KeyIs(key, "_index"):
			w.raw(key, nil)
			w.dst = append(w.dst, '[')
			w.dst = jsonstream.AppendString(w.dst, s.index)
			w.dst = append(w.dst, ']')
		default:
			w.raw(key, v)
		}
	case filterInnerHits:
		w.raw(key, nil)
		return s.object(w, v, filterNamedInner)
	case filterNamedInner:
		if !jsonstream.KeyIs(key, "hits") {
			w.raw(key, v)
			return nil
		}
		w.raw(key, nil)
		return s.object(w, v, filterInnerArray)
	case filterInnerArray:
		if !jsonstream.KeyIs(key, "hits") || jsonstream.Kind(v) != '[' {
			w.raw(key, v)
			return nil
		}
		w.raw(key, nil)
		return s.hitArray(w, v)
	}
	return nil
}
