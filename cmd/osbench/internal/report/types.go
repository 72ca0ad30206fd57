package report

import "time"

// Results is everything one run recorded; it is results.json.
type Results struct {
	Profile  string    `json:"profile"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Env      Env       `json:"env"`
	Settings Settings  `json:"settings"`
	Legs     []LegInfo `json:"legs"`
	// Unsupported maps "LEG/workload" to why the cell was not measured.
	Unsupported map[string]string `json:"unsupported,omitempty"`
	Cells       []Cell            `json:"cells"`
	Conns       []ConnCell        `json:"connections,omitempty"`
	IdleConns   []IdleConnCell    `json:"idle_connections,omitempty"`
	Streams     []StreamCell      `json:"streams,omitempty"`
	Soaks       []Soak            `json:"soaks,omitempty"`
	Notes       []string          `json:"notes,omitempty"`
	Targets     []Target          `json:"targets"`
	// PeerTargets set the data path beside nginx and the original.
	PeerTargets []Target `json:"peer_targets"`
}

// Env records the machine and software the numbers came from.
type Env struct {
	Kernel     string `json:"kernel"`
	CPU        string `json:"cpu"`
	Lscpu      string `json:"lscpu"`
	Go         string `json:"go"`
	Nginx      string `json:"nginx"`
	Osproxy    string `json:"osproxy"`
	Pinning    string `json:"pinning"`
	GOGC       string `json:"gogc"`
	GOMEMLIMIT string `json:"gomemlimit"`
	GOMAXPROCS string `json:"gomaxprocs_proxies"`
}

// Settings are the profile's knobs as run.
type Settings struct {
	Rounds      int     `json:"rounds"`
	WarmupS     float64 `json:"warmup_s"`
	CellS       float64 `json:"cell_s"`
	MaxCellS    float64 `json:"max_cell_s"`
	MinRequests int     `json:"min_requests_per_cell"`
	MaxRequests int     `json:"max_requests_per_cell"`
	Transfers   int     `json:"stream_transfers"`
	SoakS       float64 `json:"soak_s"`
}

// LegInfo says whether a leg ran and how big it was at rest.
type LegInfo struct {
	Leg       string `json:"leg"`
	Name      string `json:"name"`
	Available bool   `json:"available"`
	Reason    string `json:"reason,omitempty"`
	Addr      string `json:"addr,omitempty"`
	// IdleRSS is VmRSS two seconds after the leg started, in bytes.
	IdleRSS int64 `json:"idle_rss_bytes,omitempty"`
}

// Cell is one measured (workload, concurrency, leg, round).
type Cell struct {
	Workload string  `json:"workload"`
	Conc     int     `json:"conc"`
	Leg      string  `json:"leg"`
	Round    int     `json:"round"`
	Mode     string  `json:"mode"` // closed or open
	Rate     float64 `json:"rate,omitempty"`

	Requests   int            `json:"requests"`
	Errors     int            `json:"errors"`
	NonOK      int            `json:"non_ok"`
	Statuses   map[string]int `json:"statuses,omitempty"`
	FirstError string         `json:"first_error,omitempty"`
	ElapsedS   float64        `json:"elapsed_s"`
	RPS        float64        `json:"rps"`

	// Latency percentiles (nearest rank) in milliseconds.
	P50  float64 `json:"p50_ms"`
	P90  float64 `json:"p90_ms"`
	P99  float64 `json:"p99_ms"`
	P999 float64 `json:"p999_ms"`
	Max  float64 `json:"max_ms"`

	// CPUPerReq is the proxy's utime+stime per timed request, µs; zero for
	// the direct legs. MockCPUPerReq is the mock's, for context.
	CPUPerReq     float64 `json:"cpu_us_per_req,omitempty"`
	MockCPUPerReq float64 `json:"mock_cpu_us_per_req,omitempty"`
	// Upstream counts during the window, from the mock's /__stats.
	UpOpened     int64   `json:"upstream_opened"`
	UpRequests   int64   `json:"upstream_requests"`
	UpBodyPerReq float64 `json:"upstream_body_bytes_per_req"`
	PeakRSS      int64   `json:"peak_rss_bytes,omitempty"`
	// Foreign* are the shares of the generator's and the proxy's CPU that
	// processes outside the run took during the window; Steal is the
	// hypervisor's share of the whole box. Both should be near zero.
	ForeignGen   float64 `json:"foreign_cpu_generator_side"`
	ForeignProxy float64 `json:"foreign_cpu_proxy_side"`
	Steal        float64 `json:"steal"`
}

// Reuse is 1 - opened/dispatched for the window.
func (c Cell) Reuse() float64 {
	if c.UpRequests == 0 {
		return 0
	}
	return 1 - float64(c.UpOpened)/float64(c.UpRequests)
}

// ConnCell is one connection-handling measurement.
type ConnCell struct {
	Leg      string  `json:"leg"`
	Test     string  `json:"test"` // warm, fresh, storm, concurrent
	Conns    int     `json:"conns"`
	PerConn  int     `json:"per_conn"`
	Attempts int     `json:"attempts"`
	Errors   int     `json:"errors"`
	NonOK    int     `json:"non_ok"`
	FirstErr string  `json:"first_error,omitempty"`
	P50      float64 `json:"p50_ms"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
	// Upstream connections the mock saw opened, and requests it served,
	// during the test: how the proxy's pool answered the burst.
	UpOpened   int64 `json:"upstream_opened"`
	UpRequests int64 `json:"upstream_requests"`
}

// IdleConnCell is the memory cost of idle keep-alive connections.
type IdleConnCell struct {
	Leg       string  `json:"leg"`
	Conns     int     `json:"conns"`
	Errors    int     `json:"errors"`
	RSSBefore int64   `json:"rss_before_bytes"`
	RSSAfter  int64   `json:"rss_after_bytes"`
	PerConn   float64 `json:"bytes_per_conn"`
}

// StreamCell is a leg's series of large transfers of one kind.
type StreamCell struct {
	Kind     string    `json:"kind"`
	Leg      string    `json:"leg"`
	MBps     []float64 `json:"mbps"`
	Statuses []int     `json:"statuses"`
	Errors   []string  `json:"errors,omitempty"`
	Bytes    int64     `json:"bytes"`
	// RSS figures are for a proxy started fresh for this kind.
	BaseRSS int64 `json:"base_rss_bytes,omitempty"`
	PeakRSS int64 `json:"peak_rss_bytes,omitempty"`
	Samples int   `json:"rss_samples,omitempty"`
}

// Soak is a long open-loop mixed run.
type Soak struct {
	Leg       string  `json:"leg"`
	Rate      float64 `json:"rate"`
	Requests  int     `json:"requests"`
	Errors    int     `json:"errors"`
	NonOK     int     `json:"non_ok"`
	DurationS float64 `json:"duration_s"`
	RSS       []int64 `json:"rss_bytes_per_s"`
	FDs       []int   `json:"fds_per_s"`
	Threads   []int   `json:"threads_per_s"`
	P99       float64 `json:"p99_ms"`
	P999      float64 `json:"p999_ms"`
}

// Target is one judged target row.
type Target struct {
	Metric   string `json:"metric"`
	Measured string `json:"measured"`
	Gate     string `json:"gate"`
	Stretch  string `json:"stretch"`
	Result   string `json:"result"`
}
