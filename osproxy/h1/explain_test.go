package h1

import (
	"bytes"
	"strings"
)

// The predicates below restate, independently of the parser, each documented
// case where the proxy refuses a request net/http would read (spec/13-http.md).
// A refusal the fuzz target finds is explained only when the predicate of the
// refusal's own rule holds for the raw bytes.

// headOf returns raw through its first empty line, whichever line ends it uses.
func headOf(raw []byte) string {
	s := string(raw)
	for i := 0; i < len(s); i++ {
		if s[i] != '\n' {
			continue
		}
		switch {
		case strings.HasPrefix(s[i+1:], "\n"):
			return s[:i+2]
		case strings.HasPrefix(s[i+1:], "\r\n"):
			return s[:i+3]
		}
	}
	return s
}

// lines splits a head into lines, without their line ends or the empty line.
func lines(head string) []string {
	head = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(head, "\n"), "\r"), "\n")
	out := strings.Split(head, "\n")
	for i, l := range out {
		out[i] = strings.TrimSuffix(l, "\r")
	}
	return out
}

func explained(raw []byte, rule string) bool {
	head := headOf(raw)
	ls := lines(head)
	switch rule {
	case "HTTP-2":
		return bareLineEnd(head) || anyField(ls, func(name, value string, folded bool) bool {
			return folded || !isToken(name) || strings.ContainsAny(value, "\r\x7f") || hasCTL(value)
		})
	case "HTTP-3":
		parts := strings.Split(ls[0], " ")
		return len(ls[0]) > MaxRequestLine || len(parts) != 3 || (parts[2] != "HTTP/1.1" && parts[2] != "HTTP/1.0") ||
			!originOrAbsolute(parts[1])
	case "HTTP-4":
		return len(head) > MaxHead || len(ls)-1 > MaxFields
	case "HTTP-5":
		cl, te := count(ls, "content-length"), count(ls, "transfer-encoding")
		return cl > 1 || cl > 0 && te > 0
	case "HTTP-6":
		return count(ls, "transfer-encoding") > 0 && strings.HasSuffix(ls[0], "HTTP/1.0")
	}
	return false
}

// originOrAbsolute reports whether a target is "/…" or "http(s)://…".
func originOrAbsolute(t string) bool {
	l := strings.ToLower(t)
	return strings.HasPrefix(t, "/") || len(l) > 7 && strings.HasPrefix(l, "http://") || len(l) > 8 && strings.HasPrefix(l, "https://")
}

// acceptedLeniency is what the proxy reads though net/http's server refuses
// it: an Expect: 100-continue on a request without a body or in HTTP/1.0,
// which RFC 9110 says to ignore rather than refuse (HTTP-9).
func acceptedLeniency(raw []byte) bool {
	ls := lines(headOf(raw))
	return anyField(ls, func(name, value string, _ bool) bool {
		return strings.EqualFold(name, "Expect") && strings.EqualFold(strings.TrimSpace(value), "100-continue")
	})
}

// chunkStrictness reports whether a chunked body holds what HTTP-7 refuses and
// net/http's chunked reader tolerates: white space or a bare LF ending a
// chunk-size line, control bytes in an extension, or an unusual trailer.
func chunkStrictness(raw []byte) bool {
	body := raw[len(headOf(raw)):]
	body = bytes.TrimPrefix(bytes.TrimPrefix(body, []byte("\r")), []byte("\n"))
	for _, l := range bytes.SplitAfter(body, []byte("\n")) {
		if bytes.HasSuffix(l, []byte("\n")) && !bytes.HasSuffix(l, []byte("\r\n")) ||
			bytes.HasSuffix(bytes.TrimRight(l, "\r\n"), []byte(" ")) || bytes.HasSuffix(bytes.TrimRight(l, "\r\n"), []byte("\t")) ||
			hasCTL(strings.TrimRight(string(l), "\r\n")) || bytes.HasPrefix(l, []byte(" ")) || bytes.HasPrefix(l, []byte("\t")) {
			return true
		}
	}
	return false
}

func bareLineEnd(head string) bool {
	for i := 0; i < len(head); i++ {
		if head[i] == '\n' && (i == 0 || head[i-1] != '\r') || head[i] == '\r' && (i+1 == len(head) || head[i+1] != '\n') {
			return true
		}
	}
	return false
}

func hasCTL(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return true
		}
	}
	return false
}

func anyField(ls []string, f func(name, value string, folded bool) bool) bool {
	for _, l := range ls[1:] {
		if l == "" {
			continue
		}
		name, value, ok := strings.Cut(l, ":")
		if f(name, value, l[0] == ' ' || l[0] == '\t') || !ok {
			return true
		}
	}
	return false
}

func count(ls []string, name string) int {
	n := 0
	for _, l := range ls[1:] {
		if k, _, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, name) {
			n++
		}
	}
	return n
}
