package report

import "testing"

func TestMedian_OddAndEvenCounts(t *testing.T) {
	if got := Median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("odd: %v", got)
	}
	if got := Median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("even: %v", got)
	}
}

func TestSummarize_AddedLatency_IsMedianOfPerRoundDifferences(t *testing.T) {
	var cells []Cell
	for r, d := range []struct{ base, leg float64 }{{0.05, 0.20}, {0.50, 0.60}, {0.06, 0.18}} {
		cells = append(cells,
			Cell{Workload: "w", Conc: 1, Leg: "D", Round: r + 1, Mode: "closed", P50: d.base},
			Cell{Workload: "w", Conc: 1, Leg: "P", Round: r + 1, Mode: "closed", P50: d.leg})
	}
	ix := NewIndex(Summarize(cells))
	p := ix.Closed("w", 1, "P")
	// Differences 0.15, 0.10, 0.12: the noisy second round does not leak in.
	if p == nil || !p.HasAdded || p.AddedP50 < 0.1199 || p.AddedP50 > 0.1201 {
		t.Fatalf("%+v", p)
	}
}

func TestJudge_TenantCells_UseTheirOwnBaseline(t *testing.T) {
	r := &Results{Profile: "quick", Cells: []Cell{
		{Workload: "search-10hits", Conc: 1, Leg: "DT", Round: 1, Mode: "closed", P50: 0.10},
		{Workload: "search-10hits", Conc: 1, Leg: "D", Round: 1, Mode: "closed", P50: 0.01},
		{Workload: "search-10hits", Conc: 1, Leg: "P", Round: 1, Mode: "closed", P50: 0.11},
		{Workload: "search-10hits", Conc: 1, Leg: "T", Round: 1, Mode: "closed", P50: 0.20},
	}}
	for _, tg := range Judge(r) {
		if tg.Metric == "T small search added p50 (wrap + strip 10 hits)" {
			if tg.Result != MetStretch {
				t.Fatalf("T added 0.10 ms vs DT, P added 0.10 ms vs D: got %+v", tg)
			}
			return
		}
	}
	t.Fatal("row missing")
}

func TestJudge_UnsupportedCell_IsNotImplementedNotMissed(t *testing.T) {
	r := &Results{Profile: "quick", Unsupported: map[string]string{"T/bulk-100x256B": "HTTP 400"}}
	for _, tg := range Judge(r) {
		if tg.Metric == "T 100-doc bulk added p50" && tg.Result != NA {
			t.Fatalf("%+v", tg)
		}
	}
}
