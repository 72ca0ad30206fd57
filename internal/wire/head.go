package wire

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
)

// ErrMalformed reports a start line or header the reader cannot frame.
var ErrMalformed = errors.New("malformed http message")

// Head holds what a reader needs from a message head to find the end of the
// body and to decide whether the connection survives the exchange.
type Head struct {
	// Status is the response status code; zero for requests.
	Status int
	// Method and Target are set for requests only.
	Method, Target []byte
	// ContentLength is -1 when the message declares none.
	ContentLength int64
	Chunked       bool
	// Close reports whether either side asked to close after this exchange.
	Close bool
	// ExpectContinue reports an "Expect: 100-continue" request header.
	ExpectContinue bool

	// scratch keeps the request line across header reads; it is reused from
	// one message to the next so a long-lived connection allocates nothing.
	scratch []byte
}

// ReadResponseHead reads a status line and headers.
func ReadResponseHead(br *bufio.Reader, h *Head) error {
	line, err := readLine(br)
	if err != nil {
		return err
	}
	// "HTTP/1.1 200 OK": the code sits in bytes 9..11 for every HTTP/1.x line.
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return fmt.Errorf("reading status line %q: %w", clip(line), ErrMalformed)
	}
	code := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return fmt.Errorf("reading status code %q: %w", clip(line), ErrMalformed)
		}
		code = code*10 + int(c-'0')
	}
	*h = Head{Status: code, ContentLength: -1, Close: line[7] == '0'}
	return readHeaders(br, h)
}

// ReadRequestHead reads a request line and headers. Method and Target stay
// valid until the next call with the same Head.
func ReadRequestHead(br *bufio.Reader, h *Head) error {
	line, err := readLine(br)
	if err != nil {
		return err
	}
	sp1 := bytes.IndexByte(line, ' ')
	sp2 := bytes.LastIndexByte(line, ' ')
	if sp1 <= 0 || sp2 <= sp1 {
		return fmt.Errorf("reading request line %q: %w", clip(line), ErrMalformed)
	}
	// The line aliases br's buffer, which the header reads below may refill,
	// so it is copied into the reusable scratch space first.
	scratch := append(h.scratch[:0], line...)
	*h = Head{ContentLength: -1, scratch: scratch}
	h.Method, h.Target = scratch[:sp1], scratch[sp1+1:sp2]
	h.Close = bytes.Equal(scratch[sp2+1:], []byte("HTTP/1.0"))
	return readHeaders(br, h)
}

func readHeaders(br *bufio.Reader, h *Head) error {
	// The loop is bounded by the header count a sane peer sends.
	for i := 0; i < 256; i++ {
		line, err := readLine(br)
		if err != nil {
			return err
		}
		if len(line) == 0 {
			return nil
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return fmt.Errorf("reading header %q: %w", clip(line), ErrMalformed)
		}
		if err := applyHeader(h, line[:colon], bytes.TrimSpace(line[colon+1:])); err != nil {
			return err
		}
	}
	return fmt.Errorf("reading headers: more than 256: %w", ErrMalformed)
}

func applyHeader(h *Head, name, value []byte) error {
	switch {
	case bytes.EqualFold(name, []byte("Content-Length")):
		n, ok := parseDecimal(value)
		if !ok {
			return fmt.Errorf("reading content-length %q: %w", clip(value), ErrMalformed)
		}
		h.ContentLength = n
	case bytes.EqualFold(name, []byte("Transfer-Encoding")):
		h.Chunked = containsFold(value, "chunked")
	case bytes.EqualFold(name, []byte("Connection")):
		if containsFold(value, "close") {
			h.Close = true
		} else if containsFold(value, "keep-alive") {
			h.Close = false
		}
	case bytes.EqualFold(name, []byte("Expect")):
		h.ExpectContinue = containsFold(value, "100-continue")
	}
	return nil
}

// readLine returns one line without its CRLF. The slice aliases br's buffer.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("reading line longer than the buffer: %w", ErrMalformed)
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func containsFold(haystack []byte, needle string) bool {
	n := len(needle)
	for i := 0; i+n <= len(haystack); i++ {
		if bytes.EqualFold(haystack[i:i+n], []byte(needle)) {
			return true
		}
	}
	return false
}

// clip keeps error messages short when a peer sends garbage.
func clip(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
