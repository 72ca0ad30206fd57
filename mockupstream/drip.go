package mockupstream

import (
	"net/http"
	"strconv"
	"time"
)

type drip struct {
	status int
	size   int64
	piece  int
	every  time.Duration
	frame  []byte
}

// Drip answers with status and a Content-Length of size, then sends the body
// piece bytes at a time, every interval: an upstream that is slow but never
// silent for long. It stops, leaving the body incomplete, when the client goes
// away or the Server closes.
func Drip(status int, size int64, piece int, every time.Duration) Responder {
	piece = max(piece, 1)
	return &drip{status: status, size: max(size, 0), piece: piece, every: every, frame: filledFrame(' ', int64(piece))}
}

func (d *drip) Respond(w http.ResponseWriter, req *Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.FormatInt(d.size, 10))
	w.WriteHeader(d.status)
	rc := http.NewResponseController(w)
	if rc.Flush() != nil {
		return
	}
	t := time.NewTicker(d.every)
	defer t.Stop()
	for left := d.size; left > 0; {
		select {
		case <-req.Context().Done():
			return
		case <-t.C:
		}
		n := min(left, int64(d.piece))
		if _, err := w.Write(d.frame[:n]); err != nil || rc.Flush() != nil {
			return
		}
		left -= n
	}
}

type dripHead struct {
	status int
	every  time.Duration
}

// DripHead sends its response head one byte per interval, then an empty body:
// an upstream whose head takes longer than any timeout if the interval is long
// enough. It stops when the client goes away or the Server closes.
func DripHead(status int, every time.Duration) Responder {
	return &dripHead{status: status, every: every}
}

func (d *dripHead) Respond(w http.ResponseWriter, req *Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	head := "HTTP/1.1 " + strconv.Itoa(d.status) + " " + http.StatusText(d.status) + "\r\nContent-Length: 0\r\n\r\n"
	t := time.NewTicker(d.every)
	defer t.Stop()
	for i := 0; i < len(head); i++ {
		if _, err := conn.Write([]byte{head[i]}); err != nil {
			return
		}
		select {
		case <-req.Context().Done():
			return
		case <-t.C:
		}
	}
}
