package runner

import (
	"fmt"
	"time"

	"github.com/osproxy/osproxy/cmd/osbench/internal/workload"
)

// Options are the run's flags.
type Options struct {
	Profile string
	OutDir  string
	Osproxy string // binary under test; empty skips legs P and T
	// OsproxyEnv are extra KEY=VALUE settings for the binary under test (its
	// access log off, say, to measure what it costs).
	OsproxyEnv []string
	// Original is the original Rust osproxy's binary (legs O and OT); when
	// empty, OriginalMissing says why it is not there.
	Original, OriginalMissing string
	Self                      string // this osbench binary, for the mock and leg R
	NginxTemplate             string
	BasePort                  int
	Pin                       bool
	// Zero values take the profile's defaults.
	Rounds   int
	CellTime time.Duration
	// MinRequests overrides the profile's minimum per cell when >= 0.
	MinRequests int
	Soak        time.Duration
	// Budget bounds the whole run: phases that would start after it are
	// skipped with a note, so CI's wall-clock limit is never the one that
	// stops a run (and loses its report). Zero means no bound.
	Budget time.Duration
	// Legs, when not empty, restricts the proxies started (N, O, OT, P, T,
	// R); the direct legs always run.
	Legs map[string]bool
	// Only, when not empty, runs just the closed-loop cells of these
	// workloads (by name) and skips every other phase: for iterating on one
	// cell, never for a report of record.
	Only map[string]bool
}

// profile holds the knobs that differ between quick and full.
type profile struct {
	rounds                int
	warmup, cell, maxCell time.Duration
	minReqs, maxReqs      int
	openTime              time.Duration
	transfers             int
	soak                  time.Duration
	matrix                []cellDef
	bigConcurrent         bool
	streamBulk            bool
	idleConns, stormConns int
	stockRP               bool // run leg R
}

// cellDef is one workload with its concurrencies and legs.
type cellDef struct {
	w     workload.Workload
	concs []int
	legs  []workload.Leg
}

var (
	allLegs    = []workload.Leg{"D", "DT", "N", "O", "OT", "P", "T", "R"}
	searchLegs = []workload.Leg{"D", "DT", "N", "O", "OT", "P", "T"}
	noNginx    = []workload.Leg{"D", "DT", "P", "T"}

	write256  = workload.Workload{Kind: workload.Write, DocBytes: 256}
	write4k   = workload.Workload{Kind: workload.Write, DocBytes: 4 << 10}
	write64k  = workload.Workload{Kind: workload.Write, DocBytes: 64 << 10}
	search10  = workload.Workload{Kind: workload.Search, Hits: 10}
	search1k  = workload.Workload{Kind: workload.Search, Hits: 1000}
	bulk100   = workload.Workload{Kind: workload.Bulk, Docs: 100, DocBytes: 256}
	bulk1000  = workload.Workload{Kind: workload.Bulk, Docs: 1000, DocBytes: 1 << 10}
	msearch10 = workload.Workload{Kind: workload.MultiSearch, Docs: 10} // the reads of spec/14
)

func profileFor(o Options) (profile, error) {
	var p profile
	switch o.Profile {
	case "quick":
		// Fewer than 20,000 timed requests per cell at c=1: the quick
		// profile buys coverage of every target within 6 minutes, and says
		// so in its settings and report.
		// The stock ReverseProxy (R) runs in the full profile only: beside nginx
		// and the original it adds no verdict, and the quick run's minutes go to
		// the legs that have one.
		p = profile{rounds: 3, warmup: 150 * time.Millisecond, cell: time.Second,
			maxCell: time.Second, maxReqs: 20000, openTime: 1500 * time.Millisecond,
			transfers: 4, idleConns: 1000, stormConns: 1000}
		p.matrix = []cellDef{
			{write256, []int{1, 64}, searchLegs}, {write64k, []int{1, 64}, searchLegs},
			{search10, []int{1, 64}, searchLegs}, {bulk100, []int{1, 64}, searchLegs},
			{search1k, []int{1}, noNginx}, {msearch10, []int{1}, searchLegs},
		}
	case "full":
		p = profile{rounds: 5, warmup: 500 * time.Millisecond, cell: 2 * time.Second,
			maxCell: 10 * time.Second, minReqs: 20000, maxReqs: 400000, openTime: 5 * time.Second,
			transfers: 4, soak: 5 * time.Minute, bigConcurrent: true, streamBulk: true,
			idleConns: 1000, stormConns: 1000, stockRP: true}
		p.matrix = []cellDef{
			{write256, []int{1, 8, 64, 256}, allLegs}, {write4k, []int{1, 8, 64, 256}, allLegs},
			{write64k, []int{1, 8, 64, 256}, allLegs},
			{search10, []int{1, 8, 64}, searchLegs}, {search1k, []int{1, 8}, noNginx},
			{bulk100, []int{1, 8, 64}, searchLegs}, {bulk1000, []int{1, 8, 64}, searchLegs},
			{msearch10, []int{1, 8}, searchLegs},
		}
	default:
		return p, fmt.Errorf("choosing profile: %q is neither quick nor full", o.Profile)
	}
	if o.Rounds > 0 {
		p.rounds = o.Rounds
	}
	if o.CellTime > 0 {
		p.cell, p.maxCell = o.CellTime, max(p.maxCell, o.CellTime)
	}
	if o.Soak > 0 {
		p.soak = o.Soak
	}
	if o.MinRequests >= 0 {
		p.minReqs = o.MinRequests
	}
	return p, nil
}
