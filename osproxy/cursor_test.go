package osproxy

import (
	"bytes"
	"encoding/base64"
	"testing"
)

func TestSealer_RoundTrip_OpensForItsTenantOnly(t *testing.T) {
	s, generated := newSealer("a-key-of-at-least-thirty-two-characters", "http://up", "os-shared")
	if generated {
		t.Fatal("a configured key was reported as generated")
	}
	c := &cursor{kind: scrollCursor, tenant: "acme", indices: []string{"orders", "invoices"}, sortIDs: 5, raw: []byte("RAW-scroll-id==")}
	sealed := s.seal(nil, c)
	got, err := s.open(sealed, scrollCursor, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if got.tenant != "acme" || got.sortIDs != 5 || !bytes.Equal(got.raw, c.raw) || len(got.indices) != 2 || got.indices[1] != "invoices" {
		t.Fatalf("opened %+v", got)
	}
	for _, b := range [][]byte{c.raw, []byte("acme"), []byte("orders")} {
		if bytes.Contains(sealed, b) {
			t.Fatalf("sealed cursor shows %q", b)
		}
	}
	if bytes.Equal(sealed, s.seal(nil, c)) {
		t.Fatal("two seals of one cursor are equal: the nonce is not fresh")
	}
}

func TestSealer_Tampered_Refused(t *testing.T) {
	s, _ := newSealer("a-key-of-at-least-thirty-two-characters", "http://up", "os-shared")
	other, _ := newSealer("another-key-of-at-least-thirty-two-chars", "http://up", "os-shared")
	moved, _ := newSealer("a-key-of-at-least-thirty-two-characters", "http://elsewhere", "os-shared")
	sealed := s.seal(nil, &cursor{kind: pitCursor, tenant: "acme", indices: []string{"orders"}, raw: []byte("PIT")})
	box, _ := base64.RawURLEncoding.DecodeString(string(sealed))
	cases := map[string]struct {
		s      *sealer
		text   []byte
		kind   cursorKind
		tenant string
	}{
		"other tenant":   {s, sealed, pitCursor, "globex"},
		"other kind":     {s, sealed, scrollCursor, "acme"},
		"other key":      {other, sealed, pitCursor, "acme"},
		"other upstream": {moved, sealed, pitCursor, "acme"},
		"truncated":      {s, sealed[:len(sealed)-2], pitCursor, "acme"},
		"too short":      {s, sealed[:10], pitCursor, "acme"},
		"not base64":     {s, append([]byte("%"), sealed...), pitCursor, "acme"},
		"empty":          {s, nil, pitCursor, "acme"},
	}
	for i := range box {
		flipped := append([]byte(nil), box...)
		flipped[i] ^= 0x40
		cases["flipped byte "+string(rune('a'+i%26))+string(rune('0'+i/26))] = struct {
			s      *sealer
			text   []byte
			kind   cursorKind
			tenant string
		}{s, []byte(base64.RawURLEncoding.EncodeToString(flipped)), pitCursor, "acme"}
	}
	for name, tc := range cases {
		if _, err := tc.s.open(tc.text, tc.kind, tc.tenant); err != errCursor {
			t.Errorf("%s: got %v, want errCursor", name, err)
		}
	}
}

func TestNewSealer_NoKey_GeneratesOnePerProcess(t *testing.T) {
	a, generated := newSealer("", "http://up", "os-shared")
	b, _ := newSealer("", "http://up", "os-shared")
	if !generated {
		t.Fatal("an empty key was not reported as generated")
	}
	sealed := a.seal(nil, &cursor{kind: scrollCursor, tenant: "acme", raw: []byte("x")})
	if _, err := b.open(sealed, scrollCursor, "acme"); err == nil {
		t.Fatal("a cursor opened under another generated key")
	}
}
