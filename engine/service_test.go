package engine_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"stepwise/engine"
)

type recorder struct {
	mu     sync.Mutex
	events map[string][]engine.HistoryEvent
}

func (r *recorder) Publish(x *engine.Execution, evs []engine.HistoryEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.events == nil {
		r.events = map[string][]engine.HistoryEvent{}
	}
	r.events[x.ARN] = append(r.events[x.ARN], evs...)
}

func newTestEngine(t *testing.T, opts engine.Options) *engine.Engine {
	t.Helper()
	if opts.Store == nil {
		opts.Store = engine.NewMemStore()
	}
	if opts.Clock == nil {
		opts.Clock = engine.NewFakeClock(testStart, true)
	}
	e := engine.New(opts)
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	return e
}

const passDef = `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`

func TestServiceErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTestEngine(t, engine.Options{})
	sm, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "m", Definition: passDef})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  func() error
		code string
	}{
		{"invalid definition", func() error {
			_, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "bad", Definition: `{"StartAt":"X","States":{}}`})
			return err
		}, engine.InvalidDefinition},
		{"invalid name", func() error {
			_, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "a b", Definition: passDef})
			return err
		}, engine.InvalidName},
		{"name taken by another definition", func() error {
			_, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "m", Definition: `{"StartAt":"S","States":{"S":{"Type":"Succeed"}}}`})
			return err
		}, engine.StateMachineAlreadyExists},
		{"invalid arn", func() error { _, err := e.DescribeStateMachine(ctx, "nope"); return err }, engine.InvalidArn},
		{"missing machine", func() error {
			_, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: e.ARNs().StateMachine("none")})
			return err
		}, engine.StateMachineDoesNotExist},
		{"invalid input", func() error {
			_, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN, Input: "{"})
			return err
		}, engine.InvalidExecutionInput},
		{"sync on standard", func() error {
			_, err := e.StartSyncExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN})
			return err
		}, engine.StateMachineTypeNotSupported},
		{"missing execution", func() error {
			_, err := e.DescribeExecution(ctx, e.ARNs().Execution(engine.Standard, "m", "none"))
			return err
		}, engine.ExecutionDoesNotExist},
	}
	for _, tc := range tests {
		if got := engine.ErrorCode(tc.err()); got != tc.code {
			t.Errorf("%s: code %q, want %q", tc.name, got, tc.code)
		}
	}
	// Creating the same machine again returns it.
	again, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "m", Definition: passDef})
	if err != nil || again.ARN != sm.ARN {
		t.Fatalf("idempotent create: %v %v", again, err)
	}
}

func TestStartExecutionIdempotentAndHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rec := &recorder{}
	clock := engine.NewFakeClock(testStart, false)
	e := newTestEngine(t, engine.Options{Clock: clock, Publisher: rec})
	sm, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "w",
		Definition: `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"Next":"P"},"P":{"Type":"Pass","Result":{"r":1},"End":true}}}`})
	if err != nil {
		t.Fatal(err)
	}
	in := engine.StartExecutionInput{StateMachineARN: sm.ARN, Name: "once", Input: `{"a":1}`}
	x1, err := e.StartExecution(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	x2, err := e.StartExecution(ctx, in)
	if err != nil || x2.ARN != x1.ARN {
		t.Fatalf("same name and input while running: %v %v", x2, err)
	}
	in.Input = `{"a":2}`
	if _, err := e.StartExecution(ctx, in); engine.ErrorCode(err) != engine.ExecutionAlreadyExists {
		t.Fatalf("different input: %v", err)
	}
	waitForEvent(t, e.Store(), x1.ARN, "WaitStateEntered", 1)
	running, _, err := e.ListExecutions(ctx, engine.ExecutionFilter{StateMachineARN: sm.ARN, Status: engine.Running})
	if err != nil || len(running) != 1 {
		t.Fatalf("running list %v %v", running, err)
	}
	clock.Advance(10 * time.Second)
	x, err := e.Wait(testCtx(t), x1.ARN)
	if err != nil || x.Status != engine.Succeeded || x.Output != `{"r":1}` || !x.StopDate.Equal(testStart.Add(10*time.Second)) {
		t.Fatalf("final %+v %v", x, err)
	}
	// Without execution data the details drop input and output.
	evs, _, err := e.GetExecutionHistory(ctx, x.ARN, engine.HistoryQuery{}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if strings.Contains(string(ev.Details), `"input"`) || strings.Contains(string(ev.Details), `"output"`) {
			t.Fatalf("event %s keeps data: %s", ev.Type, ev.Details)
		}
	}
	rev, _, _ := e.GetExecutionHistory(ctx, x.ARN, engine.HistoryQuery{Reverse: true, Page: engine.Page{Limit: 1}}, true)
	if len(rev) != 1 || rev[0].Type != "ExecutionSucceeded" {
		t.Fatalf("reverse %v", rev)
	}
	// The publisher saw every committed event after ExecutionStarted.
	rec.mu.Lock()
	published := len(rec.events[x.ARN])
	rec.mu.Unlock()
	if published != len(evs)-1 {
		t.Fatalf("published %d events, history has %d", published, len(evs))
	}
}

func TestStopExecution(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTestEngine(t, engine.Options{Clock: engine.NewFakeClock(testStart, false)})
	sm, _ := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "s",
		Definition: `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}`})
	x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN})
	if err != nil {
		t.Fatal(err)
	}
	waitForEvent(t, e.Store(), x.ARN, "WaitStateEntered", 1)
	got, err := e.StopExecution(ctx, x.ARN, "Manual", "stopped by test")
	if err != nil || got.Status != engine.Aborted || got.Error != "Manual" || got.Cause != "stopped by test" {
		t.Fatalf("stop: %+v %v", got, err)
	}
	if _, err := e.StopExecution(ctx, x.ARN, "", ""); engine.ErrorCode(err) != engine.ValidationException {
		t.Fatalf("second stop: %v", err)
	}
}

func TestStartSyncExpress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTestEngine(t, engine.Options{})
	sm, _ := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "x", Type: engine.Express,
		Definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"s.$":"States.Format('{}!', $.w)"},"End":true}}}`})
	x, err := e.StartSyncExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN, Input: `{"w":"hi"}`})
	if err != nil || x.Status != engine.Succeeded || x.Output != `{"s":"hi!"}` || !strings.Contains(x.ARN, ":express:") {
		t.Fatalf("%+v %v", x, err)
	}
	stored, err := e.DescribeExecution(ctx, x.ARN)
	if err != nil || stored.Status != engine.Succeeded {
		t.Fatalf("final record %+v %v", stored, err)
	}
}

func TestStopIsSafe(t *testing.T) {
	t.Parallel()
	e := engine.New(engine.Options{Store: engine.NewMemStore()})
	e.Stop() // before Start
	e2 := engine.New(engine.Options{Store: engine.NewMemStore()})
	if err := e2.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	e2.Stop()
	e2.Stop()
}

func TestDistributedMapRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTestEngine(t, engine.Options{})
	sm, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "dist", Definition: `{"StartAt":"M","States":{"M":{
		"Type":"Map","Label":"Items","ItemBatcher":{"MaxItemsPerBatch":2},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},
			"StartAt":"C","States":{"C":{"Type":"Pass","Parameters":{"n.$":"States.ArrayLength($.Items)"},"End":true}}},
		"End":true}}}`})
	if err != nil {
		t.Fatal(err)
	}
	x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN, Input: `[1,2,3,4,5]`})
	if err != nil {
		t.Fatal(err)
	}
	x, err = e.Wait(testCtx(t), x.ARN)
	if err != nil || x.Status != engine.Succeeded || x.Output != `[{"n":2},{"n":2},{"n":1}]` {
		t.Fatalf("%+v %v", x, err)
	}
	runs, _, err := e.Store().ListMapRuns(ctx, x.ARN, engine.Page{})
	if err != nil || len(runs) != 1 {
		t.Fatalf("map runs %v %v", runs, err)
	}
	mr := runs[0]
	if mr.Status != engine.Succeeded || mr.Succeeded != 3 || mr.Total != 3 || mr.Label != "Items" {
		t.Fatalf("map run %+v", mr)
	}
	children, _, err := e.ListExecutions(ctx, engine.ExecutionFilter{MapRunARN: mr.ARN})
	if err != nil || len(children) != 3 {
		t.Fatalf("children %d %v", len(children), err)
	}
	for _, c := range children {
		if c.Status != engine.Succeeded || !strings.Contains(c.ARN, ":express:dist/Items:") || c.ParentARN != x.ARN {
			t.Fatalf("child %+v", c)
		}
	}
	evs, _, _ := e.GetExecutionHistory(ctx, x.ARN, engine.HistoryQuery{}, true)
	var types []string
	for _, ev := range evs {
		types = append(types, ev.Type)
	}
	want := "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunSucceeded MapStateSucceeded MapStateExited ExecutionSucceeded"
	if strings.Join(types, " ") != want {
		t.Fatalf("history %v", types)
	}
}

// testCtx bounds a wait so that a stuck execution fails the test instead of
// hanging it.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
