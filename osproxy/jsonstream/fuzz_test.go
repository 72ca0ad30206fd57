package jsonstream

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strconv"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// fuzzSeeds are added to both fuzz targets; testdata/fuzz holds more for TransformHits.
var fuzzSeeds = []string{
	`{"took":1,"hits":{"total":{"value":2},"hits":[{"_id":"a"},{"_id":"b"}]}}`,
	"{\n \"hits\" : {\n  \"hits\" : [ { \"_id\" : 1 } ,\n 2 ]\n }\n}\n",
	`{"hits":{"hits":[1]},"hits":{"hits":[2,3]}}`,
	`{"hits":{"hits":[1],"hits":[2]},"hits":{"hits":[3]}}`,
	`{"h\u0069ts":{"hits":[1]},"hits":null}`,
	`{"aggregations":{"hits":{"hits":[1]}}}`,
	`[{"hits":{"hits":[1]}}]`,
	`{"hits":{"hits":[{"a":`,
	`{"a":1,"a":2}`,
	`{"\ud800":1,"\udc00":2}`,
	"\"\xff\"",
	`01`,
	// Token shapes the skim loop takes itself or hands back, in an aggregation.
	`{"took":1,"aggregations":{"t":{"buckets":[{"key":"k1","doc_count":42,"avg":{"value":1.5}},` +
		`{"key":"k2","doc_count":0,"avg":{"value":-0.25e3},"x":[true,false,null,"a\"b"]}]}}}`,
	`{"hits":{"hits":[{"_source":{"n":[0,-1,12345678,0.12345678,1E+2],"s":"\u00e9","o":{}}}]}}`,
}

func FuzzTransformHits(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		// Vary how the input is chunked so names, hits and the tokens the skim loop takes
		// straddle refills.
		chunked := []func(io.Reader) io.Reader{
			iotest.OneByteReader, iotest.HalfReader, readers[0].wrap,
			func(r io.Reader) io.Reader { return chunkReader{r, 13} },
		}
		wrap := chunked[len(doc)%len(chunked)]
		var out bytes.Buffer
		_, err := TransformHits(&out, wrap(bytes.NewReader(doc)), identityHit, Options{})
		// The skim loop must be invisible: the same error, at the same offset, as a walk
		// through the grammar one token at a time.
		if want := tokenWalk(doc, 0); !sameSyntaxError(err, want) {
			t.Fatalf("error %v, the token walk finds %v", err, want)
		}
		if !json.Valid(doc) {
			if err == nil {
				t.Fatalf("accepted a document encoding/json refuses")
			}
			if !bytes.HasPrefix(doc, out.Bytes()) {
				t.Fatalf("output before the error is not a prefix of the input")
			}
			return
		}
		if err != nil || !bytes.Equal(out.Bytes(), doc) {
			t.Fatalf("identity transform: err %v, output equal %v", err, bytes.Equal(out.Bytes(), doc))
		}
		checkNumbered(t, doc, wrap)
	})
}

// checkNumbered replaces each hit by {"n":i} and compares the decoded output with what
// encoding/json makes of the input after the same replacement.
func checkNumbered(t *testing.T, doc []byte, wrap func(io.Reader) io.Reader) {
	calls := 0
	number := func(dst, hit []byte) ([]byte, error) {
		dst = append(dst, `{"n":`...)
		dst = strconv.AppendInt(dst, int64(calls), 10)
		calls++
		return append(dst, '}'), nil
	}
	var out bytes.Buffer
	if _, err := TransformHits(&out, wrap(bytes.NewReader(doc)), number, Options{}); err != nil {
		t.Fatalf("numbering transform: %v", err)
	}
	want, total := numberedOracle(t, doc)
	if got := decodeAny(t, out.Bytes()); !reflect.DeepEqual(got, want) {
		t.Fatalf("numbered output decodes to\n%#v\nwant\n%#v", got, want)
	}
	if calls != total {
		t.Fatalf("HitFunc called %d times, encoding/json finds %d hits", calls, total)
	}
}

// numberedOracle decodes doc with encoding/json, in which the last of duplicate members
// wins, and replaces the elements of the surviving hits.hits array with {"n":i}. The
// numbering counts every element of every top-level "hits" object's "hits" array in
// document order, duplicates included, because those are the elements TransformHits
// must hand to its HitFunc; total is their number.
func numberedOracle(t *testing.T, doc []byte) (want any, total int) {
	want = decodeAny(t, doc)
	base := -1 // where the surviving array's numbering starts; -1 if there is none
	eachMember(doc, func(key string, value []byte) {
		if key != "hits" {
			return
		}
		base = -1
		eachMember(value, func(key string, value []byte) {
			if key != "hits" {
				return
			}
			base = -1
			var elems []json.RawMessage
			if json.Unmarshal(value, &elems) == nil {
				base = total
				total += len(elems)
			}
		})
	})
	if base >= 0 {
		arr := want.(map[string]any)["hits"].(map[string]any)["hits"].([]any)
		for i := range arr {
			arr[i] = map[string]any{"n": json.Number(strconv.Itoa(base + i))}
		}
	}
	return want, total
}

// eachMember calls fn for each member of doc, duplicates included, if doc is an object.
func eachMember(doc []byte, fn func(key string, value []byte)) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return
		}
		fn(tok.(string), value)
	}
}

func decodeAny(t *testing.T, doc []byte) any {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding: %v", err)
	}
	return v
}

func FuzzValidate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, tc := range grammarCases {
		f.Add([]byte(tc.doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		err := Validate(doc, 0)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
		}
		wellFormed := json.Valid(doc) && utf8.Valid(doc)
		want := wellFormed && !hasDuplicateKeys(doc)
		if (err == nil) != want {
			t.Fatalf("Validate error %v; encoding/json valid %v, UTF-8 %v, duplicates %v",
				err, json.Valid(doc), utf8.Valid(doc), wellFormed && hasDuplicateKeys(doc))
		}
		var tree Tree
		if terr := tree.Parse(doc, 0); (terr == nil) != want {
			t.Fatalf("Tree.Parse error %v, Validate error %v", terr, err)
		} else if terr == nil {
			checkTree(t, doc, tree.Root())
		}
		isObject := bytes.HasPrefix(bytes.TrimLeft(doc, " \t\r\n"), []byte("{"))
		merr := Members(doc, func(k, v []byte) error { return nil })
		if (merr == nil) != (wellFormed && isObject) {
			t.Fatalf("Members error %v; well-formed %v, object %v", merr, wellFormed, isObject)
		}
	})
}

// hasDuplicateKeys reports whether any object in doc, which encoding/json finds valid,
// repeats a name as encoding/json decodes names.
func hasDuplicateKeys(doc []byte) bool {
	type frame struct {
		object, wantKey bool
		names           map[string]bool
	}
	var stack []*frame
	dec := json.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if top != nil && top.object {
				top.wantKey = true
			}
			stack = append(stack, &frame{object: tok == json.Delim('{'), wantKey: true, names: map[string]bool{}})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			continue
		}
		if top == nil || !top.object {
			continue
		}
		if top.wantKey {
			name := tok.(string)
			if top.names[name] {
				return true
			}
			top.names[name] = true
		}
		top.wantKey = !top.wantKey
	}
}

// checkTree holds a parsed tree to the in-memory helpers: each container's children are
// exactly what Members and Elements yield, raw bytes and names included.
func checkTree(t *testing.T, doc []byte, v Value) {
	t.Helper()
	if !bytes.Equal(v.Raw(), bytes.TrimSpace(v.Raw())) || Kind(v.Raw()) != v.Kind() {
		t.Fatalf("node raw %q kind %q", v.Raw(), v.Kind())
	}
	var keys, values [][]byte
	collect := func(k, val []byte) error { keys, values = append(keys, k), append(values, val); return nil }
	switch v.Kind() {
	case '{':
		_ = Members(v.Raw(), collect)
	case '[':
		_ = Elements(v.Raw(), func(val []byte) error { return collect(nil, val) })
	default:
		return
	}
	i := 0
	for c := v.First(); c.Valid(); c = c.Next() {
		if i >= len(values) || !bytes.Equal(c.Raw(), values[i]) || !bytes.Equal(c.Key(), keys[i]) {
			t.Fatalf("child %d of %q differs from Members/Elements", i, v.Raw())
		}
		checkTree(t, doc, c)
		i++
	}
	if i != len(values) || v.Len() != i {
		t.Fatalf("%q has %d children in the tree, %d by Members/Elements, Len %d", v.Raw(), i, len(values), v.Len())
	}
}
