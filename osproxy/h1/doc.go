// Package h1 reads and writes HTTP/1.1 messages strictly: request and response
// heads, length-delimited and chunked bodies, over a buffered connection.
//
// It is the wire format shared by the proxy's own server loop and its upstream
// client. Parsing is the part a proxy cannot afford to get subtly wrong: a
// message two parties frame differently is a smuggled request. So the request
// parser accepts a strict subset of what net/http accepts (one Content-Length,
// never with Transfer-Encoding, chunked as the only transfer coding, CRLF line
// ends, no obs-fold, bounded request line, header count and size) and refuses
// everything else with a typed *Error naming the HTTP-n rule of
// spec/13-http.md; where both accept a message they read it identically. A
// differential fuzz target holds it to that against net/http's own reader.
//
// Nothing here allocates per message beyond one string holding the head, so a
// connection's steady state costs no garbage.
package h1
