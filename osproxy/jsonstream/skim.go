package jsonstream

import (
	"encoding/binary"
	"math/bits"
)

// skipValue consumes the value whose first byte advance returned, validating it exactly
// as a walk with next would. It exists for speed: the transform has nothing to do inside
// most values (an aggregation, a hit being captured), and going through next for each of
// their tokens costs several times more than scanning them. So skim consumes the common
// tokens in one tight loop, and every other token, whether it is unusual (an escape, an
// exponent), crosses the end of the buffer or is malformed, takes one step through next.
// Every error therefore still comes from next, with its offset and message.
func (p *parser) skipValue() error {
	base := p.stack.depth
	// advance returned a value, so in stArrFirst it is not ']' and the states agree.
	p.state = stValue
	for !p.skim(base) {
		if _, err := p.next(); err != nil {
			return err
		}
		// skim stops at depth base only before the value's first token, so back at base
		// after a step the value is complete.
		if p.stack.depth == base {
			return nil
		}
	}
	return nil
}

// skim consumes tokens of the value that began at depth base for as long as each is of a
// common shape, lies wholly in the buffer and is where the grammar allows it, and
// reports whether that value is complete. Otherwise it stops at the start of the token
// it did not take (or at the end of the buffer) with pos, state and depth saying what
// comes next, exactly as next would have left them.
//
// It is a state machine of four places, jumped between with goto: a member name, the
// colon after it, a value, and what follows a value (a comma or a closing bracket).
// Each place tests first for the byte that usually comes there, so a token costs one
// comparison to find and no dispatch on a state variable; white space is looked for
// only when the usual byte is not there. Position, depth and whether the innermost
// container is an object live in locals, so the loop runs in registers, and st is
// written only where a jump changes what the grammar expects, for the exit.
//
// It is longer than the 60 lines the house style allows, on purpose: the places must
// share one frame to jump between them, and a call per token costs more than the
// scanning itself on a token-dense aggregation.
func (p *parser) skim(base int) bool {
	r, s := &p.r, &p.stack
	b, i, st, depth := r.buf[:r.end], r.pos, p.state, s.depth
	// Pathological nesting is left to next, and so are in-memory documents, whose strings
	// must also be valid UTF-8, which skim does not check.
	if depth > inlineLevels || r.strict {
		return false
	}
	obj := depth > 0 && s.isInlineObject(depth-1)
	switch st {
	case stValue, stArrFirst:
		goto value
	case stObjFirst, stKey:
		goto name
	case stObjNext, stArrNext:
		goto after
	case stColon:
		goto colon
	}
	goto stop

name: // st is stObjFirst or stKey
	if i < len(b) {
		switch c := b[i]; {
		case c == '"':
			if j := quickStop(b, i); j >= 0 && b[j] == '"' {
				i, st = j+1, stColon
				goto colon
			}
		case c == '}' && st == stObjFirst:
			goto closing
		case isSpace(c):
			i = skipSpace(b, i)
			goto name
		}
	}
	goto stop

colon: // st is stColon
	if i < len(b) {
		if c := b[i]; c == ':' {
			i, st = i+1, stValue
			goto value
		} else if isSpace(c) {
			i = skipSpace(b, i)
			goto colon
		}
	}
	goto stop

value: // st is stValue or stArrFirst
	if i == len(b) {
		goto stop
	}
	switch c := b[i]; {
	case c == '"':
		j := quickStop(b, i)
		if j < 0 || b[j] != '"' {
			goto stop
		}
		i = j + 1
	case c == '{' || c == '[':
		// Deeper containers are left to next, which checks the depth limit and grows
		// the stack.
		if depth >= inlineLevels || depth >= p.maxDepth {
			goto stop
		}
		obj = c == '{'
		s.setInline(depth, obj)
		i, depth = i+1, depth+1
		if obj {
			st = stObjFirst
			goto name
		}
		st = stArrFirst
		goto value
	case c == ']' && st == stArrFirst:
		goto closing
	default:
		n := uintLen(b, i) // numberLen, inlined by hand
		if n > 0 && b[i+n] == '.' {
			n = fractionLen(b, i, i+n)
		}
		// Literals and negative numbers are common, but less so, and so is space.
		if n == 0 {
			if isSpace(c) {
				i = skipSpace(b, i)
				goto value
			}
			if n = scalarLen(b, i); n == 0 {
				goto stop
			}
		}
		i += n
	}

after: // a value is complete: a scalar, or a container that just closed
	if depth == base {
		r.pos, s.depth = i, depth
		p.afterValue()
		return true
	}
	if i < len(b) {
		switch c := b[i]; {
		case c == ',':
			i++
			if obj {
				st = stKey
				goto name
			}
			st = stValue
			goto value
		case c == '}' && obj, c == ']' && !obj:
			goto closing
		case isSpace(c):
			i = skipSpace(b, i)
			goto after
		}
	}
	st = nextAfterValue(obj)
	goto stop

closing: // b[i] closes the innermost container
	i, depth = i+1, depth-1
	obj = depth > 0 && s.isInlineObject(depth-1)
	goto after

stop:
	r.pos, p.state, s.depth = i, st, depth
	return false
}

// skipSpace returns the index of the first byte at or after i in b that is not
// whitespace, or len(b).
func skipSpace(b []byte, i int) int {
	// Compact JSON has no whitespace at all: one test settles the common case.
	if i < len(b) && b[i] > ' ' {
		return i
	}
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// isSpace reports whether c is JSON whitespace.
func isSpace(c byte) bool { return c <= ' ' && (c == ' ' || c == '\n' || c == '\r' || c == '\t') }

// nextAfterValue is what follows a value inside an object or an array.
func nextAfterValue(obj bool) state {
	if obj {
		return stObjNext
	}
	return stArrNext
}

// quickStop returns the index of the first '"', '\\' or control character after b[i],
// or -1 if there is none in b or too few bytes remain to look eight at a time. Where it
// finds '"', the string has neither escapes nor control characters and ends there.
func quickStop(b []byte, i int) int {
	for j := i + 1; j+8 <= len(b); j += 8 {
		if m := stringStops(binary.LittleEndian.Uint64(b[j : j+8])); m != 0 {
			return j + bits.TrailingZeros64(m)>>3
		}
	}
	return -1
}

// scalarLen returns the length of the literal or negative number at b[i] if it is of a
// common shape and provably ends in b, or 0. It is the rarer half of the scalars skim
// takes, kept out of the loop.
func scalarLen(b []byte, i int) int {
	switch b[i] {
	case 't':
		return literalLen(b[i:], "true")
	case 'f':
		return literalLen(b[i:], "false")
	case 'n':
		return literalLen(b[i:], "null")
	case '-':
		if n := numberLen(b, i+1); n > 0 {
			return 1 + n
		}
	}
	return 0
}

// numberLen returns the length of the non-negative number at b[i] if it is an integer
// or decimal fraction of at most seven digits either side of the point, without
// exponent, that provably ends in b; or 0. Its digits are counted eight at a time,
// without a branch per digit. skim has it inlined, as uintLen and fractionLen.
func numberLen(b []byte, i int) int {
	n := uintLen(b, i)
	if n > 0 && b[i+n] == '.' {
		n = fractionLen(b, i, i+n)
	}
	return n
}

// uintLen returns the length of the integer at b[i] if it is non-negative, of at most
// seven digits, without a leading zero and provably not followed by more of a number
// other than a fraction; or 0.
func uintLen(b []byte, i int) int {
	if len(b)-i < 18 {
		return 0
	}
	n := digitLanes(binary.LittleEndian.Uint64(b[i : i+8]))
	if n == 8 || (n > 1 && b[i] == '0') || b[i+n]|0x20 == 'e' {
		return 0
	}
	return n
}

// fractionLen returns the length of a number whose integer part, validated by uintLen,
// ends at the decimal point b[j], if its fraction has one to seven digits and no
// exponent; or 0. uintLen has checked that the bytes it reads are in b.
func fractionLen(b []byte, i, j int) int {
	m := digitLanes(binary.LittleEndian.Uint64(b[j+1 : j+9]))
	if m == 0 || m == 8 || b[j+1+m]|0x20 == 'e' {
		return 0
	}
	return j + 1 + m - i
}

// literalLen returns len(word) if b starts with it, or 0.
func literalLen(b []byte, word string) int {
	if len(b) >= len(word) && string(b[:len(word)]) == word {
		return len(word)
	}
	return 0
}

// digitLanes returns how many of the eight bytes in x, in little-endian order, are
// decimal digits before the first that is not; 8 if all are. Lanes are marked below
// '0' and above '9' in the manner of stringStops, so the lowest mark is exact.
func digitLanes(x uint64) int {
	below := (x - lanes01*'0') &^ x
	above := (x + lanes01*(0x7f-'9')) | x
	return bits.TrailingZeros64((below|above)&lanes80) / 8
}
