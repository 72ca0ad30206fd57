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

// object writes value as an object whose members each pass through fn, which
// writes what it keeps into a nested writer. A non-object value is copied.
func (w *memberWriter) object(value []byte, fn func(w *memberWriter, key, value []byte) error) error {
	if jsonstream.Kind(value) != '{' {
		w.dst = append(w.dst, value...)
		return nil
	}
	inner := memberWriter{dst: append(w.dst, '{')}
	err := jsonstream.Members(value, func(key, v []byte) error { return fn(&inner, key, v) })
	w.dst = append(inner.dst, '}')
	return err
}
