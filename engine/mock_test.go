package engine_test

import (
	"strings"
	"testing"

	"stepwise/engine"
	"stepwise/engine/jsonv"
)

func TestParseMockConfig(t *testing.T) {
	t.Parallel()
	cfg, err := engine.ParseMockConfig([]byte(`{
	  "StateMachines": {"m": {"TestCases": {"tc": {"A": "R"}}}},
	  "MockedResponses": {"R": {
	    "0": {"Throw": {"Error": "E0", "Cause": "c0"}},
	    "1-2": {"Return": {"n": 1}},
	    "3": {"Return": [1, 2]}
	  }}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	m := &engine.MockIntegration{Config: cfg}
	req := &engine.TaskRequest{StateMachineName: "m", TestCase: "tc", StateName: "A"}
	if !m.Handles(req) {
		t.Fatal("mocked state not handled")
	}
	for _, other := range []*engine.TaskRequest{
		{StateMachineName: "m", TestCase: "tc", StateName: "B"},
		{StateMachineName: "m", TestCase: "other", StateName: "A"},
		{StateMachineName: "x", TestCase: "tc", StateName: "A"},
		{StateMachineName: "m", StateName: "A"},
	} {
		if m.Handles(other) {
			t.Errorf("handles %+v", other)
		}
	}
	want := []string{`throw E0 c0`, `{"n":1}`, `{"n":1}`, `[1,2]`, `[1,2]`}
	for attempt, w := range want {
		req.Attempt = attempt
		var got string
		m.Start(t.Context(), req, func(r engine.TaskResult) {
			if r.Failed {
				got = "throw " + r.Error + " " + r.Cause
			} else {
				got = jsonv.String(r.Output)
			}
		})
		if got != w {
			t.Errorf("attempt %d: %s, want %s", attempt, got, w)
		}
	}
}

func TestParseMockConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ doc, want string }{
		{`[]`, "must be an object"},
		{`{"StateMachines": []}`, "StateMachines must be an object"},
		{`{"StateMachines": {"m": {"TestCases": {"t": {"A": 1}}}}}`, "StateMachines.m.TestCases.t.A must name a mocked response"},
		{`{"StateMachines": {"m": {"TestCases": {"t": {"A": "R"}}}}}`, `names the mocked response "R"`},
		{`{"MockedResponses": {"R": {"x": {"Return": 1}}}}`, `attempt key "x"`},
		{`{"MockedResponses": {"R": {"2-1": {"Return": 1}}}}`, `attempt key "2-1"`},
		{`{"MockedResponses": {"R": {"0": {}}}}`, "needs Return or Throw"},
		{`{"MockedResponses": {"R": {"0": {"Return": 1, "Throw": {}}}}}`, "both Return and Throw"},
		{`{"MockedResponses": {"R": {"0-2": {"Return": 1}, "1": {"Return": 2}}}}`, "overlap"},
		{`{"MockedResponses": {"R": {}}}`, "has no answers"},
		{`{`, "mock config"},
	}
	for _, tc := range tests {
		_, err := engine.ParseMockConfig([]byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.doc, err, tc.want)
		}
	}
}

func FuzzParseMockConfig(f *testing.F) {
	f.Add([]byte(`{"StateMachines":{"m":{"TestCases":{"t":{"A":"R"}}}},"MockedResponses":{"R":{"0":{"Return":1},"1-3":{"Throw":{"Error":"E","Cause":"C"}}}}}`))
	f.Add([]byte(`{"MockedResponses":{"R":{"0-":{"Return":1}}}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := engine.ParseMockConfig(data)
		if err != nil {
			return
		}
		for _, r := range cfg.Responses {
			r.Answer(0)
			r.Answer(1 << 30)
		}
	})
}
