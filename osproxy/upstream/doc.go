// Package upstream is the proxy's HTTP/1.1 client: pools of kept-alive
// connections per upstream base URL, TLS with session resumption, the
// response-head timeout, and cancellation when the client goes away.
//
// It is synchronous: the goroutine serving a client connection takes a pooled
// upstream connection, writes the request head and a body in memory in one
// write, reads and parses the response head itself, streams the body and puts
// the connection back once the body ended cleanly. No goroutine is handed the
// request or the response on the way, which is where a general-purpose client
// spends most of its time per request; a second goroutine runs only for a body
// streamed from the client (so an upstream may answer before it has read it)
// and for a wait on a slow upstream that the client may abandon.
package upstream
