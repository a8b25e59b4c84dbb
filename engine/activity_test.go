package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"stepwise/engine"
)

func TestActivityRegistry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTestEngine(t, engine.Options{})
	for _, n := range []string{"c", "a", "b", "d", "e"} {
		if _, err := e.CreateActivity(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	var pages []string
	page := engine.Page{Limit: 2}
	for {
		l, next, err := e.ListActivities(ctx, page)
		if err != nil {
			t.Fatal(err)
		}
		var names string
		for _, a := range l {
			names += a.Name
		}
		pages = append(pages, names)
		if next == "" {
			break
		}
		page.NextToken = next
	}
	if fmt.Sprint(pages) != "[ab cd e]" {
		t.Errorf("pages %v, want [ab cd e]", pages)
	}
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"bad name", func() error { _, err := e.CreateActivity(ctx, "a b"); return err }(), engine.InvalidName},
		{"empty name", func() error { _, err := e.CreateActivity(ctx, ""); return err }(), engine.InvalidName},
		{"describe machine ARN", func() error { _, err := e.DescribeActivity(ctx, e.ARNs().StateMachine("a")); return err }(), engine.InvalidArn},
		{"describe unknown", func() error { _, err := e.DescribeActivity(ctx, e.ARNs().Activity("zz")); return err }(), engine.ActivityDoesNotExist},
		{"poll unknown", func() error { _, _, err := e.GetActivityTask(ctx, e.ARNs().Activity("zz"), "w"); return err }(), engine.ActivityDoesNotExist},
		{"delete bad ARN", e.DeleteActivity(ctx, "nope"), engine.InvalidArn},
		{"delete unknown", e.DeleteActivity(ctx, e.ARNs().Activity("zz")), ""},
	}
	for _, tc := range tests {
		if got := engine.ErrorCode(tc.err); got != tc.code {
			t.Errorf("%s: error %v, want code %q", tc.name, tc.err, tc.code)
		}
	}
}

// TestActivityStoppedTaskNotHandedOut: a queued task whose execution was
// stopped is dropped; the poller gets the next live task.
func TestActivityStoppedTaskNotHandedOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newTestEngine(t, engine.Options{})
	act, err := e.CreateActivity(ctx, "q")
	if err != nil {
		t.Fatal(err)
	}
	sm, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "m",
		Definition: `{"StartAt":"W","States":{"W":{"Type":"Task","Resource":"` + act.ARN + `","End":true}}}`})
	if err != nil {
		t.Fatal(err)
	}
	start := func(input string) *engine.Execution {
		x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN, Input: input})
		if err != nil {
			t.Fatal(err)
		}
		waitForEvent(t, e.Store(), x.ARN, "ActivityScheduled", 1)
		return x
	}
	first := start(`{"n":1}`)
	start(`{"n":2}`)
	if _, err := e.StopExecution(ctx, first.ARN, "", ""); err != nil {
		t.Fatal(err)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	tok, input, err := e.GetActivityTask(pctx, act.ARN, "w")
	if err != nil || tok == "" || input != `{"n":2}` {
		t.Fatalf("GetActivityTask = %q %q %v, want the live task", tok, input, err)
	}
	n, workers, err := e.ActivityStatus(ctx, act.ARN)
	if err != nil || n != 0 || len(workers) != 1 || workers[0].Name != "w" {
		t.Errorf("ActivityStatus = %d %v %v", n, workers, err)
	}
}

// TestActivityPollEndsOnStop: a long poll answers empty when the engine
// stops, so shutdown does not wait for it.
func TestActivityPollEndsOnStop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := engine.New(engine.Options{Store: engine.NewMemStore()})
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	act, err := e.CreateActivity(ctx, "q")
	if err != nil {
		t.Fatal(err)
	}
	type answer struct {
		tok string
		err error
	}
	got := make(chan answer, 1)
	go func() {
		tok, _, err := e.GetActivityTask(ctx, act.ARN, "w")
		got <- answer{tok, err}
	}()
	time.Sleep(50 * time.Millisecond)
	e.Stop()
	select {
	case a := <-got:
		if a.tok != "" || a.err != nil {
			t.Errorf("poll after Stop = %q, %v; want an empty answer", a.tok, a.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the poll did not end when the engine stopped")
	}
}
