package query

import "testing"

// Wrapping and screening a typical search allocate nothing beyond the reused
// output buffer (the plan's gate is 4 for wrap_query).
func TestWrapAndScreen_TypicalSearch_NoAllocations(t *testing.T) {
	body := []byte(`{"size":10,"query":{"bool":{"must":[{"match":{"msg":"hi"}}],"filter":[{"range":{"n":{"gte":1}}}]}},"aggs":{"t":{"terms":{"field":"c"}}}}`)
	dst := make([]byte, 0, 1024)
	n := testing.AllocsPerRun(200, func() {
		_ = Screen(body)
		dst, _ = Wrap(dst[:0], body, acme)
	})
	if n != 0 {
		t.Fatalf("Screen+Wrap allocate %v times", n)
	}
}
