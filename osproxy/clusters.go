package osproxy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/osproxy/osproxy/osproxy/clusterauth"
	"github.com/osproxy/osproxy/osproxy/config"
	"github.com/osproxy/osproxy/osproxy/upstream"
)

// cluster is how the proxy reaches one cluster: TLS (nil over http://), the
// proxy's credentials, and the client that uses both.
type cluster struct {
	url         string
	tls         *clusterauth.TLS
	credentials *clusterauth.Credentials
	do          doer // set by connectUpstreams
	insecure    bool
	probe       bool // https or credentials: worth a start-up check (UPS-8)
	// How metrics and logs know it (spec/16-operations.md).
	name        string            // "upstream", or passthrough_cluster
	passthrough bool              // requests to it are forwarded verbatim
	index       int               // its place in metrics (Proxy.clusterList)
	breaker     *upstream.Breaker // OPS-13
}

// clusters are the tenancy upstream and, when configured, the passthrough endpoint.
type clusters struct{ upstream, passthrough cluster }

// buildClusters reads each cluster's TLS material and credentials before any
// socket opens, so a bad CA path or an unreadable password file is a
// configuration error (CFG-6, CFG-20, CFG-21).
func (p *Proxy) buildClusters(readFile func(string) ([]byte, error)) error {
	c := p.cfg
	up, err := newCluster("upstream", c.Upstream, c.UpstreamTLS, c.UpstreamAuth, c, readFile)
	if err != nil {
		return err
	}
	up.name = tenancyClusterName
	p.clusters.upstream = up
	if c.PassthroughEndpoint == "" {
		return nil
	}
	p.clusters.passthrough, err = newCluster("passthrough", c.PassthroughEndpoint, c.PassthroughTLS, c.PassthroughAuth, c, readFile)
	// passthrough_cluster names it in metrics and logs; a name equal to the
	// tenancy cluster's would merge two clusters' series, so it is told apart.
	p.clusters.passthrough.name, p.clusters.passthrough.passthrough = c.PassthroughCluster, true
	if c.PassthroughCluster == tenancyClusterName {
		p.clusters.passthrough.name = c.PassthroughCluster + " (passthrough)"
	}
	return err
}

func newCluster(prefix, url string, t config.ClusterTLS, a config.Credentials, _ config.Config,
	readFile func(string) ([]byte, error)) (cluster, error) {
	cl := cluster{url: url, insecure: t.InsecureSkipVerify}
	if strings.HasPrefix(url, "https://") {
		var err error
		if cl.tls, err = clusterauth.NewTLS(prefix, t, readFile); err != nil {
			return cluster{}, err
		}
	}
	creds, err := clusterauth.NewCredentials(prefix, a, readFile)
	if err != nil {
		return cluster{}, err
	}
	cl.credentials = creds
	cl.probe = cl.tls != nil || a.User != "" || a.Token != "" || a.TokenFile != ""
	return cl, nil
}

// clusterError maps what only a secured cluster produces: its refusal of the
// proxy's credentials (UPS-6) and TLS failures, named as such (UPS-7).
func clusterError(err error) *Error {
	if errors.Is(err, clusterauth.ErrRejected) {
		return fail(CodeUpstreamAuthFailed, "the upstream rejected the proxy's credentials")
	}
	if reason, ok := clusterauth.DescribeTLS(err); ok {
		return fail(CodeUpstreamUnreachable, reason)
	}
	return nil
}

// Reload re-reads every secret file (CFG-26): the tokens file, each cluster's
// password or token file and client certificate. A part that fails keeps its
// previous value; the errors are joined. Open connections are untouched.
func (p *Proxy) Reload() error {
	errs := []error{p.identity.Reload()}
	for _, cl := range []cluster{p.clusters.upstream, p.clusters.passthrough} {
		if cl.credentials != nil {
			errs = append(errs, cl.credentials.Reload())
		}
		if cl.tls != nil {
			errs = append(errs, cl.tls.Reload())
		}
	}
	return errors.Join(errs...)
}

// Warnings lists what an operator must hear at every start (UPS-4, CFG-29).
func (p *Proxy) Warnings() []string {
	out := append([]string(nil), p.warnings...)
	for _, w := range []struct {
		on  bool
		key string
	}{{p.clusters.upstream.insecure, "upstream"}, {p.clusters.passthrough.insecure, "passthrough"}} {
		if w.on {
			out = append(out, "warning: "+w.key+"_insecure_skip_verify is set: the certificate of "+
				w.key+" is NOT verified, so anyone on the path can read and change traffic; use it for development only")
		}
	}
	return out
}

// CheckUpstreams asks each https or credentialed cluster for GET / once and
// reports one line each (UPS-8). It is a start-up diagnosis: the caller runs
// it beside serving, never before.
func (p *Proxy) CheckUpstreams(ctx context.Context, report func(string)) {
	for _, cl := range []cluster{p.clusters.upstream, p.clusters.passthrough} {
		if !cl.probe {
			continue
		}
		report("upstream " + cl.url + ": " + probe(ctx, cl))
	}
}

func probe(ctx context.Context, cl cluster) string {
	resp, err := cl.do.do(&upstream.Request{Method: http.MethodGet, Target: "/", Ctx: ctx})
	if err != nil {
		return "not usable: " + upstreamError(err).Reason
	}
	// Drained so the connection stays in the pool for the first request.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return "reachable (HTTP " + strconv.Itoa(resp.Status) + ")"
}
