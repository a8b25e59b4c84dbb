package asl_test

import (
	"bytes"
	"testing"
	"time"

	"stepwise/engine/asl"
	"stepwise/engine/jsonv"
)

var fuzzSeeds = []string{
	sample,
	`{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}`,
	`{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "End": false}}}`,
	`{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $x %}", "End": true}}}`,
	`{"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [{"Not": {"Variable": "$.x", "IsNull": true}, "Next": "A"}]}}}`,
	`{"a": "\ud83d\ude00\u00e9", "b": [1, -0.5e+3, true, null]}`,
	`[[[[[[]]]]]]`,
	`{"StartAt": 1,,}`,
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		sm, diags := asl.Parse(data)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("Parse took %v", d)
		}
		for _, d := range diags {
			if d.Code == "" || d.Severity == "" || d.Path == "" || d.Path[0] != '/' {
				t.Fatalf("malformed diagnostic %+v", d)
			}
		}
		if sm != nil {
			sm.Walk(func(s *asl.State) bool { _ = s.Transitions(); return true })
		}
		// Differential check against jsonv's decoder for JSON documents.
		trimmed := bytes.TrimLeft(data, " \t\r\n")
		if len(trimmed) == 0 || (trimmed[0] != '{' && trimmed[0] != '[') {
			return
		}
		want, werr := jsonv.Decode(data)
		src, sdiags := asl.ParseSource(data)
		if (werr == nil) != !sdiags.HasErrors() {
			t.Fatalf("jsonv error %v, scanner diagnostics %v", werr, sdiags)
		}
		if werr == nil && !jsonv.Equal(want, src.Root.Value()) {
			t.Fatalf("values differ: jsonv %s, scanner %s", jsonv.String(want), jsonv.String(src.Root.Value()))
		}
	})
}

func FuzzParseYAML(f *testing.F) {
	for _, s := range []string{
		"StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n",
		"StartAt: A\nStates:\n  A: &x\n    Type: Pass\n    End: true\n  B: *x\n",
		"a: [1, 0x1f, .inf, ~, yes, '2']\n",
		"- a\n- b: {c: d}\n",
		"key: |\n  text\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src, diags := asl.ParseSource(data)
		if src == nil {
			t.Fatal("nil source")
		}
		if src.Root == nil && !diags.HasErrors() {
			t.Fatal("no root and no error")
		}
		_, _ = asl.Build(src, asl.Options{})
	})
}
