package tenant

import (
	"bytes"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// Items shapes the items of a _bulk answer or the docs of an _mget answer, whose
// logical index varies from one to the next: each is read from the item's physical id
// ({tenant}:{index}:{id}; index names hold no ':'), so nothing per item is kept from
// the request.
type Items struct {
	tenant   string
	physical string
	fallback string // the path's logical index, for an item without a readable id
	views    map[string]*Shaping
	members  []jsonstream.Member // scratch: the members of the result being shaped
	prefix   []byte              // "{tenant}:"
}

// NewItems returns the item shaper of one tenant's answer.
func NewItems(tenant, physical, fallback string) *Items {
	return &Items{tenant: tenant, physical: physical, fallback: fallback, views: make(map[string]*Shaping, 1),
		prefix: []byte(tenant + ":")}
}

// view returns the shaping of the logical index a raw JSON physical id of this tenant
// names, made once per answer; an id it cannot read gets the fallback's.
func (it *Items) view(rawID []byte) *Shaping {
	index := it.indexOfID(rawID)
	if sh, ok := it.views[string(index)]; ok { // no allocation: a map key conversion
		return sh
	}
	name := string(index)
	if index == nil {
		name = it.fallback
	}
	sh := &Shaping{Shaper: NewShaper(it.tenant, name), Errors: NewSanitizer(it.physical, it.tenant, name)}
	it.views[string(index)] = sh
	return sh
}

// indexOfID returns the logical index part of a raw JSON physical id of this tenant
// (index names hold no ':'), or nil.
func (it *Items) indexOfID(rawID []byte) []byte {
	if jsonstream.Kind(rawID) != '"' {
		return nil
	}
	id := rawID[1 : len(rawID)-1]
	if bytes.IndexByte(id, '\\') >= 0 {
		s, err := jsonstream.Unquote(rawID)
		if err != nil {
			return nil
		}
		id = []byte(s)
	}
	rest, ok := bytes.CutPrefix(id, it.prefix)
	if !ok {
		return nil
	}
	index, _, ok := bytes.Cut(rest, []byte{':'})
	if !ok {
		return nil
	}
	return index
}

// AppendBulkItem shapes one _bulk item, {"index": {…}}, and appends it to dst.
func (it *Items) AppendBulkItem(dst, item []byte) ([]byte, error) {
	dst = append(dst, '{')
	n := 0
	err := jsonstream.MembersTrusted(item, func(verb, result []byte) error {
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(append(append(dst, '"'), verb...), '"', ':')
		var err error
		dst, err = it.AppendResult(dst, result)
		return err
	})
	return append(dst, '}'), err
}

// AppendResult shapes the result of one write or one _mget doc: _index and _id logical,
// the error sanitized, get and _source without the reserved fields. The result is
// read once: its _id, which names its logical index, may come after _index.
func (it *Items) AppendResult(dst, result []byte) ([]byte, error) {
	if jsonstream.Kind(result) != '{' {
		return append(dst, result...), nil
	}
	var err error
	if it.members, err = jsonstream.AppendMembersTrusted(it.members[:0], result); err != nil {
		return dst, err
	}
	var rawID []byte
	for _, m := range it.members {
		if jsonstream.KeyIs(m.Key, "_id") {
			rawID = m.Value
		}
	}
	sh := it.view(rawID)
	w := memberWriter{dst: append(dst, '{')}
	var scratch [8]byte // longer than "error" and "get"
	for _, m := range it.members {
		name, _ := jsonstream.KeyName(m.Key, scratch[:])
		switch string(name) {
		case "error":
			w.raw(m.Key, nil)
			w.dst = sh.Errors.Append(w.dst, m.Value)
		case "get":
			w.raw(m.Key, nil)
			w.dst, err = sh.Shaper.NestedHit(w.dst, m.Value)
		default:
			err = sh.Shaper.hitMember(&w, m.Key, m.Value, 0)
		}
		if err != nil {
			return w.dst, err
		}
	}
	return append(w.dst, '}'), nil
}
