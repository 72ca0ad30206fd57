package load

import "testing"

func TestPercentile_NearestRank_ReturnsAMeasuredSample(t *testing.T) {
	s := make([]int64, 1000)
	for i := range s {
		s[i] = int64(i + 1)
	}
	tests := []struct {
		p    float64
		want int64
	}{{50, 500}, {90, 900}, {99, 990}, {99.9, 999}, {100, 1000}, {0.01, 1}}
	for _, tt := range tests {
		if got := Percentile(s, tt.p); got != tt.want {
			t.Errorf("p%v = %d, want %d", tt.p, got, tt.want)
		}
	}
	if got := Percentile([]int64{7}, 99.9); got != 7 {
		t.Errorf("single sample: %d", got)
	}
	if got := Percentile(nil, 50); got != 0 {
		t.Errorf("no samples: %d", got)
	}
}

func TestSummarize_UnsortedInput_SortsAndReduces(t *testing.T) {
	s := Summarize([]int64{5, 1, 4, 2, 3})
	if s.Count != 5 || s.P50 != 3 || s.P99 != 5 || s.Max != 5 {
		t.Fatalf("%+v", s)
	}
}
