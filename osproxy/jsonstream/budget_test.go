package jsonstream

import (
	"bytes"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// searchResponse returns a realistic search response with n hits.
func searchResponse(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"took":5,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},`)
	b.WriteString(`"hits":{"total":{"value":` + strconv.Itoa(n) + `,"relation":"eq"},"max_score":1.0,"hits":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		id := strconv.Itoa(i)
		b.WriteString(`{"_index":"products-000001","_id":"acme:products:` + id + `","_score":1.0,"_routing":"acme",`)
		b.WriteString(`"_source":{"_tenant":"acme","name":"Widget ` + id + `","price":12.5,"tags":["a","b"],`)
		b.WriteString(`"description":"A widget that does what widgets do, described at some length \"quoted\"."}}`)
	}
	b.WriteString(`]},"aggregations":{"by_tag":{"buckets":[{"key":"a","doc_count":3}]}}}`)
	return []byte(b.String())
}

// transformAllocs measures allocations per TransformHits call over doc with the output
// buffer and reader reused, as a server reuses them across requests.
func transformAllocs(t *testing.T, doc []byte) float64 {
	t.Helper()
	var out bytes.Buffer
	src := bytes.NewReader(doc)
	run := func() {
		out.Reset()
		src.Reset(doc)
		if _, err := TransformHits(&out, src, identityHit, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	run() // warm the pool and grow out
	return testing.AllocsPerRun(20, run)
}

// TestTransformHits_SteadyState_AllocationBudget: zero allocations per call, and so per
// hit and per token. Under the race detector sync.Pool drops pooled state at random, so
// the budget is loosened to a constant that still fails if anything is allocated per hit.
func TestTransformHits_SteadyState_AllocationBudget(t *testing.T) {
	perCall := 0.0
	if raceEnabled {
		perCall = 10
	}
	dense, err := io.ReadAll(newDenseReader(1 << 20))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		doc  []byte
	}{
		{"10 hits", searchResponse(10)},
		{"1000 hits", searchResponse(1000)},
		{"1 MiB dense aggregation", dense},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := transformAllocs(t, tc.doc)
			t.Logf("%v allocations per call (race detector %v)", got, raceEnabled)
			if got > perCall {
				t.Fatalf("%v allocations per call, budget %v", got, perCall)
			}
		})
	}
}

func TestMembersAndKeyIs_WellFormedObject_ZeroAllocations(t *testing.T) {
	doc := []byte(`{"query":{"term":{"a":1}},"size":10,"\u005ftenant":"x","aggs":{"t":{"terms":{"field":"f"}}}}`)
	arr := []byte(`[1,{"a":[2]},"x"]`)
	small := []byte(`{"a":[1,2,{"b":null}],"c":{"d":1,"e":2}}`)
	escaped := []byte(`\u005ftenant`)
	found := 0
	visit := func(k, v []byte) error {
		if KeyIs(k, "_tenant") || KeyIs(k, "size") {
			found++
		}
		return nil
	}
	tests := []struct {
		name string
		fn   func()
	}{
		{"Members with KeyIs", func() { _ = Members(doc, visit) }},
		{"Elements", func() { _ = Elements(arr, func([]byte) error { return nil }) }},
		{"KeyIs escaped", func() { _ = KeyIs(escaped, "_tenant") }},
		{"Validate small object", func() { _ = Validate(small, 0) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, tc.fn); got != 0 {
				t.Fatalf("%v allocations per run, want 0", got)
			}
		})
	}
	if found == 0 {
		t.Fatal("the walk never saw the keys it looks for")
	}
}

// fillReader generates a document lazily, so the test never holds it: parts[0], then
// fill repeated up to remain bytes, then parts[2].
type fillReader struct {
	parts   [3]string
	fill    []byte
	part    int
	off     int // offset in parts[part], or in fill while part is 1
	remain  int // bytes of fill still to emit
	written int // bytes emitted so far
}

// blobChunk is copied repeatedly so that generating input costs less than scanning it.
var blobChunk = bytes.Repeat([]byte{'a'}, 64<<10)

// newBlobReader generates {"took":1,"hits":{...},"aggregations":{"blob":"aaa…"}} with an
// n-byte string: the cheapest content to scan, one token.
func newBlobReader(n int) *fillReader {
	return &fillReader{
		parts:  [3]string{`{"took":1,"hits":{"total":{"value":0},"hits":[]},"aggregations":{"blob":"`, "", `"}}`},
		fill:   blobChunk,
		remain: n,
	}
}

// denseChunk is a run of whole terms-aggregation buckets, about 64 KiB, each followed by
// a comma: short names, strings, numbers and small objects, a token every few bytes.
var denseChunk = func() []byte {
	var b []byte
	for i := 0; len(b) < 64<<10; i++ {
		b = append(b, `{"key":"k`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `","doc_count":`...)
		b = strconv.AppendInt(b, int64(i*7%1000), 10)
		b = append(b, `,"avg":{"value":`...)
		b = strconv.AppendInt(b, int64(i%100), 10)
		b = append(b, `.5}},`...)
	}
	return b
}()

// newDenseReader generates a search response whose aggregations sibling holds about n
// bytes of buckets (n rounded down to whole chunks), the costliest content per byte.
func newDenseReader(n int) *fillReader {
	return &fillReader{
		parts: [3]string{
			`{"took":1,"hits":{"total":{"value":0},"hits":[]},"aggregations":{"by_key":{"buckets":[`,
			"",
			`{"key":"last","doc_count":0}]}}}`,
		},
		fill:   denseChunk,
		remain: n / len(denseChunk) * len(denseChunk),
	}
}

func (r *fillReader) Read(p []byte) (int, error) {
	n, err := r.read(p)
	r.written += n
	return n, err
}

func (r *fillReader) read(p []byte) (int, error) {
	for r.part < len(r.parts) {
		if r.part == 1 {
			if r.remain == 0 {
				r.part, r.off = r.part+1, 0
				continue
			}
			n := copy(p[:min(len(p), r.remain)], r.fill[r.off:])
			r.remain -= n
			r.off = (r.off + n) % len(r.fill)
			return n, nil
		}
		if r.off < len(r.parts[r.part]) {
			n := copy(p, r.parts[r.part][r.off:])
			r.off += n
			return n, nil
		}
		r.part, r.off = r.part+1, 0
	}
	return 0, io.EOF
}

// TestTransformHits_64MiBAggregation_HeapStaysUnder4MiB is STR-3/STR-4 at the package
// level: the aggregation sibling streams through without being buffered, whether it is
// one long string or a dense run of buckets.
func TestTransformHits_64MiBAggregation_HeapStaysUnder4MiB(t *testing.T) {
	const blob = 64 << 20
	tests := []struct {
		name string
		src  func(int) *fillReader
	}{
		{"one string", newBlobReader},
		{"dense buckets", newDenseReader},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.src(blob)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var out countingWriter
			n, err := TransformHits(&out, src, identityHit, Options{})
			runtime.ReadMemStats(&after)
			if err != nil || n != int64(out) || n != int64(src.written) || n < blob*15/16 {
				t.Fatalf("wrote %d (counted %d) of %d, err %v", n, out, src.written, err)
			}
			const limit = 4 << 20
			grew := after.TotalAlloc - before.TotalAlloc
			t.Logf("allocated %d bytes while streaming %d", grew, n)
			if grew > limit {
				t.Fatalf("allocated %d bytes while streaming, limit %d", grew, limit)
			}
			if after.HeapInuse > before.HeapInuse && after.HeapInuse-before.HeapInuse > limit {
				t.Fatalf("heap in use grew by %d bytes, limit %d", after.HeapInuse-before.HeapInuse, limit)
			}
		})
	}
}

// countingWriter discards its input and counts it.
type countingWriter int64

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}
