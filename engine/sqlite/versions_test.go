package sqlite_test

import (
	"context"
	"testing"
	"time"

	"stepwise/engine"
	"stepwise/engine/sqlite"
)

// waitStatus polls the store until the execution has status want.
func waitStatus(t *testing.T, s engine.Store, arn string, want engine.Status) *engine.Execution {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; {
		x, err := s.GetExecution(context.Background(), arn)
		if err != nil {
			t.Fatal(err)
		}
		if x.Status == want {
			return x
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s is %s, want %s", arn, x.Status, want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestEngineVersionsAndRedrive runs an alias and a redrive on the engine
// over SQLite: the version's definition runs, DescribeExecution's version
// and redrive records come back from the database, and the redriven
// execution's row goes from ABORTED back to RUNNING and on to SUCCEEDED.
func TestEngineVersionsAndRedrive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t, sqlite.Options{})
	e := engine.New(engine.Options{Store: db, Rand: func() float64 { return 0.99 }})
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	sm, v1, err := e.CreateStateMachinePublished(ctx, engine.CreateStateMachineInput{Name: "m",
		Definition: `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"Next":"P"},"P":{"Type":"Pass","Result":"one","End":true}}}`}, "v1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.UpdateStateMachine(ctx, engine.UpdateStateMachineInput{ARN: sm.ARN,
		Definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"current","End":true}}}`}); err != nil {
		t.Fatal(err)
	}
	alias, err := e.CreateStateMachineAlias(ctx, engine.AliasInput{Name: "live", Routing: []engine.AliasRoute{{VersionARN: v1.ARN, Weight: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: alias.ARN, Name: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.StopExecution(ctx, x.ARN, "Halt", ""); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, db, x.ARN, engine.Aborted)
	if _, _, err := e.RedriveExecution(ctx, x.ARN); err != nil {
		t.Fatal(err)
	}
	done := waitStatus(t, db, x.ARN, engine.Succeeded)
	if done.Output != `"one"` || done.HasError {
		t.Fatalf("redriven execution: output %s, error %q", done.Output, done.Error)
	}
	v, err := e.DescribeExecutionVersion(ctx, x.ARN)
	if err != nil || v.VersionARN != v1.ARN || v.AliasARN != alias.ARN {
		t.Fatalf("DescribeExecutionVersion = %+v, %v", v, err)
	}
	rec, err := e.DescribeRedrive(ctx, x.ARN)
	if err != nil || rec.Count != 1 || rec.Date.IsZero() {
		t.Fatalf("DescribeRedrive = %+v, %v", rec, err)
	}
}
