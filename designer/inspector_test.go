package designer_test

import (
	"strings"
	"testing"

	"stepwise/designer"
	"stepwise/engine/jsonv"
)

func TestInspect(t *testing.T) {
	t.Parallel()
	doc, err := designer.ParseDocument([]byte(`{"StartAt":"T","States":{"T":{"Type":"Task","Comment":"c","Resource":"arn:aws:states:::http:invoke","TimeoutSeconds":"x","Retry":[{"ErrorEquals":["States.Timeout"],"IntervalSeconds":1,"MaxAttempts":3,"BackoffRate":3,"MaxDelaySeconds":5}],"Next":"J"},"J":{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% 1 %}","End":true}}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	in, err := doc.Inspect("T", doc.Validate())
	if err != nil {
		t.Fatal(err)
	}
	if in.State != "T" || in.Type != "Task" || in.Comment != "c" || in.Language != "JSONPath" {
		t.Errorf("header %+v", in)
	}
	fields := map[string]designer.Field{}
	for _, f := range in.Fields {
		fields[f.Name] = f
	}
	for _, want := range []string{"Resource", "InputPath", "Parameters", "ResultSelector", "ResultPath", "OutputPath", "Retry", "Catch", "TimeoutSeconds", "Assign"} {
		if _, ok := fields[want]; !ok {
			t.Errorf("no field %s", want)
		}
	}
	for _, not := range []string{"Next", "End", "Type", "Arguments", "Output"} {
		if _, ok := fields[not]; ok {
			t.Errorf("field %s shown", not)
		}
	}
	if f := fields["Resource"]; f.Text != "arn:aws:states:::http:invoke" || !f.Set || f.Kind != designer.KindString {
		t.Errorf("Resource %+v", f)
	}
	if f := fields["TimeoutSeconds"]; len(f.Message) == 0 {
		t.Errorf("TimeoutSeconds carries no message: %+v", f)
	}
	if f := fields["Retry"]; !strings.Contains(f.Help, "States.Timeout: retries after 1s, 3s, 5s.") {
		t.Errorf("Retry help %q", f.Help)
	}
	j, err := doc.Inspect("J", nil)
	if err != nil || j.Language != "JSONata" {
		t.Fatalf("J %+v %v", j, err)
	}
	for _, f := range j.Fields {
		if f.Name == "InputPath" {
			t.Error("a JSONata state shows InputPath")
		}
	}
	if _, err := doc.Inspect("nope", nil); err == nil {
		t.Error("no error for a missing state")
	}
	s, err := doc.StateJSON("J")
	if err != nil || !strings.Contains(s, `"QueryLanguage":"JSONata"`) {
		t.Errorf("StateJSON %s %v", s, err)
	}
}

func TestFieldOp(t *testing.T) {
	t.Parallel()
	doc, err := designer.ParseDocument([]byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field, kind, text, want, err string
	}{
		{"InputPath", "string", "$.a", `{"Type":"Pass","End":true,"InputPath":"$.a"}`, ""},
		{"Parameters", "json", `{"x.$": "$.y"}`, `{"Type":"Pass","End":true,"Parameters":{"x.$":"$.y"}}`, ""},
		{"Comment", "string", "hello \"there\"", `{"Type":"Pass","End":true,"Comment":"hello \"there\""}`, ""},
		{"InputPath", "string", "  ", `{"Type":"Pass","End":true}`, ""},
		{"Seconds", "number", "abc", "", "must be a number"},
		{"Parameters", "json", "{", "", "not valid JSON"},
		{"Next", "string", "B", "", "cannot edit"},
		{"a/b", "string", "B", "", "cannot edit"},
	} {
		op, err := designer.FieldOp("A", tc.field, tc.kind, tc.text)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s %q: err %v, want %q", tc.field, tc.text, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.field, err)
		}
		nd, err := designer.Apply(doc, op)
		if err != nil {
			t.Fatalf("%s: %v", tc.field, err)
		}
		st, _ := nd.Root().Get("States")
		a, _ := st.(*jsonv.Object).Get("A")
		if got := jsonv.String(a); got != tc.want {
			t.Errorf("%s %q: %s, want %s", tc.field, tc.text, got, tc.want)
		}
	}
}

func FuzzFieldOp(f *testing.F) {
	f.Add("Parameters", "json", `{"a.$":"$"}`)
	f.Add("Seconds", "number", "12")
	f.Add("InputPath", "string", "$.x")
	doc, err := designer.ParseDocument([]byte(`{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":1,"End":true}}}`), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, field, kind, text string) {
		op, err := designer.FieldOp("A", field, kind, text)
		if err != nil {
			return
		}
		if _, err := designer.Apply(doc, op); err != nil && !strings.Contains(err.Error(), "designer:") {
			t.Fatalf("unwrapped error %v", err)
		}
	})
}
