package query

import (
	"bytes"
	"fmt"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// Refusal names a construct that would escape the tenant filter (SRCH-6).
type Refusal struct{ Construct string }

func (r *Refusal) Error() string {
	return fmt.Sprintf("%s is not allowed: it would reach beyond the tenant's documents", r.Construct)
}

func refuse(construct string) error { return &Refusal{construct} }

// Screen returns a *Refusal when the search body holds a construct the filter
// cannot contain. body must be a valid JSON object, or empty.
func Screen(body []byte) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	err := jsonstream.Members(body, func(key, value []byte) error {
		switch {
		case jsonstream.KeyIs(key, "suggest"):
			return refuse("suggest") // suggesters ignore the query (D5)
		case jsonstream.KeyIs(key, "profile"), jsonstream.KeyIs(key, "explain"):
			if bytes.Equal(value, []byte("true")) {
				return refuse("profile and explain") // reveal the physical index (D14)
			}
		case jsonstream.KeyIs(key, "aggs"), jsonstream.KeyIs(key, "aggregations"):
			if err := screenAggs(value); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return walk(body)
}

// screenAggs checks each named aggregation of an aggs object, recursively.
func screenAggs(aggs []byte) error {
	if jsonstream.Kind(aggs) != '{' {
		return nil
	}
	return jsonstream.Members(aggs, func(_, def []byte) error {
		if jsonstream.Kind(def) != '{' {
			return nil
		}
		return jsonstream.Members(def, func(kind, body []byte) error {
			switch {
			case jsonstream.KeyIs(kind, "aggs"), jsonstream.KeyIs(kind, "aggregations"):
				return screenAggs(body)
			case jsonstream.KeyIs(kind, "global"):
				return refuse("a global aggregation") // ignores the query (D4)
			case jsonstream.KeyIs(kind, "significant_terms"), jsonstream.KeyIs(kind, "significant_text"):
				return refuse("significant_terms and significant_text") // background set is the whole index (D7)
			}
			return screenMinDocCount(body)
		})
	})
}

// screenMinDocCount refuses min_doc_count 0, which lists other tenants' terms (D6).
func screenMinDocCount(body []byte) error {
	if jsonstream.Kind(body) != '{' {
		return nil
	}
	return jsonstream.Members(body, func(key, value []byte) error {
		if jsonstream.KeyIs(key, "min_doc_count") && isZero(value) {
			return refuse("min_doc_count 0")
		}
		return nil
	})
}

func isZero(v []byte) bool {
	switch string(v) {
	case "0", "0.0", "-0", `"0"`:
		return true
	}
	return false
}
