package jsonstream

// Tree is a parsed in-memory document: one node per value, in document order, pointing
// into the document's bytes rather than copying them. A caller that judges a request body
// member by member, recursively, walks it in one pass instead of re-scanning each value
// for its members (which costs the square of the nesting depth).
//
// A Tree is reusable: Parse resets it and keeps the node slice, so parsing one body after
// another allocates nothing once the slice has grown.
type Tree struct {
	doc   []byte
	nodes []node
	open  []int32 // the containers open while parsing, innermost last
	names []span  // scratch: the member names of the object being closed
}

// node is one value. Siblings are chained by next; a container's children start at first.
type node struct {
	kind        byte  // as Kind reports it
	key         span  // the member name inside its quotes; zero for elements and the root
	raw         span  // the value's bytes, brackets and quotes included
	first, next int32 // -1 when absent
	last        int32 // the last child so far, while parsing
	count       int32
}

// Value is one value of a Tree. The zero Value is invalid.
type Value struct {
	t *Tree
	i int32
}

// Parse parses doc, which must hold exactly one strict JSON value: it applies every
// check of Validate, repeated member names included, in the same pass.
func (t *Tree) Parse(doc []byte, maxDepth int) error {
	t.doc, t.nodes, t.open = doc, t.nodes[:0], t.open[:0]
	var p parser
	p.init(maxDepth)
	p.r.initBytes(doc)
	p.r.strict = true
	var key span
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch tok {
		case tokEOF:
			return nil
		case tokKey:
			key = span{p.tokStart + 1, p.r.pos - 1}
			continue
		case tokObjectEnd, tokArrayEnd:
			top := t.open[len(t.open)-1]
			t.nodes[top].raw.end = p.r.pos
			t.open = t.open[:len(t.open)-1]
			if tok == tokObjectEnd {
				if at := t.duplicate(top); at >= 0 {
					return &SyntaxError{Offset: int64(at) - 1, Msg: msgDuplicate}
				}
			}
			continue
		}
		t.add(key, span{p.tokStart, p.r.pos}, tok == tokObjectStart || tok == tokArrayStart)
		key = span{}
	}
}

// duplicate returns the position of a member name of object i that repeats an earlier
// one, or -1.
func (t *Tree) duplicate(i int32) int {
	if t.nodes[i].count < 2 {
		return -1
	}
	t.names = t.names[:0]
	for c := t.nodes[i].first; c >= 0; c = t.nodes[c].next {
		t.names = append(t.names, t.nodes[c].key)
	}
	return firstDuplicate(t.doc, t.names)
}

// add appends a node for the value at raw and links it to its parent.
func (t *Tree) add(key, raw span, container bool) {
	i := int32(len(t.nodes))
	t.nodes = append(t.nodes, node{kind: Kind(t.doc[raw.start:]), key: key, raw: raw, first: -1, next: -1, last: -1})
	if n := len(t.open); n > 0 {
		parent := &t.nodes[t.open[n-1]]
		if parent.last >= 0 {
			t.nodes[parent.last].next = i
		} else {
			parent.first = i
		}
		parent.last = i
		parent.count++
	}
	if container {
		t.open = append(t.open, i)
	}
}

// Root returns the document's value.
func (t *Tree) Root() Value { return Value{t, 0} }

// Valid reports whether v is a value (First and Next return an invalid one at the end).
func (v Value) Valid() bool { return v.t != nil && v.i >= 0 }

// Kind classifies v as the package's Kind does.
func (v Value) Kind() byte { return v.t.nodes[v.i].kind }

// Raw returns v's bytes as they are in the document.
func (v Value) Raw() []byte {
	s := v.t.nodes[v.i].raw
	return v.t.doc[s.start:s.end]
}

// Key returns the member name of v, a member value, between its quotes with escapes
// intact (compare it with KeyIs); nil for an array element or the root.
func (v Value) Key() []byte {
	s := v.t.nodes[v.i].key
	if s.end == 0 {
		return nil
	}
	return v.t.doc[s.start:s.end]
}

// Len returns the number of members or elements of a container, 0 for a scalar.
func (v Value) Len() int { return int(v.t.nodes[v.i].count) }

// First returns the first member or element of a container; invalid when there is none.
func (v Value) First() Value { return Value{v.t, v.t.nodes[v.i].first} }

// Next returns the following member or element of v's container; invalid after the last.
func (v Value) Next() Value { return Value{v.t, v.t.nodes[v.i].next} }

// Member returns the value of the member named name (compared unescaped) of an object;
// invalid when there is none.
func (v Value) Member(name string) Value {
	if v.Kind() != '{' {
		return Value{}
	}
	for c := v.First(); c.Valid(); c = c.Next() {
		if KeyIs(c.Key(), name) {
			return c
		}
	}
	return Value{}
}
