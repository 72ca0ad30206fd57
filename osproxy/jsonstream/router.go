package jsonstream

import (
	"fmt"
	"io"
)

const (
	// outLimit is the batch size of pending output: small pieces (the bytes between two
	// hits, a rewritten hit) are gathered so that a page of hits read at once costs a few
	// writes. The batch is also written before every read (see reader.refill).
	outLimit = 32 << 10
	// directWrite is the size from which passthrough bytes skip the batch and are written
	// straight from the read buffer, so a large member is copied once, not twice.
	directWrite = 4 << 10
	// keepHitCap and keepOutCap bound the buffers a pooled transformer keeps, so one
	// response with a huge hit does not pin that much memory for the life of the pool.
	keepHitCap = 1 << 20
	keepOutCap = 4 * outLimit
)

// router is the destination of consumed bytes: passthrough bytes go to the output, the
// bytes of a hit are captured until the hit is complete and rewritten.
type router struct {
	dst     io.Writer
	fn      CaptureFunc
	hitFn   HitFunc // used instead of fn when set (TransformHits)
	out     []byte  // pending output, written in batches
	hit     []byte  // the hit being captured, reused from hit to hit
	maxHit  int
	capture bool
	drop    bool // consumed bytes are left out of the output (a dropped member)
	written int64
}

// take routes b, consumed input, to the hit being captured or to the output.
func (rt *router) take(b []byte) error {
	if rt.drop {
		return nil
	}
	if !rt.capture {
		return rt.pass(b)
	}
	if len(rt.hit)+len(b) > rt.maxHit {
		return ErrHitTooLarge
	}
	rt.hit = append(rt.hit, b...)
	return nil
}

// pass queues b for output, or writes it directly when it is large.
func (rt *router) pass(b []byte) error {
	if len(b) < directWrite && len(rt.out)+len(b) <= outLimit {
		rt.out = append(rt.out, b...)
		return nil
	}
	if err := rt.flush(); err != nil {
		return err
	}
	if len(b) < directWrite {
		rt.out = append(rt.out, b...)
		return nil
	}
	return rt.write(b)
}

// rewrite hands the captured value to fn and queues its output.
func (rt *router) rewrite(state uint8) error {
	var out []byte
	var err error
	if rt.hitFn != nil {
		out, err = rt.hitFn(rt.out, rt.hit)
	} else {
		out, err = rt.fn(rt.out, state, rt.hit)
	}
	rt.hit = rt.hit[:0]
	if err != nil {
		return err
	}
	rt.out = out
	if len(rt.out) >= outLimit {
		return rt.flush()
	}
	return nil
}

func (rt *router) flush() error {
	if len(rt.out) == 0 {
		return nil
	}
	err := rt.write(rt.out)
	rt.out = rt.out[:0]
	return err
}

func (rt *router) write(b []byte) error {
	n, err := rt.dst.Write(b)
	rt.written += int64(n)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return fmt.Errorf("writing json: %w", err)
	}
	return nil
}

// release drops references to the caller's values and oversized buffers before the
// router goes back to the pool.
func (rt *router) release() {
	rt.dst, rt.fn, rt.hitFn = nil, nil, nil
	rt.capture, rt.drop = false, false
	if cap(rt.hit) > keepHitCap {
		rt.hit = nil
	}
	if cap(rt.out) > keepOutCap {
		rt.out = nil
	}
	rt.hit, rt.out = rt.hit[:0], rt.out[:0]
}
