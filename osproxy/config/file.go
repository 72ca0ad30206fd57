package config

import (
	"fmt"
	"strings"
)

// parseFile reads the key = value format of CFG-2 into values.
func parseFile(text string, values map[string]string) error {
	section := ""
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			return &Error{"file", fmt.Sprintf("line %d: expected `key = value`", n+1)}
		}
		name, value = strings.TrimSpace(name), unquote(strings.TrimSpace(value))
		canonical, ok := resolveFileKey(section, name)
		if !ok {
			return &Error{name, "unknown setting"}
		}
		if value != "" {
			values[canonical] = value
		} else {
			delete(values, canonical)
		}
	}
	return nil
}

// resolveFileKey applies section sugar: a bare key k in [s] is s_k, else k.
func resolveFileKey(section, name string) (string, bool) {
	if section != "" {
		if _, ok := lookupKey(section + "_" + name); ok {
			return section + "_" + name, true
		}
	}
	_, ok := lookupKey(name)
	return name, ok
}

// unquote strips one pair of matching quotes.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}
