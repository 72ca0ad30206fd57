// Package server serves HTTP/1.1 connections, cleartext and TLS, on a lean
// synchronous loop, and hands HTTP/2 connections to net/http.
//
// One goroutine per connection reads a request head into a buffer borrowed
// for the request, parses it strictly (package h1), calls the http.Handler on
// the same goroutine with an *http.Request and a ResponseWriter reused for
// the connection's life, and writes the response head and a small body in one
// write. Nothing is handed between goroutines on the way and the steady state
// allocates little: the head's one string, a URL and what the handler does.
// An idle keep-alive connection holds no buffer, only its goroutine.
//
// The request context's Done channel is made on first use: asking for it
// starts watching the client connection for its close, so a handler that waits
// long on an upstream can give up when its client does, while quick requests
// never pay for the watch.
package server
