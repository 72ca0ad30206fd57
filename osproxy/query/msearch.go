package query

import (
	"strings"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// Header is a judged header line of a multi-search (READ-14): the logical indices it
// names, and its other members, judged and re-emitted canonically.
type Header struct {
	// Indices are the names of the index member, split at commas, not yet checked as
	// logical index names; nil when the header names none.
	Indices []string
	// Rest is the canonical form of the other members, each preceded by a comma, to be
	// written after the members the proxy sets itself (index, routing).
	Rest []byte
}

// headerMembers are what a multi-search header may hold besides index.
var headerMembers = obj(p("index", &kind{"a logical index, a comma list of them, or an array of them", nil}),
	p("preference", stringKind), p("request_cache", boolKind), p("allow_partial_search_results", boolKind),
	p("cancel_after_time_interval", timeKind)).aliased("indices", "index")

// JudgeHeader judges one header line of a multi-search body.
func JudgeHeader(line []byte) (Header, error) {
	var t jsonstream.Tree
	if err := t.Parse(line, maxDepth); err != nil {
		return Header{}, err
	}
	root := t.Root()
	if root.Kind() != '{' {
		return Header{}, &jsonstream.SyntaxError{Msg: "value is not an object"}
	}
	j := &judge{pol: &Policy{}}
	var h Header
	for m := root.First(); m.Valid(); m = m.Next() {
		j.enter(m.Key())
		name, k := headerMembers.lookup(m.Key())
		switch {
		case k == nil:
			return Header{}, j.refuse("unknown member; a multi-search header may hold index, preference, request_cache, " +
				"allow_partial_search_results and cancel_after_time_interval")
		case name == "index":
			names, err := headerIndices(j, m)
			if err != nil {
				return Header{}, err
			}
			h.Indices = append(h.Indices, names...)
		default:
			j.out = append(j.out, ',')
			j.writeKey(name)
			if err := k.judge(j, m); err != nil {
				return Header{}, err
			}
		}
		j.leave()
	}
	h.Rest = j.out
	return h, nil
}

// headerIndices reads a header's index: a string, which may be a comma list, or an
// array of strings.
func headerIndices(j *judge, v jsonstream.Value) ([]string, error) {
	var names []string
	one := func(e jsonstream.Value) error {
		s, ok := stringText(e)
		if !ok {
			return j.refuse("expected a logical index name")
		}
		names = append(names, strings.Split(string(s), ",")...)
		return nil
	}
	if v.Kind() != '[' {
		return names, one(v)
	}
	i := 0
	for e := v.First(); e.Valid(); e = e.Next() {
		j.enterIndex(i)
		if err := one(e); err != nil {
			return nil, err
		}
		j.leave()
		i++
	}
	return names, nil
}
