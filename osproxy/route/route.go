package route

import "strings"

// Kind is the endpoint a request addresses.
type Kind int

const (
	// Unsupported is every endpoint tenancy mode does not implement (TEN-11).
	Unsupported Kind = iota
	// Search is GET|POST /{index}/_search.
	Search
	// SearchNoIndex is a search with no logical index, such as /_search (TEN-6).
	SearchNoIndex
	// DocPut is PUT|POST /{index}/_doc/{id}.
	DocPut
	// DocCreate is PUT|POST /{index}/_create/{id}.
	DocCreate
	// DocAutoID is POST /{index}/_doc.
	DocAutoID
	// DocGet is GET|HEAD /{index}/_doc/{id}.
	DocGet
	// DocDelete is DELETE /{index}/_doc/{id}.
	DocDelete
	// Root is GET|HEAD /: the cluster's name and version, which clients ask at start.
	Root
	// Bulk is POST|PUT /_bulk or /{index}/_bulk; Index may be empty.
	Bulk
	// Update is POST /{index}/_update/{id}.
	Update
	// Source is GET|HEAD /{index}/_source/{id}.
	Source
	// Mget is GET|POST /_mget or /{index}/_mget; Index may be empty.
	Mget
	// IndexHead is HEAD /{index}; IndexGet GET /{index}; IndexCreate PUT /{index};
	// IndexDelete DELETE /{index}: the life of a logical index.
	IndexHead
	IndexGet
	IndexCreate
	IndexDelete
	// Refresh is GET|POST /{index}/_refresh.
	Refresh
)

// Route is a classified request. Index and ID are raw path segments, not decoded.
type Route struct {
	Kind  Kind
	Index string
	ID    string
}

// Classify maps method and raw path (no query) to a Route. Empty segments are
// not dropped: "//os-shared/_search" is not a search of "os-shared" (a proxy
// that collapsed the slashes would hand a tenant the shared index).
func Classify(method, rawPath string) Route {
	if !strings.HasPrefix(rawPath, "/") {
		return Route{}
	}
	var seg [4]string
	n := 0
	rest := rawPath[1:]
	for n < len(seg) {
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			seg[n] = rest
			n++
			rest = ""
			break
		}
		seg[n], rest = rest[:i], rest[i+1:]
		n++
	}
	if rest != "" || n == len(seg) {
		return Route{} // more than three segments: nothing we implement
	}
	return classify(method, seg[:n])
}

func classify(method string, seg []string) Route {
	if rt, ok := classifyRead(method, seg); ok { // spec/14-reads.md (reads.go)
		return rt
	}
	get := method == "GET" || method == "HEAD"
	write := method == "PUT" || method == "POST"
	switch {
	case len(seg) == 1 && seg[0] == "" && get:
		return Route{Kind: Root}
	case len(seg) == 1 && seg[0] == "_search" && (method == "GET" || method == "POST"):
		return Route{Kind: SearchNoIndex}
	case len(seg) <= 2 && seg[len(seg)-1] == "_bulk" && write:
		return Route{Kind: Bulk, Index: optionalIndex(seg)}
	case len(seg) <= 2 && seg[len(seg)-1] == "_mget" && (method == "GET" || method == "POST"):
		return Route{Kind: Mget, Index: optionalIndex(seg)}
	case len(seg) == 1 && seg[0] != "" && !strings.HasPrefix(seg[0], "_"):
		return indexRoute(method, seg[0])
	case len(seg) == 2 && seg[1] == "_refresh" && (method == "GET" || method == "POST"):
		return Route{Kind: Refresh, Index: seg[0]}
	case len(seg) == 3 && seg[1] == "_update" && method == "POST":
		return Route{Kind: Update, Index: seg[0], ID: seg[2]}
	case len(seg) == 3 && seg[1] == "_source" && get:
		return Route{Kind: Source, Index: seg[0], ID: seg[2]}
	case len(seg) == 2 && seg[1] == "_search" && (method == "GET" || method == "POST"):
		if seg[0] == "" || strings.HasPrefix(seg[0], "_") && seg[0] != "_all" {
			return Route{} // an endpoint such as /_msearch/_search is not an index
		}
		return Route{Kind: Search, Index: seg[0]}
	case len(seg) == 2 && seg[1] == "_doc" && method == "POST":
		return Route{Kind: DocAutoID, Index: seg[0]}
	case len(seg) == 3 && seg[1] == "_doc":
		switch {
		case get:
			return Route{Kind: DocGet, Index: seg[0], ID: seg[2]}
		case write:
			return Route{Kind: DocPut, Index: seg[0], ID: seg[2]}
		case method == "DELETE":
			return Route{Kind: DocDelete, Index: seg[0], ID: seg[2]}
		}
	case len(seg) == 3 && seg[1] == "_create" && write:
		return Route{Kind: DocCreate, Index: seg[0], ID: seg[2]}
	}
	return Route{}
}

// optionalIndex is the index of /{index}/_x, or "" for /_x. An empty first segment
// (//_bulk) is kept as given so that TEN-5 refuses it.
func optionalIndex(seg []string) string {
	if len(seg) == 2 {
		if seg[0] == "" {
			return "/"
		}
		return seg[0]
	}
	return ""
}

// indexRoute classifies a request on /{index} itself.
func indexRoute(method, index string) Route {
	switch method {
	case "HEAD":
		return Route{Kind: IndexHead, Index: index}
	case "GET":
		return Route{Kind: IndexGet, Index: index}
	case "PUT":
		return Route{Kind: IndexCreate, Index: index}
	case "DELETE":
		return Route{Kind: IndexDelete, Index: index}
	}
	return Route{}
}

// FirstSegment returns the first segment of a raw path ("" for "/").
func FirstSegment(rawPath string) string {
	p := strings.TrimPrefix(rawPath, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return p
}
