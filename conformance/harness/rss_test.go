package harness

import (
	"os"
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
