package mockupstream

import (
	"bytes"
	"github.com/osproxy/osproxy/internal/wire"
	"net"
)

type leanRoute int

const (
	leanDoc leanRoute = iota
	leanSearch
	leanBulk
	leanRaw
	leanOther
	leanRouteCount
)

func (r leanRoute) String() string {
	return [...]string{"doc", "search", "bulk", "raw", "other"}[r]
}

// inspectLimit is how much of a request body the mock looks at. A search's
// size and aggs members sit near the start in every request the harness
// sends, so 4 KiB is enough and a 64 MiB body is never held.
const inspectLimit = 4 << 10

// inspector sees a request body as it is drained: it keeps the first few
// KiB and counts lines (bulk items are two lines each).
type inspector struct {
	head  [inspectLimit]byte
	n     int
	lines int
}

func (in *inspector) reset() { in.n, in.lines = 0, 0 }

func (in *inspector) visit(p []byte) {
	if in.n < inspectLimit {
		in.n += copy(in.head[in.n:], p)
	}
	in.lines += bytes.Count(p, []byte{'\n'})
}

// searchHits reads "size":N from the start of a search body, as OpenSearch
// would honour it; no size means OpenSearch's default of 10.
func (in *inspector) searchHits() int {
	body := in.head[:in.n]
	i := bytes.Index(body, []byte(`"size":`))
	if i < 0 {
		return 10
	}
	n := 0
	for _, c := range body[i+len(`"size":`):] {
		if c < '0' || c > '9' || n > 10000 {
			break
		}
		n = n*10 + int(c-'0')
	}
	return min(n, 10000)
}

func (in *inspector) wantsAggs() bool {
	body := in.head[:in.n]
	return bytes.Contains(body, []byte(`"aggs"`)) || bytes.Contains(body, []byte(`"aggregations"`))
}

func classifyLean(path, query []byte) leanRoute {
	switch {
	case bytes.Contains(query, []byte("resp=")):
		return leanRaw
	case bytes.HasSuffix(path, []byte("/_bulk")):
		return leanBulk
	case bytes.Contains(path, []byte("/_search")):
		return leanSearch
	case bytes.Contains(path, []byte("/_doc")) || bytes.Contains(path, []byte("/_create")):
		return leanDoc
	}
	return leanOther
}

func (s *LeanServer) respond(nc net.Conn, h *wire.Head, path, query []byte, in *inspector) error {
	if isMultiSearch(path) {
		return s.multiSearch(nc, in) // lean_msearch.go
	}
	r := classifyLean(path, query)
	s.byRoute[r].Add(1)
	var out []byte
	switch r {
	case leanRaw:
		return s.raw.write(nc)
	case leanSearch:
		if in.wantsAggs() {
			return s.agg.write(nc)
		}
		out = s.srch.get(in.searchHits())
	case leanBulk:
		out = s.bulk.get(max(in.lines/2, 1))
	case leanDoc:
		out = s.doc
		if bytes.Equal(h.Method, []byte("GET")) {
			out = s.got
		}
	default:
		out = leanOK
	}
	_, err := nc.Write(out)
	return err
}

var leanOK = cannedResponse(200, `{"acknowledged":true}`)
