package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"stepwise/engine"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var goldenMock = `{
  "StateMachines": {
    "tasks": {"TestCases": {"Flaky": {"Charge": "ThrottledTwice", "Ship": "ShipFails"}}}
  },
  "MockedResponses": {
    "ThrottledTwice": {
      "0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"}},
      "2": {"Return": {"StatusCode": 200, "Payload": {"charged": 42}}}
    },
    "ShipFails": {"0": {"Throw": {"Error": "Shipping.Unavailable", "Cause": "no trucks"}}}
  }
}`

var goldenCases = []struct {
	name, def, input, testCase string
}{
	{"pass_choice_wait", `{
  "StartAt": "Init",
  "States": {
    "Init": {"Type": "Pass", "Parameters": {"n.$": "$.n", "label": "start"}, "ResultPath": "$.state", "Next": "Check"},
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.state.n", "NumericGreaterThan": 1, "Next": "Nap"}], "Default": "Done"},
    "Nap": {"Type": "Wait", "Seconds": 90, "Next": "Done"},
    "Done": {"Type": "Succeed", "OutputPath": "$.state"}
  }
}`, `{"n": 3}`, ""},
	{"map_parallel", `{
  "StartAt": "Fan",
  "States": {
    "Fan": {
      "Type": "Parallel",
      "Branches": [
        {"StartAt": "Double", "States": {"Double": {"Type": "Map", "ItemsPath": "$.xs", "MaxConcurrency": 1,
          "ItemSelector": {"x.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
          "ItemProcessor": {"StartAt": "Mul", "States": {"Mul": {"Type": "Pass", "Parameters": {"y.$": "States.MathAdd($.x, $.x)"}, "End": true}}},
          "End": true}}},
        {"StartAt": "Count", "States": {"Count": {"Type": "Pass", "Parameters": {"len.$": "States.ArrayLength($.xs)"}, "End": true}}}
      ],
      "ResultSelector": {"doubled.$": "$[0]", "count.$": "$[1].len"},
      "End": true
    }
  }
}`, `{"xs": [1, 2, 3]}`, ""},
	{"tasks", `{
  "StartAt": "Charge",
  "States": {
    "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
      "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 5}],
      "ResultSelector": {"charged.$": "$.Payload.charged"}, "ResultPath": "$.charge", "Next": "Ship"},
    "Ship": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Parameters": {"QueueUrl": "q", "MessageBody.$": "$"},
      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.shipError", "Next": "GiveUp"}], "End": true},
    "GiveUp": {"Type": "Fail", "ErrorPath": "$.shipError.Error", "CausePath": "$.shipError.Cause"}
  }
}`, `{"order": 7}`, "Flaky"},
	{"runtime_error", `{"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.missing", "End": true}}}`, `{"a": 1}`, ""},
}

// historyJSON renders a history as GetExecutionHistory's events array.
func historyJSON(t *testing.T, evs []engine.HistoryEvent) []byte {
	t.Helper()
	var raw []json.RawMessage
	for _, ev := range evs {
		raw = append(raw, engine.HistoryEventJSON(ev))
	}
	out, err := json.MarshalIndent(map[string]any{"events": raw}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

func TestGoldenHistories(t *testing.T) {
	t.Parallel()
	cfg, err := engine.ParseMockConfig([]byte(goldenMock))
	if err != nil {
		t.Fatal(err)
	}
	for _, gc := range goldenCases {
		t.Run(gc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := engine.NewFakeClock(time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC), true)
			e := engine.New(engine.Options{Store: engine.NewMemStore(), Clock: clock, Integrations: []engine.Integration{&engine.MockIntegration{Config: cfg}}})
			if err := e.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer e.Stop()
			sm, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: gc.name, Definition: gc.def, RoleARN: "arn:aws:iam::123456789012:role/golden"})
			if err != nil {
				t.Fatal(err)
			}
			x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN, Name: "golden", Input: gc.input, TestCase: gc.testCase})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Wait(testCtx(t), x.ARN); err != nil {
				t.Fatal(err)
			}
			evs, _, err := e.GetExecutionHistory(ctx, x.ARN, engine.HistoryQuery{Page: engine.Page{Limit: 1000}}, true)
			if err != nil {
				t.Fatal(err)
			}
			got := historyJSON(t, evs)
			path := filepath.Join("testdata", "golden", gc.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("history differs from %s (run with -update after checking):\n%s", path, got)
			}
		})
	}
}
