package asl_test

import (
	"fmt"
	"strings"
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
func BenchmarkParseLarge(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"StartAt": "S0", "States": {`)
	n := 1000
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteString(",\n")
		}
		next := fmt.Sprintf(`"Next": "S%d"`, i+1)
		if i == n-1 {
			next = `"End": true`
		}
		fmt.Fprintf(&sb, `"S%d": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f", "Payload.$": "$.x[0].y", "v.$": "States.Format('{}', $.a)"}, "Retry": [{"ErrorEquals": ["States.ALL"]}], %s}`, i, next)
	}
	sb.WriteString("}}")
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, d := asl.Parse(data); d.HasErrors() {
			b.Fatal(d)
		}
	}
}
