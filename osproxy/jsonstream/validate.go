package jsonstream

import "slices"

// pairwiseLimit is the object size up to which duplicate names are found by comparing
// every pair; larger objects are sorted, so a hostile object with many members costs
// n log n comparisons rather than n squared.
const pairwiseLimit = 8

// Validate reports whether doc is exactly one strict JSON value: RFC 8259 grammar, no
// trailing bytes other than whitespace, nesting no deeper than maxDepth (zero or less
// means 10000), valid UTF-8 in strings, and no object that repeats a member name, names
// being compared after unescaping (SRCH-4). A duplicate is refused because servers
// disagree on which occurrence wins, and a screen that reads one occurrence while the
// upstream obeys the other is bypassed. The error is a *SyntaxError.
func Validate(doc []byte, maxDepth int) error { return ValidateObject(doc, maxDepth, nil) }

// ValidateObject is Validate that also hands each member name of a root object to top,
// raw (escapes intact), in document order, and stops with top's error: a caller that
// judges a document's top-level names does so in the pass that validates it, instead
// of reading the document a second time. top is not called for a root that is not an
// object; nil means Validate.
func ValidateObject(doc []byte, maxDepth int, top func(rawKey []byte) error) error {
	var p parser
	p.init(maxDepth)
	p.r.initBytes(doc)
	p.r.strict = true
	// The member names of every open object, and where each open object's names begin.
	// Local slices over stack arrays, so typical request bodies validate without
	// allocating.
	var keyBuf [64]span
	var startBuf [16]int
	keys, starts := keyBuf[:0], startBuf[:0]
	rootObject, first := false, true
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		if first {
			rootObject, first = tok == tokObjectStart, false
		}
		switch tok {
		case tokEOF:
			return nil
		case tokObjectStart:
			starts = append(starts, len(keys))
		case tokKey:
			keys = append(keys, span{p.tokStart + 1, p.r.pos - 1})
			if top != nil && rootObject && len(starts) == 1 {
				if err := top(doc[p.tokStart+1 : p.r.pos-1]); err != nil {
					return err
				}
			}
		case tokObjectEnd:
			from := starts[len(starts)-1]
			if at := firstDuplicate(doc, keys[from:]); at >= 0 {
				return &SyntaxError{Offset: int64(at) - 1, Msg: msgDuplicate}
			}
			keys, starts = keys[:from], starts[:len(starts)-1]
		}
	}
}

// span is a member name's position in the document.
type span struct{ start, end int }

// firstDuplicate returns the position of the first of names that repeats an earlier one,
// or -1. It may reorder names.
func firstDuplicate(doc []byte, names []span) int {
	text := func(s span) []byte { return doc[s.start:s.end] }
	if len(names) <= pairwiseLimit {
		for j := 1; j < len(names); j++ {
			for i := range j {
				if compareKeys(text(names[i]), text(names[j])) == 0 {
					return names[j].start
				}
			}
		}
		return -1
	}
	// Stable, so within a run of equal names the later occurrence follows the earlier.
	slices.SortStableFunc(names, func(a, b span) int { return compareKeys(text(a), text(b)) })
	at := -1
	for i := 1; i < len(names); i++ {
		if compareKeys(text(names[i-1]), text(names[i])) == 0 && (at < 0 || names[i].start < at) {
			at = names[i].start
		}
	}
	return at
}
