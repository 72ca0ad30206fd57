package report

import "strings"

// ProfilesEnv names the variable that selects profiles, e.g. "core,streaming".
const ProfilesEnv = "OSPROXY_CONFORMANCE_PROFILES"

// Profiles splits a comma-separated profile list, dropping blanks and any
// "profile:" prefix a user typed, so "core, profile:streaming" and
// "core,streaming" mean the same.
func Profiles(list string) []string {
	var out []string
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimPrefix(strings.TrimSpace(p), profilePrefix)
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// LabelFilter turns a profile list such as "core,streaming" into the Ginkgo
// label filter "profile:core || profile:streaming". An empty list yields ""
// which selects every spec.
func LabelFilter(profiles string) string {
	ps := Profiles(profiles)
	for i, p := range ps {
		ps[i] = profilePrefix + p
	}
	return strings.Join(ps, " || ")
}
