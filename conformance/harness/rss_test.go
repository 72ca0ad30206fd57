package harness

import (
	"errors"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestRSS_LiveAndMissingProcess(t *testing.T) {
	if got, err := RSS(os.Getpid()); err != nil || got == 0 {
		t.Errorf("RSS(self) = %d, %v; want > 0", got, err)
	}
	p := spawnHelper(t, "fail", nil)
	if _, err := p.Wait(testTimeout); err != nil {
		t.Fatal(err)
	}
	if _, err := RSS(p.PID); err == nil {
		t.Error("RSS of a reaped process succeeded")
	}
}

func TestPeakRSSDuring_ChildGrows_SeesGrowth(t *testing.T) {
	p := spawnHelper(t, "grow", nil)
	if err := p.WaitReady(testTimeout); err != nil {
		t.Fatal(err)
	}
	before, err := RSS(p.PID)
	if err != nil {
		t.Fatal(err)
	}
	const grown = 48 << 20
	peak, err := PeakRSSDuring(p.PID, 5*time.Millisecond, func() {
		if err := p.Signal(syscall.SIGUSR1); err != nil {
			t.Error(err)
			return
		}
		// Wait for the condition, not for a fixed time: the child holds the
		// memory once allocated, so the final sample must see it.
		deadline := time.Now().Add(testTimeout)
		for time.Now().Before(deadline) {
			if now, err := RSS(p.PID); err == nil && now >= before+grown {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Error("child never grew")
	})
	if err != nil || peak < before+grown {
		t.Errorf("PeakRSSDuring = %d, %v; want >= %d", peak, err, before+grown)
	}
}

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
