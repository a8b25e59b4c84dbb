package engine_test

import (
	"context"
	"testing"
	"time"

	"stepwise/engine"
)

// blackhole accepts every task and never answers, like a worker that died.
type blackhole struct{}

func (blackhole) Handles(*engine.TaskRequest) bool { return true }
func (blackhole) Start(context.Context, *engine.TaskRequest, func(engine.TaskResult)) {
}

const recoverDef = `{
  "StartAt": "Nap",
  "States": {
    "Nap": {"Type": "Wait", "Seconds": 60, "Next": "Each"},
    "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
      "ItemProcessor": {"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"item.$": "$"},
          "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 5, "MaxAttempts": 2}],
          "ResultSelector": {"done.$": "$.ok"}, "End": true}}},
      "ResultPath": "$.results", "Next": "Done"},
    "Done": {"Type": "Succeed"}
  }
}`

const recoverMock = `{
  "StateMachines": {"recover": {"TestCases": {"T": {"Work": "W"}}}},
  "MockedResponses": {"W": {"0": {"Throw": {"Error": "Flaky", "Cause": "once"}}, "1-9": {"Return": {"ok": true}}}}
}`

func waitForEvent(t *testing.T, s engine.Store, arn, typ string, count int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		evs, _, err := s.GetHistory(context.Background(), arn, engine.HistoryQuery{Page: engine.Page{Limit: 10000}})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range evs {
			if ev.Type == typ {
				n++
			}
		}
		if n >= count {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("no %d× %s event in time", count, typ)
}

func startEngine(t *testing.T, store engine.Store, clock engine.Clock, in engine.Integration) *engine.Engine {
	t.Helper()
	e := engine.New(engine.Options{Store: store, Clock: clock, Integrations: []engine.Integration{in}})
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestRecoverContinuesRunningExecutions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, err := engine.ParseMockConfig([]byte(recoverMock))
	if err != nil {
		t.Fatal(err)
	}
	mock := &engine.MockIntegration{Config: cfg}
	input := `{"items": [1, 2, 3]}`

	// The uninterrupted run, for reference.
	ref := startEngine(t, engine.NewMemStore(), engine.NewFakeClock(testStart, true), mock)
	defer ref.Stop()
	sm, err := ref.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "recover", Definition: recoverDef})
	if err != nil {
		t.Fatal(err)
	}
	x, err := ref.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN, Name: "x", Input: input, TestCase: "T"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := ref.Wait(testCtx(t), x.ARN)
	if err != nil || want.Status != engine.Succeeded {
		t.Fatalf("reference run: %+v %v", want, err)
	}

	// The same execution, interrupted twice: during the Wait, and with Map
	// tasks dispatched but unanswered.
	store := engine.NewMemStore()
	clock := engine.NewFakeClock(testStart, false)
	e1 := startEngine(t, store, clock, blackhole{})
	if _, err := e1.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "recover", Definition: recoverDef}); err != nil {
		t.Fatal(err)
	}
	x, err = e1.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN, Name: "x", Input: input, TestCase: "T"})
	if err != nil {
		t.Fatal(err)
	}
	waitForEvent(t, store, x.ARN, "WaitStateEntered", 1)
	e1.Stop()

	e2 := startEngine(t, store, clock, blackhole{})
	clock.Advance(60 * time.Second)
	waitForEvent(t, store, x.ARN, "TaskStarted", 2)
	e2.Stop()

	e3 := startEngine(t, store, clock, mock)
	defer e3.Stop()
	// Retries wait 5 s of fake time each.
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for wctx.Err() == nil {
			if got, _ := store.GetExecution(ctx, x.ARN); got != nil && got.Status.Done() {
				return
			}
			clock.Advance(5 * time.Second)
			time.Sleep(5 * time.Millisecond)
		}
	}()
	got, err := e3.Wait(wctx, x.ARN)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != want.Status || got.Output != want.Output {
		t.Fatalf("after restarts: %s %s, uninterrupted: %s %s", got.Status, got.Output, want.Status, want.Output)
	}
	evs, _, err := store.GetHistory(ctx, x.ARN, engine.HistoryQuery{Page: engine.Page{Limit: 10000}})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for i, ev := range evs {
		if ev.ID != int64(i+1) {
			t.Fatalf("event %d has id %d", i, ev.ID)
		}
		counts[ev.Type]++
	}
	if counts["WaitStateEntered"] != 1 || counts["MapIterationSucceeded"] != 3 || counts["ExecutionSucceeded"] != 1 {
		t.Fatalf("event counts %v", counts)
	}
}

var testStart = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

func TestRecoverFailsUnresumable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := engine.NewMemStore()
	arns := engine.ARNs{Region: "us-east-1", Account: "123456789012"}
	x := &engine.Execution{ARN: arns.Execution(engine.Standard, "m", "x"), Name: "x", StateMachineARN: arns.StateMachine("m"),
		StateMachineName: "m", Type: engine.Standard, Status: engine.Running, Input: `{}`, StartDate: testStart,
		Definition: `{"StartAt":"Nowhere","States":{}}`}
	if _, _, err := store.CreateExecution(ctx, x, []engine.HistoryEvent{{ID: 1, Timestamp: testStart, Type: "ExecutionStarted"}}); err != nil {
		t.Fatal(err)
	}
	e := startEngine(t, store, engine.NewFakeClock(testStart, true), blackhole{})
	defer e.Stop()
	got, err := e.Wait(testCtx(t), x.ARN)
	if err != nil || got.Status != engine.Failed || got.Error != "States.Runtime" || got.LastEventID != 2 {
		t.Fatalf("%+v %v", got, err)
	}
}
