package conformance_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
	"github.com/osproxy/osproxy/conformance/report"
	"github.com/osproxy/osproxy/conformance/specrules"
)

// suiteVersion is the version of this suite, reported in results.json.
const suiteVersion = "0.1.0"

// upstreamMode is "mock" or "opensearch" (OSPROXY_CONFORMANCE_UPSTREAM).
var upstreamMode = "mock"

func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	if m := os.Getenv("OSPROXY_CONFORMANCE_UPSTREAM"); m != "" {
		upstreamMode = m
	}
	suiteConfig, reporterConfig := GinkgoConfiguration()
	filter := report.LabelFilter(os.Getenv("OSPROXY_CONFORMANCE_PROFILES"))
	if suiteConfig.LabelFilter != "" && filter != "" {
		filter = "(" + suiteConfig.LabelFilter + ") && (" + filter + ")"
	} else if suiteConfig.LabelFilter != "" {
		filter = suiteConfig.LabelFilter
	}
	suiteConfig.LabelFilter = filter
	if suiteConfig.Timeout < 40*time.Minute {
		suiteConfig.Timeout = 40 * time.Minute
	}
	RunSpecs(t, "osproxy conformance", suiteConfig, reporterConfig)
}

// Specs that need the mock's recordings cannot run against a real cluster, and
// the reverse: each is skipped with its reason, so the report says why.
var _ = BeforeEach(func() {
	labels := CurrentSpecReport().Labels()
	if upstreamMode != "mock" && hasLabel(labels, "upstream:mock") {
		Skip("needs the mock upstream's recordings; this run targets a real OpenSearch")
	}
	if upstreamMode == "mock" && hasLabel(labels, "upstream:opensearch") {
		Skip("needs a real OpenSearch; run make conformance-real")
	}
})

var _ = SynchronizedAfterSuite(func() {}, func() {
	stopCluster()
	_ = harness.Cleanup()
})

var _ = ReportAfterSuite("results.json and junit.xml", func(rep types.Report) {
	dir := os.Getenv("OSPROXY_CONFORMANCE_REPORT_DIR")
	if dir == "" {
		dir = filepath.Join(moduleRoot(), "results")
	}
	rules, err := specrules.Parse(filepath.Join(moduleRoot(), "spec"))
	Expect(err).NotTo(HaveOccurred())
	meta := report.Meta{
		Implementation: implementationName(),
		SuiteVersion:   suiteVersion,
		Upstream:       upstreamDescription(),
		Profiles:       report.Profiles(os.Getenv("OSPROXY_CONFORMANCE_PROFILES")),
	}
	Expect(report.Write(dir, rep, rules, meta)).To(Succeed())
})

func hasLabel(labels []string, want string) bool {
	for _, l := range labels {
		if l == want {
			return true
		}
	}
	return false
}

// implementationName asks the binary for its version unless told.
func implementationName() string {
	if n := os.Getenv("OSPROXY_CONFORMANCE_IMPLEMENTATION"); n != "" {
		return n
	}
	out, _, code, err := harness.Run(nil, 10*time.Second, "--version")
	if err != nil || code != 0 {
		return "unknown"
	}
	return strings.TrimSpace(out)
}

// moduleRoot is the directory holding go.mod above the working directory.
func moduleRoot() string {
	dir, err := os.Getwd()
	Expect(err).NotTo(HaveOccurred())
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			Fail("no go.mod above the working directory")
		}
		dir = parent
	}
}
