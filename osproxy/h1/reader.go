package h1

import (
	"bytes"
	"io"
	"sync"
)

// Buffer sizes. A connection borrows a small buffer while a message is in
// flight and gives it back when nothing is buffered, so an idle keep-alive
// connection holds none; only a head longer than small borrows a large one.
const (
	small = 4 << 10
	large = 68 << 10 // the largest head limit plus room for the bytes after it
)

var (
	smallBufs = sync.Pool{New: func() any { b := make([]byte, small); return &b }}
	largeBufs = sync.Pool{New: func() any { b := make([]byte, large); return &b }}
)

// Reader buffers a connection's input. Its zero value is not usable; call Reset.
type Reader struct {
	src  io.Reader
	buf  *[]byte // nil while released
	r, w int     // (*buf)[r:w] is buffered input
	scan int     // where ReadHead resumes looking for the empty line
	err  error   // read error, reported once the buffered bytes are used up
}

// NewReader returns a Reader of src.
func NewReader(src io.Reader) *Reader {
	b := &Reader{}
	b.Reset(src)
	return b
}

// Reset discards everything buffered and reads from src from now on.
func (b *Reader) Reset(src io.Reader) {
	b.release()
	*b = Reader{src: src}
}

// Buffered returns how many bytes can be read without touching the source.
func (b *Reader) Buffered() int { return b.w - b.r }

// Release returns the buffer to its pool when nothing is buffered, so that a
// connection waiting for its next message holds no buffer.
func (b *Reader) Release() {
	if b.r == b.w {
		b.release()
	}
}

func (b *Reader) release() {
	if b.buf == nil {
		return
	}
	if len(*b.buf) == small {
		smallBufs.Put(b.buf)
	} else {
		largeBufs.Put(b.buf)
	}
	b.buf, b.r, b.w, b.scan = nil, 0, 0, 0
}

// ReadHead returns one message head, from its first byte through the empty
// line that ends it, without the line ends' validation (the parsers do that).
// A head longer than limit bytes is ErrHeadTooLarge. The slice is valid until
// the next call on b. At a clean end of input before any byte it returns io.EOF.
func (b *Reader) ReadHead(limit int) ([]byte, error) {
	for {
		if end := b.headEnd(); end > limit {
			return nil, errHeadTooLarge
		} else if end > 0 {
			head := (*b.buf)[b.r : b.r+end]
			b.r += end
			b.scan = 0
			return head, nil
		}
		if b.w-b.r > limit {
			return nil, errHeadTooLarge
		}
		if err := b.fill(limit); err != nil {
			if err == io.EOF && b.w > b.r {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

// BufferedHead returns a head that is already complete in the buffer, or
// nil when more input is needed; it never reads. The slice is valid until
// the next call on b.
func (b *Reader) BufferedHead(limit int) ([]byte, error) {
	switch end := b.headEnd(); {
	case end > limit:
		return nil, errHeadTooLarge
	case end > 0:
		head := (*b.buf)[b.r : b.r+end]
		b.r += end
		b.scan = 0
		return head, nil
	}
	return nil, nil
}

// errHeadTooLarge is returned by ReadHead; parsers map it to their refusal.
var errHeadTooLarge = &Error{Status: 431, Code: CodeHeaderTooLarge, Rule: "HTTP-4",
	Reason: "the request head exceeds the size limit"}

// headEnd returns the length of the head at the start of the buffered bytes
// (through its empty line, "\n\n" or "\n\r\n"), or 0 if it is not complete.
func (b *Reader) headEnd() int {
	if b.buf == nil {
		return 0
	}
	p := (*b.buf)[b.r:b.w]
	for i := b.scan; ; {
		j := bytes.IndexByte(p[i:], '\n')
		if j < 0 {
			b.scan = len(p)
			return 0
		}
		i += j + 1
		switch {
		case i < len(p) && p[i] == '\n':
			return i + 1
		case i+1 < len(p) && p[i] == '\r' && p[i+1] == '\n':
			return i + 2
		case i+1 >= len(p):
			// The empty line may still be arriving: look at this line end again.
			b.scan = i - 1
			return 0
		}
	}
}

// fill reads more input, growing the buffer to hold a head of up to limit
// bytes. It returns the source's error only when it read nothing.
func (b *Reader) fill(limit int) error {
	if b.err != nil {
		return b.err
	}
	if b.buf == nil {
		b.buf = smallBufs.Get().(*[]byte)
	}
	buf := *b.buf
	if b.w == len(buf) {
		switch {
		case b.r > 0:
			b.w = copy(buf, buf[b.r:b.w])
			b.r = 0
		case len(buf) == small && limit > small:
			big := largeBufs.Get().(*[]byte)
			b.w = copy(*big, buf[:b.w])
			smallBufs.Put(b.buf)
			b.buf, buf = big, *big
		default:
			return errHeadTooLarge
		}
	}
	n, err := b.src.Read(buf[b.w:])
	b.w += n
	if n > 0 {
		if err != nil && !isTimeout(err) {
			b.err = err
		}
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	if !isTimeout(err) {
		// A deadline is the caller's to move: reading may go on after it.
		b.err = err
	}
	return err
}

func isTimeout(err error) bool {
	t, ok := err.(interface{ Timeout() bool })
	return ok && t.Timeout()
}

// Read reads body bytes: buffered ones first, then from the source, directly
// when p is at least as large as the buffer.
func (b *Reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if b.r == b.w {
		if b.err != nil {
			return 0, b.err
		}
		if b.buf == nil || len(p) >= len(*b.buf) {
			n, err := b.src.Read(p)
			if n == 0 && err == nil {
				err = io.ErrNoProgress
			}
			return n, err
		}
		b.r, b.w = 0, 0
		if err := b.fill(0); err != nil {
			return 0, err
		}
	}
	n := copy(p, (*b.buf)[b.r:b.w])
	b.r += n
	return n, nil
}

// Peek returns every buffered byte without consuming it, reading once from the
// source when nothing is buffered. The slice is valid until the next call on b.
func (b *Reader) Peek() ([]byte, error) {
	if b.r == b.w {
		if b.err != nil {
			return nil, b.err
		}
		b.r, b.w = 0, 0
		if err := b.fill(0); err != nil {
			return nil, err
		}
	}
	return (*b.buf)[b.r:b.w], nil
}

// Discard consumes n buffered bytes; n must not exceed Buffered.
func (b *Reader) Discard(n int) { b.r += n }

// ReadLine returns the next line through its "\n", at most limit bytes long,
// for chunk-size lines and trailers. The slice is valid until the next call.
func (b *Reader) ReadLine(limit int) ([]byte, error) {
	for {
		if b.buf != nil {
			p := (*b.buf)[b.r:b.w]
			if i := bytes.IndexByte(p, '\n'); i >= 0 {
				if i >= limit {
					return nil, ErrBodyFraming
				}
				b.r += i + 1
				return p[:i+1], nil
			}
			if len(p) >= limit {
				return nil, ErrBodyFraming
			}
		}
		if err := b.fill(0); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

// Feed puts p in front of the buffered input; the buffer must be empty.
// A server that read ahead while watching for the client's close hands the
// bytes back this way.
func (b *Reader) Feed(p []byte) {
	if b.buf == nil {
		b.buf = smallBufs.Get().(*[]byte)
	}
	b.r, b.w, b.scan = 0, copy(*b.buf, p), 0
}

// LongFirstLine reports whether the buffered input's first line is longer
// than n bytes, for telling an overlong request line from an overlong head.
func (b *Reader) LongFirstLine(n int) bool {
	if b.buf == nil {
		return false
	}
	p := (*b.buf)[b.r:b.w]
	i := bytes.IndexByte(p, '\n')
	return i > n || i < 0 && len(p) > n
}

// buffered returns the buffered bytes without consuming them.
func (b *Reader) buffered() []byte {
	if b.buf == nil {
		return nil
	}
	return (*b.buf)[b.r:b.w]
}
