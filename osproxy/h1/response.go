package h1

// Response is a parsed response head. Its strings share one allocation.
type Response struct {
	Minor  int
	Status int
	Reason string
	// Fields are every field line in order.
	Fields []Field
	// ContentLength is the declared body length, or -1: chunked, or read
	// until the connection closes (Chunked false).
	ContentLength int64
	Chunked       bool
	// Close reports that the connection cannot carry another message.
	Close bool
}

// ParseResponse parses a response head as returned by Reader.ReadHead,
// appending its fields to fields[:0]. It is as strict as the request parser
// about lines and fields, and refuses framing it cannot be sure of (two
// different lengths, a length with a transfer coding, a coding other than
// chunked) with ErrResponse. Whether the response has a body at all depends on
// the request (HEAD) and the status: see Bodiless.
func ParseResponse(head []byte, fields []Field) (Response, error) {
	s := string(head)
	line, rest, e := nextLine(s)
	if e != nil {
		return Response{}, ErrResponse
	}
	resp, ok := parseStatusLine(line)
	if !ok {
		return resp, ErrResponse
	}
	resp.Fields = fields[:0]
	resp.ContentLength = -1
	var lengths, encodings int
	var length, encoding string
	var closeTok, keepAlive bool
	for {
		if line, rest, e = nextLine(rest); e != nil {
			return resp, ErrResponse
		}
		if line == "" {
			break
		}
		f, e := parseField(line)
		if e != nil || len(resp.Fields) == MaxFields*2 {
			return resp, ErrResponse
		}
		resp.Fields = append(resp.Fields, f)
		switch {
		case EqualFold(f.Name, "Content-Length"):
			if lengths > 0 && f.Value != length {
				return resp, ErrResponse
			}
			lengths, length = lengths+1, f.Value
		case EqualFold(f.Name, "Transfer-Encoding"):
			encodings, encoding = encodings+1, f.Value
		case EqualFold(f.Name, "Connection"):
			closeTok = closeTok || HasToken(f.Value, "close")
			keepAlive = keepAlive || HasToken(f.Value, "keep-alive")
		}
	}
	switch {
	case encodings > 1 || encodings == 1 && (lengths > 0 || !EqualFold(encoding, "chunked")):
		return resp, ErrResponse
	case encodings == 1:
		resp.Chunked = true
	case lengths > 0:
		if resp.ContentLength = parseLength(length); resp.ContentLength < 0 {
			return resp, ErrResponse
		}
	}
	resp.Close = closeTok || resp.Minor == 0 && !keepAlive
	return resp, nil
}

// parseStatusLine reads "HTTP/1.x SP 3DIGIT [SP reason]".
func parseStatusLine(line string) (Response, bool) {
	var r Response
	if len(line) < 12 || line[:7] != "HTTP/1." || line[8] != ' ' || (line[7] != '0' && line[7] != '1') {
		return r, false
	}
	r.Minor = int(line[7] - '0')
	code := line[9:12]
	if !isDigit(code[0]) || !isDigit(code[1]) || !isDigit(code[2]) || code[0] == '0' {
		return r, false
	}
	r.Status = int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0')
	if len(line) > 12 {
		if line[12] != ' ' || !validValue(line[13:]) {
			return r, false
		}
		r.Reason = line[13:]
	}
	return r, true
}

// Bodiless reports whether a response to a request of method with status has
// no body whatever its fields say.
func Bodiless(method string, status int) bool {
	return method == "HEAD" || status/100 == 1 || status == 204 || status == 304
}

// AppendChunkHeader appends the size line of a chunk of n > 0 bytes.
func AppendChunkHeader(dst []byte, n int) []byte {
	const hex = "0123456789abcdef"
	var tmp [16]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = hex[n&0xf]
		n >>= 4
		if n == 0 {
			break
		}
	}
	dst = append(dst, tmp[i:]...)
	return append(dst, '\r', '\n')
}

// LastChunk ends a chunked body without trailer fields.
const LastChunk = "0\r\n\r\n"
