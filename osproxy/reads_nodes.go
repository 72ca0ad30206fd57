package osproxy

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/osproxy/osproxy/osproxy/route"
)

// Clients that sniff ask /_nodes/http for the nodes to talk to. The cluster's answer
// would send them to the data nodes, around the proxy; so the proxy answers itself: one
// node, the proxy, at the address the client used (READ-39, READ-40).

// nodeMetrics are the metric names of /_nodes; the proxy fills only http.
var nodeMetrics = map[string]bool{"settings": true, "os": true, "process": true, "jvm": true, "thread_pool": true,
	"transport": true, "http": true, "plugins": true, "ingest": true, "aggregations": true, "indices": true,
	"search_pipelines": true, "_all": true}

// nodesParams are the parameters /_nodes accepts; filter_path the proxy applies itself.
var nodesParams = paramSet("filter_path", "pretty", "human", "error_trace", "timeout", "flat_settings")

// nodes serves GET|HEAD /_nodes[/{nodes}][/{metrics}].
func (p *Proxy) nodes(w http.ResponseWriter, r *http.Request, rt route.Route) {
	if _, e := filterParams(r.URL.RawQuery, nodesParams); e != nil {
		writeError(w, r, e)
		return
	}
	filter, metrics := "", rt.Index
	if rt.ID != "" || !allMetrics(rt.Index) {
		filter, metrics = rt.Index, rt.ID
	}
	if metrics != "" && !allMetrics(metrics) {
		writeError(w, r, fail(CodeUnsupportedEndpoint, "unknown node metric in "+strconvQuote(metrics)))
		return
	}
	about, e := p.clusterAbout(r)
	if e != nil {
		writeError(w, r, e)
		return
	}
	addr := publishAddress(r)
	id := nodeID(addr)
	doc := map[string]any{"_nodes": map[string]any{"total": 0, "successful": 0, "failed": 0},
		"cluster_name": about.ClusterName, "nodes": map[string]any{}}
	if matchesNode(filter, id) {
		doc["_nodes"] = map[string]any{"total": 1, "successful": 1, "failed": 0}
		node := map[string]any{"name": "osproxy", "transport_address": addr, "host": hostOf(addr), "ip": hostOf(addr),
			"version": about.Version.Number, "build_type": about.Version.BuildType, "build_hash": about.Version.BuildHash,
			"roles": []string{"data", "ingest"}, "attributes": map[string]any{}}
		if metrics == "" || strings.Contains(","+metrics+",", ",http,") || strings.Contains(","+metrics+",", ",_all,") {
			node["http"] = map[string]any{"bound_address": []string{addr}, "publish_address": addr,
				"max_content_length_in_bytes": p.cfg.MaxBodyBytes}
		}
		doc["nodes"] = map[string]any{id: node}
	}
	body, _ := json.Marshal(applyFilterPath(doc, r.URL.Query().Get("filter_path")))
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// allMetrics reports whether a segment is a comma list of node metric names.
func allMetrics(seg string) bool {
	if seg == "" {
		return false
	}
	for _, m := range strings.Split(seg, ",") {
		if !nodeMetrics[m] {
			return false
		}
	}
	return true
}

// matchesNode reports whether a node filter names the proxy's one node.
func matchesNode(filter, id string) bool {
	if filter == "" {
		return true
	}
	for _, f := range strings.Split(filter, ",") {
		switch f {
		case "_all", "_local", "*", "_cluster_manager", "_master", "osproxy", id:
			return true
		}
	}
	return false
}

// publishAddress is host:port as the client addressed the proxy: a sniffing client
// then keeps that address.
func publishAddress(r *http.Request) string {
	host := r.Host
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	port := "80"
	if r.TLS != nil {
		port = "443"
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), port)
}

func hostOf(addr string) string {
	h, _, _ := net.SplitHostPort(addr)
	return h
}

// nodeID is a stable node id for an address, shaped like OpenSearch's (22 characters).
func nodeID(addr string) string {
	sum := sha256.Sum256([]byte("osproxy " + addr))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// clusterAbout is the part of the cluster's root answer a node description repeats:
// clients compare the version with their own.
type clusterAbout struct {
	ClusterName string `json:"cluster_name"`
	Version     struct {
		Number    string `json:"number"`
		BuildType string `json:"build_type"`
		BuildHash string `json:"build_hash"`
	} `json:"version"`
}

// aboutCache keeps the cluster's description for a while: sniffing clients ask for
// nodes with a short timeout (opensearch-py: 0.1 s), and the answer should not wait
// on the cluster each time.
type aboutCache struct {
	mu    sync.Mutex
	about clusterAbout
	at    time.Time
}

// aboutTTL is how long the cluster's name and version are reused.
const aboutTTL = 30 * time.Second

func (p *Proxy) clusterAbout(r *http.Request) (clusterAbout, *Error) {
	p.about.mu.Lock()
	cached, at := p.about.about, p.about.at
	p.about.mu.Unlock()
	if !at.IsZero() && time.Since(at) < aboutTTL {
		return cached, nil
	}
	about, e := p.fetchAbout(r)
	if e == nil {
		p.about.mu.Lock()
		p.about.about, p.about.at = about, time.Now()
		p.about.mu.Unlock()
	}
	return about, e
}

// fetchAbout asks the cluster's root for its name and version.
func (p *Proxy) fetchAbout(r *http.Request) (clusterAbout, *Error) {
	var about clusterAbout
	resp, e := p.roundTrip(r, http.MethodGet, p.cfg.Upstream+"/", nil)
	if e != nil {
		return about, e
	}
	defer resp.Body.Close()
	raw, e := readRelayed(resp)
	if e != nil {
		return about, e
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &about) != nil {
		return about, fail(CodeUpstreamUnreachable, "the cluster did not describe itself")
	}
	return about, nil
}

// healthMembers are what a tenant sees of the cluster's health: cluster-wide figures,
// none of them about an index (READ-41).
var healthMembers = []string{"cluster_name", "status", "timed_out", "number_of_nodes", "number_of_data_nodes",
	"discovered_master", "discovered_cluster_manager", "active_primary_shards", "active_shards", "relocating_shards",
	"initializing_shards", "unassigned_shards", "delayed_unassigned_shards", "number_of_pending_tasks",
	"number_of_in_flight_fetch", "task_max_waiting_in_queue_millis", "active_shards_percent_as_number"}

var healthParams = paramSet("wait_for_status", "timeout", "local", "cluster_manager_timeout", "master_timeout",
	"wait_for_nodes", "wait_for_active_shards", "wait_for_no_relocating_shards", "wait_for_no_initializing_shards",
	"wait_for_events", "level", "pretty", "human", "error_trace", "filter_path")

// clusterHealth serves GET|HEAD /_cluster/health: read-only and the same for every
// tenant; the health of an index (a path index, level=indices or shards) would name the
// shared index and others, and is refused (READ-41).
func (p *Proxy) clusterHealth(w http.ResponseWriter, r *http.Request, rt route.Route) {
	if rt.Index != "" {
		writeError(w, r, fail(CodeUnsupportedEndpoint, "the health of an index names the shared index; ask /_cluster/health"))
		return
	}
	raw, e := filterParams(r.URL.RawQuery, healthParams)
	if e != nil {
		writeError(w, r, e)
		return
	}
	if level := r.URL.Query().Get("level"); level != "" && level != "cluster" {
		writeError(w, r, fail(CodeUnsupportedParameter, "the parameter level is refused: only level=cluster is served"))
		return
	}
	target := p.cfg.Upstream + "/_cluster/health"
	if raw != "" {
		target += "?" + raw
	}
	resp, e := p.roundTrip(r, http.MethodGet, target, nil)
	if e != nil {
		writeError(w, r, e)
		return
	}
	defer resp.Body.Close()
	answer, e := readRelayed(resp)
	if e != nil {
		writeError(w, r, e)
		return
	}
	var all map[string]json.RawMessage
	if json.Unmarshal(answer, &all) != nil || all["error"] != nil {
		p.relayHealthError(w, resp, answer)
		return
	}
	kept := map[string]json.RawMessage{}
	for _, k := range healthMembers {
		if v, ok := all[k]; ok {
			kept[k] = v
		}
	}
	body, _ := json.Marshal(kept)
	if r.Method == http.MethodHead {
		w.WriteHeader(resp.StatusCode)
		return
	}
	writeJSON(w, resp.StatusCode, body)
}

// relayHealthError relays a health error with the physical index withheld.
func (p *Proxy) relayHealthError(w http.ResponseWriter, resp *http.Response, answer []byte) {
	s := p.shaping(tenancyRequest{view: &readView{}}).Errors
	writeBody(w, resp, s, s.Append(nil, answer))
}
