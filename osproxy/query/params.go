package query

import (
	"net/url"
	"strings"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// Params are a read's query-string parameters, split as ISO-4 and its endpoint's table
// say: those that change what the read runs are folded into the judged body, those
// whose value matters are judged and forwarded canonically, the others are forwarded.
type Params struct {
	Forward string            // the forwarded pairs, joined by &: raw, or canonical when judged
	single  map[string]string // folded parameters that replace a body member, and q's
	sort    []string          // sort entries, after the body's
	dvf     []string          // docvalue_fields, after the body's
	// Source is the source parameter, which stands for the body (READ-8); ScrollID is
	// the scroll_id parameter of a scroll's next page. Both are nil when absent.
	Source, ScrollID []byte
	scroll           bool // a search's scroll parameter: it opens a scroll
}

// ParamError names a parameter that is neither folded nor forwarded, whose value is
// refused (Reason), or whose percent-encoding is malformed (Malformed).
type ParamError struct {
	Name, Reason string
	Malformed    bool
}

func (e *ParamError) Error() string {
	if e.Malformed {
		return "the query string has a malformed percent-encoding"
	}
	if e.Reason != "" {
		return "the parameter " + e.Name + " is refused: " + e.Reason
	}
	return "the parameter " + e.Name + " is not supported in tenancy mode"
}

// ParseParams splits a search's raw query string (ISO-4).
func ParseParams(raw string) (*Params, error) { return ParseParamsFor(raw, EndpointSearch) }

// ParseParamsFor splits a raw query string by the table of endpoint e.
func ParseParamsFor(raw string, e Endpoint) (*Params, error) {
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
		r, ok := e.rule(name)
		if !ok {
			return nil, &ParamError{Name: name}
		}
		switch {
		case r.how == accepted:
		case r.how == forward:
			fwd = append(fwd, pair)
		case r.how == refused:
			return nil, &ParamError{Name: name, Reason: r.note}
		case r.how == judged:
			canon, err := judgeParam(name, value, r.kind)
			if err != nil {
				return nil, err
			}
			fwd = append(fwd, url.QueryEscape(name)+"="+url.QueryEscape(canon))
			ps.scroll = ps.scroll || name == "scroll"
		case name == "sort":
			ps.sort = append(ps.sort, splitList(value)...)
		case name == "docvalue_fields":
			ps.dvf = append(ps.dvf, splitList(value)...)
		case name == "source":
			ps.Source = []byte(value)
		case name == "scroll_id":
			ps.ScrollID = []byte(value)
		default: // fold, queryQ, source_content_type
			if ps.single == nil {
				ps.single = map[string]string{}
			}
			ps.single[name] = value
		}
	}
	if err := ps.checkCompanions(); err != nil {
		return nil, err
	}
	ps.Forward = strings.Join(fwd, "&")
	return ps, nil
}

// checkCompanions refuses parameters that OpenSearch reads only beside another one, as
// OpenSearch refuses them: q's companions without q, source_content_type without
// source; and a source of another content type (SRCH-4).
func (ps *Params) checkCompanions() error {
	if !ps.has("q") {
		for _, n := range qParams[1:] {
			if ps.has(n) {
				return &ParamError{Name: n, Reason: "it only has a meaning with q"}
			}
		}
	}
	ct, hasCT := ps.single["source_content_type"]
	switch {
	case ps.Source == nil && hasCT:
		return &ParamError{Name: "source_content_type", Reason: "it only has a meaning with source"}
	case ps.Source != nil && !hasCT:
		return &ParamError{Name: "source", Reason: "source_content_type must say application/json"}
	case ps.Source != nil && !isJSONType(ct):
		return &ParamError{Name: "source_content_type", Reason: "only application/json is accepted"}
	}
	return nil
}

func isJSONType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/json")
}

// Scroll reports whether a search's parameters open a scroll.
func (ps *Params) Scroll() bool { return ps != nil && ps.scroll }

// HasQ reports whether the parameters carry a q query.
func (ps *Params) HasQ() bool { return ps != nil && ps.has("q") }

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
	switch name {
	case "_source":
		return ps.has("_source") || ps.has("_source_includes") || ps.has("_source_excludes")
	case "query":
		return ps.has("q") // the URL's q replaces the body's query, as OpenSearch does (READ-7)
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
