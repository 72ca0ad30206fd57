package proc

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// CPUBusy is one CPU's time spent in process context (user, nice, system)
// and stolen by the hypervisor, from /proc/stat.
type CPUBusy struct {
	Busy, Steal time.Duration
}

// SystemCPU returns the busy and steal time of each CPU, indexed by CPU
// number. Comparing it with the benchmark's own processes over a window
// shows how much of each CPU other work took: on a shared box that is the
// first thing to know about any number.
func SystemCPU() ([]CPUBusy, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return nil, fmt.Errorf("reading /proc/stat: %w", err)
	}
	var out []CPUBusy
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 9 || !strings.HasPrefix(f[0], "cpu") || f[0] == "cpu" {
			continue
		}
		n, err := strconv.Atoi(f[0][3:])
		if err != nil {
			continue
		}
		v := func(i int) int64 { x, _ := strconv.ParseInt(f[i], 10, 64); return x }
		for len(out) <= n {
			out = append(out, CPUBusy{})
		}
		// user nice system idle iowait irq softirq steal
		out[n] = CPUBusy{
			Busy:  time.Duration(v(1)+v(2)+v(3)) * time.Second / clockTick,
			Steal: time.Duration(v(8)) * time.Second / clockTick,
		}
	}
	return out, nil
}
