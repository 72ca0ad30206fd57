package mockupstream

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"
)

const (
	hugeBody    = 64 << 20
	memoryBound = 8 << 20
)

func TestDrain_64MiBRequest_AllocatesUnderBound(t *testing.T) {
	want := sha256Hex(t, newPatternReader(hugeBody))
	tests := []struct {
		name          string
		contentLength int64
	}{
		{"declared length", hugeBody},
		{"chunked", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, Options{})
			c := newClient(t, true)
			req, err := http.NewRequestWithContext(t.Context(), "POST", s.URL()+"/_bulk", newPatternReader(hugeBody))
			if err != nil {
				t.Fatalf("building the request: %v", err)
			}
			req.ContentLength = tt.contentLength
			var status int
			allocated := allocatedDuring(func() {
				resp, err := c.Do(req)
				if err != nil {
					t.Errorf("sending: %v", err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = resp.StatusCode
			})
			if status != http.StatusOK {
				t.Fatalf("status = %d, want 200", status)
			}
			t.Logf("allocated %d bytes", allocated)
			if allocated >= memoryBound {
				t.Errorf("client and mock allocated %d bytes for a %d-byte upload, want < %d", allocated, hugeBody, memoryBound)
			}
			rec, _ := s.LastRequest()
			if rec.BodySize != hugeBody || rec.BodySHA256 != want || !rec.BodyComplete || rec.ContentLength != tt.contentLength {
				t.Errorf("recorded size %d hash %s complete %v length %d", rec.BodySize, rec.BodySHA256, rec.BodyComplete, rec.ContentLength)
			}
			if len(rec.BodyPrefix) != DefaultMaxRecordedBody || !bytes.Equal(rec.BodyPrefix[:len(patternBlock)], patternBlock) {
				t.Errorf("prefix has %d bytes, want the first %d sent", len(rec.BodyPrefix), DefaultMaxRecordedBody)
			}
		})
	}
}

// fillChecker counts the bytes written to it and reports the first one that
// is not fill, so a 64 MiB body is verified without being held.
type fillChecker struct {
	fill  byte
	frame []byte
	n     int64
}

func (f *fillChecker) Write(p []byte) (int, error) {
	written := len(p)
	for len(p) > 0 {
		k := min(len(p), len(f.frame))
		if !bytes.Equal(p[:k], f.frame[:k]) {
			return 0, fmt.Errorf("byte other than %q near offset %d", f.fill, f.n)
		}
		f.n += int64(k)
		p = p[k:]
	}
	return written, nil
}

func TestGenerated_64MiBResponse_AllocatesUnderBound(t *testing.T) {
	tests := []struct {
		name string
		fill byte
	}{
		{"letters", 'x'},
		{"zero bytes", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, Options{})
			s.Handle("GET", "/big", Generated(http.StatusOK, nil, hugeBody, tt.fill))
			c := newClient(t, true)
			check := &fillChecker{fill: tt.fill, frame: bytes.Repeat([]byte{tt.fill}, frameSize)}
			var length int64
			var copyErr error
			allocated := allocatedDuring(func() {
				resp, err := c.Get(s.URL() + "/big")
				if err != nil {
					copyErr = err
					return
				}
				defer resp.Body.Close()
				length = resp.ContentLength
				_, copyErr = io.Copy(check, resp.Body)
			})
			if copyErr != nil || length != hugeBody || check.n != hugeBody {
				t.Fatalf("received %d of %d declared bytes: %v", check.n, length, copyErr)
			}
			t.Logf("allocated %d bytes", allocated)
			if allocated >= memoryBound {
				t.Errorf("client and mock allocated %d bytes for a %d-byte response, want < %d", allocated, hugeBody, memoryBound)
			}
		})
	}
}
