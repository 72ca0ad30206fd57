package osproxy

import "strings"

// The proxy answers /_nodes itself, so it applies the client's filter_path itself too.

// applyFilterPath keeps what a filter_path names, as OpenSearch applies it: a comma list
// of dotted paths whose segments may hold * (any name) or be ** (any depth); a path
// starting with - is removed instead.
func applyFilterPath(doc map[string]any, filterPath string) any {
	if filterPath == "" {
		return doc
	}
	var include, exclude [][]string
	for _, f := range strings.Split(filterPath, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if strings.HasPrefix(f, "-") {
			exclude = append(exclude, strings.Split(f[1:], "."))
		} else {
			include = append(include, strings.Split(f, "."))
		}
	}
	var out any = doc
	if len(include) > 0 {
		out = keep(doc, include)
	}
	for _, ex := range exclude {
		out = drop(out, ex)
	}
	if out == nil {
		return map[string]any{}
	}
	return out
}

// keep returns the parts of v that some path reaches, or nil.
func keep(v any, paths [][]string) any {
	for _, p := range paths {
		if len(p) == 0 {
			return v
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := map[string]any{}
	for k, child := range m {
		var next [][]string
		for _, p := range paths {
			next = append(next, advance(p, k)...)
		}
		if len(next) == 0 {
			continue
		}
		if kept := keep(child, next); kept != nil {
			out[k] = kept
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// advance returns what is left of path p after matching member k.
func advance(p []string, k string) [][]string {
	if p[0] == "**" {
		out := [][]string{p} // ** matches k and goes on matching
		if len(p) > 1 && segmentMatches(p[1], k) {
			out = append(out, p[2:])
		}
		return out
	}
	if segmentMatches(p[0], k) {
		return [][]string{p[1:]}
	}
	return nil
}

// segmentMatches matches one segment of a path, where * stands for any text.
func segmentMatches(pattern, name string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == name
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(name, part)
		if i < 0 {
			return false
		}
		name = name[i+len(part):]
	}
	return len(name) >= len(parts[len(parts)-1]) && strings.HasSuffix(name, parts[len(parts)-1])
}

// drop removes what path p reaches from v.
func drop(v any, p []string) any {
	m, ok := v.(map[string]any)
	if !ok || len(p) == 0 {
		return v
	}
	for k, child := range m {
		if !segmentMatches(p[0], k) {
			continue
		}
		if len(p) == 1 {
			delete(m, k)
			continue
		}
		m[k] = drop(child, p[1:])
	}
	return m
}
