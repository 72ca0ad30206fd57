// Package mockupstream impersonates an OpenSearch node over HTTP/1.1: it answers
// each request with a scripted Responder and records what arrived, so a test can
// judge what a proxy sent upstream without running a cluster.
//
// Bodies never sit in memory whole. A request body passes through one 32 KiB
// frame, hashed and counted on the way, and only its first MaxRecordedBody bytes
// are kept; generated responses are written by repeating one frame. A 64 MiB body
// in either direction therefore costs the recorded prefix plus a frame or two.
//
// Before a Responder runs, the mock reads the whole request body, as OpenSearch
// does before it answers. A Responder that implements BodyStreamer (Echo is one)
// reads the body itself, through Request.Body, while it responds.
//
// Requests are seen through net/http's parser, so what is recorded is what that
// parser leaves: header names are canonicalised, Host and Transfer-Encoding move
// out of the header map into their own fields, a Content-Length sent alongside
// chunked framing is dropped, and a request line net/http cannot parse is
// answered with 400 before anything is recorded. The request target itself is
// kept byte for byte.
//
// The same package has a lean mode for benchmarks (LeanServer, lean*.go): one
// connection loop per client with canned, OpenSearch-shaped answers chosen by
// route, built on the same response shapes and frame writer as the scripted
// responders, recording only counters (served on GET /__stats) so its memory
// stays flat however long a run lasts. net/http's server costs about three
// times the CPU per request of that loop, and in a benchmark the mock shares a
// core with the load generator.
//
// The package imports the standard library and the module's internal/wire
// (HTTP/1.1 framing for the lean mode), never the proxy it is used to judge: an
// oracle that shares code with its subject shares its mistakes too.
package mockupstream
