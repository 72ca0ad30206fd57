package conformance_test

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The cursor key of spec/14-reads.md, a setting of spec/01-configuration.md.
var _ = Describe("14 reads: the cursor key", Label("profile:core"), func() {
	It("CFG-28: refuses a cursor_affinity_key shorter than 32 characters without echoing it", Label("rule:CFG-28"), func() {
		for _, v := range []string{"short-secret", strings.Repeat("k", 31)} {
			reason := cfgExpectError("cursor_affinity_key", map[string]string{"OSPROXY_CURSOR_AFFINITY_KEY": v})
			Expect(reason).NotTo(ContainSubstring(v))
		}
		reason := cfgExpectError("cursor_affinity_key", nil, "--cursor-affinity-key", "tiny")
		Expect(reason).NotTo(ContainSubstring("tiny"))
	})

	It("CFG-29: warns once on standard error when it makes its own cursor key, and not otherwise", Label("rule:CFG-29"), func() {
		mock := startMock()
		own := startProxy(tenancyEnv(mock.URL()))
		// Standard error also carries the proxy's own log lines; the rule is about
		// the warning line alone, so it is counted among them.
		Eventually(func() []string { return warningLines(own.Stderr()) }, 5*time.Second).Should(HaveLen(1))
		Consistently(func() []string { return warningLines(own.Stderr()) }, 300*time.Millisecond).Should(HaveLen(1))
		Expect(warningLines(own.Stderr())[0]).To(HavePrefix("osproxy: warning: cursor_affinity_key is not set;"))
		Expect(own.Stdout()).NotTo(ContainSubstring("cursor_affinity_key is not set"))
		env := tenancyEnv(mock.URL())
		env["OSPROXY_CURSOR_AFFINITY_KEY"] = readsKey
		keyed := startProxy(env)
		Expect(warningLines(keyed.Stderr())).To(BeEmpty())
		Expect(keyed.Stderr()).NotTo(ContainSubstring(readsKey))
	})
})

// warningLines are the lines of out that warn about cursor_affinity_key.
func warningLines(out string) []string {
	var found []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "warning: cursor_affinity_key") {
			found = append(found, l)
		}
	}
	return found
}
