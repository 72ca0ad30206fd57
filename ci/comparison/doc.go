// Command comparison renders the rule-by-rule table of several conformance
// runs side by side (docs/conformance-comparison.md): our osproxy and the
// original Rust osproxy, each on the mock upstream and on a real OpenSearch.
//
// Usage, from the module root:
//
//	go run ./ci/comparison -spec spec -out docs/conformance-comparison.md \
//	    "ours, mock=results/results.json" "original, mock=results/original-mock/results.json" …
//
// Each argument is COLUMN=PATH of a results.json; a missing file becomes a
// column of dashes, so the table can be regenerated from whatever ran. The
// table lists every rule of spec/ with its profile, level and each run's
// status, then each profile's verdict per run, then, rule by rule, the
// first line of every failure, so each difference is named.
package main
