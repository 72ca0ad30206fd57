package jsonstream

import "testing"

func TestFilterBytes_Paths_KeepOnlyWhatTheyName(t *testing.T) {
	doc := `{"took":3,"errors":false,"items":[{"index":{"_index":"o","_id":"1","status":201}},{"create":{"_id":"2","status":409,"error":{"type":"x"}}}],"x":{"y":{"z":1,"w":2}}}`
	cases := []struct{ filter, want string }{
		{"took", `{"took":3}`},
		{"errors,items.*.error,items.*.status", `{"errors":false,"items":[{"index":{"status":201}},{"create":{"status":409,"error":{"type":"x"}}}]}`},
		{"items.*._id", `{"items":[{"index":{"_id":"1"}},{"create":{"_id":"2"}}]}`},
		{"x.**.z", `{"x":{"y":{"z":1}}}`},
		{"**.status", `{"items":[{"index":{"status":201}},{"create":{"status":409,"error":{}}}],"x":{"y":{}}}`}, // emptied objects stay
		{"x.y", `{"x":{"y":{"z":1,"w":2}}}`},
		{"x.*.w,took", `{"took":3,"x":{"y":{"w":2}}}`},
		{"it*.*.error.type", `{"items":[{"index":{}},{"create":{"error":{"type":"x"}}}]}`},
		{"nothing", `{}`},
	}
	for _, tc := range cases {
		if got := string(FilterBytes([]byte(doc), tc.filter)); got != tc.want {
			t.Errorf("%s:\n got  %s\n want %s", tc.filter, got, tc.want)
		}
	}
	if _, err := NewFilterPlan("-took"); err == nil {
		t.Error("an exclusion was accepted")
	}
}
