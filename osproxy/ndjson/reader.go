package ndjson

import (
	"bytes"
	"errors"
	"io"
)

var (
	// ErrLineTooLong reports a line longer than the reader's limit. The line has been
	// skipped: the next call reads the line after it.
	ErrLineTooLong = errors.New("ndjson: line too long")
	// ErrBlankLine reports an empty (or white-space only) line. Bodies whose lines come
	// in pairs would be read out of step by one parser and in step by another, so a
	// blank line is an error rather than something to skip.
	ErrBlankLine = errors.New("ndjson: blank line")
	// ErrNoFinalNewline reports a body whose last line does not end with a newline, as
	// OpenSearch requires of _bulk and _msearch bodies.
	ErrNoFinalNewline = errors.New("ndjson: the body must end with a newline")
)

// Reader reads lines from an io.Reader through one buffer that never grows past the
// line limit.
type Reader struct {
	src        io.Reader
	buf        []byte
	start, end int   // buf[start:end] is read but not yet returned
	max        int   // the longest line returned
	err        error // the source's error, reported once the buffer is used up
	line       int   // lines returned or skipped so far
}

// NewReader returns a Reader of lines of at most max bytes (without the newline).
func NewReader(src io.Reader, max int) *Reader {
	size := 32 << 10
	if max+1 < size {
		size = max + 1
	}
	return &Reader{src: src, buf: make([]byte, size), max: max}
}

// Line returns the number of the line the last Next call returned or failed on,
// counting from 1.
func (r *Reader) Line() int { return r.line }

// Ready reports whether n more lines are already in the buffer, so that reading them
// will not wait on the source.
func (r *Reader) Ready(n int) bool {
	b := r.buf[r.start:r.end]
	for ; n > 0; n-- {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return false
		}
		b = b[i+1:]
	}
	return true
}

// Next returns the next line, without its newline or a trailing carriage return. The
// slice is valid until the next call. At the end of the body it returns io.EOF.
func (r *Reader) Next() ([]byte, error) {
	for {
		if i := bytes.IndexByte(r.buf[r.start:r.end], '\n'); i >= 0 {
			line := r.buf[r.start : r.start+i]
			r.start += i + 1
			r.line++
			return r.checked(line)
		}
		if r.end-r.start > r.max {
			r.line++
			return nil, r.skipLine()
		}
		if r.err != nil {
			if r.start == r.end && r.err == io.EOF {
				return nil, io.EOF
			}
			if r.err == io.EOF {
				r.line++
				r.start = r.end
				return nil, ErrNoFinalNewline
			}
			return nil, r.err
		}
		r.fill()
	}
}

func (r *Reader) checked(line []byte) ([]byte, error) {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if len(line) > r.max {
		return nil, ErrLineTooLong
	}
	if len(bytes.TrimSpace(line)) == 0 {
		return nil, ErrBlankLine
	}
	return line, nil
}

// fill moves what is pending to the front and reads more.
func (r *Reader) fill() {
	if r.start > 0 {
		r.end = copy(r.buf, r.buf[r.start:r.end])
		r.start = 0
	}
	if r.end == len(r.buf) {
		// The buffer holds no newline and is smaller than the limit allows: grow it,
		// never beyond the limit plus the newline.
		grown := make([]byte, min(2*len(r.buf), r.max+1))
		r.end = copy(grown, r.buf[:r.end])
		r.buf = grown
	}
	n, err := r.src.Read(r.buf[r.end:])
	r.end += n
	if err != nil {
		r.err = err
	}
}

// skipLine discards the rest of an overlong line.
func (r *Reader) skipLine() error {
	for {
		if i := bytes.IndexByte(r.buf[r.start:r.end], '\n'); i >= 0 {
			r.start += i + 1
			return ErrLineTooLong
		}
		r.start, r.end = 0, 0
		if r.err != nil {
			if r.err == io.EOF {
				return ErrNoFinalNewline
			}
			return r.err
		}
		n, err := r.src.Read(r.buf)
		r.end = n
		if err != nil {
			r.err = err
		}
	}
}
