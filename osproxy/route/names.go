package route

import "strconv"

// kindNames are the endpoint classes as metrics, access logs and explain name
// them: one short, stable name per Kind. A Kind without a name here is named
// "kind_<n>" rather than dropped, and TestKindNames_EveryKind_Named fails until
// it has one, so every endpoint the classifier knows shows by name.
var kindNames = map[Kind]string{
	Unsupported:   "other",
	Search:        "search",
	SearchNoIndex: "search_no_index",
	DocPut:        "doc_put",
	DocCreate:     "doc_create",
	DocAutoID:     "doc_auto_id",
	DocGet:        "doc_get",
	DocDelete:     "doc_delete",
	Root:          "root",
	Bulk:          "bulk",
	Update:        "update",
	Source:        "source",
	Mget:          "mget",
	IndexHead:     "index_head",
	IndexGet:      "index_get",
	IndexCreate:   "index_create",
	IndexDelete:   "index_delete",
	Refresh:       "refresh",
	// spec/14-reads.md
	Count:          "count",
	MultiSearch:    "msearch",
	ScrollNext:     "scroll",
	ScrollClear:    "scroll_clear",
	CreatePIT:      "pit_create",
	DeletePIT:      "pit_delete",
	AllPITs:        "pit_all",
	DeleteByQuery:  "delete_by_query",
	UpdateByQuery:  "update_by_query",
	Validate:       "validate",
	FieldCaps:      "field_caps",
	SearchTemplate: "search_template",
	Nodes:          "nodes",
	ClusterHealth:  "cluster_health",
}

// String is the Kind's class name.
func (k Kind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return "kind_" + strconv.Itoa(int(k))
}

// Kinds lists every named Kind, for tables indexed by class (metrics).
func Kinds() []Kind {
	out := make([]Kind, 0, len(kindNames))
	for k := range kindNames {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ { // insertion sort: a stable order for exposition
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
