package engine_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"stepwise/engine"
)

// TestNestedSync: a .sync task starts the child, records TaskSubmitted with
// the child's ARN, links the child to its parent and ends with the child's
// description.
func TestNestedSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTestEngine(t, engine.Options{})
	child, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "child",
		Definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"ok":true},"End":true}}}`})
	if err != nil {
		t.Fatal(err)
	}
	parent, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "parent",
		Definition: `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2",
			"Parameters":{"StateMachineArn":"` + child.ARN + `","Name":"kid","Input":{"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$":"$$.Execution.Id"}},
			"OutputPath":"$.Output","End":true}}}`})
	if err != nil {
		t.Fatal(err)
	}
	x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: parent.ARN})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	end, err := e.Wait(wctx, x.ARN)
	if err != nil || end.Status != engine.Succeeded || end.Output != `{"ok":true}` {
		t.Fatalf("parent = %+v, %v", end, err)
	}
	kidARN := e.ARNs().Execution(engine.Standard, "child", "kid")
	kid, err := e.DescribeExecution(ctx, kidARN)
	if err != nil || kid.ParentARN != x.ARN {
		t.Fatalf("child = %+v, %v; want parent %s", kid, err, x.ARN)
	}
	evs, _, err := e.GetExecutionHistory(ctx, x.ARN, engine.HistoryQuery{}, true)
	if err != nil {
		t.Fatal(err)
	}
	var submitted string
	for _, ev := range evs {
		if ev.Type == "TaskSubmitted" {
			var d struct{ Output string }
			if err := json.Unmarshal(ev.Details, &d); err != nil {
				t.Fatal(err)
			}
			var o struct{ ExecutionArn string }
			if err := json.Unmarshal([]byte(d.Output), &o); err != nil {
				t.Fatal(err)
			}
			submitted = o.ExecutionArn
		}
	}
	if submitted != kidARN {
		t.Errorf("TaskSubmitted names %q, want %q", submitted, kidARN)
	}
}
