package proc

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// scripted returns a sampler yielding values in turn (repeating the last)
// and a channel closed once every value has been handed out.
func scripted(values []uint64, errAt int) (func() (uint64, error), <-chan struct{}) {
	var mu sync.Mutex
	calls := 0
	done := make(chan struct{})
	return func() (uint64, error) {
		mu.Lock()
		defer mu.Unlock()
		i := min(calls, len(values)-1)
		calls++
		if calls == len(values) {
			close(done)
		}
		if i == errAt {
			return 0, errors.New("process gone")
		}
		return values[i], nil
	}, done
}

func TestPeakDuring_Samples_ReturnsMaximum(t *testing.T) {
	tests := []struct {
		name     string
		values   []uint64
		errAt    int
		wantPeak uint64
		wantErr  bool
	}{
		{"transient spike", []uint64{100, 900, 300, 100}, -1, 900, false},
		{"steady", []uint64{5, 5, 5}, -1, 5, false},
		{"error kept, peak too", []uint64{100, 700, 0, 200}, 2, 700, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sample, allTaken := scripted(tt.values, tt.errAt)
			peak, err := peakDuring(sample, time.Millisecond, func() { <-allTaken })
			if peak != tt.wantPeak || (err != nil) != tt.wantErr {
				t.Errorf("peakDuring = %d, %v; want %d, error %t", peak, err, tt.wantPeak, tt.wantErr)
			}
		})
	}
}
