package jsonstream

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
)

func benchmarkResponse(b *testing.B, doc []byte) {
	src := bytes.NewReader(doc)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		src.Reset(doc)
		if _, err := TransformHits(io.Discard, src, identityHit, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTransformHits_10Hits(b *testing.B) { benchmarkResponse(b, searchResponse(10)) }

func BenchmarkTransformHits_1000Hits(b *testing.B) { benchmarkResponse(b, searchResponse(1000)) }

func BenchmarkTransformHits_64MiBAggregation(b *testing.B) {
	const blob = 64 << 20
	b.SetBytes(blob)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := TransformHits(io.Discard, newBlobReader(blob), identityHit, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidate_1000Hits(b *testing.B) {
	doc := searchResponse(1000)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Validate(doc, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReferenceJSONValid_1000Hits is encoding/json's validator over the same
// response, as a yardstick for the figures above on the machine at hand.
func BenchmarkReferenceJSONValid_1000Hits(b *testing.B) {
	doc := searchResponse(1000)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if !json.Valid(doc) {
			b.Fatal("invalid")
		}
	}
}
