package mockupstream

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Shape fixes the physical names the canned documents carry, so the proxy's
// hit transform has real work to do: a physical index, prefixed ids, routing
// and reserved fields in _source.
type Shape struct {
	Index    string // physical index, e.g. osproxy-shared
	Tenant   string // e.g. acme
	IDPrefix string // e.g. acme:orders: (TEN-7 physical id prefix)
	Logical  string // logical index stored in _logical_index
}

// hitPadding makes one hit about 260 bytes, so 10 hits are the
// ~3 KiB small search and 1,000 hits its ~256 KiB large one.
var hitPadding = strings.Repeat("lorem ipsum ", 9)

func (s Shape) hit(i int) string {
	return fmt.Sprintf(`{"_index":%q,"_id":"%s%d","_score":1.0,"_routing":%q,`+
		`"_source":{"_tenant":%q,"_logical_index":%q,"id":%d,"msg":"hi","body":%q}}`,
		s.Index, s.IDPrefix, i, s.Tenant, s.Tenant, s.Logical, i, hitPadding)
}

// searchPrefix is everything of a search response up to the point where a
// sibling of hits (aggregations) may follow.
func (s Shape) searchPrefix(hits int) string {
	all := make([]string, hits)
	for i := range all {
		all[i] = s.hit(i + 1)
	}
	return searchHead(all)
}

func (s Shape) searchBody(hits int) string { return s.searchPrefix(hits) + "}" }

func (s Shape) bulkBody(items int) string {
	var b strings.Builder
	b.WriteString(`{"took":3,"errors":false,"items":[`)
	for i := 0; i < items; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"index":{"_index":%q,"_id":"%s%d","_version":1,"result":"created",`+
			`"_shards":{"total":1,"successful":1,"failed":0},"_seq_no":%d,"_primary_term":1,"status":201}}`,
			s.Index, s.IDPrefix, i+1, i)
	}
	b.WriteString(`]}`)
	return b.String()
}

func (s Shape) docCreated() string {
	return fmt.Sprintf(`{"_index":%q,"_id":"%s1","_version":1,"result":"created",`+
		`"_shards":{"total":1,"successful":1,"failed":0},"_seq_no":0,"_primary_term":1}`,
		s.Index, s.IDPrefix)
}

func (s Shape) docFound() string {
	return fmt.Sprintf(`{"_index":%q,"_id":"%s1","_version":1,"_seq_no":0,"_primary_term":1,`+
		`"_routing":%q,"found":true,"_source":{"_tenant":%q,"_logical_index":%q,"id":1,"msg":"hi"}}`,
		s.Index, s.IDPrefix, s.Tenant, s.Tenant, s.Logical)
}

// response prefixes status line and headers to a JSON body, ready to be
// written with one system call.
func cannedResponse(status int, body string) []byte {
	return []byte("HTTP/1.1 " + strconv.Itoa(status) + " " + statusReason(status) + "\r\n" +
		"content-type: application/json; charset=UTF-8\r\n" +
		"content-length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}

func statusReason(status int) string {
	switch status {
	case 200:
		return "OK"
	case 201:
		return "Created"
	case 404:
		return "Not Found"
	default:
		return "Status"
	}
}

// sizedCache holds responses whose size depends on the request (hit count,
// bulk items). It is bounded: past maxEntries a new size is built for that
// request only and not kept, so odd traffic cannot grow the mock.
type sizedCache struct {
	mu    sync.RWMutex
	byN   map[int][]byte
	build func(n int) []byte
}

// maxCachedN keeps a 64 MiB bulk's ~10 MB response from being kept after use.
const (
	maxEntries = 32
	maxCachedN = 10000
)

func newSizedCache(build func(int) []byte, warm ...int) *sizedCache {
	c := &sizedCache{byN: map[int][]byte{}, build: build}
	for _, n := range warm {
		c.byN[n] = build(n)
	}
	return c
}

func (c *sizedCache) get(n int) []byte {
	c.mu.RLock()
	r, ok := c.byN[n]
	c.mu.RUnlock()
	if ok {
		return r
	}
	r = c.build(n)
	c.mu.Lock()
	if len(c.byN) < maxEntries && n <= maxCachedN {
		c.byN[n] = r
	}
	c.mu.Unlock()
	return r
}
