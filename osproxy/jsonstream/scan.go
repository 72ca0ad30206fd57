package jsonstream

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// SWAR constants: the same byte repeated in every lane of a uint64.
const (
	lanes01 = 0x0101010101010101
	lanes80 = 0x8080808080808080
)

// stringSpan returns the length of the prefix of b that a string scanner may skip: bytes
// that are neither '"', '\\' nor a control character. Strings are where the bulk of a
// response lies (a 64 MiB aggregation is one string), so it tests eight bytes per step.
func stringSpan(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if m := stringStops(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c == '"' || c == '\\' {
			return i
		}
	}
	return len(b)
}

// stringStops marks the lanes of x, eight bytes of a string body in little-endian order,
// that hold '"', '\\' or a control character; only the lowest mark is exact.
//
// For each lane, (x - k) &^ x & 0x80 is set when the lane is below k (k <= 0x80). A
// borrow can only mark lanes above a lane that is genuinely marked, so the lowest marked
// lane, which is all that is used, is exact. Flipping bit 1 maps '"' (0x22) to 0x20 and
// keeps every control character below 0x20 and every other byte at or above 0x21, so one
// test "below 0x21" finds both; '\\' is "below 1" after an XOR.
func stringStops(x uint64) uint64 {
	q := x ^ (lanes01 * 0x02)
	s := x ^ (lanes01 * '\\')
	return (((q - lanes01*0x21) &^ q) | ((s - lanes01) &^ s)) & lanes80
}

// scanString consumes the string token whose opening quote is at pos.
func (r *reader) scanString() error {
	start := r.pos
	r.pos++
	for {
		r.pos += stringSpan(r.buf[r.pos:r.end])
		if r.pos == r.end {
			if err := r.refill(); err != nil {
				return r.eofError(err)
			}
			continue
		}
		switch r.buf[r.pos] {
		case '"':
			r.pos++
			// In memory the whole token is still at buf[start:pos]; streams never set strict.
			if r.strict && !utf8.Valid(r.buf[start:r.pos]) {
				r.pos = start
				return r.syntax(msgUTF8)
			}
			return nil
		case '\\':
			if err := r.scanEscape(); err != nil {
				return err
			}
		default:
			return r.syntax(msgControl)
		}
	}
}

// scanEscape consumes the escape sequence whose backslash is at pos. Any \uXXXX is
// accepted, lone surrogates included, as encoding/json does.
func (r *reader) scanEscape() error {
	r.pos++
	c, err := r.peek()
	if err != nil {
		return err
	}
	switch c {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		r.pos++
		return nil
	case 'u':
		r.pos++
		for range 4 {
			c, err := r.peek()
			if err != nil {
				return err
			}
			if hexValue(c) < 0 {
				return r.syntax(msgEscape)
			}
			r.pos++
		}
		return nil
	}
	return r.syntax(msgEscape)
}

// scanNumber consumes a number whose first byte ('-' or a digit) is at pos. Only the
// number's own grammar is checked here; whatever follows it (as in "01" or "1x") is left
// for the parser, which refuses it as a missing separator.
func (r *reader) scanNumber() error {
	if r.buf[r.pos] == '-' {
		r.pos++
	}
	c, err := r.peek()
	if err != nil {
		return err
	}
	if c == '0' {
		r.pos++
	} else if err := r.scanDigits(); err != nil {
		return err
	}
	c, ok, err := r.peekMaybe()
	if err != nil || !ok {
		return err
	}
	if c == '.' {
		r.pos++
		if err := r.scanDigits(); err != nil {
			return err
		}
		if c, ok, err = r.peekMaybe(); err != nil || !ok {
			return err
		}
	}
	if c != 'e' && c != 'E' {
		return nil
	}
	r.pos++
	if c, err = r.peek(); err != nil {
		return err
	}
	if c == '+' || c == '-' {
		r.pos++
	}
	return r.scanDigits()
}

// scanDigits consumes one or more decimal digits.
func (r *reader) scanDigits() error {
	c, err := r.peek()
	if err != nil {
		return err
	}
	if !isDigit(c) {
		return r.syntax(msgNumber)
	}
	for {
		for r.pos < r.end && isDigit(r.buf[r.pos]) {
			r.pos++
		}
		if r.pos < r.end {
			return nil
		}
		if _, ok, err := r.peekMaybe(); err != nil || !ok {
			return err
		}
	}
}

// scanLiteral consumes word (true, false or null), whose first byte is at pos.
func (r *reader) scanLiteral(word string) error {
	for i := range len(word) {
		c, err := r.peek()
		if err != nil {
			return err
		}
		if c != word[i] {
			return r.syntax(msgLiteral)
		}
		r.pos++
	}
	return nil
}

// isDigit reports whether c is a decimal digit.
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// hexValue returns the value of a hexadecimal digit, or -1.
func hexValue(c byte) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10)
	case c >= 'A' && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}
