package mockupstream

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"sync"
)

// framePool recycles the frames request bodies are read through, so a request
// costs one frame however large its body is and however many arrive.
var framePool = sync.Pool{New: func() any {
	b := make([]byte, frameSize)
	return &b
}}

// bodyRecorder is the only reader of a request body. Every byte that passes
// is hashed and reported to the recording, so the record is right whether the
// mock drains the body or a BodyStreamer reads it.
type bodyRecorder struct {
	req      *http.Request
	rec      *recorder
	e        *entry
	limit    int
	sum      hash.Hash
	complete bool
}

func newBodyRecorder(r *http.Request, rec *recorder, e *entry, limit int) *bodyRecorder {
	return &bodyRecorder{req: r, rec: rec, e: e, limit: limit, sum: sha256.New()}
}

func (b *bodyRecorder) Read(p []byte) (int, error) {
	n, err := b.req.Body.Read(p)
	if n > 0 {
		b.sum.Write(p[:n])
		b.rec.addBody(b.e, p[:n], b.limit)
	}
	if err == io.EOF {
		b.complete = true
	}
	return n, err
}

// drain reads the body to its end one frame at a time.
func (b *bodyRecorder) drain() error {
	bp := framePool.Get().(*[]byte)
	defer framePool.Put(bp)
	for {
		_, err := b.Read(*bp)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("draining the request body: %w", err)
		}
	}
}

// finish seals the recording's body fields with what was read.
func (b *bodyRecorder) finish() {
	var trailer http.Header
	if b.complete {
		// net/http fills Trailer only once a chunked body has hit EOF.
		trailer = b.req.Trailer.Clone()
	}
	b.rec.endBody(b.e, hex.EncodeToString(b.sum.Sum(nil)), b.complete, trailer)
}

// filledFrame returns the frame a body of size bytes of fill is written from.
func filledFrame(fill byte, size int64) []byte {
	return bytes.Repeat([]byte{fill}, int(min(max(size, 0), frameSize)))
}

// writeRepeated writes size bytes by cycling through frame, so a body of any
// size costs only the frame.
func writeRepeated(w io.Writer, frame []byte, size int64) error {
	if len(frame) == 0 {
		return nil
	}
	for size > 0 {
		n := min(size, int64(len(frame)))
		if _, err := w.Write(frame[:n]); err != nil {
			return fmt.Errorf("writing a generated body: %w", err)
		}
		size -= n
	}
	return nil
}
