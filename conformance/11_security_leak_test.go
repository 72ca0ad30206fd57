package conformance_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
)

// The leak scan of ISO-24. A response is read every way a client could read it: the
// raw bytes of its headers and body, its header values percent-decoded, every JSON
// key and string decoded (so `\u005ftenant` is `_tenant`), and every long string that
// decodes as base64 (cursor ids carry the layout that way).

// leaks lists what r shows that acme may not see: the physical index, its uuid, the
// reserved field names, the victim's values, ids and field names, and the physical id
// prefixes. A needle the attacker's own request carried (raw, percent-decoded, JSON- or
// base64-decoded) may come back: a refusal that quotes the member it refuses, or a
// 404 that names the id asked for, tells the attacker nothing it did not know.
func (f *secFixture) leaks(request string, r response) []string {
	texts := responseTexts(r)
	var found []string
	for _, n := range append([]string{f.physical, f.uuid, "_tenant", "_logical_index"}, victimNeedles...) {
		if strings.Contains(request, n) {
			continue
		}
		for _, t := range texts {
			if strings.Contains(t, n) {
				found = append(found, fmt.Sprintf("%q", n))
				break
			}
		}
	}
	return found
}

// responseTexts are the readings of r that the needles are looked for in.
func responseTexts(r response) []string {
	var head strings.Builder
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range r.Header[k] {
			head.WriteString(k + ": " + v + "\n")
			if u, err := url.PathUnescape(v); err == nil {
				head.WriteString(k + ": " + u + "\n")
			}
		}
	}
	texts := []string{head.String(), string(r.Body)}
	return append(texts, decodedStrings([]byte(r.Body))...)
}

// requestText is everything the attacker sent, raw and decoded the same ways, so that
// an echo of its own words is recognised as such.
func requestText(target string, header []string, body string) string {
	parts := []string{target, body, strings.Join(header, "\n")}
	for _, s := range []string{target, strings.ReplaceAll(target, "+", " ")} {
		if u, err := url.PathUnescape(s); err == nil {
			parts = append(parts, u)
			if uu, err := url.PathUnescape(u); err == nil {
				parts = append(parts, uu)
			}
		}
	}
	plain := []byte(body)
	if zr, err := gzip.NewReader(bytes.NewReader(plain)); err == nil {
		if b, err := io.ReadAll(io.LimitReader(zr, 16<<20)); err == nil {
			plain = b
			parts = append(parts, string(b))
		}
	}
	parts = append(parts, decodedStrings(plain)...)
	return strings.Join(parts, "\n")
}

// decodedStrings walks every JSON value in b (one document or NDJSON lines) and
// returns its keys and strings unescaped, and those strings decoded as base64, twice
// over, so that a wrapper inside a wrapper is read too.
func decodedStrings(b []byte) []string {
	var out []string
	var visit func(v any)
	visit = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				out = append(out, k)
				visit(x)
			}
		case []any:
			for _, x := range v {
				visit(x)
			}
		case string:
			out = append(out, v)
			if d, ok := base64Text(v); ok {
				out = append(out, d)
				var inner any
				if json.Unmarshal([]byte(d), &inner) == nil {
					visit(inner)
				}
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var v any
		if dec.Decode(&v) != nil {
			break
		}
		visit(v)
	}
	return out
}

// base64Text decodes s when it is long enough to be an encoded value; line breaks are
// dropped first, as MIME decoders do.
func base64Text(s string) (string, bool) {
	s = strings.NewReplacer("\r", "", "\n", "").Replace(s)
	if len(s) < 12 || strings.ContainsAny(s, " {}\":") {
		return "", false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if d, err := enc.DecodeString(s); err == nil {
			return string(d), true
		}
	}
	return "", false
}

// walkJSON calls fn for every object in b with its path; b may be empty (HEAD).
func walkJSON(b []byte, fn func(path string, obj map[string]any)) error {
	var root any
	if err := json.Unmarshal(b, &root); err != nil {
		return err
	}
	var visit func(path string, v any)
	visit = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			fn(path, v)
			for k, x := range v {
				visit(path+"."+k, x)
			}
		case []any:
			for i, x := range v {
				visit(fmt.Sprintf("%s[%d]", path, i), x)
			}
		}
	}
	visit("", root)
	return nil
}

var jsonUnmarshal = json.Unmarshal
