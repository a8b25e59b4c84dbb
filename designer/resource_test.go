package designer_test

import (
	"strings"
	"testing"

	"stepwise/designer"
)

func TestParamOp(t *testing.T) {
	t.Parallel()
	doc := func(res, params string) string {
		return `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + res + `"` + params + `,"End":true}}}`
	}
	tests := []struct {
		name, asl, key, text string
		want, err            string
	}{
		{"http endpoint added", doc("arn:aws:states:::http:invoke", ""), "ApiEndpoint", "https://x.test/a", `"Parameters":{"ApiEndpoint":"https://x.test/a"}`, ""},
		{"method kept in place", doc("arn:aws:states:::http:invoke", `,"Parameters":{"ApiEndpoint":"u","Method":"GET","Headers":{}}`), "Method", "POST", `"Parameters":{"ApiEndpoint":"u","Method":"POST","Headers":{}}`, ""},
		{"path becomes key.$", doc("arn:aws:states:::lambda:invoke", `,"Parameters":{"FunctionName":"f"}`), "FunctionName", "$.fn", `"Parameters":{"FunctionName.$":"$.fn"}`, ""},
		{"payload is JSON", doc("arn:aws:states:::lambda:invoke", ""), "Payload", `{"a": 1}`, `"Parameters":{"Payload":{"a":1}}`, ""},
		{"bad payload", doc("arn:aws:states:::lambda:invoke", ""), "Payload", `{a`, "", "not valid JSON"},
		{"empty removes, last deletes Parameters", doc("arn:aws:states:::states:startExecution.sync:2", `,"Parameters":{"StateMachineArn":"a"}`), "StateMachineArn", "", `"T":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","End":true}`, ""},
		{"jsonata uses Arguments", `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::http:invoke","End":true}}}`, "Method", "{% $m %}", `"Arguments":{"Method":"{% $m %}"}`, ""},
		{"field of another resource", doc("arn:aws:states:::http:invoke", ""), "FunctionName", "f", "", "takes no field"},
		{"not a task", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, "Method", "GET", "", "not a Task"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := designer.ParseDocument([]byte(tt.asl), nil)
			if err != nil {
				t.Fatal(err)
			}
			name := "T"
			if strings.Contains(tt.asl, `"P"`) {
				name = "P"
			}
			op, err := d.ParamOp(name, tt.key, tt.text)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			nd, err := designer.Apply(d, op)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(nd.ASL()); !strings.Contains(got, tt.want) {
				t.Fatalf("ASL %s\nwant it to contain %s", got, tt.want)
			}
		})
	}
}

func TestStructuredListsTask(t *testing.T) {
	t.Parallel()
	d, err := designer.ParseDocument([]byte(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName.$":"$.f","Payload":{"a":1}},"End":true}}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := d.StructuredLists("T")
	if err != nil {
		t.Fatal(err)
	}
	tr := l.Task
	if tr == nil || tr.Kind != "lambda" || tr.Container != "Parameters" || len(tr.Fields) != 2 || tr.Fields[0].Text != "$.f" || tr.Fields[1].Text != `{"a":1}` {
		t.Fatalf("task %+v", tr)
	}
}

// FuzzParamOp checks that no picker field text panics and that every
// accepted one applies.
func FuzzParamOp(f *testing.F) {
	f.Add("arn:aws:states:::http:invoke", "ApiEndpoint", "https://x")
	f.Add("arn:aws:states:::lambda:invoke", "Payload", `{"a.$": "$"}`)
	f.Add("arn:aws:states:::states:startExecution.sync", "StateMachineArn", "$.arn")
	f.Fuzz(func(t *testing.T, res, key, text string) {
		d, err := designer.ParseDocument([]byte(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":`+jsonString(res)+`,"Parameters":{"Method":"GET"},"End":true}}}`), nil)
		if err != nil {
			return
		}
		op, err := d.ParamOp("T", key, text)
		if err != nil {
			return
		}
		if _, err := designer.Apply(d, op); err != nil {
			t.Fatalf("accepted field does not apply: %v", err)
		}
	})
}

func jsonString(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, []byte(`\u00`)...)
			b = append(b, "0123456789abcdef"[r>>4], "0123456789abcdef"[r&15])
		default:
			b = append(b, string(r)...)
		}
	}
	return string(append(b, '"'))
}
