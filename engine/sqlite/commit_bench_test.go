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

// BenchmarkCommit commits batches of steps, each step one execution's
// history events (states entered and exited) and its updated row, with N
// steps of E events per transaction. It reports steps/s and events/s.
//
//	go test -run XXX -bench Commit ./engine/sqlite/
func BenchmarkCommit(b *testing.B) {
	for _, syncMode := range []string{"FULL", "NORMAL"} {
		for _, c := range []struct{ steps, events int }{{1, 2}, {10, 2}, {100, 2}, {1000, 2}, {10, 400}} {
			b.Run(fmt.Sprintf("sync=%s/steps=%d/events=%d", syncMode, c.steps, c.events), func(b *testing.B) {
				benchCommit(b, syncMode, c.steps, c.events)
			})
		}
	}
}

func benchCommit(b *testing.B, syncMode string, n, perStep int) {
	ctx := context.Background()
	db := openDB(b, sqlite.Options{Synchronous: syncMode})
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
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		for i, x := range xs {
			evs := make([]engine.HistoryEvent, perStep)
			for j := range evs {
				id := last + int64(j) + 1
				evs[j] = engine.HistoryEvent{ID: id, PreviousEventID: id - 1, Timestamp: t0, Type: "PassStateEntered", Details: details}
			}
			c := x.Clone()
			c.LastEventID = last + int64(perStep)
			steps[i] = &engine.Step{Execution: c, Events: evs}
		}
		if err := db.Commit(ctx, steps); err != nil {
			b.Fatal(err)
		}
		last += int64(perStep)
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N*n)/sec, "steps/s")
	b.ReportMetric(float64(b.N*n*perStep)/sec, "events/s")
	b.ReportMetric(float64(b.N*n*perStep)/(cpuTime()-cpu0).Seconds(), "events/cpu-s")
}
