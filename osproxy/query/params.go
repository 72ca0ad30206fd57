package query

import (
	"net/url"
	"strings"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// Params are a search's query-string parameters, split as ISO-4 says: those that change
// what the search runs are folded into the judged body; the others are forwarded.
type Params struct {
	Forward string            // the forwarded pairs, raw, joined by &
	single  map[string]string // folded parameters that replace a body member
	sort    []string          // sort entries, after the body's
	dvf     []string          // docvalue_fields, after the body's
}

// ParamError names a parameter that is neither folded nor forwarded, or whose
// percent-encoding is malformed (Malformed).
type ParamError struct {
	Name      string
	Malformed bool
}

func (e *ParamError) Error() string {
	if e.Malformed {
		return "the query string has a malformed percent-encoding"
	}
	return "the parameter " + e.Name + " is not supported in tenancy mode"
}

// folded are the parameters OpenSearch reads into the search source.
var folded = map[string]bool{"size": true, "from": true, "timeout": true, "terminate_after": true,
	"track_total_hits": true, "track_scores": true, "version": true, "seq_no_primary_term": true, "explain": true,
	"_source": true, "_source_includes": true, "_source_excludes": true, "stored_fields": true}

// forwarded are the parameters that only change how the response is produced.
var forwarded = map[string]bool{"typed_keys": true, "rest_total_hits_as_int": true, "allow_partial_search_results": true,
	"batched_reduce_size": true, "max_concurrent_shard_requests": true, "pre_filter_shard_size": true,
	"request_cache": true, "preference": true, "cancel_after_time_interval": true, "phase_took": true,
	"filter_path": true, "pretty": true, "human": true}

// ParseParams splits a raw query string (ISO-4).
func ParseParams(raw string) (*Params, error) {
	ps := &Params{}
	var fwd []string
	for rest := raw; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		if pair == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, err1 := url.QueryUnescape(rawName)
		value, err2 := url.QueryUnescape(rawValue)
		if err1 != nil || err2 != nil {
			return nil, &ParamError{Name: rawName, Malformed: true}
		}
		switch {
		case name == "error_trace":
			// Accepted, never forwarded: a stack trace shows the cluster's internals.
		case forwarded[name]:
			fwd = append(fwd, pair)
		case name == "sort":
			ps.sort = append(ps.sort, splitList(value)...)
		case name == "docvalue_fields":
			ps.dvf = append(ps.dvf, splitList(value)...)
		case folded[name]:
			if ps.single == nil {
				ps.single = map[string]string{}
			}
			ps.single[name] = value
		default:
			return nil, &ParamError{Name: name}
		}
	}
	ps.Forward = strings.Join(fwd, "&")
	return ps, nil
}

func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// replaces reports whether a URL parameter takes the place of the body member name.
func (ps *Params) replaces(name string) bool {
	if ps == nil || ps.single == nil {
		return false
	}
	if name == "_source" {
		return ps.has("_source") || ps.has("_source_includes") || ps.has("_source_excludes")
	}
	return ps.has(name)
}

func (ps *Params) has(name string) bool { _, ok := ps.single[name]; return ok }

// folded emits the URL's sort and docvalue_fields when the body had none (sort and
// docvalues say so), and the URL's other members, each judged as the body member it
// becomes.
func (j *judge) folded(ps *Params, sort, docvalues bool) error {
	if sort && len(ps.list("sort")) > 0 {
		j.out = append(j.out, ',')
		if err := j.combined("sort", jsonstream.Value{}, ps.list("sort"), true); err != nil {
			return err
		}
	}
	if docvalues && len(ps.list("dvf")) > 0 {
		j.out = append(j.out, ',')
		if err := j.combined("docvalue_fields", jsonstream.Value{}, ps.list("dvf"), false); err != nil {
			return err
		}
	}
	if ps == nil || ps.single == nil {
		return nil
	}
	for _, name := range []string{"size", "from", "timeout", "terminate_after", "track_total_hits", "track_scores",
		"version", "seq_no_primary_term", "explain", "stored_fields"} {
		if v, ok := ps.single[name]; ok {
			doc := jsonstream.AppendString(nil, v)
			if name == "stored_fields" {
				doc = stringArray(splitList(v))
			}
			if err := j.foldedMember(name, doc); err != nil {
				return err
			}
		}
	}
	return j.foldedSource(ps)
}

func (ps *Params) list(which string) []string {
	if ps == nil {
		return nil
	}
	if which == "sort" {
		return ps.sort
	}
	return ps.dvf
}

// foldedSource builds _source from _source, _source_includes and _source_excludes.
func (j *judge) foldedSource(ps *Params) error {
	if !ps.replaces("_source") {
		return nil
	}
	src, hasSrc := ps.single["_source"]
	inc, hasInc := ps.single["_source_includes"]
	exc, hasExc := ps.single["_source_excludes"]
	var doc []byte
	switch {
	case hasInc || hasExc:
		doc = append(append(append([]byte(`{"includes":`), stringArray(splitList(inc))...), `,"excludes":`...), stringArray(splitList(exc))...)
		doc = append(doc, '}')
	case hasSrc && (src == "true" || src == "false"):
		doc = []byte(src)
	default:
		doc = stringArray(splitList(src))
	}
	return j.foldedMember("_source", doc)
}

// foldedMember judges a URL parameter, written as JSON, as the body member name.
func (j *judge) foldedMember(name string, doc []byte) error {
	t := new(jsonstream.Tree)
	if err := t.Parse(doc, maxDepth); err != nil {
		return &Refusal{Path: name, Reason: "the parameter could not be read"}
	}
	_, k := searchMembers.lookup([]byte(name))
	j.out = append(j.out, ',')
	j.writeKey(name)
	j.enter([]byte(name))
	defer j.leave()
	return k.judge(j, t.Root())
}

// combined emits, after the comma its caller wrote, one array of the body's entries
// followed by the URL's (OpenSearch
// appends URL sorts and docvalue fields to the body's).
func (j *judge) combined(name string, body jsonstream.Value, url []string, isSort bool) error {
	j.writeKey(name)
	j.topSort = isSort
	defer func() { j.topSort = false }()
	each := docvalueField
	if isSort {
		each = &kind{"sort entry", sortEntry}
	}
	j.out = append(j.out, '[')
	i := 0
	emit := func(v jsonstream.Value) error {
		j.comma(i)
		j.enterIndex(i)
		defer j.leave()
		i++
		return each.judge(j, v)
	}
	if body.Valid() {
		if body.Kind() == '[' {
			for e := body.First(); e.Valid(); e = e.Next() {
				if err := emit(e); err != nil {
					return err
				}
			}
		} else if err := emit(body); err != nil {
			return err
		}
	}
	for _, item := range url {
		doc := jsonstream.AppendString(nil, item)
		if isSort {
			doc = urlSortEntry(item)
		}
		t := new(jsonstream.Tree)
		if err := t.Parse(doc, maxDepth); err != nil {
			return j.refuse("the parameter could not be read")
		}
		if err := emit(t.Root()); err != nil {
			return err
		}
	}
	j.out = append(j.out, ']')
	return nil
}

// urlSortEntry turns field or field:order into a sort entry.
func urlSortEntry(item string) []byte {
	field, order, ok := strings.Cut(item, ":")
	if !ok {
		return jsonstream.AppendString(nil, field)
	}
	doc := append([]byte{'{'}, jsonstream.AppendString(nil, field)...)
	doc = append(doc, ':')
	doc = jsonstream.AppendString(doc, order)
	return append(doc, '}')
}

func stringArray(items []string) []byte {
	doc := []byte{'['}
	for i, s := range items {
		if i > 0 {
			doc = append(doc, ',')
		}
		doc = jsonstream.AppendString(doc, s)
	}
	return append(doc, ']')
}
