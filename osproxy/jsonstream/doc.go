// Package jsonstream scans JSON strictly and transforms it without knowing what the
// document means.
//
// It serves two callers. Transform streams a response from the upstream to the client,
// walking it as a Plan says: values it copies go through byte for byte (SRCH-8), values
// it captures are handed whole to a callback and replaced by its output, members it drops
// are left out; memory is bounded by one captured value plus a pooled buffer, so a 64 MiB
// aggregations sibling never sits in memory (STR-3, STR-4). TransformHits is Transform
// with the plan of a search response's hits.hits. The in-memory helpers (Tree, Members,
// Elements, KeyIs, Unquote, AppendString, Validate, Kind) inspect request bodies that
// have already been read under a size limit.
//
// Both halves share one tokenizer and one grammar, so what the proxy accepts when it
// inspects a body is exactly what it accepts when it streams one. The grammar is RFC 8259
// with the same limits as encoding/json: nesting deeper than 10000 is refused, and escaped
// lone surrogates (\ud800) are accepted and compare as U+FFFD. For the values it only
// copies, Transform runs a faster loop in front of the tokenizer (skim.go) that takes
// the commonest token shapes itself and hands every other token, and so every error, to
// the tokenizer; a test and a fuzz target hold the two to the same result, offset for
// offset.
//
// The two halves differ on purpose in one respect, invalid UTF-8 inside strings:
//
//   - Transform accepts it and copies it unchanged, as json.Valid does. The response
//     belongs to the upstream, the proxy must be transparent outside the hits, and
//     refusing a byte the client would have received is not a safety gain.
//   - The in-memory helpers refuse it. They judge request bodies that are about to be
//     forwarded, and a string that one parser reads as U+FFFD and another refuses or reads
//     differently is exactly the ambiguity a tenancy screen must not leave open.
//
// Errors that describe malformed input are *SyntaxError values whose messages are fixed
// strings: they carry an offset but never quote document bytes, so they are safe to log.
package jsonstream
