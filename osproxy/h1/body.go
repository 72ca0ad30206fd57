package h1

import (
	"bytes"
	"io"
)

// Limits of chunked framing (HTTP-7).
const (
	maxChunkLine    = 4 << 10 // a chunk-size line with its extensions
	maxTrailerLines = MaxFields
)

// Body reads one message body from a Reader: a declared length, chunked, or
// (responses only) everything until the connection closes. Its zero value
// is an empty body.
type Body struct {
	r       *Reader
	left    int64 // bytes left in the body or in the current chunk
	chunked bool
	toEOF   bool  // delimited by the end of the connection
	state   uint8 // chunked: what comes next
	err     error // sticky: io.EOF once complete
}

const (
	chunkSize uint8 = iota // a chunk-size line
	chunkData              // chunk data (left bytes)
	chunkEnd               // the CRLF after chunk data
)

// Reset makes b read a body from r: length bytes, or chunked, or until the
// end of input when length is negative and not chunked.
func (b *Body) Reset(r *Reader, length int64, chunked bool) {
	*b = Body{r: r, left: length, chunked: chunked, toEOF: !chunked && length < 0}
	if !chunked && length == 0 {
		b.err = io.EOF
	}
}

// Complete reports whether the body was read to its clean end, so the
// connection can carry another message.
func (b *Body) Complete() bool { return b.err == io.EOF && !b.toEOF }

// Read reads body bytes. A body cut short is io.ErrUnexpectedEOF or
// ErrTruncated; a chunked body that breaks its framing is ErrBodyFraming.
func (b *Body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.chunked && b.state != chunkData {
		if b.err = b.nextChunk(); b.err != nil {
			return 0, b.err
		}
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !b.toEOF && int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	switch {
	case b.toEOF:
		b.err = err
		return n, err
	case err == io.EOF:
		err = io.ErrUnexpectedEOF
	}
	b.left -= int64(n)
	if b.left == 0 {
		if b.chunked {
			b.state = chunkEnd
		} else {
			b.err = io.EOF
		}
		if n > 0 {
			return n, nil
		}
	}
	if err != nil {
		b.err = err
	}
	return n, err
}

// nextChunk reads up to the next chunk's data, or to the end of the body.
func (b *Body) nextChunk() error {
	if b.state == chunkEnd {
		line, err := b.r.ReadLine(3)
		if err != nil {
			return framingError(err)
		}
		if string(line) != "\r\n" {
			return ErrBodyFraming
		}
		b.state = chunkSize
	}
	line, err := b.r.ReadLine(maxChunkLine)
	if err != nil {
		return framingError(err)
	}
	size, ok := parseChunkLine(line)
	if !ok {
		return ErrBodyFraming
	}
	if size == 0 {
		if err := b.skipTrailer(); err != nil {
			return err
		}
		return io.EOF
	}
	b.left, b.state = size, chunkData
	return nil
}

// parseChunkLine reads "size [; extensions] CRLF": one to sixteen hex digits,
// then nothing but extensions without control bytes (HTTP-7).
func parseChunkLine(line []byte) (int64, bool) {
	n := len(line)
	if n < 3 || line[n-2] != '\r' {
		return 0, false
	}
	line = line[:n-2]
	var size int64
	i := 0
	for ; i < len(line) && i <= 16; i++ {
		d := hexDigit(line[i])
		if d < 0 {
			break
		}
		size = size<<4 | int64(d)
	}
	if i == 0 || i > 16 || size < 0 {
		return 0, false
	}
	if i < len(line) {
		if line[i] != ';' {
			return 0, false
		}
		for _, c := range line[i+1:] {
			if (c < ' ' && c != '\t') || c == 0x7f {
				return 0, false
			}
		}
	}
	return size, true
}

func hexDigit(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// skipTrailer reads the trailer section, which must hold well-formed field
// lines, and discards it: trailer fields are not forwarded (HTTP-7).
func (b *Body) skipTrailer() error {
	for range maxTrailerLines + 1 {
		line, err := b.r.ReadLine(maxChunkLine)
		if err != nil {
			return framingError(err)
		}
		if string(line) == "\r\n" {
			return nil
		}
		l := string(line)
		if _, _, e := nextLine(l); e != nil {
			return ErrBodyFraming
		}
		if _, e := parseField(l[:len(l)-2]); e != nil {
			return ErrBodyFraming
		}
	}
	return ErrBodyFraming
}

// framingError keeps read errors and turns a framing failure of ReadLine into
// ErrBodyFraming.
func framingError(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Available reports whether a Read can return data without waiting for the
// source: body bytes are buffered (past any chunk framing), or the body is
// over.
func (b *Body) Available() bool {
	switch {
	case b.err != nil:
		return true
	case b.toEOF || !b.chunked || b.state == chunkData:
		return b.r.Buffered() > 0
	}
	p := b.r.buffered()
	if b.state == chunkEnd {
		if len(p) < 2 {
			return false
		}
		p = p[2:]
	}
	i := bytes.IndexByte(p, '\n')
	return i >= 0 && (i+1 < len(p) || string(p[:i+1]) == "0\r\n")
}
