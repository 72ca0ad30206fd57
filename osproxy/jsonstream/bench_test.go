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

// BenchmarkTransformHits_64MiBAggregation streams one 64 MiB string: the bytes per
// token are as many as they can be.
func BenchmarkTransformHits_64MiBAggregation(b *testing.B) {
	benchmarkGenerated(b, func() *fillReader { return newBlobReader(64 << 20) })
}

// BenchmarkTransformHits_64MiBDenseAggregation streams 64 MiB of terms buckets, a token
// every four or five bytes: the cost of the grammar itself.
func BenchmarkTransformHits_64MiBDenseAggregation(b *testing.B) {
	benchmarkGenerated(b, func() *fillReader { return newDenseReader(64 << 20) })
}

func benchmarkGenerated(b *testing.B, src func() *fillReader) {
	n, err := io.Copy(io.Discard, src())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := TransformHits(io.Discard, src(), identityHit, Options{}); err != nil {
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
