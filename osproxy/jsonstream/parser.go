package jsonstream

import "io"

// defaultMaxDepth is the nesting limit encoding/json applies, so that both agree on
// which documents are valid.
const defaultMaxDepth = 10000

// token is the kind of the token the parser last consumed.
type token uint8

const (
	tokEOF token = iota // the document ended cleanly
	tokObjectStart
	tokObjectEnd
	tokArrayStart
	tokArrayEnd
	tokKey
	tokString
	tokNumber
	tokLiteral
)

// state is what the grammar expects next.
type state uint8

const (
	stBegin    state = iota // the top-level value
	stValue                 // a value after ':' or after ',' in an array
	stArrFirst              // a value or ']'
	stArrNext               // ',' or ']'
	stObjFirst              // a key or '}'
	stObjNext               // ',' or '}'
	stKey                   // a key after ','
	stColon                 // ':' after a key
	stEnd                   // nothing but whitespace
)

// parser is a strict RFC 8259 pull parser. It keeps one bit per open container instead of
// recursing, so hostile nesting costs a bit per level rather than a stack frame.
type parser struct {
	r        reader
	stack    stack
	state    state
	maxDepth int
	tokStart int // buffer index where the last token began; -1 if refill dropped it
	// cut makes advance leave the commas between members of the current object out of
	// the routed output: the transform writes them itself, so that it can drop members.
	cut bool
}

func (p *parser) init(maxDepth int) {
	if maxDepth <= 0 {
		maxDepth = defaultMaxDepth
	}
	p.state, p.maxDepth, p.tokStart = stBegin, maxDepth, -1
	p.stack.reset()
}

// depth returns the number of open containers.
func (p *parser) depth() int { return p.stack.depth }

// next consumes the next token.
func (p *parser) next() (token, error) {
	c, err := p.advance()
	if err != nil {
		if err == io.EOF {
			return tokEOF, nil
		}
		return 0, err
	}
	return p.token(c)
}

// advance consumes whitespace and separators up to the first byte of the next token,
// which it returns without consuming. It returns io.EOF only where the document may end.
// It is separate from token so that the transform can act on a value before any of its
// bytes are consumed.
func (p *parser) advance() (byte, error) {
	r := &p.r
	for {
		c, err := r.skipSpace()
		if err != nil {
			if err == io.EOF && p.state == stEnd {
				return 0, io.EOF
			}
			return 0, r.eofError(err)
		}
		switch {
		case p.state == stColon:
			if c != ':' {
				return 0, r.syntax(msgColon)
			}
			p.state = stValue
		case c == ',' && p.state == stArrNext:
			p.state = stValue
		case c == ',' && p.state == stObjNext:
			if p.cut {
				if err := r.cutByte(); err != nil {
					return 0, err
				}
			}
			p.state = stKey
		default:
			return c, nil
		}
		r.pos++
	}
}

// expectsValue reports whether the token starting with c, returned by advance, is a value.
func (p *parser) expectsValue(c byte) bool {
	return p.state == stValue || p.state == stBegin || (p.state == stArrFirst && c != ']')
}

// token consumes the token whose first byte, c, advance returned.
func (p *parser) token(c byte) (token, error) {
	r := &p.r
	r.keep = r.pos
	tok, err := p.consume(c)
	p.tokStart, r.keep = r.keep, -1
	return tok, err
}

func (p *parser) consume(c byte) (token, error) {
	r := &p.r
	switch p.state {
	case stEnd:
		return 0, r.syntax(msgTrailing)
	case stArrNext:
		if c == ']' {
			return p.close(tokArrayEnd), nil
		}
		return 0, r.syntax(msgAfterElem)
	case stObjNext:
		if c == '}' {
			return p.close(tokObjectEnd), nil
		}
		return 0, r.syntax(msgAfterPair)
	case stObjFirst:
		if c == '}' {
			return p.close(tokObjectEnd), nil
		}
		fallthrough
	case stKey:
		if c != '"' {
			return 0, r.syntax(msgKey)
		}
		if err := r.scanString(); err != nil {
			return 0, err
		}
		p.state = stColon
		return tokKey, nil
	case stArrFirst:
		if c == ']' {
			return p.close(tokArrayEnd), nil
		}
	}
	return p.value(c)
}

// value consumes a value whose first byte is c.
func (p *parser) value(c byte) (token, error) {
	r := &p.r
	var tok token
	var err error
	switch c {
	case '{', '[':
		if p.stack.depth >= p.maxDepth {
			return 0, r.syntax(msgDepth)
		}
		r.pos++
		p.stack.push(c == '{')
		if c == '{' {
			p.state = stObjFirst
			return tokObjectStart, nil
		}
		p.state = stArrFirst
		return tokArrayStart, nil
	case '"':
		tok, err = tokString, r.scanString()
	case 't':
		tok, err = tokLiteral, r.scanLiteral("true")
	case 'f':
		tok, err = tokLiteral, r.scanLiteral("false")
	case 'n':
		tok, err = tokLiteral, r.scanLiteral("null")
	default:
		if c != '-' && !isDigit(c) {
			return 0, r.syntax(msgValue)
		}
		tok, err = tokNumber, r.scanNumber()
	}
	if err != nil {
		return 0, err
	}
	p.afterValue()
	return tok, nil
}

// close consumes the closing bracket at pos and pops its container.
func (p *parser) close(tok token) token {
	p.r.pos++
	p.stack.pop()
	p.afterValue()
	return tok
}

// afterValue sets what may follow a complete value in the current container.
func (p *parser) afterValue() {
	switch {
	case p.stack.depth == 0:
		p.state = stEnd
	case p.stack.topIsObject():
		p.state = stObjNext
	default:
		p.state = stArrNext
	}
}

// stack records, one bit per open container, whether it is an object. The first 256
// levels live inline so that parsing an ordinary document allocates nothing.
type stack struct {
	inline [4]uint64
	more   []uint64
	depth  int
}

func (s *stack) reset() {
	s.depth = 0
	s.more = s.more[:0]
}

func (s *stack) word(level int) *uint64 {
	if w := level / 64; w < len(s.inline) {
		return &s.inline[w]
	}
	return &s.more[level/64-len(s.inline)]
}

func (s *stack) push(object bool) {
	level := s.depth
	if w := level/64 - len(s.inline); w >= len(s.more) {
		s.more = append(s.more, 0)
	}
	bit := uint64(1) << (level % 64)
	if object {
		*s.word(level) |= bit
	} else {
		*s.word(level) &^= bit
	}
	s.depth++
}

// inlineLevels is how many levels the stack holds without its overflow slice. The skim
// loop stays within them, so that its stack operations are a few instructions inlined.
const inlineLevels = 64 * len(stack{}.inline)

// setInline records whether the container at level, below inlineLevels, is an object.
func (s *stack) setInline(level int, object bool) {
	w, bit := &s.inline[uint(level)/64], uint64(1)<<(uint(level)%64)
	if object {
		*w |= bit
	} else {
		*w &^= bit
	}
}

// isInlineObject reports whether the open container at level, below inlineLevels, is an
// object.
func (s *stack) isInlineObject(level int) bool {
	return s.inline[uint(level)/64]&(uint64(1)<<(uint(level)%64)) != 0
}

func (s *stack) pop() { s.depth-- }

func (s *stack) topIsObject() bool {
	level := s.depth - 1
	return *s.word(level)&(uint64(1)<<(level%64)) != 0
}
