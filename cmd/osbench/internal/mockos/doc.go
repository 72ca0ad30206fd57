// Package mockos is a lean stand-in for OpenSearch that answers benchmark
// traffic with canned, OpenSearch-shaped responses chosen by route.
//
// It records nothing but counters: request bodies are drained through a
// fixed buffer (only the first few KiB are looked at, to pick the search
// response), responses are prebuilt or generated piece by piece, so its
// memory stays flat however long a run lasts. The counters (connections
// opened, requests served, body bytes) are served on GET /__stats, which is
// itself left out of them.
package mockos
