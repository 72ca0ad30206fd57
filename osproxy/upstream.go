package osproxy

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/osproxy/osproxy/osproxy/clusterauth"
	"github.com/osproxy/osproxy/osproxy/config"
	"github.com/osproxy/osproxy/osproxy/upstream"
)

// doer sends one request upstream: the pooled HTTP/1.1 client in production,
// or an http.RoundTripper given with WithTransport.
type doer interface {
	do(req *upstream.Request) (*upstream.Response, error)
}

// endpointDoer is the pooled client of one cluster. A 401 from the cluster is
// about the proxy's own credentials, never the client's, so it becomes
// clusterauth.ErrRejected rather than the client's 401 (UPS-6).
type endpointDoer struct{ *upstream.Endpoint }

// send is d.do(&req) without moving req to the heap when d is the pooled
// client, whose Do keeps its argument on the caller's stack.
func send(d doer, req upstream.Request) (*upstream.Response, error) {
	if e, ok := d.(endpointDoer); ok {
		return rejecting(e.Do(&req))
	}
	r := req
	return d.do(&r)
}

func (e endpointDoer) do(req *upstream.Request) (*upstream.Response, error) {
	return rejecting(e.Do(req))
}

// rejecting turns a cluster's 401 into clusterauth.ErrRejected (UPS-6).
func rejecting(resp *upstream.Response, err error) (*upstream.Response, error) {
	if err == nil && resp.Status == http.StatusUnauthorized {
		resp.Body.Close()
		return nil, clusterauth.ErrRejected
	}
	return resp, err
}

// newEndpoint builds the pooled client of one cluster: its TLS and the
// proxy's credentials for it (UPS-1..5), and the connection settings.
func newEndpoint(cl cluster, cfg config.Config) (doer, error) {
	opts := upstream.Options{
		HeaderTimeout: cfg.UpstreamTimeout,     // ERR-5
		DialTimeout:   cfg.UpstreamDialTimeout, // CFG-24
		MaxConns:      cfg.UpstreamMaxConns,    // CFG-24: 0 (a Config built in code) means no cap
		MaxIdle:       1024,
		Authorize:     cl.credentials.Authorization, // UPS-5: the proxy's, never the client's
		StallTimeout:  cfg.StallTimeout,             // OPS-15
	}
	if cl.tls != nil {
		opts.TLS = cl.tls.Config()
	}
	e, err := upstream.New(cl.url, opts)
	if err != nil {
		return nil, err
	}
	return endpointDoer{e}, nil
}

// roundTrip sends a request the proxy built, with the relayed client headers.
// target is the absolute URL under the tenancy upstream.
func (p *Proxy) roundTrip(r *http.Request, method, target string, body []byte) (*http.Response, *Error) {
	req := upstream.Request{Method: method, Body: body}
	if body != nil {
		return p.roundTripReq(r, target, "application/json", req)
	}
	return p.roundTripReq(r, target, "", req)
}

// roundTripBody sends a request the proxy built whose body is streamed (a _bulk
// being transformed as the upstream reads it), chunked; a nil body sends none.
func (p *Proxy) roundTripBody(r *http.Request, method, target, contentType string, body io.Reader) (*http.Response, *Error) {
	req := upstream.Request{Method: method}
	if body != nil {
		req.Stream, req.StreamLength = body, -1
	}
	return p.roundTripReq(r, target, contentType, req)
}

// roundTripReq completes req with the target under the upstream, the relayed
// client headers and the content type, and sends it.
func (p *Proxy) roundTripReq(r *http.Request, target, contentType string, req upstream.Request) (*http.Response, *Error) {
	rest, ok := strings.CutPrefix(target, p.cfg.Upstream)
	if !ok {
		return nil, fail(CodeInternal, "the upstream request could not be built")
	}
	if !strings.HasPrefix(rest, "/") {
		rest = "/" + rest
	}
	fb := fieldBufs.get()
	defer fieldBufs.put(fb)
	fields := appendRelayed(*fb, r.Header)
	if contentType != "" {
		fields = appendField(fields, "Content-Type", contentType)
	}
	*fb = fields
	req.Target, req.Fields, req.Ctx = rest, fields, r.Context()
	resp, err := p.exchange(r, &p.clusters.upstream, req)
	if err != nil {
		return nil, upstreamError(err)
	}
	return &http.Response{StatusCode: resp.Status, Header: resp.Header, Body: resp.Body,
		ContentLength: resp.ContentLength}, nil
}

// appendRelayed appends the client headers a rewritten request carries
// upstream (TEN-13).
func appendRelayed(b []byte, h http.Header) []byte {
	for _, name := range relayedRequestHeaders {
		for _, v := range h[name] {
			b = appendField(b, name, v)
		}
	}
	return b
}

// appendField appends one "Name: value" line; a value that could break the
// line is left out rather than forwarded.
func appendField(b []byte, name, v string) []byte {
	if strings.ContainsAny(v, "\r\n\x00") {
		return b
	}
	b = append(b, name...)
	b = append(b, ": "...)
	b = append(b, v...)
	return append(b, "\r\n"...)
}

// upstreamError maps a transport failure to its code: 504 on a timeout, 502
// otherwise (ERR-4, ERR-5).
func upstreamError(err error) *Error {
	var be *breakerError
	if errors.As(err, &be) { // OPS-13
		return &Error{Code: CodeUpstreamUnavailable, RetryAfter: be.retryAfter,
			Reason: "the upstream keeps failing; the proxy is not sending it requests for now"}
	}
	if e := clusterError(err); e != nil { // UPS-6, UPS-7
		return e
	}
	var ne net.Error
	if upstream.IsTimeout(err) || errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return fail(CodeUpstreamTimeout, "the upstream did not answer in time")
	}
	return fail(CodeUpstreamUnreachable, "the upstream could not be reached")
}

// bufferPool recycles byte slices of one size.
type bufferPool struct {
	pool sync.Pool
	size int
}

func (b *bufferPool) get() *[]byte {
	if v, ok := b.pool.Get().(*[]byte); ok {
		*v = (*v)[:0]
		return v
	}
	s := make([]byte, 0, b.size)
	return &s
}

func (b *bufferPool) put(v *[]byte) { b.pool.Put(v) }

var (
	// copyBuffers move streamed bodies.
	copyBuffers = &bufferPool{size: 32 << 10}
	// fieldBufs hold the header lines of an upstream request.
	fieldBufs = &bufferPool{size: 2 << 10}
)

// rtDoer sends through an http.RoundTripper (WithTransport): the request is
// rebuilt as an *http.Request against base.
type rtDoer struct {
	rt   http.RoundTripper
	base string
}

func (d rtDoer) do(req *upstream.Request) (*upstream.Response, error) {
	hr, err := http.NewRequest(req.Method, d.base+req.Target, nil)
	if err != nil {
		return nil, err
	}
	if req.Ctx != nil {
		hr = hr.WithContext(req.Ctx)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(req.Fields), "\r\n"), "\r\n") {
		if k, v, ok := strings.Cut(line, ": "); ok {
			hr.Header.Add(k, v)
		}
	}
	switch {
	case req.Stream != nil:
		hr.Body, hr.ContentLength = io.NopCloser(req.Stream), req.StreamLength
	case req.Body != nil:
		hr.Body, hr.ContentLength = io.NopCloser(bytes.NewReader(req.Body)), int64(len(req.Body))
	}
	resp, err := d.rt.RoundTrip(hr)
	if err != nil {
		return nil, err
	}
	return &upstream.Response{Status: resp.StatusCode, Header: resp.Header, ContentLength: resp.ContentLength,
		Body: resp.Body}, nil
}

// transportFor is the rtDoer of an upstream base URL.
func transportFor(rt http.RoundTripper, base string) (doer, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	return rtDoer{rt: rt, base: u.Scheme + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/")}, nil
}

// connectUpstreams builds the clients of the tenancy upstream and the
// passthrough endpoint, through the WithTransport RoundTripper when one is set.
func (p *Proxy) connectUpstreams() error {
	build := func(cl *cluster) (doer, error) {
		var err error
		if p.transport != nil {
			cl.do, err = transportFor(p.transport, cl.url)
		} else {
			cl.do, err = newEndpoint(*cl, p.cfg)
		}
		return cl.do, err
	}
	var err error
	if p.up, err = build(&p.clusters.upstream); err != nil {
		return fmt.Errorf("connecting the upstream: %w", err)
	}
	if p.cfg.PassthroughEndpoint != "" {
		if p.pass, err = build(&p.clusters.passthrough); err != nil {
			return fmt.Errorf("connecting the passthrough endpoint: %w", err)
		}
	}
	return nil
}

// randomID returns 20 URL-safe characters from 15 random bytes (DOC-2).
func randomID() string {
	var b [15]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux
	return base64.RawURLEncoding.EncodeToString(b[:])
}
