package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/osproxy/osproxy/internal/proc"
)

// runRealBulk is the real-cluster ingest cell: the same _bulk of documents written
// straight to OpenSearch and through osproxy in tenancy mode, in alternating rounds
// against one node, so that documents per second compare within one run. The proxy's
// CPU per bulk is read from /proc over its rounds.
func runRealBulk(args []string) error {
	fs := flag.NewFlagSet("realbulk", flag.ContinueOnError)
	cluster := fs.String("opensearch", "", "base URL of a running OpenSearch")
	proxyBin := fs.String("osproxy", "bin/osproxy", "the osproxy binary")
	docs := fs.Int("docs", 1000, "documents per bulk")
	docBytes := fs.Int("doc-bytes", 1024, "bytes per document")
	rounds := fs.Int("rounds", 10, "bulks per leg, alternating")
	out := fs.String("out", "", "directory for realbulk.md (stdout too)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cluster == "" {
		return fmt.Errorf("realbulk: -opensearch is required")
	}
	suffix := randomHex()
	physical, direct := "osbench-shared-"+suffix, "osbench-direct-"+suffix
	mapping := `{"settings":{"number_of_shards":1,"number_of_replicas":0},` +
		`"mappings":{"properties":{"_tenant":{"type":"keyword"},"_logical_index":{"type":"keyword"}}}}`
	for _, idx := range []string{physical, direct} {
		if err := call("PUT", *cluster+"/"+idx, mapping, 200); err != nil {
			return err
		}
		defer call("DELETE", *cluster+"/"+idx, "", 200) //nolint:errcheck // best effort
	}
	p, base, err := startProxy(*proxyBin, *cluster, physical)
	if err != nil {
		return err
	}
	defer func() { _ = p.Process.Kill(); _, _ = p.Process.Wait() }()
	body := bulkBody(*docs, *docBytes)
	var directTimes, layoutTimes, proxyTimes []time.Duration
	var proxyCPU time.Duration
	for r := range *rounds {
		d, err := timedBulk(*cluster+"/"+direct+"/_bulk", body, "", r)
		if err != nil {
			return fmt.Errorf("direct bulk: %w", err)
		}
		directTimes = append(directTimes, d)
		// The proxy's layout written straight: ids and routing of its own, reserved
		// fields first, so that what the layout costs the cluster shows apart from
		// what the proxy costs.
		d, err = timedBulk(*cluster+"/"+physical+"/_bulk", layoutBody(*docs, *docBytes, r), "", r)
		if err != nil {
			return fmt.Errorf("direct bulk in the layout: %w", err)
		}
		layoutTimes = append(layoutTimes, d)
		before, _ := proc.CPUTime(p.Process.Pid)
		d, err = timedBulk(base+"/orders/_bulk", body, "bench", r)
		if err != nil {
			return fmt.Errorf("proxied bulk: %w", err)
		}
		after, _ := proc.CPUTime(p.Process.Pid)
		proxyTimes = append(proxyTimes, d)
		proxyCPU += after - before
	}
	report := realBulkReport(*docs, *docBytes, *rounds, median(directTimes), median(layoutTimes), median(proxyTimes),
		proxyCPU/time.Duration(*rounds))
	fmt.Print(report)
	if *out != "" {
		return os.WriteFile(filepath.Join(*out, "realbulk.md"), []byte(report), 0o644)
	}
	return nil
}

func realBulkReport(docs, docBytes, rounds int, direct, layout, proxied, cpu time.Duration) string {
	rate := func(d time.Duration) float64 { return float64(docs) / d.Seconds() }
	var b strings.Builder
	fmt.Fprintf(&b, "\n### Real cluster: _bulk of %d × %d B documents, %d rounds per leg, medians\n\n", docs, docBytes, rounds)
	b.WriteString("| leg | ms per bulk | documents/s | proxy CPU ms per bulk |\n|---|---|---|---|\n")
	fmt.Fprintf(&b, "| direct, ids made by the cluster | %.1f | %.0f | — |\n", ms(direct), rate(direct))
	fmt.Fprintf(&b, "| direct, in the proxy's layout (ids, routing, reserved fields) | %.1f | %.0f | — |\n", ms(layout), rate(layout))
	fmt.Fprintf(&b, "| osproxy (tenancy) | %.1f | %.0f | %.2f |\n", ms(proxied), rate(proxied), ms(cpu))
	fmt.Fprintf(&b, "\nThrough the proxy ÷ direct: %.2f of the documents per second (÷ direct in the layout: %.2f).\n",
		rate(proxied)/rate(direct), rate(proxied)/rate(layout))
	return b.String()
}

// layoutBody is bulkBody as the proxy writes it: physical ids unique to the round,
// routing, the reserved fields first.
func layoutBody(n, size, round int) []byte {
	doc := `{"_tenant":"bench","_logical_index":"direct","n":1,"msg":"` + strings.Repeat("x", max(size-20, 1)) + `"}`
	var b bytes.Buffer
	for i := range n {
		b.WriteString(`{"index":{"_id":"bench:direct:r` + strconv.Itoa(round) + "-" + strconv.Itoa(i) + `","routing":"bench"}}` + "\n" + doc + "\n")
	}
	return b.Bytes()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// bulkBody is n index actions without ids (the cluster or the proxy makes them).
func bulkBody(n, size int) []byte {
	doc := `{"n":1,"msg":"` + strings.Repeat("x", max(size-20, 1)) + `"}`
	var b bytes.Buffer
	for range n {
		b.WriteString(`{"index":{}}` + "\n" + doc + "\n")
	}
	return b.Bytes()
}

func timedBulk(url string, body []byte, tenant string, round int) (time.Duration, error) {
	req, err := http.NewRequest("POST", url+"?refresh="+strconv.FormatBool(round == 0), bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	if tenant != "" {
		req.Header.Set("x-tenant", tenant)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if resp.StatusCode != 200 || bytes.Contains(answer, []byte(`"errors":true`)) {
		return 0, fmt.Errorf("status %d: %.300s", resp.StatusCode, answer)
	}
	return d, nil
}

func call(method, url, body string, want int) error {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s %s: status %d: %.300s", method, url, resp.StatusCode, b)
	}
	return nil
}

// startProxy runs osproxy in tenancy mode on a free port and waits until it answers.
func startProxy(bin, upstream, index string) (*exec.Cmd, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "OSPROXY_BIND="+addr, "OSPROXY_UPSTREAM="+upstream, "OSPROXY_INDEX="+index,
		"OSPROXY_TOKENS=", "OSPROXY_ALLOW_CLEARTEXT_MUTATION=true")
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	for range 200 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return cmd, "http://" + addr, nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	return nil, "", fmt.Errorf("osproxy did not listen on %s", addr)
}

func randomHex() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
