package observe

import (
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// RegisterProcess adds the process's own figures under their customary names:
// goroutines, open file descriptors, resident memory, Go heap in use and start
// time. The conformance suite reads goroutines and descriptors here to tell a
// leak from a settled process.
func (m *Metrics) RegisterProcess(version, commit string) {
	start := float64(time.Now().UnixNano()) / 1e9
	m.Func("osproxy_build_info", "The running build: version, commit and Go version.", "gauge", func(emit Emit) {
		emit(1, "version", version, "commit", commit, "goversion", runtime.Version())
	})
	m.Func("go_goroutines", "Goroutines that currently exist.", "gauge", func(emit Emit) {
		emit(float64(runtime.NumGoroutine()))
	})
	m.Func("process_open_fds", "Open file descriptors.", "gauge", func(emit Emit) {
		if n, err := openFDs(); err == nil {
			emit(float64(n))
		}
	})
	m.Func("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", func(emit Emit) {
		if n, err := residentBytes(); err == nil {
			emit(float64(n))
		}
	})
	m.Func("go_memstats_heap_inuse_bytes", "Bytes in in-use spans of the Go heap.", "gauge", func(emit Emit) {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
		metrics.Read(s)
		var total uint64
		for _, x := range s {
			if x.Value.Kind() == metrics.KindUint64 {
				total += x.Value.Uint64()
			}
		}
		emit(float64(total))
	})
	m.Func("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.", "gauge", func(emit Emit) {
		emit(start)
	})
}

// openFDs counts the entries of /proc/self/fd (Linux), less the one the
// listing itself holds open.
func openFDs() (int, error) {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return 0, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return 0, err
	}
	return len(names) - 1, nil
}

// residentBytes reads the resident set from /proc/self/statm (Linux).
func residentBytes() (int64, error) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, os.ErrInvalid
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, err
	}
	return pages * int64(os.Getpagesize()), nil
}
