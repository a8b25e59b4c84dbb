package asl_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"stepwise/engine/asl"
	"stepwise/engine/jsonv"
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

// bigDesignerDefinition is the designer's generated test workflow: a chain
// of n Pass and Task states with a Choice every 25 states.
func bigDesignerDefinition(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"Comment":"generated","StartAt":"S0","States":{`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		next := fmt.Sprintf("S%d", i+1)
		switch {
		case i == n-1:
			fmt.Fprintf(&b, `"S%d":{"Type":"Succeed"}`, i)
		case i%25 == 24 && i+2 < n:
			fmt.Fprintf(&b, `"S%d":{"Type":"Choice","Choices":[{"Variable":"$.skip","BooleanEquals":true,"Next":"S%d"}],"Default":"%s"}`, i, i+2, next)
		case i%3 == 1:
			fmt.Fprintf(&b, `"S%d":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f%d","Payload.$":"$"},"Next":"%s"}`, i, i, next)
		default:
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Result":{"i":%d},"ResultPath":"$.r%d","Next":"%s"}`, i, i, i%7, next)
		}
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}

// BenchmarkParseDesigner500 parses the designer's 500-state test workflow,
// what every edit operation on such a draft re-validates.
func BenchmarkParseDesigner500(b *testing.B) {
	data := bigDesignerDefinition(500)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, d := asl.Parse(data); d.HasErrors() {
			b.Fatal(d)
		}
	}
}

// BenchmarkParseValueDesigner500 validates the same workflow held as a
// jsonv value, as the designer does after every edit.
func BenchmarkParseValueDesigner500(b *testing.B) {
	v, err := jsonv.Decode(bigDesignerDefinition(500))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, d := asl.ParseValue(v, asl.Options{}); d.HasErrors() {
			b.Fatal(d)
		}
	}
}

// BenchmarkParseValueFromDesigner500 re-validates the same workflow after
// one field edit, from the analysis of the draft before the edit: what the
// designer does after each edit.
func BenchmarkParseValueFromDesigner500(b *testing.B) {
	v, err := jsonv.Decode(bigDesignerDefinition(500))
	if err != nil {
		b.Fatal(err)
	}
	before := v.(*jsonv.Object)
	// after is before with a new Comment on S250: new root, States and
	// S250 objects, everything else shared.
	states, _ := before.Get("States")
	so := states.(*jsonv.Object).Clone()
	s250, _ := so.Get("S250")
	st := s250.(*jsonv.Object).Clone()
	st.Set("Comment", "edited")
	so.Set("S250", st)
	after := before.Clone()
	after.Set("States", so)

	_, _, a := asl.ParseValueFrom(nil, nil, before, asl.Options{})
	roots := [2]*jsonv.Object{after, before}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var d asl.Diagnostics
		_, d, a = asl.ParseValueFrom(a, nil, roots[i%2], asl.Options{})
		if d.HasErrors() {
			b.Fatal(d)
		}
		i++
	}
}

// BenchmarkParseValueFromNilDesigner500 is the first validation of a
// draft: no earlier analysis to reuse.
func BenchmarkParseValueFromNilDesigner500(b *testing.B) {
	v, err := jsonv.Decode(bigDesignerDefinition(500))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, d, _ := asl.ParseValueFrom(nil, nil, v, asl.Options{}); d.HasErrors() {
			b.Fatal(d)
		}
	}
}

// BenchmarkParseValueFromDecodedDesigner500 re-validates the workflow
// decoded afresh from its text with one state changed (what the code
// view's replace gives), from the analysis of the text before: objects are
// equal but not shared.
func BenchmarkParseValueFromDecodedDesigner500(b *testing.B) {
	text := bigDesignerDefinition(500)
	edited := bytes.Replace(text, []byte(`"FunctionName":"f250"`), []byte(`"FunctionName":"g250"`), 1)
	var roots [2]any
	for i, t := range [][]byte{edited, text} {
		v, err := jsonv.Decode(t)
		if err != nil {
			b.Fatal(err)
		}
		roots[i] = v
	}
	_, _, a := asl.ParseValueFrom(nil, nil, roots[1], asl.Options{})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var d asl.Diagnostics
		_, d, a = asl.ParseValueFrom(a, nil, roots[i%2], asl.Options{})
		if d.HasErrors() {
			b.Fatal(d)
		}
		i++
	}
}
