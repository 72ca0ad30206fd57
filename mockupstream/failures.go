package mockupstream

import (
	"net"
	"net/http"
	"strconv"
)

// resetLead is how a ResetAfter body starts. The body stays valid JSON up to
// the reset (the rest is whitespace inside the hits array), so a proxy that
// parses responses as they stream meets the reset itself, not a syntax error.
const resetLead = `{"took":1,"timed_out":false,"hits":{"hits":[`

type resetAfter struct {
	status int
	n      int64
	pad    []byte
}

// ResetAfter sends a head with status and a Content-Length one byte larger
// than n, sends n body bytes, then resets the TCP connection (SO_LINGER 0, so
// the client sees a reset rather than a clean close): an upstream failing
// after the response has started.
func ResetAfter(status int, n int64) Responder {
	n = max(n, 0)
	return &resetAfter{status: status, n: n, pad: filledFrame(' ', n)}
}

func (r *resetAfter) Respond(w http.ResponseWriter, _ *Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.FormatInt(r.n+1, 10))
	w.WriteHeader(r.status)
	lead := min(r.n, int64(len(resetLead)))
	if _, err := w.Write([]byte(resetLead[:lead])); err != nil {
		return
	}
	if err := writeRepeated(w, r.pad, r.n-lead); err != nil {
		return
	}
	// Hijack drops whatever the response writer still buffers, so the head
	// and the n bytes are flushed to the socket first.
	rc := http.NewResponseController(w)
	if err := rc.Flush(); err != nil {
		return
	}
	conn, _, err := rc.Hijack()
	if err != nil {
		return
	}
	abort(conn)
}

// abort closes conn with a TCP reset instead of a FIN.
func abort(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

type closeWithoutResponse struct{}

// CloseWithoutResponse closes the connection, after the body has been
// drained, without sending a byte of response: the proxy sees a transport
// failure before any head.
func CloseWithoutResponse() Responder { return closeWithoutResponse{} }

func (closeWithoutResponse) Respond(w http.ResponseWriter, _ *Request) {
	hangUp(w)
}

// hangUp closes the connection without a response. A plain close sends FIN,
// as a crashed or restarting node would; with the body drained there is no
// unread data to turn it into a reset.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	_ = conn.Close()
}
