package tenant

import (
	"bytes"
	"strings"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// A view of several logical indices, or of all of a tenant's (spec/14-reads.md): each
// hit's logical index is not the request's but the one its physical id names,
// {tenant}:{index}:{id}. Tenant and index names hold no ':', so the index is the text
// between the first two colons (TEN-7).

// view is the logical index of one hit and the physical prefix of its ids.
type view struct {
	index  string
	prefix []byte
}

// multiView is what a Shaper of several indices keeps: the tenant's prefix, and the
// views met so far, so that shaping a hit allocates only for an index not yet seen.
type multiView struct {
	tenant []byte          // "{tenant}:"
	views  map[string]view // by logical index
}

// NewMultiShaper returns the shaper of one tenant's view of several logical indices,
// or of all of them when indices is empty. A hit whose id is not the tenant's keeps it
// as it is and is named by the list (the tenant filter makes it unreachable).
func NewMultiShaper(tenant string, indices []string) *Shaper {
	return &Shaper{index: listName(indices), multi: &multiView{tenant: []byte(tenant + ":"), views: map[string]view{}}}
}

// listName is how several logical indices are named where one name is expected: the
// comma list the client gave, or _all for every index of the tenant.
func listName(indices []string) string {
	if len(indices) == 0 {
		return "_all"
	}
	return strings.Join(indices, ",")
}

// enter sets s to the view of hit and returns the view to restore after it. A single
// index view has nothing to do.
func (s *Shaper) enter(hit []byte) view {
	saved := view{s.index, s.prefix}
	if s.multi == nil {
		return saved
	}
	var id []byte
	_ = jsonstream.Members(hit, func(key, value []byte) error {
		if id == nil && jsonstream.KeyIs(key, "_id") && jsonstream.Kind(value) == '"' {
			id = value[1 : len(value)-1]
		}
		return nil
	})
	if v, ok := s.multi.viewOf(id); ok {
		s.index, s.prefix = v.index, v.prefix
	}
	return saved
}

func (s *Shaper) leave(v view) { s.index, s.prefix = v.index, v.prefix }

// viewOf reads the logical index of a raw physical id (the text of a JSON string, which
// may hold escapes only after the prefix: tenant and index names need none).
func (m *multiView) viewOf(id []byte) (view, bool) {
	if !bytes.HasPrefix(id, m.tenant) {
		return view{}, false
	}
	rest := id[len(m.tenant):]
	end := bytes.IndexByte(rest, ':')
	if end <= 0 {
		return view{}, false
	}
	name := rest[:end]
	if v, ok := m.views[string(name)]; ok {
		return v, true
	}
	v := view{index: string(name), prefix: append([]byte(nil), id[:len(m.tenant)+end+1]...)}
	m.views[v.index] = v
	return v, true
}

// NewMultiSanitizer returns the sanitizer of one tenant's view of several logical
// indices, or of all of them when indices is empty: the physical index is named by the
// list, and every physical id prefix of the tenant goes (ISO-16).
func NewMultiSanitizer(physical, tenant string, indices []string) *Sanitizer {
	return &Sanitizer{physical: physical, logical: listName(indices), tenant: []byte(tenant + ":"), multi: true}
}

// stripTenantPrefixes removes every {tenant}:{index}: of a multi-index view from text.
func (s *Sanitizer) stripTenantPrefixes(text []byte) []byte {
	if !bytes.Contains(text, s.tenant) {
		return text
	}
	out := make([]byte, 0, len(text))
	for {
		i := bytes.Index(text, s.tenant)
		if i < 0 {
			return append(out, text...)
		}
		j := i + len(s.tenant)
		for j < len(text) && isIndexByte(text[j]) {
			j++
		}
		if j < len(text) && text[j] == ':' && j > i+len(s.tenant) {
			out = append(out, text[:i]...)
			text = text[j+1:]
			continue
		}
		out = append(out, text[:j]...)
		text = text[j:]
	}
}

func isIndexByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

// objectIndex returns the logical index an error object names through its id member (a
// by-query failure names the document it failed on), or "" when it names none.
func (s *Sanitizer) objectIndex(v jsonstream.Value) string {
	if !s.multi {
		return ""
	}
	for _, name := range []string{"id", "_id"} {
		if id, ok := stringValue(v.Member(name)); ok && bytes.HasPrefix(id, s.tenant) {
			rest := id[len(s.tenant):]
			if end := bytes.IndexByte(rest, ':'); end > 0 {
				return string(rest[:end])
			}
		}
	}
	return ""
}

func stringValue(v jsonstream.Value) ([]byte, bool) {
	if !v.Valid() || v.Kind() != '"' {
		return nil, false
	}
	raw := v.Raw()
	return raw[1 : len(raw)-1], true
}
