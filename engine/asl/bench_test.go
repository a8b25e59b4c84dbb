package asl_test

import (
	"testing"

	"stepwise/engine/asl"
)

func BenchmarkParse(b *testing.B) {
	data := []byte(sample)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, diags := asl.Parse(data); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}
