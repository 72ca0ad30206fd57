package jsonstream

import (
	"errors"
	"slices"
	"testing"
)

func TestValidateObject_TopLevelNames_HandedOverRawAndInOrder(t *testing.T) {
	var got []string
	top := func(k []byte) error { got = append(got, string(k)); return nil }
	if err := ValidateObject([]byte(` {"a":{"b":1},"\u005fc":[{"d":2}],"e":"f"}`), 0, top); err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", `\u005fc`, "e"}; !slices.Equal(got, want) {
		t.Fatalf("top-level names %q, want %q: nested names are not top-level ones", got, want)
	}
	got = nil
	if err := ValidateObject([]byte(`[{"a":1}]`), 0, top); err != nil || got != nil {
		t.Fatalf("an array root: err %v, names %q; want no names", err, got)
	}
}

func TestValidateObject_TopRefuses_ItsErrorStopsTheWalk(t *testing.T) {
	stop := errors.New("refused")
	calls := 0
	top := func(k []byte) error {
		calls++
		if string(k) == "x" {
			return stop
		}
		return nil
	}
	if err := ValidateObject([]byte(`{"a":1,"x":2,"b":3}`), 0, top); err != stop || calls != 2 {
		t.Fatalf("err %v after %d calls; want top's own error after 2", err, calls)
	}
}

func TestValidateObject_GrammarCases_AgreeWithValidate(t *testing.T) {
	accept := func([]byte) error { return nil }
	for _, tc := range grammarCases {
		t.Run(tc.name, func(t *testing.T) {
			a, b := Validate([]byte(tc.doc), 0), ValidateObject([]byte(tc.doc), 0, accept)
			if (a == nil) != (b == nil) {
				t.Fatalf("Validate: %v; ValidateObject with a top that accepts all: %v", a, b)
			}
		})
	}
}
