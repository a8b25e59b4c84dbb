package server_test

import (
	"context"
	"testing"

	"stepwise/engine"
	"stepwise/server"
)

func TestAdapterTestState(t *testing.T) {
	t.Parallel()
	a := server.NewEngineAdapter(engine.New(engine.Options{Store: engine.NewMemStore()}))
	def, input, level := `{"Type":"Pass","Parameters":{"b.$":"$.a"},"Next":"Z"}`, `{"a":5}`, "DEBUG"
	out, err := a.TestState(context.Background(), &server.TestStateInput{Definition: &def, Input: &input, InspectionLevel: &level})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != "SUCCEEDED" || out.Output == nil || *out.Output != `{"b":5}` || out.NextState == nil || *out.NextState != "Z" {
		t.Fatalf("got %+v", out)
	}
	if want := `{"input":"{\"a\":5}","afterInputPath":"{\"a\":5}","afterParameters":"{\"b\":5}","result":"{\"b\":5}","afterResultPath":"{\"b\":5}"}`; string(out.InspectionData) != want {
		t.Errorf("inspection %s", out.InspectionData)
	}
	m, err := a.TestStateMocked(context.Background(), engine.TestStateInput{Definition: `{"Type":"Task","Resource":"arn:aws:states:::http:invoke","End":true}`, Mock: &engine.TestStateMock{Result: `{"ok":true}`}})
	if err != nil || m.Output != `{"ok":true}` {
		t.Fatalf("mocked: %+v %v", m, err)
	}
	task := `{"Type":"Task","Resource":"arn:aws:states:::http:invoke","End":true}`
	if _, err := a.TestState(context.Background(), &server.TestStateInput{Definition: &task}); err == nil {
		t.Error("a Task without a mock ran")
	}
}
