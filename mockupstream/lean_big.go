package mockupstream

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// bigBody is a body of prefix, reps copies of piece, then suffix. It is
// written piece by piece, so a 64 MiB response costs the mock one 64 KiB
// piece of memory rather than 64 MiB.
type bigBody struct {
	prefix, piece, suffix []byte
	reps                  int
}

func (b bigBody) size() int64 {
	return int64(len(b.prefix)) + int64(b.reps)*int64(len(b.piece)) + int64(len(b.suffix))
}

func (b bigBody) write(w io.Writer) error {
	head := "HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=UTF-8\r\n" +
		"content-length: " + strconv.FormatInt(b.size(), 10) + "\r\n\r\n"
	if _, err := io.WriteString(w, head); err != nil {
		return fmt.Errorf("writing big response head: %w", err)
	}
	if _, err := w.Write(b.prefix); err != nil {
		return fmt.Errorf("writing big response: %w", err)
	}
	if err := writeRepeated(w, b.piece, int64(b.reps)*int64(len(b.piece))); err != nil {
		return err
	}
	if _, err := w.Write(b.suffix); err != nil {
		return fmt.Errorf("writing big response: %w", err)
	}
	return nil
}

// rawBody is a JSON document with one huge string member, for the
// passthrough response stream.
func rawBody(size int64) bigBody {
	piece := bytes.Repeat([]byte("x"), 64<<10)
	return bigBody{
		prefix: []byte(`{"blob":"`),
		piece:  piece,
		suffix: []byte(`"}`),
		reps:   int(size / int64(len(piece))),
	}
}

// aggBody is a 10-hit search response with an aggregations member of about
// size bytes after hits, the shape STR-3 streams through the hit transform.
func aggBody(s Shape, size int64) bigBody {
	const bucket = `{"key":"k","doc_count":1},`
	piece := bytes.Repeat([]byte(bucket), (64<<10)/len(bucket))
	return bigBody{
		prefix: []byte(s.searchPrefix(10) + `,"aggregations":{"big":{"buckets":[`),
		piece:  piece,
		suffix: []byte(`{"key":"end","doc_count":1}]}}}`),
		reps:   int(size / int64(len(piece))),
	}
}
