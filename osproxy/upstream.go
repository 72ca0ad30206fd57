package osproxy

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// newTransport builds the pooled upstream transport (benchmark plan 4.7).
func newTransport(headerTimeout time.Duration) *http.Transport {
	return &http.Transport{
		Proxy:                 nil, // never an environment proxy: traffic goes where the config says
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: headerTimeout, // ERR-5
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
		WriteBufferSize:       32 << 10,
		ReadBufferSize:        32 << 10,
	}
}

// upstreamError maps a transport failure to its code: 504 on a timeout, 502
// otherwise (ERR-4, ERR-5).
func upstreamError(err error) *Error {
	if e := clusterError(err); e != nil { // UPS-6, UPS-7
		return e
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return fail(CodeUpstreamTimeout, "the upstream did not answer in time")
	}
	return fail(CodeUpstreamUnreachable, "the upstream could not be reached")
}

// bufferPool recycles 32 KiB copy buffers for streamed bodies.
type bufferPool struct{ pool sync.Pool }

func (b *bufferPool) Get() []byte {
	if v, ok := b.pool.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, 32<<10)
}

func (b *bufferPool) Put(buf []byte) { b.pool.Put(&buf) }

var copyBuffers = &bufferPool{}

// randomID returns 20 URL-safe characters from 15 random bytes (DOC-2).
func randomID() string {
	var b [15]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux
	return base64.RawURLEncoding.EncodeToString(b[:])
}
