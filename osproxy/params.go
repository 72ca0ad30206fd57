package osproxy

import (
	"net/url"
	"strconv"
	"strings"
)

// searchParams are the parameters of SRCH-7: none can widen a search.
var searchParams = paramSet("size", "from", "timeout", "terminate_after", "track_total_hits", "track_scores",
	"typed_keys", "rest_total_hits_as_int", "allow_partial_search_results", "batched_reduce_size",
	"max_concurrent_shard_requests", "pre_filter_shard_size", "request_cache", "_source", "_source_includes",
	"_source_excludes", "sort", "docvalue_fields", "stored_fields", "seq_no_primary_term", "version",
	"filter_path", "pretty", "human", "error_trace", "preference", "cancel_after_time_interval")

// writeParams and readParams are those of DOC-7.
var (
	writeParams = paramSet("refresh", "timeout", "wait_for_active_shards", "if_seq_no", "if_primary_term",
		"version", "version_type", "pretty", "human", "error_trace", "filter_path")
	readParams = paramSet("_source", "_source_includes", "_source_excludes", "stored_fields", "realtime",
		"refresh", "preference", "version", "version_type", "pretty", "human", "error_trace", "filter_path")
)

// rootParams are the formatting parameters GET / accepts.
var rootParams = paramSet("pretty", "human", "error_trace", "filter_path")

func paramSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// filterParams keeps the raw query when every parameter is allowed, else names
// the first one that is not. error_trace, where allowed, is accepted but never
// forwarded: a stack trace shows the cluster's internals (ISO-16).
func filterParams(raw string, allowed map[string]bool) (string, *Error) {
	rest, kept := raw, raw
	for rest != "" {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		decoded, err := url.QueryUnescape(name)
		if _, verr := url.QueryUnescape(value); err != nil || verr != nil {
			return "", fail(CodeMalformedRequest, "the query string has a malformed percent-encoding") // ISO-22
		}
		if !allowed[decoded] {
			return "", fail(CodeUnsupportedParameter, "the parameter "+strconv.Quote(name)+" is not supported in tenancy mode")
		}
		if decoded == "error_trace" {
			kept = ""
		}
	}
	if kept == "" && raw != "" {
		return dropParam(raw, "error_trace"), nil
	}
	return raw, nil
}

// dropParam returns raw without the pairs named name.
func dropParam(raw, name string) string {
	var out []string
	for _, pair := range strings.Split(raw, "&") {
		n, _, _ := strings.Cut(pair, "=")
		if d, err := url.QueryUnescape(n); pair != "" && (err != nil || d != name) {
			out = append(out, pair)
		}
	}
	return strings.Join(out, "&")
}
