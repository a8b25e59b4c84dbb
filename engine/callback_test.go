package engine_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"stepwise/engine"
)

const callbackDef = `{"StartAt":"Ask","States":{
	"Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","HeartbeatSeconds":10,"TimeoutSeconds":100,
		"Parameters":{"QueueUrl":"q","MessageBody":{"token.$":"$$.Task.Token"}},
		"Catch":[{"ErrorEquals":["States.HeartbeatTimeout"],"Next":"Silent"}],"End":true},
	"Silent":{"Type":"Pass","End":true}}}`

func scheduledToken(t *testing.T, e *engine.Engine, arn string) string {
	t.Helper()
	waitForEvent(t, e.Store(), arn, "TaskStarted", 1)
	evs, _, err := e.GetExecutionHistory(context.Background(), arn, engine.HistoryQuery{}, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Type != "TaskScheduled" {
			continue
		}
		var d struct{ Parameters string }
		var p struct{ MessageBody struct{ Token string } }
		if err := json.Unmarshal(ev.Details, &d); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(d.Parameters), &p); err != nil {
			t.Fatal(err)
		}
		return p.MessageBody.Token
	}
	t.Fatal("no TaskScheduled event")
	return ""
}

func TestTaskCallbacks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("heartbeat then success", func(t *testing.T) {
		t.Parallel()
		clock := engine.NewFakeClock(testStart, false)
		e := newTestEngine(t, engine.Options{Clock: clock, Integrations: []engine.Integration{engine.CallbackIntegration{}}})
		sm, _ := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "cb", Definition: callbackDef})
		x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN})
		if err != nil {
			t.Fatal(err)
		}
		tok := scheduledToken(t, e, x.ARN)
		clock.Advance(5 * time.Second)
		if err := e.SendTaskHeartbeat(ctx, tok); err != nil {
			t.Fatal(err)
		}
		// The heartbeat is processed before the clock moves on.
		time.Sleep(20 * time.Millisecond)
		clock.Advance(7 * time.Second) // 12 s after the start, 7 s after the heartbeat
		if err := e.SendTaskSuccess(ctx, tok, `{"answer":42}`); err != nil {
			t.Fatal(err)
		}
		got, err := e.Wait(testCtx(t), x.ARN)
		if err != nil || got.Status != engine.Succeeded || got.Output != `{"answer":42}` {
			t.Fatalf("%+v %v", got, err)
		}
		if err := e.SendTaskSuccess(ctx, tok, `{}`); engine.ErrorCode(err) != engine.TaskDoesNotExist {
			t.Fatalf("second success: %v", err)
		}
		if err := e.SendTaskSuccess(ctx, tok, `{`); engine.ErrorCode(err) != engine.InvalidOutput {
			t.Fatalf("bad output: %v", err)
		}
	})
	t.Run("heartbeat timeout", func(t *testing.T) {
		t.Parallel()
		clock := engine.NewFakeClock(testStart, false)
		e := newTestEngine(t, engine.Options{Clock: clock, Integrations: []engine.Integration{engine.CallbackIntegration{}}})
		sm, _ := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "cb", Definition: callbackDef})
		x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN})
		if err != nil {
			t.Fatal(err)
		}
		tok := scheduledToken(t, e, x.ARN)
		// The task's timers are armed just after its events are committed:
		// wait for them, then let the heartbeat lapse. (Advancing before the
		// heartbeat timer exists would arm it 10 s after the advance; under
		// load that happened, so the clock moves on in steps of 10 s, well
		// before the task's 100 s timeout.)
		deadline := time.Now().Add(10 * time.Second)
		for clock.Pending() == 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		var got *engine.Execution
		for step := 0; step < 5; step++ {
			clock.Advance(10 * time.Second)
			wctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			got, err = e.Wait(wctx, x.ARN)
			cancel()
			if err == nil {
				break
			}
		}
		if err != nil || got.Status != engine.Succeeded || got.Output != `{"Error":"States.HeartbeatTimeout","Cause":""}` {
			t.Fatalf("%+v %v", got, err)
		}
		if err := e.SendTaskFailure(ctx, tok, "E", "c"); engine.ErrorCode(err) != engine.TaskDoesNotExist {
			t.Fatalf("failure after timeout: %v", err)
		}
	})
	t.Run("failure", func(t *testing.T) {
		t.Parallel()
		e := newTestEngine(t, engine.Options{Clock: engine.NewFakeClock(testStart, false), Integrations: []engine.Integration{engine.CallbackIntegration{}}})
		sm, _ := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "cb", Definition: callbackDef})
		x, _ := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN})
		tok := scheduledToken(t, e, x.ARN)
		if err := e.SendTaskFailure(ctx, tok, "Human.Rejected", "no"); err != nil {
			t.Fatal(err)
		}
		got, err := e.Wait(testCtx(t), x.ARN)
		if err != nil || got.Status != engine.Failed || got.Error != "Human.Rejected" || got.Cause != "no" {
			t.Fatalf("%+v %v", got, err)
		}
	})
}
