package route

import "strings"

// The endpoint kinds of the reads beyond a one-index search (spec/14-reads.md),
// numbered apart from route.go's so that both lists can grow.
const (
	// Count is GET|POST /_count and /{index}/_count.
	Count Kind = iota + 100
	// MultiSearch is GET|POST /_msearch and /{index}/_msearch.
	MultiSearch
	// ScrollNext is GET|POST /_search/scroll[/{id}]: a scroll's next page.
	ScrollNext
	// ScrollClear is DELETE /_search/scroll[/{ids}].
	ScrollClear
	// CreatePIT is POST /{index}/_search/point_in_time.
	CreatePIT
	// DeletePIT is DELETE /_search/point_in_time.
	DeletePIT
	// AllPITs is /_search/point_in_time/_all, which lists or deletes every tenant's.
	AllPITs
	// DeleteByQuery is POST /{index}/_delete_by_query.
	DeleteByQuery
	// UpdateByQuery is POST /{index}/_update_by_query.
	UpdateByQuery
	// Validate is GET|POST /_validate/query and /{index}/_validate/query.
	Validate
	// FieldCaps is /_field_caps and /{index}/_field_caps.
	FieldCaps
	// SearchTemplate is every search template endpoint: _search/template,
	// _msearch/template, _render/template.
	SearchTemplate
	// Nodes is GET|HEAD /_nodes[/{nodes}[/{metrics}]]: Index holds the second segment,
	// ID the third.
	Nodes
	// ClusterHealth is GET|HEAD /_cluster/health[/{index}].
	ClusterHealth
)

// classifyRead classifies the read endpoints; ok is false for every other path.
func classifyRead(method string, seg []string) (Route, bool) {
	get := method == "GET" || method == "HEAD"
	search := method == "GET" || method == "POST"
	first, last := seg[0], seg[len(seg)-1]
	index := ""
	if len(seg) > 1 && (!strings.HasPrefix(first, "_") || first == "_all") {
		index = first // _all is refused as a logical index name (TEN-5), not as an endpoint
	}
	rest := seg
	if index != "" {
		rest = seg[1:]
	}
	switch {
	case first == "" && len(seg) > 1:
		return Route{}, false
	case first == "_nodes" && get && len(seg) <= 3 && !nodesAPI(seg[1:]):
		rt := Route{Kind: Nodes}
		if len(seg) > 1 {
			rt.Index = seg[1]
		}
		if len(seg) > 2 {
			rt.ID = seg[2]
		}
		return rt, true
	case first == "_cluster" && len(seg) >= 2 && seg[1] == "health" && get:
		rt := Route{Kind: ClusterHealth}
		if len(seg) == 3 {
			rt.Index = seg[2]
		}
		return rt, true
	case len(seg) >= 2 && seg[0] == "_search" && seg[1] == "point_in_time":
		switch {
		case len(seg) == 3 && last == "_all":
			return Route{Kind: AllPITs}, true
		case len(seg) == 2 && method == "DELETE":
			return Route{Kind: DeletePIT}, true
		}
	case len(seg) >= 2 && seg[0] == "_search" && seg[1] == "scroll":
		rt := Route{}
		if len(seg) == 3 {
			rt.ID = seg[2]
		}
		switch {
		case search:
			rt.Kind = ScrollNext
			return rt, true
		case method == "DELETE":
			rt.Kind = ScrollClear
			return rt, true
		}
	case isTemplate(rest):
		return Route{Kind: SearchTemplate, Index: index}, true
	}
	return classifyIndexRead(method, index, rest)
}

// classifyIndexRead classifies the reads that may name logical indices: rest is the
// path after them.
func classifyIndexRead(method, index string, rest []string) (Route, bool) {
	search := method == "GET" || method == "POST"
	kind := Kind(-1)
	switch joinedRest(rest) {
	case "_count":
		if search {
			kind = Count
		}
	case "_msearch":
		if search {
			kind = MultiSearch
		}
	case "_validate/query":
		if search {
			kind = Validate
		}
	case "_field_caps":
		kind = FieldCaps
	case "_search/point_in_time":
		if method == "POST" && index != "" {
			kind = CreatePIT
		}
	case "_delete_by_query":
		if method == "POST" && index != "" {
			kind = DeleteByQuery
		}
	case "_update_by_query":
		if method == "POST" && index != "" {
			kind = UpdateByQuery
		}
	}
	if kind < 0 {
		return Route{}, false
	}
	return Route{Kind: kind, Index: index}, true
}

// joinedRest is rest joined by slashes when it is one segment or one of the
// two-segment read endpoints, without the allocation of a join on every request.
func joinedRest(rest []string) string {
	switch {
	case len(rest) == 1:
		return rest[0]
	case len(rest) != 2:
		return ""
	case rest[0] == "_validate" && rest[1] == "query":
		return "_validate/query"
	case rest[0] == "_search" && rest[1] == "point_in_time":
		return "_search/point_in_time"
	}
	return ""
}

// isTemplate reports whether a path (after any index) is a search template endpoint.
func isTemplate(rest []string) bool {
	if len(rest) < 2 || rest[1] != "template" {
		return false
	}
	switch rest[0] {
	case "_search", "_msearch", "_render":
		return true
	}
	return false
}

// nodesAPI reports whether a /_nodes path names one of the node APIs other than node
// information (stats, usage, hot threads): those are not Nodes, and are refused.
func nodesAPI(seg []string) bool {
	for _, s := range seg {
		switch s {
		case "stats", "usage", "hot_threads", "hotthreads", "reload_secure_settings":
			return true
		}
	}
	return false
}
