// Package load drives pre-serialized HTTP/1.1 requests at a server over raw
// TCP connections and records one latency per request.
//
// The generator is deliberately dumb and cheap: the same bytes are written
// for every request and the response is only framed, never parsed, so its
// cost per request is small and identical whichever leg it measures. Every
// loop stops on a request count or a wall-clock limit, whichever comes first.
package load
