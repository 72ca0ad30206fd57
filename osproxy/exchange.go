package osproxy

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/osproxy/osproxy/osproxy/clusterauth"
	"github.com/osproxy/osproxy/osproxy/h1"
	"github.com/osproxy/osproxy/osproxy/observe"
	"github.com/osproxy/osproxy/osproxy/upstream"
)

// Failures of an exchange that never reached the cluster's answer for reasons
// of the proxy's own.
var (
	// errBreakerOpen: the cluster's circuit breaker refused the request (OPS-13).
	errBreakerOpen = errors.New("the cluster's circuit breaker is open")
	// errClientGone: the client went away before the cluster answered (OPS-14).
	errClientGone = errors.New("the client went away")
)

// breakerError carries how long an open breaker will refuse.
type breakerError struct{ retryAfter time.Duration }

func (e *breakerError) Error() string { return errBreakerOpen.Error() }
func (e *breakerError) Unwrap() error { return errBreakerOpen }

// exchange sends req to cl for the client request r, through the cluster's
// circuit breaker, and records the outcome once for every handler: in the
// request's record, the metrics, the breaker and, for a failure, the log. A
// client that left is told apart from a cluster that failed (OPS-14).
func (p *Proxy) exchange(r *http.Request, cl *cluster, req upstream.Request) (*upstream.Response, error) {
	t := trackedOf(r)
	if ok, after := cl.breaker.Allow(); !ok {
		x := observe.UpstreamExchange{Failure: observe.FailBreakerOpen}
		p.obs.Upstream(cl.index, x)
		t.noteUpstream(cl, x)
		return nil, &breakerError{retryAfter: after}
	}
	start := p.elapsed(t)
	resp, err := send(cl.do, req)
	x := observe.UpstreamExchange{Sent: true, Head: p.elapsed(t) - start}
	switch {
	case err == nil:
		x.Status = resp.Status
		cl.breaker.Success()
	case clientLeft(r, err):
		cl.breaker.Abandon()
		t.noteUpstream(cl, x)
		if t != nil {
			t.clientGone, t.leftEarly = true, true
		}
		return nil, errClientGone
	case errors.Is(err, upstream.ErrRequestBody):
		// The client's body failed (its framing, or a pause past body_read_timeout):
		// nothing to hold against the cluster.
		cl.breaker.Abandon()
		t.noteUpstream(cl, x)
		return nil, err
	default:
		x.Failure = failureOf(err)
		if x.Failure == observe.FailAuth {
			cl.breaker.Success() // the cluster answered: its refusal is about credentials
		} else {
			cl.breaker.Failure()
		}
		p.logUpstreamFailure(t, cl, x.Failure, err)
	}
	p.obs.Upstream(cl.index, x)
	t.noteUpstream(cl, x)
	return resp, err
}

// elapsed is the time since t's request began, or since an arbitrary instant
// for a request not tracked: a difference of two is a duration either way.
func (p *Proxy) elapsed(t *tracked) time.Duration {
	if t == nil {
		return time.Since(processStart)
	}
	return p.obs.Elapsed(t.rec)
}

// processStart anchors elapsed for requests that are not tracked.
var processStart = time.Now()

// noteUpstream records an exchange in the request's record.
func (t *tracked) noteUpstream(cl *cluster, x observe.UpstreamExchange) {
	if t == nil {
		return
	}
	t.rec.Cluster, t.rec.Upstream = cl.index, x
	if x.Sent {
		t.rec.Rewrite = cl.rewrite(t.kind)
	}
}

// clientLeft reports whether an exchange failed because the client went away:
// its context ended, or its request body broke off mid-way (as opposed to a body
// that broke HTTP/1.1 framing or paused too long).
func clientLeft(r *http.Request, err error) bool {
	if r.Context().Err() != nil || upstream.IsCanceled(err) {
		return true
	}
	if !errors.Is(err, upstream.ErrRequestBody) || errors.Is(err, h1.ErrBodyFraming) || isTimeoutErr(err) {
		return false
	}
	var ne *net.OpError
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ne)
}

func isTimeoutErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// failureOf names why an exchange failed, for metrics and logs.
func failureOf(err error) observe.Failure {
	switch {
	case errors.Is(err, clusterauth.ErrRejected):
		return observe.FailAuth
	case errors.Is(err, errBreakerOpen):
		return observe.FailBreakerOpen
	case errors.Is(err, upstream.ErrStalled):
		return observe.FailStall
	}
	if _, ok := clusterauth.DescribeTLS(err); ok {
		return observe.FailTLS
	}
	if upstream.IsTimeout(err) || isTimeoutErr(err) || errors.Is(err, context.DeadlineExceeded) {
		return observe.FailTimeout
	}
	return observe.FailUnreachable
}

// bodyFailed records a response body that broke off or stalled after its head,
// from the cluster of t's last exchange (the response to the client is then cut
// short). A failure to write to the client is the client's, recorded apart.
func (p *Proxy) bodyFailed(t *tracked, err error) {
	if t == nil || t.clientGone || t.rec.Cluster < 0 {
		return
	}
	f := observe.FailBody
	if errors.Is(err, upstream.ErrStalled) {
		f = observe.FailStall
	}
	cl := p.clusterList()[t.rec.Cluster]
	p.obs.Failed(cl.index, f)
	t.rec.Upstream.Failure = f
	p.logUpstreamFailure(t, cl, f, err)
}

// logUpstreamFailure writes one WARN line naming the cluster, the failure and
// its cause: a transport error, which holds addresses and reasons, never a
// request's content.
func (p *Proxy) logUpstreamFailure(t *tracked, cl *cluster, f observe.Failure, err error) {
	id := ""
	if t != nil {
		id = t.rec.ID
	}
	p.log.Warn("upstream failure", "id", id, "cluster", cl.name, "failure", f.String(), "cause", err.Error())
}

// retryAfter sets Retry-After to d rounded up to whole seconds, at least 1.
func retryAfter(h http.Header, d time.Duration) {
	s := int64((d + time.Second - 1) / time.Second)
	h.Set("Retry-After", strconv.FormatInt(max(s, 1), 10))
}
