package proc

import (
	"os"
	"testing"
	"time"
)

func TestReaders_OwnProcess_ReportPlausibleFigures(t *testing.T) {
	pid := os.Getpid()
	end := time.Now().Add(30 * time.Millisecond)
	for time.Now().Before(end) { // burn a little CPU so utime moves
	}
	if _, err := CPUTime(pid); err != nil {
		t.Fatal(err)
	}
	m, err := ReadMemory(pid)
	if err != nil || m.RSS <= 0 || m.HWM < m.RSS || m.Threads < 1 {
		t.Fatalf("%+v %v", m, err)
	}
	if n, err := FDCount(pid); err != nil || n < 3 {
		t.Fatalf("fds %d %v", n, err)
	}
	if cpus, err := SystemCPU(); err != nil || len(cpus) == 0 {
		t.Fatalf("cpus %v %v", cpus, err)
	}
	s := StartSampler(pid, time.Millisecond, time.Second)
	time.Sleep(10 * time.Millisecond)
	if peak, n := s.Stop(); peak <= 0 || n == 0 {
		t.Fatalf("sampler %d %d", peak, n)
	}
}
