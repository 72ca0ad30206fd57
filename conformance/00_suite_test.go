package conformance_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
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
)

// suiteVersion is the version of this suite, reported in results.json.
const suiteVersion = "0.2.0"

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
	removeClusterRoot()
	_ = harness.Cleanup()
})

var _ = ReportAfterSuite("results.json and junit.xml", func(rep types.Report) {
	dir := os.Getenv("OSPROXY_CONFORMANCE_REPORT_DIR")
	if dir == "" {
		dir = filepath.Join(moduleRoot(), "results") // "results" in the working directory outside a checkout
	}
	spec, err := loadSpec()
	Expect(err).NotTo(HaveOccurred())
	meta := report.Meta{
		Implementation: implementationName(),
		SuiteVersion:   suiteVersion,
		Upstream:       upstreamDescription(),
		Profiles:       report.Profiles(os.Getenv("OSPROXY_CONFORMANCE_PROFILES")),
	}
	Expect(report.Write(dir, rep, spec, meta)).To(Succeed())
})

func hasLabel(labels []string, want string) bool {
	for _, l := range labels {
		if l == want {
			return true
		}
	}
	return false
}

// implementationName asks the binary for its version unless told. A binary
// without --version (CFG-8 is a rule like any other) is named by its file
// name and the digest of its bytes, so two reports can still tell builds apart.
func implementationName() string {
	if n := os.Getenv("OSPROXY_CONFORMANCE_IMPLEMENTATION"); n != "" {
		return n
	}
	out, _, code, err := harness.Run(nil, 10*time.Second, "--version")
	if line := strings.TrimSpace(out); err == nil && code == 0 && line != "" && !strings.Contains(line, "\n") {
		return line
	}
	bin, err := harness.Binary()
	if err != nil {
		return "unknown"
	}
	return filepath.Base(bin) + " (no --version; sha256 " + fileDigest(bin) + ")"
}

// fileDigest returns the first 12 hex digits of path's SHA-256, or "?".
func fileDigest(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "?"
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "?"
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// specDirOverride is OSPROXY_CONFORMANCE_SPEC_DIR: judge against another spec/.
func specDirOverride() string { return os.Getenv("OSPROXY_CONFORMANCE_SPEC_DIR") }

// moduleRoot is the directory holding go.mod above the working directory,
// or "" where there is none (the prebuilt runner, run anywhere).
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
