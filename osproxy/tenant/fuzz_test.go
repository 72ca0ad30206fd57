package tenant

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/osproxy/osproxy/osproxy/jsonstream"
)

// FuzzShaping runs any JSON document through the search and document plans: a valid
// document always comes out valid, and a stored document comes out without routing and
// without reserved fields at the top of its source.
func FuzzShaping(f *testing.F) {
	f.Add([]byte(`{"hits":{"hits":[` + physicalHit + `]},"aggregations":{"a":{"hits":{"hits":[` + physicalHit + `]}}}}`))
	f.Add([]byte(physicalHit))
	f.Add([]byte(`{"_shards":{"failures":[{"index":"os-shared","reason":{"reason":"x"}}]}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		if !json.Valid(doc) || jsonstream.Validate(doc, 0) != nil {
			return
		}
		for _, root := range []uint8{SearchRoot, DocumentRoot} {
			sh := acmeShaping(true, 1)
			var out bytes.Buffer
			if _, err := jsonstream.Transform(&out, bytes.NewReader(doc), sh, root, sh.Capture, jsonstream.Options{}); err != nil {
				continue // a hit that is not an object may be refused by the shaper; the caller aborts
			}
			if !json.Valid(out.Bytes()) {
				t.Fatalf("root %d: %q became invalid %q", root, doc, out.Bytes())
			}
			if root != DocumentRoot {
				continue
			}
			var m map[string]json.RawMessage
			if json.Unmarshal(out.Bytes(), &m) != nil {
				continue
			}
			if _, ok := m["_routing"]; ok {
				t.Fatalf("_routing kept in %q", out.Bytes())
			}
			var src map[string]json.RawMessage
			if json.Unmarshal(m["_source"], &src) == nil {
				if _, ok := src[FieldTenant]; ok {
					t.Fatalf("reserved field kept in %q", out.Bytes())
				}
			}
		}
	})
}
