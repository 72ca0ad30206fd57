package wire

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// maxChunks bounds the chunk loop; a 64 MiB body in 1-byte chunks would be
// absurd, and a peer that sends more is treated as broken.
const maxChunks = 1 << 24

// HasBody reports whether a response with this head carries a body.
func (h *Head) HasBody() bool {
	return h.Status == 0 || (h.Status >= 200 && h.Status != 204 && h.Status != 304)
}

// ReadBody consumes the body that h announces, calling visit (when not nil)
// with each piece as it passes through br's buffer, so nothing is held. It
// returns the number of body bytes. A response that has neither a length nor
// chunking runs to EOF and marks the head Close.
func ReadBody(br *bufio.Reader, h *Head, visit func([]byte)) (int64, error) {
	switch {
	case h.Chunked:
		return readChunked(br, visit)
	case h.ContentLength >= 0:
		return readN(br, h.ContentLength, visit)
	case h.Status == 0 || !h.HasBody():
		return 0, nil
	default:
		h.Close = true
		return readToEOF(br, visit)
	}
}

func readN(br *bufio.Reader, n int64, visit func([]byte)) (int64, error) {
	if visit == nil {
		d, err := br.Discard(int(n))
		if err != nil {
			return int64(d), fmt.Errorf("reading body: %w", unexpected(err))
		}
		return n, nil
	}
	var done int64
	for done < n {
		if br.Buffered() == 0 {
			if _, err := br.Peek(1); err != nil {
				return done, fmt.Errorf("reading body: %w", unexpected(err))
			}
		}
		take := int64(br.Buffered())
		if take > n-done {
			take = n - done
		}
		seg, _ := br.Peek(int(take))
		visit(seg)
		_, _ = br.Discard(int(take))
		done += take
	}
	return done, nil
}

func readChunked(br *bufio.Reader, visit func([]byte)) (int64, error) {
	var total int64
	for i := 0; i < maxChunks; i++ {
		line, err := readLine(br)
		if err != nil {
			return total, fmt.Errorf("reading chunk size: %w", unexpected(err))
		}
		size, ok := parseHex(line)
		if !ok {
			return total, fmt.Errorf("reading chunk size %q: %w", clip(line), ErrMalformed)
		}
		if size == 0 {
			return total, skipTrailers(br)
		}
		n, err := readN(br, size, visit)
		total += n
		if err != nil {
			return total, err
		}
		if crlf, err := readLine(br); err != nil || len(crlf) != 0 {
			return total, fmt.Errorf("reading chunk end: %w", ErrMalformed)
		}
	}
	return total, fmt.Errorf("reading chunks: more than %d: %w", maxChunks, ErrMalformed)
}

func skipTrailers(br *bufio.Reader) error {
	for i := 0; i < 256; i++ {
		line, err := readLine(br)
		if err != nil {
			return fmt.Errorf("reading trailers: %w", unexpected(err))
		}
		if len(line) == 0 {
			return nil
		}
	}
	return fmt.Errorf("reading trailers: more than 256: %w", ErrMalformed)
}

func readToEOF(br *bufio.Reader, visit func([]byte)) (int64, error) {
	var total int64
	// Each pass takes at least one byte; the cap matches the chunk loop's,
	// and the connection's deadline bounds the time.
	for i := 0; i < maxChunks; i++ {
		if _, err := br.Peek(1); err != nil {
			if errors.Is(err, io.EOF) {
				return total, nil
			}
			return total, fmt.Errorf("reading body to eof: %w", err)
		}
		seg, _ := br.Peek(br.Buffered())
		if visit != nil {
			visit(seg)
		}
		total += int64(len(seg))
		_, _ = br.Discard(len(seg))
	}
	return total, fmt.Errorf("reading body to eof: more than %d reads: %w", maxChunks, ErrMalformed)
}

// parseHex reads a chunk size, ignoring chunk extensions after ';'.
func parseHex(b []byte) (int64, bool) {
	var n int64
	digits := 0
	for _, c := range b {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		case c == ';' || c == ' ' || c == '\t':
			return n, digits > 0
		default:
			return 0, false
		}
		if digits++; digits > 15 {
			return 0, false
		}
		n = n<<4 | int64(v)
	}
	return n, digits > 0
}

// unexpected turns a clean EOF in the middle of a body into the error that
// says what happened: the peer hung up before the message was complete.
func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
