package jsonstream

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"testing/iotest"
)

// testPlan walks the root (state 0) and any member "w" (state 1), captures members "c"
// as ["cap",…] and drops members "d", at any walked depth; elements of a walked array are
// walked too.
type testPlan struct{}

func (testPlan) Member(_ uint8, key []byte, c byte) (Action, uint8) {
	switch {
	case KeyIs(key, "w"):
		return Walk, 1
	case KeyIs(key, "c"):
		return Capture, 7
	case KeyIs(key, "d"):
		return Drop, 0
	}
	return Copy, 0
}

func (testPlan) Element(_ uint8, c byte) (Action, uint8) { return Walk, 1 }

func (testPlan) Drops(uint8) bool { return true }

func markCapture(dst []byte, state uint8, v []byte) ([]byte, error) {
	if state != 7 {
		return nil, bytes.ErrTooLarge
	}
	return append(append(append(dst, `["cap",`...), v...), ']'), nil
}

func TestTransform_Plan_WalksCapturesAndDrops(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"drop first", `{"d":1,"a":2}`, `{"a":2}`},
		{"drop last", `{"a":1,"d":[1,{"x":2}]}`, `{"a":1}`},
		{"drop middle with spacing", "{\"a\":1 ,\n \"d\":2, \"b\":3}", `{"a":1,"b":3}`},
		{"kept members with spacing", "{\"a\":1 ,\n \"b\":3}", `{"a":1,"b":3}`},
		{"drop all", `{"d":1,"d2":0}`, `{"d2":0}`},
		{"only dropped", `{ "d" : {"a":1} }`, `{}`},
		{"capture in a walked member", `{"w":{"c":{"k":[1,2]},"d":"x","z":null}}`, `{"w":{"c":["cap",{"k":[1,2]}],"z":null}}`},
		{"not walked is copied", `{"a":{"d":1,"c":2}}`, `{"a":{"d":1,"c":2}}`},
		{"walked array of objects", `{"w":[{"d":1,"a":1},{"c":"v"}]}`, `{"w":[{"a":1},{"c":["cap","v"]}]}`},
		{"escaped names", `{"\u0064":1,"\u0063":true}`, `{"\u0063":["cap",true]}`},
		{"scalar root", `"d"`, `"d"`},
		{"empty containers", `{"w":{},"c":[]}`, `{"w":{},"c":["cap",[]]}`},
	}
	for _, tc := range tests {
		for _, rd := range readers {
			t.Run(tc.name+"/"+rd.name, func(t *testing.T) {
				var out bytes.Buffer
				n, err := Transform(&out, rd.wrap(strings.NewReader(tc.in)), testPlan{}, 0, markCapture, Options{})
				// Whitespace around the commas of walked objects may move; the
				// document may not change.
				var got bytes.Buffer
				if err != nil || n != int64(out.Len()) || json.Compact(&got, out.Bytes()) != nil || got.String() != tc.want {
					t.Fatalf("got %q (%d, %v), want %q", out.String(), n, err, tc.want)
				}
			})
		}
	}
}

func TestTransform_LongNames_ReachThePlanOrAreUnknown(t *testing.T) {
	long := strings.Repeat("n", 300)
	in := `{"` + long + `":{"d":1},"c":1}`
	var out bytes.Buffer
	var seen [][]byte
	plan := recordingPlan{seen: &seen}
	src := iotest.OneByteReader(strings.NewReader(in)) // refills drop what is not kept
	if _, err := Transform(&out, src, plan, 0, markCapture, Options{}); err != nil {
		t.Fatal(err)
	}
	if seen[0] != nil || string(seen[1]) != "c" {
		t.Fatalf("names seen: %q", seen)
	}
	if out.String() != in {
		t.Fatalf("got %q", out.String())
	}
}

type recordingPlan struct{ seen *[][]byte }

func (p recordingPlan) Member(_ uint8, key []byte, _ byte) (Action, uint8) {
	if key == nil {
		*p.seen = append(*p.seen, nil)
	} else {
		*p.seen = append(*p.seen, append([]byte(nil), key...))
	}
	return Copy, 0
}

func (recordingPlan) Element(uint8, byte) (Action, uint8) { return Copy, 0 }

func (recordingPlan) Drops(uint8) bool { return false }

func TestTransform_MalformedAfterDrop_IsAnError(t *testing.T) {
	for _, in := range []string{`{"d":[1,}`, `{"d":1,}`, `{"a":1,"d"}`, `{"w":{"d":1 "a":2}}`} {
		var out bytes.Buffer
		if _, err := Transform(&out, strings.NewReader(in), testPlan{}, 0, markCapture, Options{}); err == nil {
			t.Errorf("%q: no error, wrote %q", in, out.String())
		}
	}
}
