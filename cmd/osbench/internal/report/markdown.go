package report

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Write judges r and writes results.json and results.md into dir. It
// returns the Markdown so the caller can print it.
func Write(dir string, r *Results) (string, error) {
	r.Targets, r.PeerTargets = Judge(r), JudgePeers(r)
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encoding results: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(js, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("writing results.json: %w", err)
	}
	md := Markdown(r)
	if err := os.WriteFile(filepath.Join(dir, "results.md"), []byte(md), 0o644); err != nil {
		return "", fmt.Errorf("writing results.md: %w", err)
	}
	return md, nil
}

// Markdown renders the brief: targets first, then the cells they came from.
func Markdown(r *Results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# osproxy benchmark: %s profile, %s\n\n", r.Profile, r.Started.Format("2006-01-02 15:04:05 MST"))
	fmt.Fprintf(&b, "%s; kernel %s; %s; %s; osproxy %s.  \n", r.Env.CPU, r.Env.Kernel, r.Env.Go, r.Env.Nginx, r.Env.Osproxy)
	fmt.Fprintf(&b, "Pinning: %s. GOMAXPROCS of Go proxies %s, GOGC=%s, GOMEMLIMIT=%s.  \n",
		r.Env.Pinning, r.Env.GOMAXPROCS, orUnset(r.Env.GOGC), orUnset(r.Env.GOMEMLIMIT))
	st := r.Settings
	window := fmt.Sprintf("%.1f s", st.CellS)
	if st.MaxCellS > st.CellS || st.MinRequests > 0 {
		window = fmt.Sprintf("at least %.1f s and %d requests, at most %.1f s", st.CellS, st.MinRequests, st.MaxCellS)
	}
	fmt.Fprintf(&b, "%d rounds, legs interleaved per cell; each cell %.1f s warm-up, then a timed window of %s "+
		"(closed early at %d requests). Latencies are nearest-rank; every figure is the median over rounds, "+
		"added latencies the median of each round's own difference to the direct leg (D, or DT for T).\n\n",
		st.Rounds, st.WarmupS, window, st.MaxRequests)
	writeForeign(&b, r)
	b.WriteString("## Targets\n\n")
	b.WriteString(TargetTable(r.Targets))
	b.WriteString("\nMET: every gate condition holds; MET+stretch: the stretch conditions hold too.\n")
	b.WriteString("\n## Targets side by side with nginx and the original\n\n")
	b.WriteString(TargetTable(r.PeerTargets))
	writeLegs(&b, r)
	writeCells(&b, r)
	writeConns(&b, r)
	writeStreams(&b, r)
	if len(r.Notes) > 0 {
		b.WriteString("\n## Notes\n\n")
		for _, n := range r.Notes {
			b.WriteString("- " + n + "\n")
		}
	}
	return b.String()
}

// TargetTable is the table of judged rows alone.
func TargetTable(ts []Target) string {
	var b strings.Builder
	b.WriteString("| metric | measured | gate | stretch | result |\n|---|---|---|---|---|\n")
	for _, t := range ts {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", t.Metric, cellText(t.Measured), t.Gate, t.Stretch, t.Result)
	}
	return b.String()
}

func cellText(s string) string { return strings.ReplaceAll(s, "|", "/") }

func orUnset(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}

func writeLegs(b *strings.Builder, r *Results) {
	b.WriteString("\n## Legs\n\n| leg | what | idle RSS | status |\n|---|---|---|---|\n")
	for _, l := range r.Legs {
		status := "ran"
		if !l.Available {
			status = "not run: " + l.Reason
		}
		rss := "—"
		if l.IdleRSS > 0 {
			rss = mib(float64(l.IdleRSS))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", l.Leg, l.Name, rss, cellText(status))
	}
	for _, k := range slices.Sorted(maps.Keys(r.Unsupported)) {
		fmt.Fprintf(b, "\n- %s: n/a (not implemented): %s", k, cellText(r.Unsupported[k]))
	}
	if len(r.Unsupported) > 0 {
		b.WriteString("\n")
	}
}

func writeCells(b *strings.Builder, r *Results) {
	b.WriteString("\n## Cells (median over rounds; ms unless marked)\n\n")
	b.WriteString("| workload | c | leg | mode | rps | p50 | p90 | p99 | p99.9 | +p50 | +p99 | CPU µs/req | mock µs/req | reuse | upstream B/req | timed req | errors | foreign CPU gen/proxy |\n")
	b.WriteString("|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range Summarize(r.Cells) {
		added50, added99 := "—", "—"
		if s.HasAdded {
			added50, added99 = fmt.Sprintf("%.3f", s.AddedP50), fmt.Sprintf("%.3f", s.AddedP99)
		}
		cpu := "—"
		if s.CPUPerReq > 0 {
			cpu = fmt.Sprintf("%.1f", s.CPUPerReq)
		}
		fmt.Fprintf(b, "| %s | %d | %s | %s | %.0f | %.3f | %.3f | %.3f | %.3f | %s | %s | %s | %.1f | %.4f | %.0f | %d | %d | %.0f%% / %.0f%% |\n",
			s.Workload, s.Conc, s.Leg, s.Mode, s.RPS, s.P50, s.P90, s.P99, s.P999, added50, added99,
			cpu, s.MockCPUPerReq, s.ReuseMin, s.UpBodyPerReq, s.Requests, s.Errors+s.NonOK,
			100*s.ForeignGen, 100*s.ForeignProxy)
	}
}

func writeConns(b *strings.Builder, r *Results) {
	if len(r.Conns) == 0 && len(r.IdleConns) == 0 {
		return
	}
	b.WriteString("\n## Connections\n\n| leg | test | conns × req | p50 | p99 | max | failed | upstream opened / requests |\n" +
		"|---|---|---|---:|---:|---:|---:|---:|\n")
	for _, c := range r.Conns {
		fmt.Fprintf(b, "| %s | %s | %d × %d | %.3f | %.3f | %.3f | %d/%d | %d / %d |\n",
			c.Leg, c.Test, c.Conns, c.PerConn, c.P50, c.P99, c.Max, c.Errors+c.NonOK, c.Attempts, c.UpOpened, c.UpRequests)
	}
	for _, c := range r.IdleConns {
		fmt.Fprintf(b, "\n- idle keep-alive, %s: %d connections, RSS %s → %s, %.1f KiB each",
			c.Leg, c.Conns, mib(float64(c.RSSBefore)), mib(float64(c.RSSAfter)), c.PerConn/1024)
	}
	b.WriteString("\n")
}

func writeStreams(b *strings.Builder, r *Results) {
	if len(r.Streams) == 0 {
		return
	}
	b.WriteString("\n## Streams (64 MiB each)\n\n| kind | leg | MB/s (median) | each | RSS base → peak | errors |\n|---|---|---:|---|---|---|\n")
	for _, s := range r.Streams {
		each := make([]string, len(s.MBps))
		for i, v := range s.MBps {
			each[i] = fmt.Sprintf("%.0f", v)
		}
		rss := "—"
		if s.PeakRSS > 0 {
			rss = mib(float64(s.BaseRSS)) + " → " + mib(float64(s.PeakRSS))
		}
		fmt.Fprintf(b, "| %s | %s | %.0f | %s | %s | %s |\n", s.Kind, s.Leg, Median(s.MBps),
			strings.Join(each, " "), rss, cellText(strings.Join(s.Errors, "; ")))
	}
}

// quietShare is the foreign CPU share below which a run counts as clean.
const quietShare = 0.05

// writeForeign warns, before any number, when other processes ran on the
// benchmark's CPUs during the timed windows. They take whatever time the run
// leaves idle and delay every wake-up of the proxy, the mock and the
// generator, so latencies grow and CPU per request inflates. The proxy side
// is judged over the proxy legs only: during a direct cell CPU 1 is idle
// and others filling it says nothing.
func writeForeign(b *strings.Builder, r *Results) {
	var gen, px, steal []float64
	for _, c := range r.Cells {
		gen, steal = append(gen, c.ForeignGen), append(steal, c.Steal)
		if c.Leg != "D" && c.Leg != "DT" {
			px = append(px, c.ForeignProxy)
		}
	}
	if len(gen) == 0 {
		return
	}
	mg, mp, ms := Median(gen), Median(px), Median(steal)
	if mg < quietShare && mp < quietShare && ms < quietShare {
		fmt.Fprintf(b, "The box was quiet: other processes took %.1f%% of the generator's CPU and %.1f%% of the proxy's "+
			"(median over timed windows); steal %.1f%%.\n\n", 100*mg, 100*mp, 100*ms)
		return
	}
	fmt.Fprintf(b, "**Warning: the box was shared.** Processes outside this run used %.0f%% of the generator's CPU and "+
		"%.0f%% of the proxy's CPU during the timed windows (medians; worst %.0f%% / %.0f%%), steal %.1f%%. They delay "+
		"every wake-up and inflate CPU per request, the Go proxies' more than nginx's. Absolute figures are "+
		"pessimistic and noisy; compare legs within a round, and re-run on a quiet machine before acting on a "+
		"MISSED row.\n\n", 100*mg, 100*mp, 100*maxOf(gen), 100*maxOf(px), 100*ms)
}

func maxOf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, x)
	}
	return m
}
