package harness

import (
	"os"
	"sort"
)

// passedThrough names the only variables copied from the suite's own
// environment; see the package documentation for why each is needed.
var passedThrough = []string{"PATH", "HOME", "TMPDIR"}

// buildEnv returns the child's environment: the passed-through variables
// present in the suite's environment, overridden by env. The result is
// sorted so that a failing spec's logged environment is easy to read.
func buildEnv(env map[string]string) []string {
	merged := make(map[string]string, len(env)+len(passedThrough))
	for _, k := range passedThrough {
		if v, ok := os.LookupEnv(k); ok {
			merged[k] = v
		}
	}
	for k, v := range env {
		merged[k] = v
	}
	out := make([]string, 0, len(merged))
	for k, v := range merged {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
