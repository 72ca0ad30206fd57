package jsonstream

import (
	"bytes"
	"errors"
	"io"
	"path"
	"strings"
)

// ErrFilterPath reports a filter_path this package does not apply: an exclusion
// (-name), an empty segment, or more alternatives than it tracks.
var ErrFilterPath = errors.New("jsonstream: unsupported filter_path")

// FilterPlan applies an OpenSearch filter_path (comma-separated dotted paths whose
// segments may be names, globs such as na*e, * for any one level or ** for any number
// of levels) to a document: members on no path are dropped, members a path ends at are
// kept whole, arrays are transparent. One difference from OpenSearch is deliberate: an
// object whose every member was dropped stays as {} instead of disappearing, because
// deciding that needs the whole object in hand and this filter streams.
type FilterPlan struct {
	paths  [][]string
	states [][]cursor // state number → the path positions still alive there
}

// cursor is a position in one path: the next segment to match.
type cursor struct{ path, seg int }

// maxFilterStates bounds the automaton; a state number is one byte.
const maxFilterStates = 250

// NewFilterPlan parses a filter_path.
func NewFilterPlan(filterPath string) (*FilterPlan, error) {
	f := &FilterPlan{}
	for _, p := range strings.Split(filterPath, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if strings.HasPrefix(p, "-") {
			return nil, ErrFilterPath
		}
		segs := strings.Split(p, ".")
		for _, s := range segs {
			if s == "" {
				return nil, ErrFilterPath
			}
		}
		f.paths = append(f.paths, segs)
	}
	if len(f.paths) == 0 {
		return nil, ErrFilterPath
	}
	root := make([]cursor, len(f.paths))
	for i := range f.paths {
		root[i] = cursor{i, 0}
	}
	f.states = [][]cursor{root}
	return f, nil
}

// Member implements Plan. key is nil only for names longer than the transform keeps,
// which no path names literally; a glob could match them, so a glob matches them,
// keeping rather than dropping on a guess.
func (f *FilterPlan) Member(state uint8, key []byte, c byte) (Action, uint8) {
	var next []cursor
	for _, cur := range f.states[state] {
		segs := f.paths[cur.path]
		at := cur.seg
		if segs[at] == "**" {
			next = append(next, cur) // ** may swallow this level
			if at+1 == len(segs) {
				return Copy, 0 // a trailing ** keeps everything below
			}
			at++ // or the level matches the segment after it
		}
		if !f.matches(segs[at], key) {
			continue
		}
		if at+1 == len(segs) {
			return Copy, 0 // a path ends here: the whole value is in
		}
		next = append(next, cursor{cur.path, at + 1})
	}
	if len(next) == 0 || (c != '{' && c != '[') {
		return Drop, 0
	}
	return Walk, f.stateOf(next)
}

func (f *FilterPlan) matches(seg string, key []byte) bool {
	if key == nil {
		return strings.ContainsAny(seg, "*?")
	}
	return segmentMatches(seg, key)
}

// Drops implements Plan: a filter drops members anywhere.
func (f *FilterPlan) Drops(uint8) bool { return true }

// Element implements Plan: arrays are transparent to filter_path.
func (f *FilterPlan) Element(state uint8, c byte) (Action, uint8) {
	if c == '{' || c == '[' {
		return Walk, state
	}
	return Copy, 0
}

// stateOf returns the number of a set of cursors, adding it when new. Past the state
// limit it falls back to the root's state, which keeps more, never less.
func (f *FilterPlan) stateOf(set []cursor) uint8 {
	for i, s := range f.states {
		if sameCursors(s, set) {
			return uint8(i)
		}
	}
	if len(f.states) >= maxFilterStates {
		return 0
	}
	f.states = append(f.states, set)
	return uint8(len(f.states) - 1)
}

func sameCursors(a, b []cursor) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// segmentMatches matches one filter_path segment against a raw member name.
func segmentMatches(seg string, rawKey []byte) bool {
	if seg == "*" {
		return true
	}
	if !strings.ContainsAny(seg, "*?[") {
		return KeyIs(rawKey, seg)
	}
	name := string(rawKey)
	if bytes.IndexByte(rawKey, '\\') >= 0 {
		s, err := Unquote(append(append([]byte{'"'}, rawKey...), '"'))
		if err != nil {
			return false
		}
		name = s
	}
	ok, err := path.Match(strings.ReplaceAll(seg, "[", "\\["), name)
	return err == nil && ok
}

// FilterBytes applies filterPath to an in-memory document; on an unsupported filter
// or a malformed document it returns doc unchanged.
func FilterBytes(doc []byte, filterPath string) []byte {
	f, err := NewFilterPlan(filterPath)
	if err != nil {
		return doc
	}
	var out bytes.Buffer
	if _, err := Transform(&out, bytes.NewReader(doc), f, 0, nil, Options{}); err != nil {
		return doc
	}
	return out.Bytes()
}

// FilterWriter returns a writer that applies filterPath to the document written to it
// and writes the result to dst, as a second stage behind a transform. Close waits for
// the filter to finish and returns its error.
func FilterWriter(dst io.Writer, f *FilterPlan) io.WriteCloser {
	pr, pw := io.Pipe()
	fw := &filterWriter{pw: pw, done: make(chan error, 1)}
	go func() {
		_, err := Transform(dst, pr, f, 0, nil, Options{})
		pr.CloseWithError(err) // unblocks a writer if the filter stopped early
		fw.done <- err
	}()
	return fw
}

type filterWriter struct {
	pw   *io.PipeWriter
	done chan error
}

func (w *filterWriter) Write(p []byte) (int, error) { return w.pw.Write(p) }

func (w *filterWriter) Close() error {
	_ = w.pw.Close()
	return <-w.done
}
