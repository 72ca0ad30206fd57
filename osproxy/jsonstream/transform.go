package jsonstream

import (
	"errors"
	"fmt"
	"io"
	"sync"
)

// defaultMaxHit is the capture size limit when Options leaves it unset.
const defaultMaxHit = 16 << 20

// Action is what Transform does with one value of a document.
type Action uint8

const (
	// Copy copies the value verbatim (skimmed at speed, still validated).
	Copy Action = iota
	// Walk enters a container: the plan decides for each of its members or elements. A
	// scalar to walk is copied.
	Walk
	// Capture buffers the value whole (up to Options.MaxHitBytes) and writes the
	// CaptureFunc's output in its place.
	Capture
	// Drop leaves an object member out, name and value. For an array element it means
	// Copy.
	Drop
)

// Plan decides, by position, what Transform does with each value. States are the
// plan's own small numbers: the state a container is walked in is passed back for each
// of its members or elements. A plan must not retain key.
type Plan interface {
	// Member decides for the value of a member of an object walked in state. key is the
	// raw member name between its quotes (escapes intact; compare with KeyIs), or nil
	// when it was longer than the transform keeps; c is the first byte of the value.
	Member(state uint8, key []byte, c byte) (Action, uint8)
	// Element decides for an element of an array walked in state.
	Element(state uint8, c byte) (Action, uint8)
	// Drops reports whether Member may drop a member of an object walked in state. The
	// transform then writes that object's commas itself; elsewhere it copies them, so
	// that what it writes before a syntax error is a prefix of the input.
	Drops(state uint8) bool
}

// CaptureFunc appends the replacement of a captured value (complete, trimmed JSON) to
// dst and returns it; state is the one the plan gave with Capture. It must not retain
// value, and must extend dst rather than return a different slice.
type CaptureFunc func(dst []byte, state uint8, value []byte) ([]byte, error)

// HitFunc is a CaptureFunc that ignores the state: TransformHits's callback.
type HitFunc func(dst, hit []byte) ([]byte, error)

// Options configures a transform. The zero value is ready to use.
type Options struct {
	// MaxHitBytes limits a single captured value; a larger one fails with
	// ErrHitTooLarge. Zero or less means 16 MiB.
	MaxHitBytes int
	// MaxDepth limits nesting in the whole document. Zero or less means 10000, the limit
	// of encoding/json.
	MaxDepth int
}

// transformers pools the per-call state, including the 32 KiB read buffer, so that a
// steady stream of responses allocates nothing.
var transformers = sync.Pool{New: func() any { return new(transformer) }}

// Transform copies the JSON document read from src to dst, walking it as plan says from
// the root, walked in state root: what the plan copies is copied byte for byte, what it
// captures is replaced by fn's output, what it drops is left out. Whitespace is kept,
// except around the commas of objects whose members may be dropped, which the
// transform writes itself.
//
// It validates the whole stream strictly (RFC 8259) while copying and returns a
// *SyntaxError on malformed input; the output written so far is then a prefix, and the
// caller must abort the connection rather than end the body cleanly. Invalid UTF-8 inside
// strings is accepted and copied, as json.Valid accepts it (see the package comment).
//
// Memory is bounded by one captured value plus pooled buffers, whatever the document's
// size (STR-3). Values are rewritten as they arrive, and pending output is written before
// every read from src, so the output keeps pace with the input (STR-5); dst is not
// flushed beyond that, which is the caller's business. It returns the number of bytes
// written to dst.
func Transform(dst io.Writer, src io.Reader, plan Plan, root uint8, fn CaptureFunc, opt Options) (int64, error) {
	return transformers.Get().(*transformer).transform(dst, src, plan, root, fn, opt)
}

// transform runs one Transform call on a transformer taken from the pool and puts it back.
func (t *transformer) transform(dst io.Writer, src io.Reader, plan Plan, root uint8, fn CaptureFunc, opt Options) (int64, error) {
	t.init(dst, src, plan, root, fn, opt)
	err := t.run()
	if errors.Is(err, ErrHitTooLarge) {
		err = fmt.Errorf("buffering a value at offset %d: %w", t.hitOffset, err)
	}
	n := t.rt.written
	t.rt.release()
	t.p.r = reader{}
	t.plan = nil
	transformers.Put(t)
	return n, err
}

// TransformHits is Transform with the plan of a search response reduced to its hits:
// each element of the array at top-level member "hits" → member "hits" goes to fn
// (SRCH-8); every other byte is copied. Member names are compared unescaped, duplicates
// are all transformed (transforming too much is the safe side), and a "hits" that is not
// an object or array, or one nested deeper, is copied as it is.
func TransformHits(dst io.Writer, src io.Reader, fn HitFunc, opt Options) (int64, error) {
	if fn == nil {
		fn = appendHit
	}
	t := transformers.Get().(*transformer)
	t.rt.hitFn = fn // a field rather than a closure over fn: the call stays allocation-free
	return t.transform(dst, src, hitsPlan{}, 0, nil, opt)
}

// appendHit is the HitFunc that leaves a hit as it is.
func appendHit(dst, hit []byte) ([]byte, error) { return append(dst, hit...), nil }

// hitsPlan walks the root (state 0), a top-level "hits" object (1) and its "hits" array
// (2), whose elements it captures.
type hitsPlan struct{}

func (hitsPlan) Member(state uint8, key []byte, c byte) (Action, uint8) {
	if KeyIs(key, "hits") && (state == 0 && c == '{' || state == 1 && c == '[') {
		return Walk, state + 1
	}
	return Copy, 0
}

func (hitsPlan) Drops(uint8) bool { return false }

func (hitsPlan) Element(state uint8, _ byte) (Action, uint8) {
	if state == 2 {
		return Capture, 0
	}
	return Copy, 0
}

// frame is a walked container.
type frame struct {
	state uint8
	obj   bool
	cut   bool // an object whose members may be dropped: the transform writes its commas
	kept  int  // members written so far
}

// transformer is the state of one Transform call.
type transformer struct {
	p         parser
	rt        router
	buf       [bufSize]byte
	plan      Plan
	root      uint8
	walk      []frame // the walked containers, outermost first: depths 1..len(walk)
	keyLen    int     // length of the member name awaiting its value; its start is p.r.keep
	hitOffset int64   // input offset of the value being captured, for error messages
}

func (t *transformer) init(dst io.Writer, src io.Reader, plan Plan, root uint8, fn CaptureFunc, opt Options) {
	t.p.init(opt.MaxDepth)
	t.p.r.initStream(src, &t.rt, t.buf[:])
	t.plan, t.root, t.walk = plan, root, t.walk[:0]
	t.rt.dst, t.rt.fn, t.rt.written = dst, fn, 0
	t.rt.maxHit = opt.MaxHitBytes
	if t.rt.maxHit <= 0 {
		t.rt.maxHit = defaultMaxHit
	}
}

// run drives the parser through the walked containers; every value the plan does not
// walk is consumed whole by skipValue (copy, capture or drop), which is what keeps a
// token-dense aggregation fast.
func (t *transformer) run() error {
	p := &t.p
	for {
		p.cut = len(t.walk) > 0 && t.walk[len(t.walk)-1].cut
		c, err := p.advance()
		p.cut = false
		if err == io.EOF {
			return t.finish()
		}
		if err != nil {
			return err
		}
		if p.expectsValue(c) {
			err = t.value(c)
		} else {
			err = t.keyOrClose(c)
		}
		if err != nil {
			return err
		}
	}
}

// keyOrClose consumes a member name, which waits (kept through refills) for the plan's
// decision on its value, or the bracket closing a walked container.
func (t *transformer) keyOrClose(c byte) error {
	p, r := &t.p, &t.p.r
	tok, err := p.token(c)
	if err != nil {
		return err
	}
	switch tok {
	case tokKey:
		if p.tokStart >= 0 {
			r.keep, t.keyLen = p.tokStart, r.pos-p.tokStart
		}
	case tokObjectEnd, tokArrayEnd:
		t.walk = t.walk[:len(t.walk)-1]
	}
	return nil
}

// value acts on the value whose first byte advance returned.
func (t *transformer) value(c byte) error {
	r := &t.p.r
	if len(t.walk) == 0 {
		return t.enter(c, t.root)
	}
	f := &t.walk[len(t.walk)-1]
	if !f.obj {
		act, state := t.plan.Element(f.state, c)
		return t.act(act, state, c)
	}
	var key []byte
	keyStart := r.keep
	if keyStart >= 0 {
		key = r.buf[keyStart+1 : keyStart+t.keyLen-1]
	}
	act, state := t.plan.Member(f.state, key, c)
	r.keep = -1
	if act == Drop && !f.cut {
		act = Copy // a plan that said it drops nothing here
	}
	if act == Drop {
		if keyStart < 0 {
			return errors.New("jsonstream: a member to drop was not kept in the buffer")
		}
		return t.drop(keyStart)
	}
	if f.cut && f.kept > 0 {
		if err := t.rt.pass(commaByte); err != nil {
			return err
		}
	}
	f.kept++
	return t.act(act, state, c)
}

var commaByte = []byte{','}

func (t *transformer) act(act Action, state uint8, c byte) error {
	switch act {
	case Walk:
		return t.enter(c, state)
	case Capture:
		return t.capture(state)
	}
	return t.p.skipValue()
}

// enter starts walking the container opening with c in state; a scalar is copied.
func (t *transformer) enter(c byte, state uint8) error {
	if c != '{' && c != '[' {
		return t.p.skipValue()
	}
	if _, err := t.p.token(c); err != nil {
		return err
	}
	t.walk = append(t.walk, frame{state: state, obj: c == '{', cut: c == '{' && t.plan.Drops(state)})
	return nil
}

// capture buffers the value at pos and routes fn's rewrite of it in its place.
func (t *transformer) capture(state uint8) error {
	p, r, rt := &t.p, &t.p.r, &t.rt
	if err := rt.take(r.buf[r.mark:r.pos]); err != nil {
		return err
	}
	r.mark = r.pos
	rt.capture = true
	t.hitOffset = r.offset()
	if err := p.skipValue(); err != nil {
		return err
	}
	err := rt.take(r.buf[r.mark:r.pos])
	r.mark = r.pos
	rt.capture = false
	if err != nil {
		return err
	}
	if err := rt.rewrite(state); err != nil {
		return fmt.Errorf("rewriting a value at offset %d: %w", t.hitOffset, err)
	}
	return nil
}

// drop leaves out the member whose name starts at keyStart: what precedes the name is
// routed, the name, colon and value are not.
func (t *transformer) drop(keyStart int) error {
	r, rt := &t.p.r, &t.rt
	if err := rt.take(r.buf[r.mark:keyStart]); err != nil {
		return err
	}
	r.mark = r.pos
	rt.drop = true
	err := t.p.skipValue()
	rt.drop = false
	r.mark = r.pos
	return err
}

// finish routes the trailing bytes and writes all pending output.
func (t *transformer) finish() error {
	r := &t.p.r
	if err := t.rt.take(r.buf[r.mark:r.pos]); err != nil {
		return err
	}
	r.mark = r.pos
	return t.rt.flush()
}
