package route

import "testing"

func TestClassify_ReadPaths_KindIndexAndID(t *testing.T) {
	cases := []struct {
		method, path string
		want         Route
	}{
		{"GET", "/_count", Route{Kind: Count}},
		{"POST", "/orders,invoices/_count", Route{Kind: Count, Index: "orders,invoices"}},
		{"POST", "/_all/_count", Route{Kind: Count, Index: "_all"}},
		{"POST", "/_msearch", Route{Kind: MultiSearch}},
		{"GET", "/orders/_msearch", Route{Kind: MultiSearch, Index: "orders"}},
		{"POST", "/_search/scroll", Route{Kind: ScrollNext}},
		{"GET", "/_search/scroll/abc", Route{Kind: ScrollNext, ID: "abc"}},
		{"DELETE", "/_search/scroll/a,b", Route{Kind: ScrollClear, ID: "a,b"}},
		{"POST", "/orders/_search/point_in_time", Route{Kind: CreatePIT, Index: "orders"}},
		{"DELETE", "/_search/point_in_time", Route{Kind: DeletePIT}},
		{"GET", "/_search/point_in_time/_all", Route{Kind: AllPITs}},
		{"DELETE", "/_search/point_in_time/_all", Route{Kind: AllPITs}},
		{"POST", "/orders/_delete_by_query", Route{Kind: DeleteByQuery, Index: "orders"}},
		{"POST", "/orders/_update_by_query", Route{Kind: UpdateByQuery, Index: "orders"}},
		{"GET", "/_validate/query", Route{Kind: Validate}},
		{"POST", "/orders/_validate/query", Route{Kind: Validate, Index: "orders"}},
		{"GET", "/orders/_field_caps", Route{Kind: FieldCaps, Index: "orders"}},
		{"PUT", "/_field_caps", Route{Kind: FieldCaps}},
		{"POST", "/orders/_search/template", Route{Kind: SearchTemplate, Index: "orders"}},
		{"GET", "/_render/template/x", Route{Kind: SearchTemplate}},
		{"GET", "/_nodes", Route{Kind: Nodes}},
		{"GET", "/_nodes/_all/http", Route{Kind: Nodes, Index: "_all", ID: "http"}},
		{"HEAD", "/_nodes/http", Route{Kind: Nodes, Index: "http"}},
		{"GET", "/_cluster/health", Route{Kind: ClusterHealth}},
		{"GET", "/_cluster/health/orders", Route{Kind: ClusterHealth, Index: "orders"}},
		{"GET", "/_search", Route{Kind: SearchNoIndex}},
		// not reads: left to the one-index classification
		{"PUT", "/_search/scroll", Route{}},
		{"GET", "/orders/_search/point_in_time", Route{}},
		{"GET", "/orders/_delete_by_query", Route{}},
		{"POST", "/_delete_by_query", Route{}},
		{"POST", "/_nodes/reload_secure_settings", Route{}},
		{"PUT", "/_cluster/health", Route{}},
		{"POST", "//_count", Route{}},
		{"GET", "/_nodes/_local/stats/jvm", Route{}},
		{"GET", "/_nodes/stats", Route{}},
		{"GET", "/_nodes/_all/usage", Route{}},
		{"GET", "/_nodes/hot_threads", Route{}},
		{"GET", "/_nodes/_all/http/extra", Route{}},
	}
	for _, tc := range cases {
		if got := Classify(tc.method, tc.path); got != tc.want {
			t.Errorf("%s %s: %+v, want %+v", tc.method, tc.path, got, tc.want)
		}
	}
}
