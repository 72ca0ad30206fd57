package osproxy

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"strings"
	"sync"
)

// A cursor is what OpenSearch hands out to continue a read: a scroll id or a point in
// time id. The cluster's ids name its search contexts and, in some versions, the
// physical index, and carry no tenant; so the proxy never shows one. It seals each in
// an envelope (READ-23):
//
//	base64url( nonce[16] | AES-256-CTR(plaintext) | HMAC-SHA256[32] )
//
// The plaintext holds what the proxy needs to serve the next page the same way: the
// kind, the tenant, the view (logical indices), the sort positions on _id, and the raw
// id. The HMAC covers the nonce, the ciphertext and the binding (the upstream and the
// physical index), so an envelope opens only on a proxy with the same key, upstream
// and index. Both keys derive from cursor_affinity_key, or from a key generated once
// per process when it is unset.

// cursorKind tells scroll and point-in-time envelopes apart: one is never accepted as
// the other.
type cursorKind byte

const (
	scrollCursor cursorKind = 's'
	pitCursor    cursorKind = 'p'
)

// cursor is an opened envelope.
type cursor struct {
	kind    cursorKind
	tenant  string
	indices []string // the view; empty means all of the tenant's logical indices
	sortIDs uint64   // the top-level sort positions on _id (ISO-9)
	raw     []byte   // the cluster's id
}

// sealer seals and opens envelopes.
type sealer struct {
	enc     cipher.Block
	macs    sync.Pool // of hash.Hash: an HMAC costs a dozen allocations to set up
	binding []byte    // upstream and physical index
}

const (
	nonceSize = aes.BlockSize
	macSize   = sha256.Size
)

// newSealer derives the two keys from secret, or from a random one when secret is
// empty (generated reports that).
func newSealer(secret, upstream, index string) (s *sealer, generated bool) {
	material := []byte(secret)
	if secret == "" {
		material = make([]byte, 32)
		_, _ = rand.Read(material) // crypto/rand.Read never fails on Linux
		generated = true
	}
	block, err := aes.NewCipher(derive(material, "osproxy cursor encryption"))
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	macKey := derive(material, "osproxy cursor authentication")
	s = &sealer{enc: block, binding: []byte(upstream + "\x00" + index)}
	s.macs.New = func() any { return hmac.New(sha256.New, macKey) }
	return s, generated
}

func derive(secret []byte, label string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// seal appends the envelope of c to dst.
func (s *sealer) seal(dst []byte, c *cursor) []byte {
	plain := make([]byte, 0, 16+len(c.tenant)+len(c.raw)+16*len(c.indices))
	plain = append(plain, byte(c.kind))
	plain = appendLenPrefixed(plain, c.tenant)
	plain = binary.AppendUvarint(plain, uint64(len(c.indices)))
	for _, name := range c.indices {
		plain = appendLenPrefixed(plain, name)
	}
	plain = binary.BigEndian.AppendUint64(plain, c.sortIDs)
	plain = append(plain, c.raw...)

	box := make([]byte, nonceSize+len(plain), nonceSize+len(plain)+macSize)
	_, _ = rand.Read(box[:nonceSize])
	cipher.NewCTR(s.enc, box[:nonceSize]).XORKeyStream(box[nonceSize:], plain)
	box = s.sum(box, box)
	return base64.RawURLEncoding.AppendEncode(dst, box)
}

// appendLenPrefixed appends s after its length as a uvarint.
func appendLenPrefixed(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// sum appends the HMAC of an envelope's nonce and ciphertext, bound to the upstream,
// to dst.
func (s *sealer) sum(dst, box []byte) []byte {
	m := s.macs.Get().(hash.Hash)
	m.Reset()
	m.Write(s.binding)
	m.Write(box)
	dst = m.Sum(dst)
	s.macs.Put(m)
	return dst
}

// errCursor is every reason an envelope does not open: forged, truncated, of another
// key, upstream, kind or tenant. One error for all, so a tenant cannot learn whether a
// cursor it holds is another tenant's (READ-30).
var errCursor = errors.New("invalid cursor")

// open opens an envelope of kind for tenant.
func (s *sealer) open(text []byte, kind cursorKind, tenant string) (*cursor, error) {
	box, err := base64.RawURLEncoding.AppendDecode(nil, text)
	if err != nil || len(box) < nonceSize+1+macSize {
		return nil, errCursor
	}
	body, mac := box[:len(box)-macSize], box[len(box)-macSize:]
	var want [macSize]byte
	if !hmac.Equal(mac, s.sum(want[:0], body)) {
		return nil, errCursor
	}
	plain := make([]byte, len(body)-nonceSize)
	cipher.NewCTR(s.enc, body[:nonceSize]).XORKeyStream(plain, body[nonceSize:])
	c, ok := parseCursor(plain)
	if !ok || c.kind != kind || c.tenant != tenant {
		return nil, errCursor
	}
	return c, nil
}

// parseCursor reads the plaintext seal wrote. An authenticated plaintext is always
// well formed; the checks keep a bug from becoming a panic.
func parseCursor(b []byte) (*cursor, bool) {
	if len(b) < 1 {
		return nil, false
	}
	c := &cursor{kind: cursorKind(b[0])}
	b = b[1:]
	var ok bool
	if c.tenant, b, ok = readField(b); !ok {
		return nil, false
	}
	n, k := binary.Uvarint(b)
	if k <= 0 || n > 1024 {
		return nil, false
	}
	b = b[k:]
	for range n {
		var name string
		if name, b, ok = readField(b); !ok {
			return nil, false
		}
		c.indices = append(c.indices, name)
	}
	if len(b) < 8 {
		return nil, false
	}
	c.sortIDs, c.raw = binary.BigEndian.Uint64(b), b[8:]
	return c, true
}

func readField(b []byte) (string, []byte, bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return "", nil, false
	}
	return string(b[k : k+int(n)]), b[k+int(n):], true
}

// cursorIDs splits a list of cursors as clients send them to clear: a comma list in the
// path, a string or an array of strings in the body.
func cursorIDs(list string) []string {
	var out []string
	for _, id := range strings.Split(list, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}
