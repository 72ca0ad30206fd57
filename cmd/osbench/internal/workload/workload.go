package workload

import (
	"fmt"
	"strconv"
	"strings"
)

// Leg names one way of reaching the mock upstream.
type Leg string

// The legs of a run. DT is the direct baseline of T and OT.
const (
	Direct       Leg = "D"
	DirectTenant Leg = "DT"
	Nginx        Leg = "N"
	Passthrough  Leg = "P"
	Tenancy      Leg = "T"
	ReverseProxy Leg = "R"
	// Original and OriginalTenant are the original Rust osproxy in
	// passthrough and in tenancy mode, the peers of P and T.
	Original       Leg = "O"
	OriginalTenant Leg = "OT"
)

// Tenant reports whether the leg is a tenancy proxy: its requests carry the
// tenant header and its baseline is DT.
func (l Leg) Tenant() bool { return l == Tenancy || l == OriginalTenant }

// Baseline is the direct leg a leg's added latency is measured against.
func (l Leg) Baseline() Leg {
	if l.Tenant() {
		return DirectTenant
	}
	return Direct
}

// Kind is the shape of a workload.
type Kind string

// Workload kinds.
const (
	Write      Kind = "write"
	Search     Kind = "search"
	Bulk       Kind = "bulk"
	StreamUp   Kind = "stream-request"
	StreamDown Kind = "stream-response"
	StreamAgg  Kind = "stream-aggs"
	StreamBulk Kind = "stream-bulk"
)

// Names the harness and the report share.
const (
	Tenant   = "acme"
	Logical  = "orders"
	Physical = "osproxy-shared"
	// IDPrefix is TEN-7's {tenant}:{index}: prefix of a physical id.
	IDPrefix = Tenant + ":" + Logical + ":"
)

// Workload is one row of the matrix, independent of leg and concurrency.
type Workload struct {
	Kind Kind
	// DocBytes is the size of each JSON document (write, bulk).
	DocBytes int
	// Hits is the number of hits a search asks for.
	Hits int
	// Docs is the number of documents in a bulk request.
	Docs int
}

// Name is a stable key used in results.json and the report.
func (w Workload) Name() string {
	switch w.Kind {
	case Write:
		return "write-" + sizeName(w.DocBytes)
	case Search:
		return "search-" + strconv.Itoa(w.Hits) + "hits"
	case Bulk:
		return "bulk-" + strconv.Itoa(w.Docs) + "x" + sizeName(w.DocBytes)
	case MultiSearch:
		return msearchName(w.Docs)
	}
	return string(w.Kind)
}

func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + "MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}

// Request returns the complete request a leg sends for this workload to
// host (the leg's host:port, used in the Host header).
func (w Workload) Request(leg Leg, host string) ([]byte, error) {
	switch w.Kind {
	case Write:
		return writeRequest(leg, host, Doc(w.DocBytes, 1)), nil
	case Search:
		return searchRequest(leg, host, w.searchBody()), nil
	case Bulk:
		return bulkRequest(leg, host, w.Docs, w.DocBytes), nil
	case MultiSearch:
		return msearchRequest(leg, host, w.Docs), nil
	case StreamDown:
		return build("GET", "/raw/_doc/big?resp=64m", host, leg, "", nil), nil
	case StreamAgg:
		return searchRequest(leg, host, `{"size":10,"aggs":{"big":{"terms":{"field":"k"}}}}`), nil
	}
	return nil, fmt.Errorf("building request: kind %q has no single request", w.Kind)
}

func (w Workload) searchBody() string {
	q := `"query":{"match":{"msg":"hi"}}`
	if w.Hits == 10 {
		// OpenSearch's default size is 10: the small search sends no size.
		return "{" + q + "}"
	}
	return `{"size":` + strconv.Itoa(w.Hits) + "," + q + "}"
}

// Doc returns a JSON document of exactly n bytes (n >= 32).
func Doc(n, id int) string {
	head := `{"id":` + strconv.Itoa(id) + `,"msg":"hi","body":"`
	pad := max(n-len(head)-2, 0)
	return head + strings.Repeat("x", pad) + `"}`
}

// injectReserved splices TEN-8's reserved fields in as the first members.
func injectReserved(doc string) string {
	return `{"_tenant":"` + Tenant + `","_logical_index":"` + Logical + `",` + doc[1:]
}

func writeRequest(leg Leg, host, doc string) []byte {
	if leg == DirectTenant {
		// DOC-1: PUT /{physical}/_doc/{tenant}:{index}:{id}?routing={tenant}
		return build("PUT", "/"+Physical+"/_doc/"+IDPrefix+"1?routing="+Tenant,
			host, leg, "application/json", []byte(injectReserved(doc)))
	}
	return build("PUT", "/"+Logical+"/_doc/1", host, leg, "application/json", []byte(doc))
}

func searchRequest(leg Leg, host, body string) []byte {
	if leg == DirectTenant {
		return build("POST", "/"+Physical+"/_search?routing="+Tenant,
			host, leg, "application/json", []byte(WrapQuery(body)))
	}
	return build("POST", "/"+Logical+"/_search", host, leg, "application/json", []byte(body))
}

// WrapQuery applies SRCH-2 to the simple bodies the harness sends: the
// query member is replaced in place by the tenant filter around it, or the
// filter around match_all is appended when there is none.
func WrapQuery(body string) string {
	const filter = `{"bool":{"filter":[{"term":{"_tenant":"` + Tenant + `"}},` +
		`{"term":{"_logical_index":"` + Logical + `"}}],"must":[`
	i := strings.Index(body, `"query":`)
	if i < 0 {
		return body[:len(body)-1] + `,"query":` + filter + `{"match_all":{}}]}}}`
	}
	q := body[i+len(`"query":`) : len(body)-1]
	return body[:i] + `"query":` + filter + q + `]}}}`
}

func bulkRequest(leg Leg, host string, docs, docBytes int) []byte {
	var b strings.Builder
	for i := 1; i <= docs; i++ {
		doc := Doc(docBytes, i)
		if leg == DirectTenant {
			fmt.Fprintf(&b, `{"index":{"_index":%q,"_id":"%s%d","routing":%q}}`+"\n%s\n",
				Physical, IDPrefix, i, Tenant, injectReserved(doc))
			continue
		}
		fmt.Fprintf(&b, `{"index":{"_id":"%d"}}`+"\n%s\n", i, doc)
	}
	path := "/" + Logical + "/_bulk"
	if leg == DirectTenant {
		path = "/_bulk"
	}
	return build("POST", path, host, leg, "application/x-ndjson", []byte(b.String()))
}

// build serializes a request. Only the tenancy legs carry the tenant header (TEN-1).
func build(method, target, host string, leg Leg, ctype string, body []byte) []byte {
	var b strings.Builder
	b.WriteString(method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n")
	if leg.Tenant() {
		b.WriteString("x-tenant: " + Tenant + "\r\n")
	}
	if ctype != "" {
		b.WriteString("Content-Type: " + ctype + "\r\n")
	}
	if body != nil || method == "POST" || method == "PUT" {
		b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body)
	return []byte(b.String())
}
