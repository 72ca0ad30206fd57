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
}

// NewItems returns the item shaper of one tenant's answer.
func NewItems(tenant, physical, fallback string) *Items {
	return &Items{tenant: tenant, physical: physical, fallback: fallback, views: make(map[string]*Shaping, 1)}
}

// view returns the shaping of one logical index, made once per answer.
func (it *Items) view(index string) *Shaping {
	sh, ok := it.views[index]
	if !ok {
		sh = &Shaping{Shaper: NewShaper(it.tenant, index), Errors: NewSanitizer(it.physical, it.tenant, index)}
		it.views[index] = sh
	}
	return sh
}

// indexOfID returns the logical index of a raw JSON physical id of this tenant.
func (it *Items) indexOfID(rawID []byte) string {
	if jsonstream.Kind(rawID) != '"' {
		return it.fallback
	}
	id := rawID[1 : len(rawID)-1]
	if bytes.IndexByte(id, '\\') >= 0 {
		s, err := jsonstream.Unquote(rawID)
		if err != nil {
			return it.fallback
		}
		id = []byte(s)
	}
	rest, ok := bytes.CutPrefix(id, []byte(it.tenant+":"))
	if !ok {
		return it.fallback
	}
	index, _, ok := bytes.Cut(rest, []byte{':'})
	if !ok {
		return it.fallback
	}
	return string(index)
}

// AppendBulkItem shapes one _bulk item, {"index": {…}}, and appends it to dst.
func (it *Items) AppendBulkItem(dst, item []byte) ([]byte, error) {
	dst = append(dst, '{')
	n := 0
	err := jsonstream.Members(item, func(verb, result []byte) error {
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
// the error sanitized, get and _source without the reserved fields.
func (it *Items) AppendResult(dst, result []byte) ([]byte, error) {
	if jsonstream.Kind(result) != '{' {
		return append(dst, result...), nil
	}
	var rawID []byte
	_ = jsonstream.Members(result, func(k, v []byte) error {
		if jsonstream.KeyIs(k, "_id") {
			rawID = v
		}
		return nil
	})
	sh := it.view(it.indexOfID(rawID))
	w := memberWriter{dst: append(dst, '{')}
	err := jsonstream.Members(result, func(key, value []byte) error {
		switch {
		case jsonstream.KeyIs(key, "error"):
			w.raw(key, nil)
			w.dst = sh.Errors.Append(w.dst, value)
		case jsonstream.KeyIs(key, "get"):
			w.raw(key, nil)
			var err error
			w.dst, err = sh.Shaper.NestedHit(w.dst, value)
			return err
		default:
			return sh.Shaper.hitMember(&w, key, value, 0)
		}
		return nil
	})
	return append(w.dst, '}'), err
}
