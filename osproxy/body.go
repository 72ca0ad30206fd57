package osproxy

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// maxJSONDepth bounds nesting of bodies the proxy parses.
const maxJSONDepth = 256

// readJSONBody reads a request body the proxy must rewrite (readBody) and checks it
// is one well-formed JSON object with no repeated key (SRCH-4). An absent body is
// returned as nil.
func (p *Proxy) readJSONBody(w http.ResponseWriter, r *http.Request) ([]byte, *Error) {
	return p.readJSONObject(w, r, nil)
}

// readJSONObject is readJSONBody that also hands each top-level member name to top
// (raw, escapes intact) in the pass that validates the body; an error of top is the
// refusal (topError).
func (p *Proxy) readJSONObject(w http.ResponseWriter, r *http.Request, top func([]byte) error) ([]byte, *Error) {
	body, e := p.readBody(w, r)
	if e != nil || body == nil {
		return nil, e
	}
	if err := jsonstream.ValidateObject(body, maxJSONDepth, top); err != nil {
		if e := topError(err); e != nil {
			return nil, e
		}
		return nil, invalidJSON(err)
	}
	if jsonstream.Kind(bytes.TrimSpace(body)) != '{' {
		return nil, notAnObject()
	}
	return body, nil
}

func invalidJSON(err error) *Error {
	return fail(CodeMalformedBody, "the body is not valid JSON: "+err.Error())
}

func notAnObject() *Error { return fail(CodeMalformedBody, "the body must be a JSON object") }

// requiredJSONTree reads a body an endpoint needs and parses it into tree, which
// checks everything readJSONBody checks in the same pass: an absent body is refused
// with missing as the reason. On refusal it has answered and returns false.
func (p *Proxy) requiredJSONTree(w http.ResponseWriter, r *http.Request, missing string, tree *jsonstream.Tree) bool {
	body, e := p.readBody(w, r)
	switch {
	case e != nil:
	case body == nil:
		e = fail(CodeMalformedBody, missing)
	default:
		if err := tree.Parse(body, maxJSONDepth); err != nil {
			e = invalidJSON(err)
		} else if tree.Root().Kind() != '{' {
			e = notAnObject()
		}
	}
	if e != nil {
		writeError(w, r, e)
		return false
	}
	return true
}

// requiredJSONObject is readJSONObject for the endpoints that need a body: an absent
// one is refused with missing as the reason. On refusal it has answered and returns nil.
func (p *Proxy) requiredJSONObject(w http.ResponseWriter, r *http.Request, missing string, top func([]byte) error) []byte {
	body, e := p.readJSONObject(w, r, top)
	if e == nil && body == nil {
		e = fail(CodeMalformedBody, missing)
	}
	if e != nil {
		writeError(w, r, e)
		return nil
	}
	return body
}

// readBody reads a request body the proxy must rewrite: at most max_body_bytes
// (SRCH-3) after gzip decoding (SRCH-5), of a JSON content type (SRCH-4), paced as
// openBody says. An absent or blank body is returned as nil. The caller checks the
// JSON: a search body is parsed once by the judge, which checks it as it goes.
func (p *Proxy) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *Error) {
	return p.readBodyOf(w, r, false)
}

// readBodyOf is readBody for a JSON body, or an NDJSON one (_msearch) when ndjson.
func (p *Proxy) readBodyOf(w http.ResponseWriter, r *http.Request, ndjson bool) ([]byte, *Error) {
	limit := p.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	src, closeBody, e := p.openBody(w, r, ndjson)
	if e != nil {
		return nil, e
	}
	defer closeBody()
	body, err := readCapped(src, r.ContentLength, limit, trackedOf(r))
	var ne net.Error
	switch {
	case err == errTooLarge:
		return nil, tooLarge(limit)
	case err == errOverloaded:
		return nil, overloaded() // OPS-11
	case errors.As(err, &ne) && ne.Timeout():
		return nil, bodyTimeout(w)
	case err != nil:
		return nil, fail(CodeMalformedBody, "the request body could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	return body, nil
}

// openBody opens a request body the proxy reads: of a JSON content type (or NDJSON,
// when ndjson), gzip decoded (SRCH-5), each read waiting at most body_read_timeout
// (ISO-20) and never past read_timeout from the request's start (CFG-23). The
// returned func releases what it set up.
func (p *Proxy) openBody(w http.ResponseWriter, r *http.Request, ndjson bool) (io.Reader, func(), *Error) {
	idle := p.cfg.BodyReadTimeout
	ct := r.Header.Get("Content-Type")
	if ct == "" && r.ContentLength != 0 {
		// OpenSearch reads a body without a type by sniffing it (JSON, YAML, CBOR,
		// Smile); the proxy judges JSON only, so it does not guess (SRCH-4).
		return nil, nil, fail(CodeUnsupportedMedia, "a body needs a Content-Type; send application/json")
	}
	if !ndjson || !strings.HasPrefix(strings.ToLower(ct), "application/x-ndjson") {
		if e := checkContentType(r.Header); e != nil {
			return nil, nil, e
		}
	}
	src := io.Reader(r.Body)
	release := func() {}
	if idle > 0 {
		rc := http.NewResponseController(w)
		ir := &idleReader{r: src, rc: rc, idle: idle}
		if p.cfg.ReadTimeout > 0 {
			ir.until = time.Now().Add(p.cfg.ReadTimeout)
		}
		src = ir
		release = func() { _ = rc.SetReadDeadline(time.Time{}) } // a writer without deadlines has none to clear
	}
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, nil, fail(CodeMalformedBody, "the gzip body could not be read")
		}
		src = zr
		clear := release
		release = func() { zr.Close(); clear() }
	default:
		return nil, nil, fail(CodeUnsupportedMedia, "content encoding "+strconv.Quote(enc)+" is not supported; use gzip or none")
	}
	return src, release, nil
}

// bodyTimeout is the answer to a body that stopped arriving (ISO-20); the connection
// is closed after it.
func bodyTimeout(w http.ResponseWriter) *Error {
	w.Header().Set("Connection", "close")
	return fail(CodeRequestTimeout, "the request body stopped arriving for longer than body_read_timeout")
}

var errTooLarge = errors.New("body over the limit")

// firstRead bounds the buffer a declared Content-Length may size before bytes arrive.
const firstRead = 64<<10 + 1 // +1: a 64 KiB body and its EOF fit

// idleReader gives each read of a request body its own deadline, so a body that
// stops arriving ends the request instead of holding its buffer (ISO-20).
type idleReader struct {
	r     io.Reader
	rc    *http.ResponseController
	idle  time.Duration
	until time.Time // the request's own read deadline, which no pause extends; zero for none
}

func (ir *idleReader) Read(p []byte) (int, error) {
	deadline := time.Now().Add(ir.idle)
	if !ir.until.IsZero() && ir.until.Before(deadline) {
		deadline = ir.until
	}
	_ = ir.rc.SetReadDeadline(deadline) // unsupported writers (tests) simply have no deadline
	return ir.r.Read(p)
}

// readCapped reads at most limit bytes. A declared length sizes the first buffer
// up to firstRead (a 64 KiB document then costs one allocation, where io.ReadAll
// would grow and copy a dozen times) but never beyond: a declared length reserves
// no memory before the bytes arrive (ISO-19). The buffer then grows with what
// arrives, never past limit+1. Every byte of buffer is held from the budget of
// the request t, if any (OPS-11): a buffer that cannot grow fails with errOverloaded.
func readCapped(src io.Reader, declared, limit int64, t *tracked) ([]byte, error) {
	size := int64(512)
	if declared > 0 && declared <= limit {
		size = min(declared+1, firstRead) // +1 to see EOF (or a longer body) in the same read loop
	}
	if !t.hold(size) {
		return nil, errOverloaded
	}
	buf := make([]byte, 0, size)
	for {
		n, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, errTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
		if len(buf) == cap(buf) {
			size := nextSize(int64(cap(buf)), declared, limit)
			if !t.hold(size - int64(cap(buf))) {
				return nil, errOverloaded
			}
			grown := make([]byte, len(buf), size)
			copy(grown, buf)
			buf = grown
		}
	}
}

// nextSize is the capacity a full body buffer grows to: double, but no more than
// the declared length (and its EOF) or the limit past which the body is refused,
// until it has reached that. Doubling, rather than append's gentler growth for
// large slices, leaves behind at most as much garbage as the final buffer holds,
// so what a body costs stays near its size while bodies arrive by the hundred
// (OPS-11).
func nextSize(current, declared, limit int64) int64 {
	ceiling := limit + 1
	if declared > 0 && declared < limit {
		ceiling = declared + 1
	}
	if current < ceiling {
		return min(2*current, ceiling)
	}
	return 2 * current
}

func tooLarge(limit int64) *Error {
	return fail(CodeRequestTooLarge, "the request body exceeds the limit of "+strconv.FormatInt(limit, 10)+" bytes")
}

// checkContentType accepts JSON or no content type (SRCH-4).
func checkContentType(h http.Header) *Error {
	ct := h.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	return fail(CodeUnsupportedMedia, "content type "+strconv.Quote(ct)+" is not supported; send application/json")
}
