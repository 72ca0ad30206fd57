// Package wire reads the framing of HTTP/1.1 messages (start line, the few
// headers that decide where a message ends, and the body) without building
// net/http values, so the load generator and the mock upstream spend almost
// nothing per message and spend the same amount for every leg they measure.
//
// It understands Content-Length, chunked transfer coding and close-delimited
// response bodies; it ignores every header that does not change framing.
package wire
