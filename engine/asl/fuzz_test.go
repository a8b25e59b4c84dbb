package asl_test

import (
	"testing"

	"stepwise/engine/asl"
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
		sm, diags := asl.Parse(data)
		for _, d := range diags {
			if d.Code == "" || d.Severity == "" || d.Path == "" || d.Path[0] != '/' {
				t.Fatalf("malformed diagnostic %+v", d)
			}
		}
		if sm != nil {
			sm.Walk(func(s *asl.State) bool { _ = s.Transitions(); return true })
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
