package h1

// Limits of a request head.
const (
	// MaxRequestLine bounds the request line (HTTP-3).
	MaxRequestLine = 8 << 10
	// MaxHead bounds the whole head, request line included (HTTP-4).
	MaxHead = 64 << 10
	// MaxFields bounds the number of field lines (HTTP-4).
	MaxFields = 100
)

// Request is a parsed request head. Its strings share one allocation.
type Request struct {
	Method, Target string
	// Minor is the minor version: 1 for HTTP/1.1, 0 for HTTP/1.0.
	Minor int
	// Fields are every field line in order, Host and framing included.
	Fields []Field
	// ContentLength is the body length, 0 without a body, -1 when chunked.
	ContentLength int64
	Chunked       bool
	Host          string
	// Close reports that the connection ends after the response (HTTP-10).
	Close bool
	// Expect100 reports a body announced with "Expect: 100-continue" (HTTP-9).
	Expect100 bool
}

// framing gathers the fields that decide how a request is delimited.
type framing struct {
	lengths, encodings, hosts int
	length, encoding, host    string
	closeTok, keepAlive       bool
	expect                    string
	otherExpect               bool
}

// ParseRequest parses head, as returned by Reader.ReadHead, appending its
// fields to fields[:0]. Everything it accepts, net/http reads the same way.
func ParseRequest(head []byte, fields []Field) (Request, *Error) {
	if len(head) > MaxHead {
		return Request{}, errHeadTooLarge
	}
	s := string(head)
	line, rest, e := nextLine(s)
	if e != nil {
		return Request{}, e
	}
	req, e := parseRequestLine(line)
	if e != nil {
		return req, e
	}
	var f framing
	req.Fields = fields[:0]
	for {
		if line, rest, e = nextLine(rest); e != nil {
			return req, e
		}
		if line == "" {
			break
		}
		fl, e := parseField(line)
		if e != nil {
			return req, e
		}
		if len(req.Fields) == MaxFields {
			return req, &Error{Status: 431, Code: CodeHeaderTooLarge, Rule: "HTTP-4", Reason: "the request has too many header fields"}
		}
		req.Fields = append(req.Fields, fl)
		f.note(fl)
	}
	return req, f.apply(&req)
}

// nextLine splits off the first line of s, which must end in CRLF (HTTP-2).
func nextLine(s string) (line, rest string, e *Error) {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			if i == 0 || s[i-1] != '\r' {
				return "", "", malformed("HTTP-2", "a line of the request head does not end in CRLF")
			}
			return s[:i-1], s[i+1:], nil
		}
	}
	return "", "", malformed("HTTP-2", "the request head is incomplete")
}

// parseRequestLine reads "method SP target SP version" (HTTP-3).
func parseRequestLine(line string) (Request, *Error) {
	if len(line) > MaxRequestLine {
		return Request{}, &Error{Status: 414, Code: CodeURITooLong, Rule: "HTTP-3", Reason: "the request line exceeds the length limit"}
	}
	method, rest := cutByte(line, ' ')
	target, version := cutByte(rest, ' ')
	req := Request{Method: method, Target: target}
	switch {
	case !isToken(method):
		return req, malformed("HTTP-3", "the request method is not a token")
	case !validTarget(target):
		return req, malformed("HTTP-3", "the request target is not an absolute path or an absolute http(s) URL")
	}
	switch version {
	case "HTTP/1.1":
		req.Minor = 1
	case "HTTP/1.0":
	default:
		if len(version) == 8 && version[:5] == "HTTP/" && isDigit(version[5]) && version[6] == '.' && isDigit(version[7]) {
			return req, &Error{Status: 505, Code: CodeVersionUnsupported, Rule: "HTTP-3", Reason: "only HTTP/1.0 and HTTP/1.1 are served on this connection"}
		}
		return req, malformed("HTTP-3", "the request line is not method, target and HTTP version")
	}
	return req, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// validTarget reports whether t is origin-form ("/…") or absolute-form
// ("http://…", "https://…") without control bytes or spaces. Authority-form
// (CONNECT) and asterisk-form ("*") are refused: the proxy forwards paths.
func validTarget(t string) bool {
	if t == "" {
		return false
	}
	if t[0] != '/' && !hasSchemePrefix(t, "http://") && !hasSchemePrefix(t, "https://") {
		return false
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

func hasSchemePrefix(t, p string) bool { return len(t) > len(p) && EqualFold(t[:len(p)], p) }

// parseField reads one "name: value" line (HTTP-2).
func parseField(line string) (Field, *Error) {
	if line[0] == ' ' || line[0] == '\t' {
		return Field{}, malformed("HTTP-2", "obsolete line folding is not accepted")
	}
	name, value := cutByte(line, ':')
	switch {
	case len(name) == len(line):
		return Field{}, malformed("HTTP-2", "a header line has no colon")
	case !isToken(name):
		return Field{}, malformed("HTTP-2", "a header name is not a token")
	}
	value = trimOWS(value)
	if !validValue(value) {
		return Field{}, malformed("HTTP-2", "a header value holds a control character")
	}
	return Field{Name: name, Value: value}, nil
}

// note records a field that bears on framing.
func (f *framing) note(fl Field) {
	switch len(fl.Name) {
	case 4:
		if EqualFold(fl.Name, "Host") {
			f.hosts++
			f.host = fl.Value
		}
	case 6:
		if EqualFold(fl.Name, "Expect") {
			switch {
			case EqualFold(fl.Value, "100-continue"):
				f.expect = fl.Value
			case fl.Value != "":
				f.otherExpect = true
			}
		}
	case 10:
		if EqualFold(fl.Name, "Connection") {
			f.closeTok = f.closeTok || HasToken(fl.Value, "close")
			f.keepAlive = f.keepAlive || HasToken(fl.Value, "keep-alive")
		}
	case 14:
		if EqualFold(fl.Name, "Content-Length") {
			f.lengths++
			f.length = fl.Value
		}
	case 17:
		if EqualFold(fl.Name, "Transfer-Encoding") {
			f.encodings++
			f.encoding = fl.Value
		}
	}
}

// apply decides the body's framing, the Host and the connection's fate
// (HTTP-5, HTTP-6, HTTP-8, HTTP-9, HTTP-10).
func (f *framing) apply(req *Request) *Error {
	switch {
	case f.encodings > 0 && req.Minor == 0:
		return malformed("HTTP-6", "HTTP/1.0 has no transfer codings")
	case f.encodings > 0 && f.lengths > 0:
		return malformed("HTTP-5", "a request must not carry both Content-Length and Transfer-Encoding")
	case f.encodings > 1 || f.encodings == 1 && !EqualFold(f.encoding, "chunked"):
		return &Error{Status: 501, Code: CodeUnsupportedTE, Rule: "HTTP-6", Reason: "chunked is the only transfer coding accepted"}
	case f.lengths > 1:
		return malformed("HTTP-5", "a request must carry at most one Content-Length")
	case f.hosts > 1:
		return malformed("HTTP-8", "a request must carry at most one Host")
	case f.hosts == 0 && req.Minor == 1:
		return malformed("HTTP-8", "an HTTP/1.1 request must carry a Host")
	case !validHost(f.host):
		return malformed("HTTP-8", "the Host value is malformed")
	case f.otherExpect:
		return &Error{Status: 417, Code: CodeExpectation, Rule: "HTTP-9", Reason: "the only expectation supported is 100-continue"}
	}
	req.Host = f.host
	switch {
	case f.encodings == 1:
		req.Chunked, req.ContentLength = true, -1
	case f.lengths == 1:
		if req.ContentLength = parseLength(f.length); req.ContentLength < 0 {
			return malformed("HTTP-5", "the Content-Length is not a whole number of at most 18 digits")
		}
	}
	req.Close = f.closeTok || req.Minor == 0 && !f.keepAlive
	req.Expect100 = f.expect != "" && req.Minor == 1 && req.ContentLength != 0
	return nil
}

func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		if !hostByte[h[i]] {
			return false
		}
	}
	return true
}
