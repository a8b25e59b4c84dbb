package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"stepwise/engine"
	"stepwise/engine/sqlite"
)

// BenchmarkCommit commits batches of steps, each step one execution's two
// history events (a state entered and exited) and its updated row, with N
// steps per transaction. It reports steps/s and events/s.
func BenchmarkCommit(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		for _, n := range []int{1, 10, 100, 1000} {
			b.Run(fmt.Sprintf("sync=%s/steps=%d", sync, n), func(b *testing.B) { benchCommit(b, sync, n) })
		}
	}
}

func benchCommit(b *testing.B, sync string, n int) {
	ctx := context.Background()
	db := openDB(b, sqlite.Options{Synchronous: sync})
	sm := &engine.StateMachine{ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:m", Name: "m", Type: engine.Standard,
		Status: "ACTIVE", Definition: `{}`}
	if err := db.CreateStateMachine(ctx, sm); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	xs := make([]*engine.Execution, n)
	for i := range xs {
		xs[i] = &engine.Execution{ARN: fmt.Sprintf("arn:aws:states:us-east-1:123456789012:execution:m:x%d", i), Name: "x",
			StateMachineARN: sm.ARN, StateMachineName: "m", Type: engine.Standard, Status: engine.Running, Input: `{}`,
			StartDate: t0, Definition: sm.Definition}
		if _, _, err := db.CreateExecution(ctx, xs[i], nil); err != nil {
			b.Fatal(err)
		}
	}
	details := json.RawMessage(`{"name":"Incr","input":"{\"i\":1,\"n\":100}","inputDetails":{"truncated":false}}`)
	var last int64
	steps := make([]*engine.Step, n)
	b.ResetTimer()
	for b.Loop() {
		for i, x := range xs {
			evs := []engine.HistoryEvent{
				{ID: last + 1, PreviousEventID: last, Timestamp: t0, Type: "PassStateEntered", Details: details},
				{ID: last + 2, PreviousEventID: last + 1, Timestamp: t0, Type: "PassStateExited", Details: details},
			}
			c := x.Clone()
			c.LastEventID = last + 2
			steps[i] = &engine.Step{Execution: c, Events: evs}
		}
		if err := db.Commit(ctx, steps); err != nil {
			b.Fatal(err)
		}
		last += 2
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N*n)/sec, "steps/s")
	b.ReportMetric(float64(b.N*n*2)/sec, "events/s")
}
