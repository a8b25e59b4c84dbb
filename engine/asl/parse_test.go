package asl_test

import (
	"encoding/json"
	"strings"
	"testing"

	"stepwise/engine/asl"
	"stepwise/engine/jsonv"
)

const sample = `{
  "Comment": "sample",
  "StartAt": "Choose",
  "TimeoutSeconds": 60,
  "States": {
    "Choose": {
      "Type": "Choice",
      "Choices": [
        {"Variable": "$.n", "NumericGreaterThanPath": "$.limit", "Next": "Fan"},
        {"And": [{"Variable": "$.s", "IsPresent": true}, {"Not": {"Variable": "$.s", "StringMatches": "a*"}}], "Next": "Loop"}
      ],
      "Default": "Stop"
    },
    "Fan": {
      "Type": "Parallel",
      "Branches": [{"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": true}}}],
      "ResultPath": null,
      "Next": "Loop"
    },
    "Loop": {
      "Type": "Map",
      "ItemsPath": "$.items",
      "Parameters": {"v.$": "$$.Map.Item.Value"},
      "Iterator": {"StartAt": "Work", "States": {"Work": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 10,
        "Retry": [{"ErrorEquals": ["States.Timeout"], "BackoffRate": 1.5}, {"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Recover"}],
        "End": true},
        "Recover": {"Type": "Pass", "End": true}}},
      "MaxConcurrency": 2,
      "Next": "Stop"
    },
    "Stop": {"Type": "Fail", "Error": "E", "CausePath": "$.why"}
  }
}`

func TestParseModel(t *testing.T) {
	t.Parallel()
	sm, diags := asl.Parse([]byte(sample))
	if diags.HasErrors() || sm == nil {
		t.Fatalf("unexpected errors:\n%s", format(diags))
	}
	if sm.StartAt != "Choose" || sm.Comment != "sample" || sm.TimeoutSeconds == nil || *sm.TimeoutSeconds != 60 {
		t.Errorf("top level = %q %q %v", sm.StartAt, sm.Comment, sm.TimeoutSeconds)
	}
	var names []string
	for _, s := range sm.States {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, ","); got != "Choose,Fan,Loop,Stop" {
		t.Errorf("state order = %s", got)
	}
	choose := sm.State("Choose")
	if choose.Pointer != "/States/Choose" || choose.Pos.Line != 6 || choose.Pos.Column != 5 {
		t.Errorf("Choose at %s %d:%d", choose.Pointer, choose.Pos.Line, choose.Pos.Column)
	}
	if choose.Language != asl.JSONPath {
		t.Errorf("language = %q", choose.Language)
	}
	r0 := choose.Choices[0]
	if r0.Variable != "$.n" || r0.Operator != "NumericGreaterThanPath" || r0.Operand != "$.limit" || !r0.IsPathOperator() || r0.Next != "Fan" {
		t.Errorf("rule 0 = %+v", r0)
	}
	r1 := choose.Choices[1]
	if len(r1.And) != 2 || r1.And[0].Operator != "IsPresent" || r1.And[0].Operand != true || r1.And[1].Not == nil || r1.And[1].Not.Operator != "StringMatches" {
		t.Errorf("rule 1 = %+v", r1)
	}
	if choose.Default != "Stop" {
		t.Errorf("Default = %q", choose.Default)
	}
	fan := sm.State("Fan")
	if len(fan.Branches) != 1 || fan.Branches[0].State("B1") == nil || fan.Branches[0].Pointer != "/States/Fan/Branches/0" {
		t.Fatalf("branches = %+v", fan.Branches)
	}
	if b1 := fan.Branches[0].State("B1"); b1.Pointer != "/States/Fan/Branches/0/States/B1" || b1.Machine.Parent != fan {
		t.Errorf("B1 pointer %s", b1.Pointer)
	}
	if p, null := fan.ResultPath.Or("$"); !null || p != "" {
		t.Errorf("ResultPath null: %v %q", null, p)
	}
	if p, null := fan.InputPath.Or("$"); null || p != "$" {
		t.Errorf("InputPath default: %v %q", null, p)
	}
	loop := sm.State("Loop")
	if loop.ItemProcessor == nil || loop.ProcessorMode != asl.ModeInline || loop.ItemsPath.Path != "$.items" {
		t.Fatalf("map = %+v", loop)
	}
	if o, ok := loop.ItemSelector.(*jsonv.Object); !ok || o.Len() != 1 {
		t.Errorf("ItemSelector from legacy Parameters = %#v", loop.ItemSelector)
	}
	if loop.MaxConcurrency != json.Number("2") {
		t.Errorf("MaxConcurrency = %#v", loop.MaxConcurrency)
	}
	work := loop.ItemProcessor.State("Work")
	if work == nil || work.Resource != "arn:aws:states:::lambda:invoke" || work.TimeoutSeconds != json.Number("10") {
		t.Fatalf("Work = %+v", work)
	}
	if r := work.Retry[0]; r.BackoffRate != 1.5 || r.MaxAttempts != 3 || r.IntervalSeconds != 1 || r.JitterStrategy != "NONE" {
		t.Errorf("retrier defaults = %+v", r)
	}
	if r := work.Retry[1]; r.MaxAttempts != 0 || r.BackoffRate != 2.0 {
		t.Errorf("retrier 1 = %+v", r)
	}
	if c := work.Catch[0]; c.Next != "Recover" || c.ResultPath.Path != "$.err" {
		t.Errorf("catcher = %+v", c)
	}
	if got := sm.Lookup("Recover"); got == nil || got.Machine != loop.ItemProcessor {
		t.Errorf("Lookup(Recover) = %v", got)
	}
	stop := sm.State("Stop")
	if stop.Error != "E" || stop.CausePath != "$.why" || !stop.IsTerminal() {
		t.Errorf("Fail = %+v", stop)
	}
	count := 0
	sm.Walk(func(*asl.State) bool { count++; return true })
	if count != 7 {
		t.Errorf("Walk visited %d states, want 7", count)
	}
}

func TestParseJSONata(t *testing.T) {
	t.Parallel()
	def := `{"QueryLanguage": "JSONata", "StartAt": "W", "States": {
	  "W": {"Type": "Wait", "Seconds": "{% $states.input.n %}", "Next": "M"},
	  "M": {"Type": "Map", "Items": "{% [1,2] %}", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
	        "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": {"x": "{% $states.input %}"}, "End": true}}},
	        "Label": "items", "Next": "C"},
	  "C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.ok %}", "Next": "Done", "Output": 1}], "Default": "Done"},
	  "Done": {"Type": "Succeed"}}}`
	sm, diags := asl.Parse([]byte(def))
	if diags.HasErrors() {
		t.Fatalf("errors:\n%s", format(diags))
	}
	w := sm.State("W")
	if w.Language != asl.JSONata || w.Seconds != "{% $states.input.n %}" {
		t.Errorf("W = %q %#v", w.Language, w.Seconds)
	}
	m := sm.State("M")
	if m.ProcessorMode != asl.ModeDistributed || m.ExecutionType != "EXPRESS" || m.Label != "items" {
		t.Errorf("M = %q %q %q", m.ProcessorMode, m.ExecutionType, m.Label)
	}
	if p := m.ItemProcessor.State("P"); p.Language != asl.JSONata {
		t.Errorf("nested language = %q", p.Language)
	}
	if c := sm.State("C").Choices[0]; c.Condition != "{% $states.input.ok %}" || c.Output == nil {
		t.Errorf("rule = %+v", c)
	}
}

func TestParseYAMLPositions(t *testing.T) {
	t.Parallel()
	def := "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Result:\n      n: 0x10\n      f: 1.50\n    Next: Missing\n"
	sm, diags := asl.Parse([]byte(def))
	if sm == nil {
		t.Fatalf("no model: %s", format(diags))
	}
	errs := diags.Errors()
	if len(errs) != 1 || errs[0].Code != asl.CodeMissingTransitionTarget || errs[0].Line != 8 || errs[0].Column != 11 ||
		errs[0].State != "A" || errs[0].Field != "Next" || errs[0].Path != "/States/A/Next" {
		t.Fatalf("errors = %s", format(errs))
	}
	res := sm.State("A").Result.(*jsonv.Object)
	if n, _ := res.Get("n"); n != json.Number("16") {
		t.Errorf("hex int = %#v", n)
	}
	if f, _ := res.Get("f"); f != json.Number("1.50") {
		t.Errorf("float keeps its text: %#v", f)
	}
}

// TestDiagnostics checks one rule per row: the code, pointer, state, field
// and position of the first error or warning.
func TestDiagnostics(t *testing.T) {
	t.Parallel()
	wrap := func(states string) string { return `{"StartAt": "A", "States": {` + states + `}}` }
	tests := []struct {
		name, def         string
		code, path, where string
		line, col         int
		at                string // the expected position is where this text starts
		last              bool   // ... its last occurrence
		warning           bool
		opts              asl.Options
	}{
		{name: "syntax", def: "{\n  \"StartAt\": 1,,\n}", code: asl.CodeInvalidJSONDescription, path: "/", line: 2, col: 16},
		{name: "not an object", def: `[1]`, code: asl.CodeSchemaValidationFailed, path: "/", line: 1, col: 1},
		{name: "empty", def: ``, code: asl.CodeSchemaValidationFailed, path: "/", line: 1, col: 1},
		{name: "plain word", def: `not a definition`, code: asl.CodeInvalidJSONDescription, path: "/", line: 1, col: 1},
		{name: "missing fields", def: `{}`, code: asl.CodeSchemaValidationFailed, path: "/", line: 1, col: 1},
		{name: "duplicate key", def: wrap(`"A": {"Type": "Pass", "End": true, "End": true}`),
			code: asl.CodeSchemaValidationFailed, path: "/States/A/End", where: "End", at: `"End": true}`, last: true},
		{name: "duplicate state", def: wrap(`"A": {"Type": "Succeed"}, "A": {"Type": "Succeed"}`),
			code: asl.CodeDuplicateStateName, path: "/States/A", where: "A", at: `"A": {"Type": "Succeed"}}`, last: true},
		{name: "duplicate across branches", def: wrap(`"A": {"Type": "Parallel", "End": true, "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}]}`),
			code: asl.CodeDuplicateStateName, path: "/States/A/Branches/0/States/A", where: "A", at: `"A": {"Type": "Succeed"}}}`, last: true},
		{name: "long name", def: `{"StartAt": "` + strings.Repeat("x", 81) + `", "States": {"` + strings.Repeat("x", 81) + `": {"Type": "Succeed"}}}`,
			code: asl.CodeInvalidStateName, path: "/States/" + strings.Repeat("x", 81), where: strings.Repeat("x", 81), at: `"xxxx`, last: true},
		{name: "unknown type", def: wrap(`"A": {"Type": "Nope"}`), code: asl.CodeSchemaValidationFailed, path: "/States/A/Type", where: "A.Type", at: `"Nope"`},
		{name: "unknown field", def: wrap(`"A": {"Type": "Succeed", "Next": "A"}`), code: asl.CodeSchemaValidationFailed, path: "/States/A/Next", where: "A.Next", at: `"Next"`},
		{name: "next and end", def: wrap(`"A": {"Type": "Pass", "Next": "A", "End": true}`), code: asl.CodeSchemaValidationFailed, path: "/States/A", where: "A.Next", at: `"A": {`},
		{name: "no next or end", def: wrap(`"A": {"Type": "Pass"}`), code: asl.CodeMissingEndState, path: "/States/A", where: "A", at: `"A": {`},
		{name: "missing StartAt target", def: `{"StartAt": "B", "States": {"A": {"Type": "Succeed"}}}`, code: asl.CodeMissingTransitionTarget, path: "/StartAt", where: "StartAt", at: `"B"`},
		{name: "leaves branch", def: wrap(`"A": {"Type": "Parallel", "Next": "Z", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "Z"}}}]}, "Z": {"Type": "Succeed"}`),
			code: asl.CodeMissingTransitionTarget, path: "/States/A/Branches/0/States/B/Next", where: "B.Next", at: `"Z"}}}`},
		{name: "unreachable", def: wrap(`"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}`), code: asl.CodeUnreachableState, path: "/States/B", where: "B", at: `"B"`},
		{name: "no terminal", def: wrap(`"A": {"Type": "Pass", "Next": "A"}`), code: asl.CodeMissingEndState, path: "/States", at: `"States"`},
		{name: "States.ALL not alone", def: wrap(`"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": true, "Retry": [{"ErrorEquals": ["States.ALL", "X"]}]}`),
			code: asl.CodeSchemaValidationFailed, path: "/States/A/Retry/0/ErrorEquals", where: "A.Retry[0].ErrorEquals", at: `"States.ALL", "X"`},
		{name: "States.ALL not last", def: wrap(`"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": true, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "A"}, {"ErrorEquals": ["X"], "Next": "A"}]}`),
			code: asl.CodeSchemaValidationFailed, path: "/States/A/Catch/0/ErrorEquals", where: "A.Catch[0].ErrorEquals", at: `["States.ALL"`},
		{name: "unknown States error", def: wrap(`"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": true, "Retry": [{"ErrorEquals": ["States.Nope"]}]}`),
			code: asl.CodeSchemaValidationFailed, path: "/States/A/Retry/0/ErrorEquals/0", where: "A.Retry[0].ErrorEquals", at: `"States.Nope"`},
		{name: "retry on runtime", def: wrap(`"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": true, "Retry": [{"ErrorEquals": ["States.Runtime"]}]}`),
			code: asl.CodeRetryOnRuntime, path: "/States/A/Retry/0/ErrorEquals/0", where: "A.Retry[0].ErrorEquals", at: `"States.Runtime"`, warning: true},
		{name: "bad resource", def: wrap(`"A": {"Type": "Task", "Resource": "lambda", "End": true}`), code: asl.CodeInvalidResource, path: "/States/A/Resource", where: "A.Resource", at: `"lambda"`},
		{name: "express sync", def: wrap(`"A": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync", "End": true}`), opts: asl.Options{Type: "EXPRESS"},
			code: asl.CodeSchemaValidationFailed, path: "/States/A/Resource", where: "A.Resource", at: `"arn:`},
		{name: "bad input path", def: wrap(`"A": {"Type": "Pass", "InputPath": "$.a[", "End": true}`), code: asl.CodeSchemaValidationFailed, path: "/States/A/InputPath", where: "A.InputPath", at: `"$.a["`},
		{name: "filter in ResultPath", def: wrap(`"A": {"Type": "Pass", "ResultPath": "$.a[?(@.b)]", "End": true}`), code: asl.CodeSchemaValidationFailed, path: "/States/A/ResultPath", where: "A.ResultPath", at: `"$.a[?`},
		{name: "variable ResultPath", def: wrap(`"A": {"Type": "Pass", "ResultPath": "$v", "End": true}`), code: asl.CodeSchemaValidationFailed, path: "/States/A/ResultPath", where: "A.ResultPath", at: `"$v"`},
		{name: "bad dynamic value", def: wrap(`"A": {"Type": "Pass", "Parameters": {"x.$": "nope"}, "End": true}`), code: asl.CodeSchemaValidationFailed, path: "/States/A/Parameters/x.$", where: "A.Parameters.x.$", at: `"nope"`},
		{name: "intrinsic arity", def: wrap(`"A": {"Type": "Pass", "Parameters": {"x.$": "States.UUID(1)"}, "End": true}`), code: asl.CodeSchemaValidationFailed, path: "/States/A/Parameters/x.$", where: "A.Parameters.x.$", at: `"States.UUID`},
		{name: "clashing keys", def: wrap(`"A": {"Type": "Pass", "Parameters": {"x": 1, "x.$": "$"}, "End": true}`), code: asl.CodeSchemaValidationFailed, path: "/States/A/Parameters/x.$", where: "A.Parameters.x.$", at: `"x.$"`},
		{name: "no dollar", def: wrap(`"A": {"Type": "Pass", "Parameters": {"x": "$.y"}, "End": true}`), code: asl.CodeNoDollar, path: "/States/A/Parameters/x", where: "A.Parameters.x", at: `"$.y"`, warning: true},
		{name: "no path", def: wrap(`"A": {"Type": "Fail", "Error": "$.error"}`), code: asl.CodeNoPath, path: "/States/A/Error", where: "A.Error", at: `"$.error"`, warning: true},
		{name: "static result", def: wrap(`"A": {"Type": "Pass", "Result": {"x.$": "$.y"}, "End": true}`), code: asl.CodePassResultIsStatic, path: "/States/A/Result/x.$", where: "A.Result.x.$", at: `"x.$"`, warning: true},
		{name: "jsonata field in jsonpath", def: wrap(`"A": {"Type": "Pass", "Output": 1, "End": true}`), code: asl.CodeSchemaValidationFailed, path: "/States/A/Output", where: "A.Output", at: `"Output"`},
		{name: "jsonpath field in jsonata", def: wrap(`"A": {"Type": "Pass", "QueryLanguage": "JSONata", "InputPath": "$", "End": true}`), code: asl.CodeSchemaValidationFailed, path: "/States/A/InputPath", where: "A.InputPath", at: `"InputPath"`},
		{name: "jsonata downgrade", def: `{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Succeed", "QueryLanguage": "JSONPath"}}}`,
			code: asl.CodeSchemaValidationFailed, path: "/States/A", where: "A.QueryLanguage", at: `"QueryLanguage": "JSONPath"`},
		{name: "jsonata syntax", def: wrap(`"A": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% 1 + %}", "End": true}`), code: asl.CodeSchemaValidationFailed, path: "/States/A/Output", where: "A.Output", at: `"{% 1 +`},
		{name: "jsonata unclosed", def: wrap(`"A": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": {"a": ["{% 1"]}, "End": true}`), code: asl.CodeSchemaValidationFailed, path: "/States/A/Output/a/0", where: "A.Output.a[0]", at: `"{% 1"`},
		{name: "wait needs one", def: wrap(`"A": {"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true}`), code: asl.CodeSchemaValidationFailed, path: "/States/A/SecondsPath", where: "A.SecondsPath", at: `"SecondsPath"`},
		{name: "bad timestamp", def: wrap(`"A": {"Type": "Wait", "Timestamp": "2024-01-01 00:00:00Z", "End": true}`), code: asl.CodeSchemaValidationFailed, path: "/States/A/Timestamp", where: "A.Timestamp", at: `"2024`},
		{name: "heartbeat too long", def: wrap(`"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 5, "HeartbeatSeconds": 5, "End": true}`),
			code: asl.CodeSchemaValidationFailed, path: "/States/A/HeartbeatSeconds", where: "A.HeartbeatSeconds", at: `"HeartbeatSeconds"`},
		{name: "choice operand type", def: wrap(`"A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "StringEquals": 1, "Next": "A"}]}`),
			code: asl.CodeSchemaValidationFailed, path: "/States/A/Choices/0/StringEquals", where: "A.Choices[0].StringEquals", at: `1, "Next"`},
		{name: "choice two operators", def: wrap(`"A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": true, "IsString": true, "Next": "A"}]}`),
			code: asl.CodeSchemaValidationFailed, path: "/States/A/Choices/0", where: "A.Choices[0]", at: `{"Variable"`},
		{name: "nested Next", def: wrap(`"A": {"Type": "Choice", "Choices": [{"Not": {"Variable": "$.x", "IsNull": true, "Next": "A"}, "Next": "A"}]}`),
			code: asl.CodeSchemaValidationFailed, path: "/States/A/Choices/0/Not/Next", where: "A.Choices[0].Not.Next", at: `"Next": "A"}`},
		{name: "label", def: wrap(`"A": {"Type": "Map", "Label": "a b", "ItemProcessor": {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}, "End": true}`),
			code: asl.CodeSchemaValidationFailed, path: "/States/A/Label", where: "A.Label", at: `"a b"`},
		{name: "distributed-only field", def: wrap(`"A": {"Type": "Map", "ToleratedFailureCount": 1, "ItemProcessor": {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}, "End": true}`),
			code: asl.CodeDistributedOnly, path: "/States/A/ToleratedFailureCount", where: "A.ToleratedFailureCount", at: `"ToleratedFailureCount"`, warning: true},
		{name: "choice without default", def: wrap(`"A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": true, "Next": "B"}]}, "B": {"Type": "Succeed"}`),
			code: asl.CodeNoDefault, path: "/States/A", where: "A.Default", at: `"A": {`, warning: true},
		{name: "callback without timeout", def: wrap(`"A": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": true}`),
			code: asl.CodeTimeoutMissing, path: "/States/A", where: "A.TimeoutSeconds", at: `"A": {`, warning: true},
		{name: "jsonpath in jsonata", def: wrap(`"A": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": {"x": "$.y"}, "End": true}`),
			code: asl.CodeJSONPathInJSONata, path: "/States/A/Output/x", where: "A.Output.x", at: `"$.y"`, warning: true},
		{name: "map needs processor", def: wrap(`"A": {"Type": "Map", "End": true}`), code: asl.CodeSchemaValidationFailed, path: "/States/A", where: "A.ItemProcessor", at: `"A": {`},
		{name: "too large", def: `{"StartAt": "A", "Comment": "` + strings.Repeat("x", asl.MaxDefinitionSize) + `", "States": {"A": {"Type": "Succeed"}}}`,
			code: asl.CodeDefinitionTooLarge, path: "/", line: 1, col: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.at != "" {
				i := strings.Index(tt.def, tt.at)
				if tt.last {
					i = strings.LastIndex(tt.def, tt.at)
				}
				if i < 0 {
					t.Fatalf("marker %q not in the definition", tt.at)
				}
				tt.line = 1 + strings.Count(tt.def[:i], "\n")
				tt.col = i - strings.LastIndex(tt.def[:i], "\n")
			}
			_, diags := asl.ParseWithOptions([]byte(tt.def), tt.opts)
			if tt.warning && diags.HasErrors() {
				t.Fatalf("want only warnings, got:\n%s", format(diags))
			}
			for _, d := range diags {
				if d.Code == tt.code && d.Path == tt.path {
					if d.Where() != tt.where || d.Line != tt.line || d.Column != tt.col {
						t.Errorf("got %s at %d:%d, want %s at %d:%d (%s)", d.Where(), d.Line, d.Column, tt.where, tt.line, tt.col, d.Message)
					}
					if d.IsError() == tt.warning {
						t.Errorf("severity %s, want warning=%v", d.Severity, tt.warning)
					}
					return
				}
			}
			t.Errorf("no %s at %s; got:\n%s", tt.code, tt.path, format(diags))
		})
	}
}

func TestCheckLabel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		label string
		ok    bool
	}{
		{"items", true}, {"a-b_c.d", true}, {"é", true}, {strings.Repeat("a", 40), true},
		{"", false}, {strings.Repeat("a", 41), false}, {"a b", false}, {"a\u0001", false}, {"a\u0085", false},
		{"a:b", false}, {"a/b", false}, {"a$", false}, {"a{", false}, {"a\u2003", false},
	}
	for _, tt := range tests {
		if got := asl.CheckLabel(tt.label) == ""; got != tt.ok {
			t.Errorf("CheckLabel(%q) ok = %v, want %v", tt.label, got, tt.ok)
		}
	}
}

func TestIsTimestamp(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"2016-03-14T01:59:00Z": true, "2016-03-14T01:59:00.123+02:00": true,
		"2016-03-14t01:59:00Z": false, "2016-03-14T01:59:00": false, "2016-13-14T01:59:00Z": false, "2016-03-14": false,
	} {
		if got := asl.IsTimestamp(s); got != want {
			t.Errorf("IsTimestamp(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestNodeAt(t *testing.T) {
	t.Parallel()
	src, diags := asl.ParseSource([]byte(`{"States": {"a/b": {"x": [10, {"~k": true}]}}}`))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	tests := []struct {
		ptr  string
		want string // kind, or "" for nil
	}{
		{"", "object"}, {"/", "object"}, {"/States/a~1b/x/0", "number"}, {"/States/a~1b/x/1/~0k", "boolean"},
		{"/States/a~1b/x/2", ""}, {"/States/nope", ""}, {"States", ""}, {"/States/a~1b/x/-1", ""},
	}
	for _, tt := range tests {
		n := src.Root.At(tt.ptr)
		got := ""
		if n != nil {
			got = n.Kind.String()
		}
		if got != tt.want {
			t.Errorf("At(%q) = %q, want %q", tt.ptr, got, tt.want)
		}
	}
}

func TestFields(t *testing.T) {
	t.Parallel()
	got := strings.Join(asl.Fields(asl.TypePass, asl.JSONPath), ",")
	if got != "Type,QueryLanguage,Comment,InputPath,Parameters,Result,ResultPath,OutputPath,Assign,Next,End" {
		t.Errorf("Pass/JSONPath fields = %s", got)
	}
	got = strings.Join(asl.Fields(asl.TypePass, asl.JSONata), ",")
	if got != "Type,QueryLanguage,Comment,Output,Assign,Next,End" {
		t.Errorf("Pass/JSONata fields = %s", got)
	}
	if asl.Fields("Nope", asl.JSONPath) != nil {
		t.Error("unknown type has fields")
	}
	for _, typ := range []string{asl.TypeTask, asl.TypePass, asl.TypeChoice, asl.TypeWait, asl.TypeSucceed, asl.TypeFail, asl.TypeParallel, asl.TypeMap} {
		if len(asl.Fields(typ, asl.JSONPath)) < 3 {
			t.Errorf("%s has too few fields", typ)
		}
	}
	if ops := asl.ComparisonOperators(); len(ops) != 39 {
		t.Errorf("%d comparison operators, want 39: %v", len(ops), ops)
	}
}

func jsonString(v any) string { return jsonv.String(v) }

func TestHTTPErrorNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   bool
	}{
		{"States.Http.StatusCode.429", true},
		{"States.Http.StatusCode.500", true},
		{"States.Http.Authorization", true},
		{"States.Http.StatusCode.42", false},
		{"States.Http.StatusCode.abc", false},
		{"States.Http.StatusCode.999", false},
		{"States.Bogus", false},
	}
	for _, tt := range tests {
		def := `{"StartAt":"H","States":{"H":{"Type":"Task","Resource":"arn:aws:states:::http:invoke",` +
			`"Parameters":{"ApiEndpoint":"https://example.com","Method":"GET"},` +
			`"Retry":[{"ErrorEquals":["` + tt.name + `"]}],"End":true}}}`
		_, diags := asl.Parse([]byte(def))
		if got := !diags.HasErrors(); got != tt.ok {
			t.Errorf("Retry on %s: accepted = %v, want %v (%v)", tt.name, got, tt.ok, diags)
		}
	}
}
