package engine_test

import (
	"context"
	"strings"
	"testing"

	"stepwise/engine"
)

func TestTestState(t *testing.T) {
	t.Parallel()
	e := engine.New(engine.Options{Store: engine.NewMemStore()})
	task := `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","InputPath":"$.order","Parameters":{"Payload.$":"$","Fn":"charge"},"ResultSelector":{"status.$":"$.Payload.status"},"ResultPath":"$.charge","OutputPath":"$.charge","Retry":[{"ErrorEquals":["Busy"],"MaxAttempts":2}],"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Handle"}],"Next":"Ship"}`
	for _, tc := range []struct {
		name string
		in   engine.TestStateInput
		want engine.TestStateOutput
		ins  *engine.TestStateInspection
	}{
		{"pass with parameters", engine.TestStateInput{Definition: `{"Type":"Pass","Parameters":{"x.$":"$.a"},"ResultPath":"$.r","Next":"B"}`, Input: `{"a":1}`, InspectionLevel: "DEBUG"},
			engine.TestStateOutput{Status: "SUCCEEDED", Output: `{"a":1,"r":{"x":1}}`, HasOutput: true, NextState: "B"},
			&engine.TestStateInspection{Input: `{"a":1}`, AfterInputPath: `{"a":1}`, AfterParameters: `{"x":1}`, Result: `{"x":1}`, AfterResultPath: `{"a":1,"r":{"x":1}}`}},
		{"task mocked", engine.TestStateInput{Definition: task, Input: `{"order":{"id":7}}`, InspectionLevel: "DEBUG", Mock: &engine.TestStateMock{Result: `{"Payload":{"status":"paid"}}`}},
			engine.TestStateOutput{Status: "SUCCEEDED", Output: `{"status":"paid"}`, HasOutput: true, NextState: "Ship"},
			&engine.TestStateInspection{Input: `{"order":{"id":7}}`, AfterInputPath: `{"id":7}`, AfterParameters: `{"Payload":{"id":7},"Fn":"charge"}`, Result: `{"Payload":{"status":"paid"}}`, AfterResultSelector: `{"status":"paid"}`, AfterResultPath: `{"order":{"id":7},"charge":{"status":"paid"}}`}},
		{"task error retried", engine.TestStateInput{Definition: task, Input: `{"order":{}}`, Mock: &engine.TestStateMock{Error: "Busy", Cause: "try later"}},
			engine.TestStateOutput{Status: "RETRIABLE", Error: "Busy", Cause: "try later"}, nil},
		{"task error caught", engine.TestStateInput{Definition: task, Input: `{"order":{}}`, Mock: &engine.TestStateMock{Error: "Boom", Cause: "bad"}},
			engine.TestStateOutput{Status: "CAUGHT_ERROR", Error: "Boom", Cause: "bad", NextState: "Handle", HasOutput: true, Output: `{"order":{},"err":{"Error":"Boom","Cause":"bad"}}`}, nil},
		{"choice", engine.TestStateInput{Definition: `{"Type":"Choice","Choices":[{"And":[{"Variable":"$.n","NumericGreaterThan":1},{"Variable":"$.s","StringEquals":"x"}],"Next":"Big"}],"Default":"Small"}`, Input: `{"n":2,"s":"x"}`},
			engine.TestStateOutput{Status: "SUCCEEDED", Output: `{"n":2,"s":"x"}`, HasOutput: true, NextState: "Big"}, nil},
		{"choice default", engine.TestStateInput{Definition: `{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":1,"Next":"Big"}],"Default":"Small"}`, Input: `{"n":0}`},
			engine.TestStateOutput{Status: "SUCCEEDED", Output: `{"n":0}`, HasOutput: true, NextState: "Small"}, nil},
		{"wait does not wait", engine.TestStateInput{Definition: `{"Type":"Wait","Seconds":3600,"Next":"After"}`, Input: `{}`},
			engine.TestStateOutput{Status: "SUCCEEDED", Output: `{}`, HasOutput: true, NextState: "After"}, nil},
		{"fail", engine.TestStateInput{Definition: `{"Type":"Fail","Error":"E","Cause":"C"}`},
			engine.TestStateOutput{Status: "FAILED", Error: "E", Cause: "C"}, nil},
		{"end", engine.TestStateInput{Definition: `{"Type":"Pass","Result":[1],"End":true}`, Input: `{}`},
			engine.TestStateOutput{Status: "SUCCEEDED", Output: `[1]`, HasOutput: true}, nil},
		{"variables", engine.TestStateInput{Definition: `{"Type":"Pass","Parameters":{"v.$":"$who"},"End":true}`, Variables: `{"who":"me"}`},
			engine.TestStateOutput{Status: "SUCCEEDED", Output: `{"v":"me"}`, HasOutput: true}, nil},
		{"jsonata", engine.TestStateInput{Definition: `{"Type":"Pass","QueryLanguage":"JSONata","Output":"{% $states.input.a + 1 %}","Next":"N"}`, Input: `{"a":1}`},
			engine.TestStateOutput{Status: "SUCCEEDED", Output: `2`, HasOutput: true, NextState: "N"}, nil},
		{"path error", engine.TestStateInput{Definition: `{"Type":"Pass","InputPath":"$.missing","End":true}`, Input: `{}`},
			engine.TestStateOutput{Status: "FAILED", Error: "States.Runtime"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := e.TestState(context.Background(), tc.in)
			if err != nil {
				t.Fatal(err)
			}
			ins := got.Inspection
			got.Inspection = nil
			if tc.want.Error == "States.Runtime" && got.Error == "States.Runtime" && strings.Contains(got.Cause, "missing") {
				got.Cause = ""
			}
			if *got != tc.want {
				t.Errorf("got  %+v\nwant %+v", *got, tc.want)
			}
			if tc.ins != nil && (ins == nil || *ins != *tc.ins) {
				t.Errorf("inspection\ngot  %+v\nwant %+v", ins, tc.ins)
			}
		})
	}
}

func TestTestStateErrors(t *testing.T) {
	t.Parallel()
	e := engine.New(engine.Options{Store: engine.NewMemStore()})
	for _, tc := range []struct{ name, def, input, want string }{
		{"not json", `{`, "", "not valid JSON"},
		{"not object", `[1]`, "", "must be an object"},
		{"task without mock", `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}`, "", "mocked result"},
		{"map", `{"Type":"Map","End":true}`, "", "not supported"},
		{"bad input", `{"Type":"Pass","End":true}`, "{", "input is not valid JSON"},
		{"invalid state", `{"Type":"Pass"}`, "", "Invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := e.TestState(context.Background(), engine.TestStateInput{Definition: tc.def, Input: tc.input})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
