package osproxy

import (
	"github.com/osproxy/osproxy/osproxy/route"
)

// The classes of the proxy's own endpoints (OPS-1), after the route kinds'.
var adminClasses = []string{"admin_live", "admin_ready", "admin_metrics", "admin_explain", "admin_other"}

const (
	classAdminLive = iota
	classAdminReady
	classAdminMetrics
	classAdminExplain
	classAdminOther
)

// classTable maps route kinds, the one classification of every endpoint, to the
// class indices metrics count by (OPS-2): a new kind shows by its own name with
// no code of its own here.
type classTable struct {
	names  []string
	byKind map[route.Kind]int
	admin  int // index of the first admin class
}

func newClassTable() classTable {
	t := classTable{byKind: map[route.Kind]int{}}
	for _, k := range route.Kinds() {
		t.byKind[k] = len(t.names)
		t.names = append(t.names, k.String())
	}
	t.admin = len(t.names)
	t.names = append(t.names, adminClasses...)
	return t
}

// of is the class of kind; an unnamed kind counts as "other" (Unsupported).
func (t *classTable) of(kind route.Kind) int {
	if i, ok := t.byKind[kind]; ok {
		return i
	}
	return t.byKind[route.Unsupported]
}

// rewriteOf names what tenancy mode does to a request of kind before it goes
// upstream, for explain (OPS-7). Kinds not listed are rewritten by their handler
// in ways the generic name covers.
func rewriteOf(kind route.Kind) string {
	switch kind {
	case route.Root:
		return "cluster_info"
	case route.Search, route.SearchNoIndex, route.Count, route.MultiSearch, route.Validate,
		route.DeleteByQuery, route.UpdateByQuery, route.CreatePIT:
		return "search_judged_and_wrapped_in_tenant_filter"
	case route.ScrollNext, route.ScrollClear, route.DeletePIT:
		return "cursor_unsealed"
	case route.Nodes, route.ClusterHealth:
		return "cluster_info"
	case route.DocPut, route.DocCreate, route.DocAutoID, route.Update:
		return "document_id_scoped_and_reserved_fields_injected"
	case route.DocGet, route.DocDelete, route.Source:
		return "document_id_scoped"
	case route.Bulk:
		return "bulk_items_scoped"
	case route.Mget:
		return "mget_items_scoped"
	case route.IndexHead, route.IndexGet, route.IndexCreate, route.IndexDelete, route.Refresh:
		return "logical_index_emulated"
	}
	return "tenancy_rewrite"
}
