package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"stepwise/engine"
)

const waitDef = `{"StartAt":"A","States":{
	"A":{"Type":"Pass","Result":{"n":1},"Next":"W"},
	"W":{"Type":"Wait","Seconds":60,"Next":"B"},
	"B":{"Type":"Pass","End":true}}}`

// TestRedriveExecution aborts an execution in a Wait, redrives it and sees
// it continue from the Wait with the Wait's input, not from the start.
func TestRedriveExecution(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := engine.NewMemStore()
	clock := engine.NewFakeClock(testStart, false)
	e := newTestEngine(t, engine.Options{Store: store, Clock: clock})
	sm, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "m", Definition: waitDef})
	if err != nil {
		t.Fatal(err)
	}
	x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN, Name: "x"})
	if err != nil {
		t.Fatal(err)
	}
	waitForEvent(t, store, x.ARN, "WaitStateEntered", 1)

	_, _, err = e.RedriveExecution(ctx, x.ARN)
	if engine.ErrorCode(err) != engine.ExecutionNotRedrivable {
		t.Fatalf("redrive a RUNNING execution: %v", err)
	}
	if _, err := e.StopExecution(ctx, x.ARN, "", ""); err != nil {
		t.Fatal(err)
	}
	rx, rec, err := e.RedriveExecution(ctx, x.ARN)
	if err != nil {
		t.Fatalf("redrive: %v", err)
	}
	if rx.Status != engine.Running || rec.Count != 1 || !rec.Date.Equal(testStart) {
		t.Fatalf("redrive = %s, %+v", rx.Status, rec)
	}
	waitForEvent(t, store, x.ARN, "ExecutionRedriven", 1)
	waitForEvent(t, store, x.ARN, "WaitStateEntered", 2)
	for clock.Pending() == 0 {
		time.Sleep(time.Millisecond)
	}
	clock.Advance(time.Minute)
	waitForEvent(t, store, x.ARN, "ExecutionSucceeded", 1)
	done, err := e.DescribeExecution(ctx, x.ARN)
	if err != nil || done.Status != engine.Succeeded || done.Output != `{"n":1}` || done.HasError {
		t.Fatalf("after redrive: %+v, %v", done, err)
	}
	evs, _, err := store.GetHistory(ctx, x.ARN, engine.HistoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for i, ev := range evs {
		if ev.ID != int64(i+1) {
			t.Fatalf("event %d has id %d", i, ev.ID)
		}
		types = append(types, ev.Type)
		if ev.Type == "ExecutionRedriven" && string(ev.Details) != `{"redriveCount":1}` {
			t.Errorf("ExecutionRedriven details %s", ev.Details)
		}
	}
	got := strings.Join(types, ",")
	if strings.Count(got, "PassStateEntered") != 2 || !strings.Contains(got, "ExecutionAborted,ExecutionRedriven,WaitStateEntered") {
		t.Errorf("history %s", got)
	}
	got2, err := e.DescribeRedrive(ctx, x.ARN)
	if err != nil || got2.Count != 1 {
		t.Errorf("DescribeRedrive = %+v, %v", got2, err)
	}
	_, _, err = e.RedriveExecution(ctx, x.ARN)
	if engine.ErrorCode(err) != engine.ExecutionNotRedrivable {
		t.Fatalf("redrive a SUCCEEDED execution: %v", err)
	}
}

func TestRedrivable(t *testing.T) {
	t.Parallel()
	now := testStart
	tests := []struct {
		name string
		x    engine.Execution
		want bool
	}{
		{"failed", engine.Execution{Type: engine.Standard, Status: engine.Failed, StopDate: now.Add(-time.Hour)}, true},
		{"timed out", engine.Execution{Type: engine.Standard, Status: engine.TimedOut, StopDate: now}, true},
		{"aborted at the window", engine.Execution{Type: engine.Standard, Status: engine.Aborted, StopDate: now.Add(-engine.RedriveWindow)}, true},
		{"past the window", engine.Execution{Type: engine.Standard, Status: engine.Failed, StopDate: now.Add(-engine.RedriveWindow - time.Second)}, false},
		{"succeeded", engine.Execution{Type: engine.Standard, Status: engine.Succeeded, StopDate: now}, false},
		{"running", engine.Execution{Type: engine.Standard, Status: engine.Running}, false},
		{"express", engine.Execution{Type: engine.Express, Status: engine.Failed, StopDate: now}, false},
		{"map run child", engine.Execution{Type: engine.Standard, Status: engine.Failed, StopDate: now, MapRunARN: "arn"}, false},
	}
	for _, tc := range tests {
		if got, why := engine.Redrivable(&tc.x, now); got != tc.want {
			t.Errorf("%s: Redrivable = %v (%s), want %v", tc.name, got, why, tc.want)
		}
	}
}
