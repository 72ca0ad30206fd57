package route

import "testing"

func TestClassify_Paths_Kinds(t *testing.T) {
	cases := []struct {
		method, path string
		want         Route
	}{
		{"POST", "/orders/_search", Route{Kind: Search, Index: "orders"}},
		{"GET", "/orders/_search", Route{Kind: Search, Index: "orders"}},
		{"PUT", "/orders/_search", Route{}},
		{"GET", "/_search", Route{Kind: SearchNoIndex}},
		{"GET", "/_all/_search", Route{Kind: Search, Index: "_all"}},
		{"GET", "//os-shared/_search", Route{}},
		{"GET", "/orders/_search/", Route{}},
		{"PUT", "/orders/_doc/7", Route{Kind: DocPut, Index: "orders", ID: "7"}},
		{"POST", "/orders/_doc/7", Route{Kind: DocPut, Index: "orders", ID: "7"}},
		{"POST", "/orders/_doc", Route{Kind: DocAutoID, Index: "orders"}},
		{"PUT", "/orders/_doc", Route{}},
		{"PUT", "/orders/_create/7", Route{Kind: DocCreate, Index: "orders", ID: "7"}},
		{"HEAD", "/orders/_doc/a%2Fb", Route{Kind: DocGet, Index: "orders", ID: "a%2Fb"}},
		{"DELETE", "/orders/_doc/7", Route{Kind: DocDelete, Index: "orders", ID: "7"}},
		{"GET", "/orders/_doc/7/x", Route{}},
		{"POST", "/orders/_bulk", Route{Kind: Bulk, Index: "orders"}},
		{"PUT", "/_bulk", Route{Kind: Bulk}},
		{"GET", "/_bulk", Route{}},
		{"POST", "//_bulk", Route{Kind: Bulk, Index: "/"}},
		{"POST", "/orders/_update/7", Route{Kind: Update, Index: "orders", ID: "7"}},
		{"GET", "/orders/_source/7", Route{Kind: Source, Index: "orders", ID: "7"}},
		{"GET", "/_mget", Route{Kind: Mget}},
		{"POST", "/orders/_mget", Route{Kind: Mget, Index: "orders"}},
		{"HEAD", "/orders", Route{Kind: IndexHead, Index: "orders"}},
		{"PUT", "/orders", Route{Kind: IndexCreate, Index: "orders"}},
		{"DELETE", "/orders", Route{Kind: IndexDelete, Index: "orders"}},
		{"GET", "/orders", Route{Kind: IndexGet, Index: "orders"}},
		{"POST", "/orders", Route{}},
		{"GET", "/_cat", Route{}},
		{"POST", "/orders/_refresh", Route{Kind: Refresh, Index: "orders"}},
		{"GET", "/orders/_mapping", Route{}},
		{"GET", "/", Route{Kind: Root}},
		{"HEAD", "/", Route{Kind: Root}},
		{"POST", "/", Route{}},
		{"GET", "orders/_search", Route{}},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			if got := Classify(tc.method, tc.path); got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestClassify_Search_DoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { Classify("POST", "/orders/_search") }); n != 0 {
		t.Fatalf("Classify allocates %v times", n)
	}
}

func TestFirstSegment_Paths_Segment(t *testing.T) {
	for path, want := range map[string]string{"/": "", "/a": "a", "/a/b": "a", "": ""} {
		if got := FirstSegment(path); got != want {
			t.Fatalf("%q: got %q want %q", path, got, want)
		}
	}
}
