package jsonstream

import (
	"fmt"
	"io"
)

const (
	// bufSize is the read buffer. Large enough that a big passthrough member costs one
	// Read and one Write per 32 KiB, small enough to pool per request.
	bufSize = 32 << 10
	// maxKeep bounds how much of an unfinished token, or of a member name awaiting its
	// value, a refill preserves. The names a plan acts on ("hits", "_routing", the
	// reserved fields) are at most 90 raw bytes even when every letter is \u-escaped, so
	// a longer name is known not to be one of them and need not be kept.
	maxKeep = 256
	// maxEmptyReads tolerates readers that return (0, nil) now and then, as io.Reader
	// allows, without spinning forever on one that always does.
	maxEmptyReads = 100
)

// reader is a window over the input: the whole document when it is already in memory,
// or a pooled buffer refilled from an io.Reader. Bytes leave the window only through
// refill, which first hands every consumed byte not yet routed to the router.
type reader struct {
	src    io.Reader // nil when buf holds the whole document
	rt     *router   // receives consumed bytes before refill drops them; nil in memory
	buf    []byte
	pos    int   // next byte to scan
	end    int   // buf[:end] holds input
	mark   int   // buf[mark:pos] is consumed but not yet routed
	keep   int   // start of the token being scanned, preserved by refill; -1 once dropped
	base   int64 // input offset of buf[0]
	rerr   error // read error to report once the buffered input is used up
	strict bool  // refuse invalid UTF-8 in strings (in-memory documents only)
}

func (r *reader) initBytes(doc []byte) {
	*r = reader{buf: doc, end: len(doc), keep: -1}
}

func (r *reader) initStream(src io.Reader, rt *router, buf []byte) {
	*r = reader{src: src, rt: rt, buf: buf, keep: -1}
}

// offset returns the input offset of the next byte to scan.
func (r *reader) offset() int64 { return r.base + int64(r.pos) }

func (r *reader) syntax(msg string) error {
	return &SyntaxError{Offset: r.offset(), Msg: msg}
}

// eofError turns the end of input met inside a token into a syntax error and passes
// read and routing errors through unchanged.
func (r *reader) eofError(err error) error {
	if err == io.EOF {
		return r.syntax(msgEOF)
	}
	return err
}

// refill makes at least one more byte available at buf[pos:end] or returns io.EOF or
// the error that stopped it. It is only called with pos == end.
func (r *reader) refill() error {
	if r.src == nil {
		return io.EOF
	}
	if r.rerr != nil {
		return r.rerr
	}
	if err := r.discard(); err != nil {
		return err
	}
	// Write what is pending before a read that may block, so output keeps pace with the
	// upstream instead of waiting for a batch to fill (STR-5).
	if err := r.rt.flush(); err != nil {
		return err
	}
	for range maxEmptyReads {
		n, err := r.src.Read(r.buf[r.end:])
		r.end += n
		if err != nil && err != io.EOF {
			err = fmt.Errorf("reading json: %w", err)
		}
		r.rerr = err
		if n > 0 {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// discard routes the consumed bytes and moves the preserved token prefix, if any, to the
// front of the buffer.
func (r *reader) discard() error {
	cut := r.end
	if r.keep >= 0 {
		if r.end-r.keep <= maxKeep {
			cut = r.keep
		} else {
			r.keep = -1
		}
	}
	if r.mark < cut {
		if err := r.rt.take(r.buf[r.mark:cut]); err != nil {
			return err
		}
		r.mark = cut
	}
	r.end = copy(r.buf, r.buf[cut:r.end])
	r.base += int64(cut)
	r.pos -= cut
	r.mark -= cut
	if r.keep >= 0 {
		r.keep -= cut
	}
	return nil
}

// cutByte routes the consumed bytes before pos and leaves the byte at pos out of the
// output.
func (r *reader) cutByte() error {
	if err := r.rt.take(r.buf[r.mark:r.pos]); err != nil {
		return err
	}
	r.mark = r.pos + 1
	return nil
}

// skipSpace consumes whitespace and returns the next byte without consuming it. At the
// end of input it returns io.EOF.
func (r *reader) skipSpace() (byte, error) {
	for {
		for r.pos < r.end {
			c := r.buf[r.pos]
			if c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
				return c, nil
			}
			r.pos++
		}
		if err := r.refill(); err != nil {
			return 0, err
		}
	}
}

// peek returns the next byte inside a token; the end of input there is a syntax error.
func (r *reader) peek() (byte, error) {
	if r.pos == r.end {
		if err := r.refill(); err != nil {
			return 0, r.eofError(err)
		}
	}
	return r.buf[r.pos], nil
}

// peekMaybe returns the next byte where a token may legitimately end: ok is false at
// the end of input.
func (r *reader) peekMaybe() (c byte, ok bool, err error) {
	if r.pos == r.end {
		if err := r.refill(); err != nil {
			if err == io.EOF {
				return 0, false, nil
			}
			return 0, false, err
		}
	}
	return r.buf[r.pos], true, nil
}
