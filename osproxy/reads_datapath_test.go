package osproxy

import (
	"encoding/json"
	"io"
	"net"
	"testing"

	"github.com/osproxy/osproxy/osproxy/h1"
)

// A scroll's next page on the whole data path (datapath_test.go's rig: the proxy's
// server loop, handler and pooled upstream client): opening the sealed cursor, one
// upstream request, shaping ten hits, sealing the next cursor.

// startScrollUpstream is a canned upstream that answers every request with one scroll
// page of ten hits; it returns its address.
func startScrollUpstream(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	page := []byte(response(200, "OK", scrollPage(10)))
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go answerAll(c, page)
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	return ln.Addr().String()
}

// answerAll reads each request on c, its declared body included, and writes resp.
func answerAll(c net.Conn, resp []byte) {
	defer c.Close()
	r := h1.NewReader(c)
	for {
		head, err := r.ReadHead(h1.MaxHead)
		if err != nil {
			return
		}
		if _, err := io.CopyN(io.Discard, r, int64(declaredLength(head))); err != nil {
			return
		}
		if _, err := c.Write(resp); err != nil {
			return
		}
	}
}

// scrollIDOf sends req on the rig and returns the _scroll_id of its answer.
func (g *rig) scrollIDOf(t testing.TB, req []byte) string {
	if _, err := g.conn.Write(req); err != nil {
		t.Fatal(err)
	}
	head, err := g.r.ReadHead(h1.MaxHead)
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, declaredLength(head))
	if _, err := io.ReadFull(g.r, body); err != nil {
		t.Fatal(err)
	}
	var page struct {
		ID string `json:"_scroll_id"`
	}
	if err := json.Unmarshal(body, &page); err != nil || page.ID == "" {
		t.Fatalf("no scroll id in %s (%v)", body, err)
	}
	return page.ID
}

// TestScrollNext_DataPath_AllocationBudget: a scroll continuation allocates a bounded
// number of times per page, not per hit or per byte. Its budget is the one-index
// search's of dataPathCases plus what a cursor costs to open and to seal.
func TestScrollNext_DataPath_AllocationBudget(t *testing.T) {
	g := proxyTo(t, startScrollUpstream(t), false)
	id := g.scrollIDOf(t, request("POST", "/orders/_search?scroll=1m", `{"size":10}`, true))
	next := request("POST", "/_search/scroll", `{"scroll":"1m","scroll_id":"`+id+`"}`, true)
	run := func() {
		if status, _ := g.roundTrip(t, next); status != 200 {
			t.Fatalf("status %d", status)
		}
	}
	for range 20 {
		run() // warm pools and the connection
	}
	budget := float64(scrollBudget)
	if raceEnabled {
		budget *= 4
	}
	if got := testing.AllocsPerRun(200, run); got > budget {
		t.Fatalf("%.1f allocations per scroll continuation, budget %.0f", got, budget)
	} else {
		t.Logf("%.1f allocations per scroll continuation (budget %.0f)", got, budget)
	}
}

// scrollBudget is the allocations of a scroll continuation on the data path: 52 when
// measured, against 29 for dataPathCases' one-index search of ten hits; the difference
// is the cursor, opened (base64, AES-CTR, HMAC, its fields) and sealed again, and the
// scroll body's judgement.
const scrollBudget = 58
