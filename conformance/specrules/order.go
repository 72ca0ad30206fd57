package specrules

import (
	"cmp"
	"strconv"
	"strings"
)

// CompareIDs orders rule ids naturally: by prefix, then by number, so that
// CFG-2 sorts before CFG-10. It returns -1, 0 or +1 like cmp.Compare and
// falls back to plain string order for text that is not a well-formed id.
func CompareIDs(a, b string) int {
	pa, na, okA := splitID(a)
	pb, nb, okB := splitID(b)
	if !okA || !okB {
		return strings.Compare(a, b)
	}
	if c := strings.Compare(pa, pb); c != 0 {
		return c
	}
	return cmp.Compare(na, nb)
}

func splitID(id string) (prefix string, n int, ok bool) {
	prefix, num, found := strings.Cut(id, "-")
	if !found {
		return "", 0, false
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		return "", 0, false
	}
	return prefix, n, true
}
