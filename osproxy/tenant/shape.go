package tenant

import (
	"bytes"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// Shaper rewrites stored documents and hits to a tenant's logical view (SRCH-9,
// ISO-14).
type Shaper struct {
	index  string // logical index
	prefix []byte // "{tenant}:{index}:" of every physical id
	// SortIDs has bit k set when the k-th sort value of a top-level hit is an _id
	// (ISO-9). Hits of inner_hits and top_hits never sort on _id.
	SortIDs uint64
	multi   *multiView // a view of several logical indices (views.go); nil for one
}

// NewShaper returns the shaper for one tenant's view of one logical index.
func NewShaper(tenant, index string) *Shaper {
	return &Shaper{index: index, prefix: []byte(PhysicalID(tenant, index, ""))}
}

// Hit appends the shaped form of one hit or stored document to dst: _index
// logical, _id without the physical prefix, no _routing, no reserved field in
// _source, fields or highlight; inner_hits shaped the same way.
func (s *Shaper) Hit(dst, hit []byte) ([]byte, error) {
	return s.hit(dst, hit, s.SortIDs)
}

// NestedHit shapes a hit that is not a top-level one: its sort values are kept.
func (s *Shaper) NestedHit(dst, hit []byte) ([]byte, error) { return s.hit(dst, hit, 0) }

func (s *Shaper) hit(dst, hit []byte, sortIDs uint64) ([]byte, error) {
	if jsonstream.Kind(hit) != '{' {
		return append(dst, hit...), nil
	}
	defer s.leave(s.enter(hit)) // a view of several indices names each hit by its id
	w := memberWriter{dst: append(dst, '{')}
	err := jsonstream.MembersTrusted(hit, func(key, value []byte) error { return s.hitMember(&w, key, value, sortIDs) })
	return append(w.dst, '}'), err
}

// hitMember writes one member of a hit or stored document, shaped. It decides on
// the member's name unescaped once (jsonstream.KeyName), so "\u005fid" is _id.
func (s *Shaper) hitMember(w *memberWriter, key, value []byte, sortIDs uint64) error {
	var scratch [32]byte // longer than every name below
	name, _ := jsonstream.KeyName(key, scratch[:])
	switch string(name) {
	case "_index":
		w.raw(key, nil)
		w.dst = jsonstream.AppendString(w.dst, s.index)
	case "_id":
		w.raw(key, nil)
		w.dst = s.appendLogicalID(w.dst, value)
	case "_routing":
	case "_source":
		w.raw(key, nil)
		return s.object(w, value, filterSource)
	case "fields", "highlight":
		w.raw(key, nil)
		return s.object(w, value, filterFields)
	case "inner_hits":
		w.raw(key, nil)
		return s.object(w, value, filterInnerHits)
	case "sort":
		if sortIDs != 0 && jsonstream.Kind(value) == '[' {
			w.raw(key, nil)
			w.dst = s.appendSortValues(w.dst, value, sortIDs)
			break
		}
		w.raw(key, value)
	default:
		w.raw(key, value)
	}
	return nil
}

// appendLogicalID strips the physical prefix from a JSON string id. An id
// without the prefix is kept: the filter makes it unreachable in practice.
func (s *Shaper) appendLogicalID(dst, value []byte) []byte {
	if jsonstream.Kind(value) != '"' {
		return append(dst, value...)
	}
	if bytes.IndexByte(value, '\\') < 0 {
		inner := value[1 : len(value)-1]
		if bytes.HasPrefix(inner, s.prefix) {
			dst = append(dst, '"')
			dst = append(dst, inner[len(s.prefix):]...)
			return append(dst, '"')
		}
		return append(dst, value...)
	}
	id, err := jsonstream.Unquote(value)
	if err != nil || !bytes.HasPrefix([]byte(id), s.prefix) {
		return append(dst, value...)
	}
	return jsonstream.AppendString(dst, id[len(s.prefix):])
}

// appendSortValues writes a hit's sort values with those at the _id positions logical.
func (s *Shaper) appendSortValues(dst, arr []byte, sortIDs uint64) []byte {
	dst = append(dst, '[')
	i := 0
	_ = jsonstream.ElementsTrusted(arr, func(v []byte) error {
		if i > 0 {
			dst = append(dst, ',')
		}
		if i < 64 && sortIDs&(1<<i) != 0 {
			dst = s.appendLogicalID(dst, v)
		} else {
			dst = append(dst, v...)
		}
		i++
		return nil
	})
	return append(dst, ']')
}

// appendIDValues writes the values of fields._id logical.
func (s *Shaper) appendIDValues(dst, arr []byte) []byte {
	if jsonstream.Kind(arr) != '[' {
		return s.appendLogicalID(dst, arr)
	}
	dst = append(dst, '[')
	n := 0
	_ = jsonstream.ElementsTrusted(arr, func(v []byte) error {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = s.appendLogicalID(dst, v)
		return nil
	})
	return append(dst, ']')
}

func (s *Shaper) hitArray(w *memberWriter, arr []byte) error {
	w.dst = append(w.dst, '[')
	first := true
	err := jsonstream.ElementsTrusted(arr, func(hit []byte) error {
		if !first {
			w.dst = append(w.dst, ',')
		}
		first = false
		var err error
		w.dst, err = s.NestedHit(w.dst, hit)
		return err
	})
	w.dst = append(w.dst, ']')
	return err
}

func isReserved(key []byte, subfields bool) bool {
	if jsonstream.KeyIs(key, FieldTenant) || jsonstream.KeyIs(key, FieldIndex) {
		return true
	}
	if !subfields {
		return false
	}
	if bytes.IndexByte(key, '\\') >= 0 {
		name, err := jsonstream.Unquote(append(append([]byte{'"'}, key...), '"'))
		if err != nil {
			return true // unreadable: drop rather than risk a leak
		}
		key = []byte(name)
	}
	return bytes.HasPrefix(key, []byte(FieldTenant+".")) || bytes.HasPrefix(key, []byte(FieldIndex+"."))
}
