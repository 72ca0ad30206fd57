package report

import (
	"reflect"
	"testing"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/osproxy/osproxy/conformance/specrules"
)

// TestSummarize_RealGinkgoRun_SeesLabelsSkipsAndMeasurements runs a tiny
// suite through Ginkgo itself, so that the assumptions about how Ginkgo
// reports labels, skips, filtered specs and entries are checked, not just
// restated in synthetic reports.
func TestSummarize_RealGinkgoRun_SeesLabelsSkipsAndMeasurements(t *testing.T) {
	var got types.Report
	ginkgo.Describe("suite", ginkgo.Label("profile:core"), func() {
		ginkgo.It("measures", ginkgo.Label(rule("CFG-1")), func() {
			Measure("peak_rss_bytes", 1024)
		})
		ginkgo.It("skips", ginkgo.Label(rule("CFG-2")), func() {
			ginkgo.Skip("needs a real OpenSearch")
		})
	})
	ginkgo.It("is filtered out", ginkgo.Label(rule("STR-1"), "profile:streaming"), func() {})
	ginkgo.ReportAfterSuite("capture", func(r types.Report) { got = r })

	suiteCfg, reporterCfg := ginkgo.GinkgoConfiguration()
	suiteCfg.LabelFilter = LabelFilter("core")
	reporterCfg.Succinct = true
	if !ginkgo.RunSpecs(t, "report self-test", suiteCfg, reporterCfg) {
		t.Fatal("self-test suite failed")
	}
	spec := specrules.Spec{Rules: []specrules.Rule{{ID: "CFG-1", Level: "MUST", Profile: "core"},
		{ID: "CFG-2", Level: "MUST", Profile: "core"}, {ID: "STR-1", Level: "MUST", Profile: "streaming"}}}
	res, err := Summarize(got, spec, Meta{Profiles: []string{"core", "streaming"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []RuleResult{
		{ID: "CFG-1", Profile: "core", Level: "MUST", Status: StatusPassed, Specs: 1},
		{ID: "CFG-2", Profile: "core", Level: "MUST", Status: StatusSkipped, Specs: 0, Reason: "needs a real OpenSearch"},
		{ID: "STR-1", Profile: "streaming", Level: "MUST", Status: StatusNotRun, Specs: 0},
	}
	if !reflect.DeepEqual(res.Rules, want) {
		t.Errorf("rules = %+v\nwant %+v", res.Rules, want)
	}
	if res.Measurements["peak_rss_bytes"] != 1024 {
		t.Errorf("measurements = %v, want peak_rss_bytes 1024", res.Measurements)
	}
}
