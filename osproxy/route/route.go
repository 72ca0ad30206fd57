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
)

// Route is a classified request. Index and ID are raw path segments, not decoded.
type Route struct {
	Kind  Kind
	Index string
	ID    string
}

// Classify maps method and raw path (no query) to a Route. Empty segments are
// not dropped: "//os-shared/_search" is not a search of "os-shared" (attack B4).
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
	get := method == "GET" || method == "HEAD"
	write := method == "PUT" || method == "POST"
	switch {
	case len(seg) == 1 && seg[0] == "" && get:
		return Route{Kind: Root}
	case len(seg) == 1 && seg[0] == "_search" && (method == "GET" || method == "POST"):
		return Route{Kind: SearchNoIndex}
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

// FirstSegment returns the first segment of a raw path ("" for "/").
func FirstSegment(rawPath string) string {
	p := strings.TrimPrefix(rawPath, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return p
}
