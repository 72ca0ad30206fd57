package proc

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTick is USER_HZ. Linux fixes it at 100 for user space on every
// architecture Go supports here, so /proc/<pid>/stat times are centiseconds.
const clockTick = 100

// CPUTime returns utime+stime of pid, all threads included.
func CPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("reading stat of %d: %w", pid, err)
	}
	// The command name may hold spaces and parentheses; fields are counted
	// from the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("parsing stat of %d: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// After the name: state(3) ... utime(14) stime(15), so offsets 11 and 12.
	if len(f) < 13 {
		return 0, fmt.Errorf("parsing stat of %d: %d fields", pid, len(f))
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("parsing stat times of %d", pid)
	}
	return time.Duration(ut+st) * time.Second / clockTick, nil
}

// Memory is the resident set now and at its peak, in bytes.
type Memory struct {
	RSS, HWM int64
	Threads  int
}

// ReadMemory reads VmRSS, VmHWM and Threads from /proc/<pid>/status.
func ReadMemory(pid int) (Memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Memory{}, fmt.Errorf("reading status of %d: %w", pid, err)
	}
	var m Memory
	for _, line := range strings.Split(string(b), "\n") {
		name, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(val)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch name {
		case "VmRSS":
			m.RSS = n << 10
		case "VmHWM":
			m.HWM = n << 10
		case "Threads":
			m.Threads = int(n)
		}
	}
	return m, nil
}

// ResetPeak restarts VmHWM from the current RSS (clear_refs "5", Linux 4.0+),
// so a cell's peak is its own and not an earlier cell's.
func ResetPeak(pid int) error {
	err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
	if err != nil {
		return fmt.Errorf("resetting peak rss of %d: %w", pid, err)
	}
	return nil
}

// FDCount counts open descriptors of pid.
func FDCount(pid int) (int, error) {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return 0, fmt.Errorf("listing fds of %d: %w", pid, err)
	}
	return len(ents), nil
}

// Children lists the direct children of pid (nginx's workers), scanning
// /proc because task/<tid>/children needs a kernel option.
func Children(pid int) []int {
	matches, _ := filepath.Glob("/proc/[0-9]*/stat")
	var kids []int
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			if id, err := strconv.Atoi(filepath.Base(filepath.Dir(m))); err == nil {
				kids = append(kids, id)
			}
		}
	}
	return kids
}

// Sampler polls VmRSS of pid at a fixed interval and keeps the maximum.
type Sampler struct {
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	max  int64
	n    int
}

// StartSampler begins sampling every interval until Stop. It also stops by
// itself after limit, so a forgotten sampler cannot run forever.
func StartSampler(pid int, interval, limit time.Duration) *Sampler {
	s := &Sampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		end := time.After(limit)
		for {
			if m, err := ReadMemory(pid); err == nil {
				s.mu.Lock()
				s.max = max(s.max, m.RSS)
				s.n++
				s.mu.Unlock()
			}
			select {
			case <-s.stop:
				return
			case <-end:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Stop ends sampling and returns the largest RSS seen and the sample count.
func (s *Sampler) Stop() (maxRSS int64, samples int) {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.max, s.n
}
