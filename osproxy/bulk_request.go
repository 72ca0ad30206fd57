package osproxy

import (
	"errors"
	"io"
	"slices"
	"strconv"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
	"github.com/osproxy/osproxy/osproxy/ndjson"
	"github.com/osproxy/osproxy/osproxy/tenant"
)

// refusedItem is what the answer needs of a bulk item the proxy refused itself
// (WR-27): where it was, and the error to put there. Reasons are fixed texts.
type refusedItem struct {
	pos     int
	verb    string
	index   string // as the client gave it, or ""
	id      string // as the client gave it
	idGiven bool   // whether it gave one (an empty id is given, and shown)
	status  int
	code    Code
	reason  string
}

// maxRefusedBytes bounds what a bulk keeps of refused items. A body that refuses more
// is refused whole: the upstream never received a complete body, so nothing ran.
const maxRefusedBytes = 8 << 20

// errFraming is a body whose lines cannot be read as actions and sources (WR-1..4).
type errFraming struct{ reason string }

func (e *errFraming) Error() string { return e.reason }

// bulkReader turns a tenant's _bulk body into the upstream's, one item at a time, as
// the upstream reads it (WR-8): it holds one line and the transformed item, never the
// body.
type bulkReader struct {
	p         *Proxy
	lines     *ndjson.Reader
	tenant    string
	pathIndex string          // the path's logical index, "" for /_bulk
	tree      jsonstream.Tree // the action line being judged
	srcTree   jsonstream.Tree // an update's source line
	action0   []byte          // the action line being judged, copied out of the line buffer
	out       []byte          // the transformed item not yet read
	off       int
	pos       int // items read so far
	sent      int // items forwarded
	refused   []refusedItem
	keptBytes int
	err       error // the error that stopped the body, returned by every later Read
	done      bool
}

// Read fills p with as many transformed items as fit and have arrived, so that the
// upstream gets the body in large writes (a chunk per item would cost a system call
// per document) without waiting for more of a body that is still arriving (WR-8).
func (b *bulkReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if b.off == len(b.out) {
			switch {
			case n > 0 && (b.err != nil || b.done || !b.lines.Ready(2)):
				return n, nil
			case b.err != nil:
				return 0, b.err
			case b.done:
				return 0, io.EOF
			}
			b.out, b.off = b.out[:0], 0
			b.next()
			continue
		}
		c := copy(p[n:], b.out[b.off:])
		b.off += c
		n += c
	}
	return n, nil
}

// prime transforms items until one is to be sent, so that a body that sends nothing
// (empty, malformed at once, or every item refused) is answered without the upstream.
func (b *bulkReader) prime() {
	for len(b.out) == 0 && !b.done && b.err == nil {
		b.next()
	}
}

// next reads one item: an action line and, but for delete, its source line.
func (b *bulkReader) next() {
	line, err := b.lines.Next()
	switch {
	case err == io.EOF:
		b.done = true
		if b.pos == 0 {
			b.err = &errFraming{"the bulk body has no actions"}
		}
		return
	case err != nil:
		b.err = framing(err, b.lines.Line(), "action")
		return
	}
	// The action is judged from a copy: reading the source line may move the line
	// buffer under it.
	b.action0 = append(b.action0[:0], line...)
	verb, meta, err := b.action(b.action0)
	if err != nil {
		b.err = err
		return
	}
	pos := b.pos
	b.pos++
	var source []byte
	if verb != "delete" {
		source, err = b.lines.Next()
		switch {
		case errors.Is(err, ndjson.ErrLineTooLong):
			b.refuse(pos, verb, meta, fail(CodeRequestTooLarge, "the source line exceeds max_body_bytes"), 413)
			return
		case err == io.EOF:
			b.err = &errFraming{"the " + verb + " action on line " + strconv.Itoa(b.lines.Line()) + " has no source line"}
			return
		case err != nil:
			b.err = framing(err, b.lines.Line(), "source")
			return
		}
	}
	if e := b.item(verb, meta, source); e != nil {
		b.refuse(pos, verb, meta, e, e.Status())
		b.out = b.out[:0]
		return
	}
	b.sent++
}

func framing(err error, line int, what string) error {
	if errors.Is(err, ndjson.ErrLineTooLong) {
		return &errFraming{"the " + what + " line " + strconv.Itoa(line) + " exceeds max_body_bytes"}
	}
	var fe *errFraming
	if errors.As(err, &fe) {
		return err
	}
	if errors.Is(err, ndjson.ErrBlankLine) || errors.Is(err, ndjson.ErrNoFinalNewline) {
		return &errFraming{"line " + strconv.Itoa(line) + ": " + err.Error()}
	}
	return err // the client's body failed to arrive
}

// action parses an action line: exactly one of index, create, update, delete, whose
// value is an object (WR-1).
func (b *bulkReader) action(line []byte) (string, jsonstream.Value, error) {
	bad := func() error {
		return &errFraming{"line " + strconv.Itoa(b.lines.Line()) + " is not an action: expected {\"index\"|\"create\"|\"update\"|\"delete\": {…}}"}
	}
	if b.tree.Parse(line, maxJSONDepth) != nil {
		return "", jsonstream.Value{}, bad()
	}
	root := b.tree.Root()
	if root.Kind() != '{' || root.Len() != 1 || root.First().Kind() != '{' {
		return "", jsonstream.Value{}, bad()
	}
	m := root.First()
	for _, verb := range []string{"index", "create", "update", "delete"} {
		if jsonstream.KeyIs(m.Key(), verb) {
			return verb, m, nil
		}
	}
	return "", jsonstream.Value{}, bad()
}

// refuse records a refused item (WR-27); past maxRefusedBytes it stops the body.
func (b *bulkReader) refuse(pos int, verb string, meta jsonstream.Value, e *Error, status int) {
	index, given := metaString(meta, "_index")
	if !given {
		index = b.pathIndex
	}
	id, idGiven := metaID(meta)
	b.keptBytes += len(index) + len(id) + 64
	if b.keptBytes > maxRefusedBytes {
		b.err = fail(CodeRequestTooLarge, "the bulk refuses too many items to answer them all; nothing was executed")
		return
	}
	b.refused = append(b.refused, refusedItem{pos: pos, verb: verb, index: index, id: id, idGiven: idGiven,
		status: status, code: e.Code, reason: e.Reason})
}

// metaString reads a string member of an action's metadata (an _index).
func metaString(meta jsonstream.Value, name string) (string, bool) {
	if !meta.Valid() {
		return "", false
	}
	if v := meta.Member(name); v.Valid() && v.Kind() == '"' {
		s, err := jsonstream.Unquote(v.Raw())
		return s, err == nil
	}
	return "", false
}

// metaID reads an _id: a string, or a number's text, as OpenSearch reads ids.
func metaID(meta jsonstream.Value) (string, bool) {
	if !meta.Valid() {
		return "", false
	}
	if v := meta.Member("_id"); v.Valid() {
		return idOf(v)
	}
	return "", false
}

// pipelineAllowed reports whether the operator lets tenants name pipeline (WR-18).
func (p *Proxy) pipelineAllowed(name string) bool {
	return slices.Contains(p.cfg.IngestPipelines, name)
}

// logicalOf resolves an item's logical index: the action's, else the path's (WR-10).
func (b *bulkReader) logicalOf(meta jsonstream.Value) (string, *Error) {
	index, given := metaString(meta, "_index")
	if !given && meta.Member("_index").Valid() {
		return "", fail(CodeInvalidIndexName, "_index must be a string")
	}
	if !given {
		index = b.pathIndex
	}
	if index == "" {
		return "", fail(CodeInvalidIndexName, "the item names no index and the path has none")
	}
	if err := tenant.CheckLogicalIndex(index, b.p.cfg.Index); err != nil {
		return "", fail(CodeInvalidIndexName, "the item's logical index name is "+err.Error())
	}
	return index, nil
}
