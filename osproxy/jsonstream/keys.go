package jsonstream

import (
	"bytes"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// KeyIs reports whether rawKey, a member name as Members yields it (between the quotes,
// escapes intact), equals name once unescaped, so that "\u005ftenant" is "_tenant".
// Escapes decode as encoding/json decodes them, an unpaired surrogate as U+FFFD. It does
// not allocate, and a key without escapes costs one comparison.
func KeyIs(rawKey []byte, name string) bool {
	if bytes.IndexByte(rawKey, '\\') < 0 {
		return string(rawKey) == name
	}
	// Unescaping never lengthens a key.
	if len(rawKey) < len(name) {
		return false
	}
	u := unescaper{raw: rawKey}
	for i := range len(name) {
		if b, ok := u.next(); !ok || b != name[i] {
			return false
		}
	}
	_, more := u.next()
	return !more
}

// KeyName is rawKey once unescaped, the name KeyIs compares: rawKey itself when it
// holds no escape, else decoded into scratch. ok is false for a name longer than
// scratch, which then equals none of the names a caller sized scratch for. A plan that
// tells many names apart unescapes once with KeyName and switches on the result,
// rather than calling KeyIs for each name it knows.
func KeyName(rawKey, scratch []byte) (name []byte, ok bool) {
	if bytes.IndexByte(rawKey, '\\') < 0 {
		return rawKey, true
	}
	n := 0
	u := unescaper{raw: rawKey}
	for {
		b, more := u.next()
		if !more {
			return scratch[:n], true
		}
		if n == len(scratch) {
			return nil, false
		}
		scratch[n] = b
		n++
	}
}

// compareKeys orders two raw member names by their unescaped bytes.
func compareKeys(a, b []byte) int {
	if bytes.IndexByte(a, '\\') < 0 && bytes.IndexByte(b, '\\') < 0 {
		return bytes.Compare(a, b)
	}
	ua, ub := unescaper{raw: a}, unescaper{raw: b}
	for {
		ca, oka := ua.next()
		cb, okb := ub.next()
		switch {
		case !oka && !okb:
			return 0
		case !oka:
			return -1
		case !okb:
			return 1
		case ca != cb:
			return int(ca) - int(cb)
		}
	}
}

// Unquote decodes a JSON string token, quotes included. Like the other in-memory helpers
// it refuses invalid UTF-8; escaped lone surrogates become U+FFFD.
func Unquote(rawString []byte) (string, error) {
	var r reader
	r.initBytes(rawString)
	r.strict = true
	if len(rawString) == 0 || rawString[0] != '"' {
		return "", r.syntax(msgNotString)
	}
	if err := r.scanString(); err != nil {
		return "", err
	}
	if r.pos != len(rawString) {
		return "", r.syntax(msgNotString)
	}
	body := rawString[1 : len(rawString)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		return string(body), nil
	}
	var sb strings.Builder
	sb.Grow(len(body))
	u := unescaper{raw: body}
	for b, ok := u.next(); ok; b, ok = u.next() {
		sb.WriteByte(b)
	}
	return sb.String(), nil
}

// unescaper yields the bytes of a raw string body after unescaping, one at a time, so
// that keys can be compared without building the decoded string. A malformed escape,
// which a validated document cannot contain, is yielded literally rather than panicking.
type unescaper struct {
	raw  []byte
	i    int
	pend [utf8.UTFMax]byte // the rest of a decoded escape's UTF-8 encoding
	np   int
	ip   int
}

func (u *unescaper) next() (byte, bool) {
	if u.ip < u.np {
		b := u.pend[u.ip]
		u.ip++
		return b, true
	}
	if u.i >= len(u.raw) {
		return 0, false
	}
	c := u.raw[u.i]
	if c != '\\' {
		u.i++
		return c, true
	}
	r, n := decodeEscape(u.raw[u.i:])
	if n == 0 {
		u.i++
		return c, true
	}
	u.i += n
	u.np, u.ip = utf8.EncodeRune(u.pend[:], r), 1
	return u.pend[0], true
}

// decodeEscape decodes the escape sequence at the start of b, returning the rune and the
// number of bytes it spans, or 0 if it is malformed. A surrogate pair is one escape; a
// surrogate without its partner is U+FFFD, exactly as encoding/json decodes it.
func decodeEscape(b []byte) (rune, int) {
	if len(b) < 2 {
		return 0, 0
	}
	switch b[1] {
	case '"', '\\', '/':
		return rune(b[1]), 2
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case 'u':
		r1 := hex4(b[2:])
		if r1 < 0 {
			return 0, 0
		}
		if !utf16.IsSurrogate(r1) {
			return r1, 6
		}
		if len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
			if r2 := hex4(b[8:]); r2 >= 0 {
				if dec := utf16.DecodeRune(r1, r2); dec != utf8.RuneError {
					return dec, 12
				}
			}
		}
		return utf8.RuneError, 6
	}
	return 0, 0
}

// hex4 decodes four hexadecimal digits, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		v := hexValue(c)
		if v < 0 {
			return -1
		}
		r = r<<4 | v
	}
	return r
}
