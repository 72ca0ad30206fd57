package jsonstream

// Members calls fn for each member of the JSON object obj, in document order, with the
// raw name (between the quotes, escapes intact; compare it with KeyIs) and the raw value
// (whitespace-trimmed). It returns fn's first error, or a *SyntaxError unless obj is
// exactly one well-formed object.
//
// It works in one pass, so fn may already have seen earlier members when a later byte
// turns out to be malformed; callers that must not act on a malformed document call
// Validate first. It does not allocate.
func Members(obj []byte, fn func(key, value []byte) error) error {
	return children(obj, tokObjectStart, fn)
}

// MembersTrusted is Members for a document Validate, a Tree or a Transform has already
// accepted: it skims each value instead of walking it token by token, and does not
// check UTF-8 again, so a large document costs one quick pass. On a document that was
// not checked it still returns a *SyntaxError for malformed grammar, but may accept
// invalid UTF-8.
func MembersTrusted(obj []byte, fn func(key, value []byte) error) error {
	return childrenTrusted(obj, tokObjectStart, fn)
}

// Member is one member of an object: its raw name (escapes intact) and trimmed value.
type Member struct{ Key, Value []byte }

// AppendMembersTrusted appends the members of obj, already accepted as MembersTrusted
// says, to dst: for a caller that looks at some members before writing any.
func AppendMembersTrusted(dst []Member, obj []byte) ([]Member, error) {
	err := childrenTrusted(obj, tokObjectStart, func(k, v []byte) error {
		dst = append(dst, Member{k, v})
		return nil
	})
	return dst, err
}

// ElementsTrusted is Elements for an array already accepted, as MembersTrusted is.
func ElementsTrusted(arr []byte, fn func(value []byte) error) error {
	return childrenTrusted(arr, tokArrayStart, func(_, value []byte) error { return fn(value) })
}

// childrenTrusted walks the members or elements of doc, which must open with want,
// skimming each value.
func childrenTrusted(doc []byte, want token, fn func(key, value []byte) error) error {
	var p parser
	p.init(0)
	p.r.initBytes(doc)
	if err := p.open(want); err != nil {
		return err
	}
	var key []byte
	for {
		c, err := p.advance()
		if err != nil {
			return err
		}
		if !p.expectsValue(c) {
			tok, err := p.token(c)
			switch {
			case err != nil:
				return err
			case tok == tokKey:
				key = doc[p.tokStart+1 : p.r.pos-1]
				continue
			}
			_, err = p.next() // the container closed: only white space may follow
			return err
		}
		start := p.r.pos
		if err := p.skipValue(); err != nil {
			return err
		}
		if err := fn(key, doc[start:p.r.pos]); err != nil {
			return err
		}
	}
}

// Elements calls fn for each element of the JSON array arr, in order, with the raw value
// (whitespace-trimmed). Errors and the one-pass caveat are as for Members.
func Elements(arr []byte, fn func(value []byte) error) error {
	return children(arr, tokArrayStart, func(_, value []byte) error { return fn(value) })
}

// children walks the members or elements of doc, which must open with want.
func children(doc []byte, want token, fn func(key, value []byte) error) error {
	var p parser
	p.init(0)
	p.r.initBytes(doc)
	p.r.strict = true
	if err := p.open(want); err != nil {
		return err
	}
	var key []byte
	start := -1 // where the current child value began
	for {
		depth := p.depth()
		tok, err := p.next()
		if err != nil || tok == tokEOF {
			return err
		}
		// A child value ends when the parser is back at depth 1: after a scalar read at
		// depth 1, or after the container it opened closes.
		if depth == 1 {
			switch tok {
			case tokKey:
				key = doc[p.tokStart+1 : p.r.pos-1]
				continue
			case tokObjectEnd, tokArrayEnd: // the root itself closed
				continue
			}
			start = p.tokStart
		}
		if start >= 0 && p.depth() == 1 {
			if err := fn(key, doc[start:p.r.pos]); err != nil {
				return err
			}
			start = -1
		}
	}
}

// Kind classifies a trimmed JSON value by its first byte: '{', '[', '"', 'n', 't' or 'f'
// as they are, '0' for any number, and 0 for anything else, including an empty slice.
func Kind(value []byte) byte {
	if len(value) == 0 {
		return 0
	}
	switch c := value[0]; c {
	case '{', '[', '"', 'n', 't', 'f':
		return c
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return '0'
	}
	return 0
}

// open reads the first token and checks that it opens the container want.
func (p *parser) open(want token) error {
	tok, err := p.next()
	if err != nil {
		return err
	}
	if tok != want {
		msg := msgNotObject
		if want == tokArrayStart {
			msg = msgNotArray
		}
		return &SyntaxError{Offset: int64(p.tokStart), Msg: msg}
	}
	return nil
}
