package query

import "github.com/osproxy/osproxy/osproxy/jsonstream"

// walk visits every object member of v, wherever it is (query, post_filter,
// filter aggregations, rescore…), refusing fetch-by-id constructs that read
// documents the filter never sees (D8–D10, D12).
func walk(v []byte) error {
	switch jsonstream.Kind(v) {
	case '{':
		return jsonstream.Members(v, func(key, value []byte) error {
			if err := screenMember(key, value); err != nil {
				return err
			}
			return walk(value)
		})
	case '[':
		return jsonstream.Elements(v, walk)
	}
	return nil
}

func screenMember(key, value []byte) error {
	switch {
	case jsonstream.KeyIs(key, "indexed_shape"):
		return refuse("indexed_shape")
	case jsonstream.KeyIs(key, "terms"):
		if hasNested(value, "index", "id") {
			return refuse("a terms lookup")
		}
	case jsonstream.KeyIs(key, "more_like_this"), jsonstream.KeyIs(key, "mlt"):
		if likesDocuments(value) {
			return refuse("more_like_this naming documents")
		}
	case jsonstream.KeyIs(key, "percolate"):
		if hasMember(value, "id") || hasMember(value, "index") {
			return refuse("percolate by id")
		}
	case jsonstream.KeyIs(key, "script"):
		if hasMember(value, "id") {
			return refuse("a stored script")
		}
	}
	return nil
}

// hasMember reports whether v is an object with a member named name.
func hasMember(v []byte, name string) bool {
	if jsonstream.Kind(v) != '{' {
		return false
	}
	found := false
	_ = jsonstream.Members(v, func(key, _ []byte) error {
		found = found || jsonstream.KeyIs(key, name)
		return nil
	})
	return found
}

// hasNested reports whether any member value of object v has one of names.
func hasNested(v []byte, names ...string) bool {
	if jsonstream.Kind(v) != '{' {
		return false
	}
	found := false
	_ = jsonstream.Members(v, func(_, inner []byte) error {
		for _, n := range names {
			found = found || hasMember(inner, n)
		}
		return nil
	})
	return found
}

// likesDocuments reports whether a more_like_this names documents in like or
// unlike (objects, as opposed to free text).
func likesDocuments(v []byte) bool {
	if jsonstream.Kind(v) != '{' {
		return false
	}
	found := false
	_ = jsonstream.Members(v, func(key, value []byte) error {
		if !jsonstream.KeyIs(key, "like") && !jsonstream.KeyIs(key, "unlike") {
			return nil
		}
		switch jsonstream.Kind(value) {
		case '{':
			found = true
		case '[':
			_ = jsonstream.Elements(value, func(e []byte) error {
				found = found || jsonstream.Kind(e) == '{'
				return nil
			})
		}
		return nil
	})
	return found
}
