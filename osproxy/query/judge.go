package query

import (
	"strconv"
	"strings"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// Refusal names the first value of a body that the allow-list does not admit (ISO-1).
// Its text is the JSON path in backquotes and a reason; it quotes member names from the
// client's own request, never values.
type Refusal struct {
	Path   string
	Reason string
}

func (r *Refusal) Error() string { return "`" + r.Path + "`: " + r.Reason }

// Policy is what a judgement depends on besides the body: whose view it is, and
// whether inline scripts are allowed (ISO-12, ISO-13).
type Policy struct {
	Filter       Filter
	AllowScripts bool
	// PIT is the cluster's id of the point in time a search names, opened from the
	// cursor the proxy issued; nil where a search may not name one (READ-26).
	PIT []byte
}

// judge walks a parsed body once, checks every value against the allow-list and
// appends its canonical form to out (ISO-1..3).
type judge struct {
	out     []byte
	path    []seg
	pol     *Policy
	sortIDs uint64 // top-level sort positions on _id (ISO-9)
	sorts   int    // top-level sort entries emitted so far
	topSort bool   // the sort being judged is the top-level one
	hitAggs bool   // an aggregation returns hits (ISO-14)
	onID    bool   // the field-keyed clause being judged is on _id (ISO-9)
	trees   []*jsonstream.Tree
}

// seg is one step of the path to the value being judged: a member name or an index.
type seg struct {
	key   []byte
	index int
}

func (j *judge) enter(key []byte) { j.path = append(j.path, seg{key: key, index: -1}) }

func (j *judge) enterIndex(i int) { j.path = append(j.path, seg{index: i}) }

func (j *judge) leave() { j.path = j.path[:len(j.path)-1] }

// refuse builds the Refusal for the value being judged. Only here is the path rendered,
// so a body that is accepted costs no string building.
func (j *judge) refuse(reason string) error {
	var b strings.Builder
	for i, s := range j.path {
		switch {
		case s.index >= 0:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(keyText(s.key))
		}
	}
	if b.Len() == 0 {
		b.WriteString("(body)")
	}
	return &Refusal{Path: b.String(), Reason: reason}
}

// keyText is a member name for a message: unescaped when it can be.
func keyText(raw []byte) string {
	if s, err := jsonstream.Unquote(append(append([]byte{'"'}, raw...), '"')); err == nil {
		return s
	}
	return string(raw)
}

// hasEscape reports whether a raw member name or string holds an escape.
func hasEscape(raw []byte) bool {
	for _, c := range raw {
		if c == '\\' {
			return true
		}
	}
	return false
}

// emit helpers: members are written by the object judges, which manage commas.

func (j *judge) writeKey(k string) {
	j.out = jsonstream.AppendString(j.out, k)
	j.out = append(j.out, ':')
}

func (j *judge) comma(n int) {
	if n > 0 {
		j.out = append(j.out, ',')
	}
}

// elements judges every element of an array with k, refusing anything else.
func (j *judge) elements(v jsonstream.Value, k *kind) error {
	if v.Kind() != '[' {
		return j.refuse("expected an array")
	}
	j.out = append(j.out, '[')
	i := 0
	for e := v.First(); e.Valid(); e = e.Next() {
		j.comma(i)
		j.enterIndex(i)
		if err := k.judge(j, e); err != nil {
			return err
		}
		j.leave()
		i++
	}
	j.out = append(j.out, ']')
	return nil
}

// parseEmbedded parses a document decoded from a value (a wrapper query) into a tree
// owned by the judgement, so that its values stay valid while they are judged.
func (j *judge) parseEmbedded(doc []byte) (jsonstream.Value, error) {
	t := new(jsonstream.Tree)
	if err := t.Parse(doc, maxDepth); err != nil {
		return jsonstream.Value{}, err
	}
	j.trees = append(j.trees, t)
	return t.Root(), nil
}

// maxDepth is the nesting a judged body may have (ISO-7).
const maxDepth = 256
