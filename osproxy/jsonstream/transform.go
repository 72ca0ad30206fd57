package jsonstream

import (
	"errors"
	"fmt"
	"io"
	"sync"
)

// defaultMaxHit is the hit size limit when Options leaves it unset.
const defaultMaxHit = 16 << 20

// HitFunc appends the rewritten form of one hit (a complete JSON value,
// whitespace-trimmed) to dst and returns it. It must not retain hit, which is reused for
// the next one, and must return dst extended, not a different slice, because dst may
// already hold output that has not been written yet.
type HitFunc func(dst, hit []byte) ([]byte, error)

// Options configures TransformHits. The zero value is ready to use.
type Options struct {
	// MaxHitBytes limits a single hits.hits element; a larger one fails with
	// ErrHitTooLarge. Zero or less means 16 MiB.
	MaxHitBytes int
	// MaxDepth limits nesting in the whole document. Zero or less means 10000, the limit
	// of encoding/json.
	MaxDepth int
}

// transformers pools the per-call state, including the 32 KiB read buffer, so that a
// steady stream of responses allocates nothing.
var transformers = sync.Pool{New: func() any { return new(transformer) }}

// TransformHits copies the JSON document read from src to dst byte for byte, except each
// element of the array at top-level member "hits" -> member "hits", which is buffered
// alone and replaced by fn's output (SRCH-8). A nil fn copies hits unchanged.
//
// It validates the whole stream strictly (RFC 8259) while copying and returns a
// *SyntaxError on malformed input; the output written so far is then a prefix, and the
// caller must abort the connection rather than end the body cleanly. Invalid UTF-8 inside
// strings is accepted and copied, as json.Valid accepts it (see the package comment).
// Member names are compared after unescaping, so "h\u0069ts" is "hits". Every top-level
// "hits" that is an object and every "hits" array inside it is transformed, duplicates
// included, because transforming too much is the safe side; a "hits" that is not an
// object or array, or one nested deeper, is copied as is.
//
// Memory is bounded by one hit plus pooled buffers, whatever the document's size (STR-3).
// Hits are rewritten one at a time as they arrive, and pending output is written before
// every read from src, so the output keeps pace with the input (STR-5); dst is not
// flushed beyond that, which is the caller's business.
// It returns the number of bytes written to dst.
func TransformHits(dst io.Writer, src io.Reader, fn HitFunc, opt Options) (int64, error) {
	t := transformers.Get().(*transformer)
	t.init(dst, src, fn, opt)
	err := t.run()
	if errors.Is(err, ErrHitTooLarge) {
		err = fmt.Errorf("buffering hit at offset %d: %w", t.hitOffset, err)
	}
	n := t.rt.written
	t.rt.release()
	t.p.r = reader{}
	transformers.Put(t)
	return n, err
}

// appendHit is the HitFunc that leaves a hit as it is.
func appendHit(dst, hit []byte) ([]byte, error) { return append(dst, hit...), nil }

// transformer is the state of one TransformHits call.
type transformer struct {
	p   parser
	rt  router
	buf [bufSize]byte

	hitOffset int64 // input offset of the hit being captured, for error messages
	// Whether the last member name at depth 1, and at depth 2, was "hits"; whether the
	// open depth-2 container is a top-level "hits" object; whether the open depth-3
	// container is a "hits" array inside it, whose elements are the hits.
	key1, key2, hitsObj, hitsArr bool
}

func (t *transformer) init(dst io.Writer, src io.Reader, fn HitFunc, opt Options) {
	t.p.init(opt.MaxDepth)
	t.p.r.initStream(src, &t.rt, t.buf[:])
	if fn == nil {
		fn = appendHit
	}
	t.rt.dst, t.rt.fn, t.rt.written = dst, fn, 0
	t.rt.maxHit = opt.MaxHitBytes
	if t.rt.maxHit <= 0 {
		t.rt.maxHit = defaultMaxHit
	}
	t.key1, t.key2, t.hitsObj, t.hitsArr = false, false, false, false
}

// run drives the parser to the end of the document. Only the few tokens that can lead
// to hits.hits go through observe; every other value is skipped whole (its bytes still
// validated and routed), which is what keeps a token-dense aggregation fast.
func (t *transformer) run() error {
	p := &t.p
	for {
		c, err := p.advance()
		if err == io.EOF {
			return t.finish()
		}
		if err != nil {
			return err
		}
		switch {
		case !p.expectsValue(c): // a member name or a closing bracket
			err = t.step(c)
		case t.hitsArr && p.depth() == 3:
			err = t.copyHit()
		case t.mayHoldHits(c):
			err = t.step(c)
		default:
			err = p.skipValue()
		}
		if err != nil {
			return err
		}
	}
}

// step consumes the token whose first byte, c, advance returned, and observes it.
func (t *transformer) step(c byte) error {
	tok, err := t.p.token(c)
	if err == nil {
		t.observe(tok)
	}
	return err
}

// mayHoldHits reports whether the value starting with c, about to be read, must be
// walked token by token because it may be or contain hits.hits: the root, the object of
// a top-level "hits" member, and the array of a "hits" member inside it. Nothing inside
// any other value changes what observe tracks: its flags are recomputed whenever a
// container opens at their depth, and such a container can only be reached through a
// value this walks.
func (t *transformer) mayHoldHits(c byte) bool {
	switch t.p.depth() {
	case 0:
		return true
	case 1:
		return t.key1 && c == '{'
	case 2:
		return t.hitsObj && t.key2 && c == '['
	}
	return false
}

// observe tracks where the parser is relative to hits.hits. Depth counts open
// containers: top-level member names are at depth 1, names inside a top-level "hits"
// object at depth 2, and the elements of its "hits" array at depth 3. Flags are
// recomputed each time a container opens at their depth, so nothing is carried over
// from a sibling.
func (t *transformer) observe(tok token) {
	p := &t.p
	switch tok {
	case tokKey:
		switch p.depth() {
		case 1:
			t.key1 = t.isHitsKey()
		case 2:
			t.key2 = t.isHitsKey()
		}
	case tokObjectStart, tokArrayStart:
		switch p.depth() {
		case 2:
			t.hitsObj = tok == tokObjectStart && t.key1
		case 3:
			t.hitsArr = tok == tokArrayStart && t.hitsObj && t.key2
		}
	}
}

// isHitsKey reports whether the key just consumed is "hits". A key refill could not keep
// is longer than any spelling of "hits".
func (t *transformer) isHitsKey() bool {
	r := &t.p.r
	if t.p.tokStart < 0 {
		return false
	}
	return KeyIs(r.buf[t.p.tokStart+1:r.pos-1], "hits")
}

// copyHit captures the value at pos, a hits.hits element, and routes fn's rewrite of it
// to the output in its place.
func (t *transformer) copyHit() error {
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
	if err := rt.rewrite(); err != nil {
		return fmt.Errorf("rewriting hit at offset %d: %w", t.hitOffset, err)
	}
	return nil
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
