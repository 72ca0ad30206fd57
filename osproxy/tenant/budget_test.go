package tenant

import "testing"

// Allocation budgets: shaping a hit and splicing the
// reserved fields allocate nothing beyond a reused output buffer.
func TestShaperHit_ReusedBuffer_NoAllocations(t *testing.T) {
	s := NewShaper("acme", "orders")
	hit := []byte(`{"_index":"os-shared","_id":"acme:orders:7","_score":1.0,"_routing":"acme",` +
		`"_source":{"_tenant":"acme","_logical_index":"orders","msg":"hi"},"fields":{"_tenant.keyword":["acme"]},` +
		`"inner_hits":{"c":{"hits":{"hits":[{"_id":"acme:orders:8","_source":{"_tenant":"acme"}}]}}}}`)
	dst := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(200, func() { dst, _ = s.Hit(dst[:0], hit) }); n != 0 {
		t.Fatalf("Hit allocates %v times per hit", n)
	}
}

func TestInject_ReusedBuffer_NoAllocations(t *testing.T) {
	doc := []byte(`{"msg":"hi","n":1}`)
	dst := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(200, func() { dst, _ = Inject(dst[:0], doc, "acme", "orders") }); n != 0 {
		t.Fatalf("Inject allocates %v times", n)
	}
}
