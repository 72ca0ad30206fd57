package osproxy

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/osproxy/osproxy/osproxy/config"
	"github.com/osproxy/osproxy/osproxy/identity"
	"github.com/osproxy/osproxy/osproxy/observe"
	"github.com/osproxy/osproxy/osproxy/route"
)

// Proxy is the osproxy http.Handler. Build it with New.
type Proxy struct {
	cfg       config.Config
	upstream  *url.URL
	transport http.RoundTripper // set by WithTransport; nil uses the pooled clients
	up        doer              // the tenancy upstream
	pass      doer              // the passthrough endpoint; nil without passthrough
	identity  *identity.Authenticator
	clusters  clusters // TLS and credentials of each upstream
	newID     func() string
	log       *slog.Logger     // events: failures with their cause, contained panics
	accessLog slog.Handler     // one line per request (OPS-6); nil for none
	obs       *observe.Metrics // metrics, explain (spec/16-operations.md)
	classes   classTable       // route kinds and admin endpoints, as metrics count them
	budget    budget           // request-body bytes held at once (OPS-11)
	ready     readiness        // draining, cluster probes (OPS-4)
	cursors   *sealer          // scroll and point-in-time envelopes (cursor.go)
	about     aboutCache       // the cluster's description for node answers (reads_nodes.go)
	warnings  []string         // said once at start-up, with the clusters' (Warnings)
}

// Option adjusts a Proxy at construction, for tests and embedding.
type Option func(*Proxy)

// WithTransport replaces the upstream clients with an http.RoundTripper (tests
// use a canned one); it sends no credentials of its own.
func WithTransport(rt http.RoundTripper) Option { return func(p *Proxy) { p.transport = rt } }

// WithIDGenerator replaces the random id source of DOC-2.
func WithIDGenerator(f func() string) Option { return func(p *Proxy) { p.newID = f } }

// WithLogger sends the proxy's event lines (failures, contained panics) to l, and,
// when access is set, one access-log line per request (OPS-6).
func WithLogger(l *slog.Logger, access slog.Handler) Option {
	return func(p *Proxy) { p.log, p.accessLog = l, access }
}

// New builds a Proxy from a validated configuration.
func New(cfg config.Config, opts ...Option) (*Proxy, error) {
	up, err := url.Parse(cfg.Upstream)
	if err != nil {
		return nil, fmt.Errorf("parsing upstream: %w", err)
	}
	p := &Proxy{
		cfg:      cfg,
		upstream: up,
		newID:    randomID,
		log:      slog.New(observe.NewJSONHandler(os.Stderr, nil)),
		classes:  newClassTable(),
		budget:   budget{limit: cfg.MaxBufferedBytes},
	}
	if p.identity, err = identity.New(cfg, os.ReadFile); err != nil {
		return nil, err
	}
	if err := p.buildClusters(os.ReadFile); err != nil {
		return nil, err
	}
	for _, o := range opts {
		o(p)
	}
	var generated bool
	if p.cursors, generated = newSealer(cfg.CursorAffinityKey, cfg.Upstream, cfg.Index); generated { // CFG-29
		p.warnings = append(p.warnings, "warning: cursor_affinity_key is not set; scroll and point-in-time cursors are sealed "+
			"with a key made for this process and will not open after a restart or on another instance")
	}
	if err := p.connectUpstreams(); err != nil {
		return nil, err
	}
	p.observe()
	return p, nil
}

// Mode names what the proxy serves, for the readiness line of CFG-18.
func (p *Proxy) Mode() string {
	switch {
	case p.pass == nil:
		return "tenancy"
	case len(p.cfg.PassthroughIndices) == 0:
		return "passthrough"
	}
	return "passthrough+tenancy"
}

// ServeHTTP walks a request through once: the proxy's own endpoints, passthrough
// or tenancy. Every request is recorded (spec/16-operations.md): its class comes
// from route.Classify, the one classification of endpoints.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := rawPath(r)
	if isAdminPath(path) {
		if p.cfg.AdminBind != "" { // OPS-1: reserved, and served on the admin listener only
			p.refuseAdmin(w, r)
			return
		}
		p.serveAdmin(w, r, false)
		return
	}
	mode := observe.Tenancy
	passes := p.passes(r)
	if passes {
		mode = observe.Passthrough
	}
	kind := route.Classify(r.Method, path).Kind
	t, r := p.track(w, r, mode, p.classes.of(kind), kind)
	defer func() {
		v := recover()
		p.finish(t, v != nil)
		if v != nil {
			panic(v) // only http.ErrAbortHandler gets here (contain): the server drops the connection
		}
	}()
	w = t
	defer p.contain(w, r)
	if passes {
		if _, e := p.authenticate(r); e != nil {
			writeError(w, r, e)
			return
		}
		// PT-5: an upstream may answer before it has read the whole body; keep
		// relaying the upload while the response streams (HTTP/1 would
		// otherwise close the request body at the first response byte).
		_ = http.NewResponseController(w).EnableFullDuplex()
		p.forward(w, r)
		return
	}
	p.serveTenancy(w, r)
}

// passes reports whether r goes to the passthrough endpoint (PT-1, PT-2).
func (p *Proxy) passes(r *http.Request) bool {
	if p.pass == nil {
		return false
	}
	if len(p.cfg.PassthroughIndices) == 0 {
		return true
	}
	first, err := url.PathUnescape(route.FirstSegment(rawPath(r)))
	if err != nil || strings.HasPrefix(first, "_") {
		return false
	}
	// ISO-21: a comma list passes only when every item is one of the prefixes'
	// indices; otherwise one matching item would carry any other index along.
	for _, item := range strings.Split(first, ",") {
		if !p.passesIndex(item) {
			return false
		}
	}
	return true
}

// passesIndex reports whether one index expression starts with a passthrough prefix.
// A wildcard after the prefix stays among the prefix's indices.
func (p *Proxy) passesIndex(name string) bool {
	for _, prefix := range p.cfg.PassthroughIndices {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// contain turns a panic into a 500 for this request only (ERR-3). An aborted
// response (http.ErrAbortHandler) is re-raised so net/http drops the connection.
func (p *Proxy) contain(w http.ResponseWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	p.log.Error("contained a panic", "id", requestID(r), "method", observe.MethodName(r.Method), "panic", fmt.Sprint(v))
	writeError(w, r, fail(CodeInternal, "the proxy failed to handle the request"))
}

// authenticate implements SEC-1, SEC-2 and SEC-8. In open mode the principal
// is empty and unbound.
func (p *Proxy) authenticate(r *http.Request) (config.Principal, *Error) {
	principal, err := p.identity.Authenticate(r.Header, r.TLS)
	if err != nil {
		return config.Principal{}, fail(CodeAuthRequired, err.Error())
	}
	return principal, nil
}
