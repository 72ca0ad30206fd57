package load

import (
	"fmt"
	"time"
)

// Transfer is one timed large transfer.
type Transfer struct {
	Status  int
	Bytes   int64
	Elapsed time.Duration
}

// MBps is the payload rate in MB/s (10^6 bytes), the unit curl reports.
func (t Transfer) MBps() float64 {
	if t.Elapsed <= 0 {
		return 0
	}
	return float64(t.Bytes) / 1e6 / t.Elapsed.Seconds()
}

// Upload sends head (ending in the blank line, with a Content-Length of
// size) followed by size bytes made by repeating piece, then reads the
// response. Only piece is ever in memory, however large the body.
func Upload(addr string, head, piece []byte, size int64, limit time.Duration) (Transfer, error) {
	c, err := dialUntil(addr, time.Now().Add(limit), bigReadBuf)
	if err != nil {
		return Transfer{}, err
	}
	defer func() { _ = c.Close() }()
	t0 := time.Now()
	if err := c.Write(head); err != nil {
		return Transfer{}, err
	}
	for sent := int64(0); sent < size; {
		p := piece
		if rest := size - sent; rest < int64(len(p)) {
			p = p[:rest]
		}
		if err := c.Write(p); err != nil {
			return Transfer{}, fmt.Errorf("uploading after %d bytes: %w", sent, err)
		}
		sent += int64(len(p))
	}
	status, _, err := c.ReadResponse()
	return Transfer{Status: status, Bytes: size, Elapsed: time.Since(t0)}, err
}

// Download sends req and reads the whole response body, counting it.
func Download(addr string, req []byte, limit time.Duration) (Transfer, error) {
	c, err := dialUntil(addr, time.Now().Add(limit), bigReadBuf)
	if err != nil {
		return Transfer{}, err
	}
	defer func() { _ = c.Close() }()
	t0 := time.Now()
	if err := c.Write(req); err != nil {
		return Transfer{}, err
	}
	status, n, err := c.ReadResponseCounting()
	return Transfer{Status: status, Bytes: n, Elapsed: time.Since(t0)}, err
}
