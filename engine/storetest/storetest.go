package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"stepwise/engine"
)

var arns = engine.ARNs{Region: "us-east-1", Account: "123456789012"}

var t0 = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// Run runs the whole suite against stores made by newStore (a fresh, empty
// store per call; newStore registers its own cleanup).
func Run(t *testing.T, newStore func(t *testing.T) engine.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s engine.Store)
	}{
		{"StateMachines", testStateMachines},
		{"ListStateMachinesPaging", testListStateMachinesPaging},
		{"CreateExecutionIdempotent", testCreateExecution},
		{"CommitAndHistory", testCommitAndHistory},
		{"CommitRejectsGap", testCommitRejectsGap},
		{"CommitManyExecutions", testCommitMany},
		{"ListExecutions", testListExecutions},
		{"Recover", testRecover},
		{"MapRuns", testMapRuns},
		{"VersionsAndAliases", testVersions},
		{"Redrives", testRedrives},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

func machine(name string) *engine.StateMachine {
	return &engine.StateMachine{
		ARN: arns.StateMachine(name), Name: name, Type: engine.Standard, Status: "ACTIVE",
		Definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`,
		RoleARN:    "arn:aws:iam::123456789012:role/r", CreationDate: t0, UpdateDate: t0, RevisionID: "1",
	}
}

func execution(sm *engine.StateMachine, name string, start time.Time) *engine.Execution {
	return &engine.Execution{
		ARN: arns.Execution(sm.Type, sm.Name, name), Name: name, StateMachineARN: sm.ARN, StateMachineName: sm.Name,
		Type: sm.Type, Status: engine.Running, Input: `{"a":1}`, StartDate: start, Definition: sm.Definition,
	}
}

func event(id int64, typ string) engine.HistoryEvent {
	return engine.HistoryEvent{ID: id, PreviousEventID: id - 1, Timestamp: t0.Add(time.Duration(id) * time.Millisecond), Type: typ,
		Details: json.RawMessage(fmt.Sprintf(`{"n":%d}`, id))}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := engine.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

func testStateMachines(t *testing.T, s engine.Store) {
	ctx := context.Background()
	sm := machine("m1")
	sm.Tags = map[string]string{"k": "v"}
	if err := s.CreateStateMachine(ctx, sm); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.CreateStateMachine(ctx, sm), engine.StateMachineAlreadyExists)
	got, err := s.GetStateMachine(ctx, sm.ARN)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "m1" || got.Definition != sm.Definition || got.Type != engine.Standard || !got.CreationDate.Equal(t0) || got.RoleARN != sm.RoleARN {
		t.Fatalf("got %+v", got)
	}
	if got.Tags["k"] != "v" {
		t.Fatalf("tags = %v", got.Tags)
	}
	sm2 := *sm
	sm2.Definition = `{"StartAt":"Q","States":{"Q":{"Type":"Succeed"}}}`
	sm2.RevisionID = "2"
	if err := s.UpdateStateMachine(ctx, &sm2); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetStateMachine(ctx, sm.ARN)
	if got.Definition != sm2.Definition || got.RevisionID != "2" {
		t.Fatalf("update not kept: %+v", got)
	}
	wantCode(t, s.UpdateStateMachine(ctx, machine("nope")), engine.StateMachineDoesNotExist)
	if err := s.DeleteStateMachine(ctx, sm.ARN); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetStateMachine(ctx, sm.ARN)
	wantCode(t, err, engine.StateMachineDoesNotExist)
	wantCode(t, s.DeleteStateMachine(ctx, sm.ARN), engine.StateMachineDoesNotExist)
}

func testListStateMachinesPaging(t *testing.T, s engine.Store) {
	ctx := context.Background()
	for _, n := range []string{"c", "a", "e", "b", "d"} {
		if err := s.CreateStateMachine(ctx, machine(n)); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	tok := ""
	for i := 0; i < 10; i++ {
		page, next, err := s.ListStateMachines(ctx, engine.Page{Limit: 2, NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 2 {
			t.Fatalf("page of %d > limit 2", len(page))
		}
		for _, sm := range page {
			names = append(names, sm.Name)
		}
		if next == "" {
			break
		}
		tok = next
	}
	if fmt.Sprint(names) != "[a b c d e]" {
		t.Fatalf("names = %v", names)
	}
	_, _, err := s.ListStateMachines(ctx, engine.Page{NextToken: "garbage!"})
	wantCode(t, err, engine.InvalidToken)
}

func testCreateExecution(t *testing.T, s engine.Store) {
	ctx := context.Background()
	sm := machine("m")
	if err := s.CreateStateMachine(ctx, sm); err != nil {
		t.Fatal(err)
	}
	x := execution(sm, "x1", t0)
	got, created, err := s.CreateExecution(ctx, x, []engine.HistoryEvent{event(1, "ExecutionStarted")})
	if err != nil || !created || got.LastEventID != 1 {
		t.Fatalf("create = %+v, %v, %v", got, created, err)
	}
	x2 := execution(sm, "x1", t0.Add(time.Second))
	x2.Input = `{"other":true}`
	got, created, err = s.CreateExecution(ctx, x2, []engine.HistoryEvent{event(1, "ExecutionStarted")})
	if err != nil || created {
		t.Fatalf("second create = %v, %v", created, err)
	}
	if got.Input != `{"a":1}` || !got.StartDate.Equal(t0) {
		t.Fatalf("existing = %+v", got)
	}
	evs, _, err := s.GetHistory(ctx, x.ARN, engine.HistoryQuery{})
	if err != nil || len(evs) != 1 {
		t.Fatalf("history = %v, %v", evs, err)
	}
	_, err = s.GetExecution(ctx, arns.Execution(engine.Standard, "m", "nope"))
	wantCode(t, err, engine.ExecutionDoesNotExist)
	_, _, err = s.GetHistory(ctx, arns.Execution(engine.Standard, "m", "nope"), engine.HistoryQuery{})
	wantCode(t, err, engine.ExecutionDoesNotExist)
}

func testCommitAndHistory(t *testing.T, s engine.Store) {
	ctx := context.Background()
	sm := machine("m")
	_ = s.CreateStateMachine(ctx, sm)
	x := execution(sm, "x", t0)
	if _, _, err := s.CreateExecution(ctx, x, []engine.HistoryEvent{event(1, "ExecutionStarted")}); err != nil {
		t.Fatal(err)
	}
	x1 := x.Clone()
	step := &engine.Step{Execution: x1, Events: []engine.HistoryEvent{event(2, "PassStateEntered"), event(3, "PassStateExited")}}
	if err := s.Commit(ctx, []*engine.Step{step}); err != nil {
		t.Fatal(err)
	}
	x2 := x.Clone()
	x2.Status, x2.Output, x2.HasOutput, x2.StopDate = engine.Succeeded, `{"b":2}`, true, t0.Add(time.Minute)
	if err := s.Commit(ctx, []*engine.Step{{Execution: x2, Events: []engine.HistoryEvent{event(4, "ExecutionSucceeded")}}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetExecution(ctx, x.ARN)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != engine.Succeeded || got.Output != `{"b":2}` || !got.HasOutput || !got.StopDate.Equal(t0.Add(time.Minute)) || got.LastEventID != 4 {
		t.Fatalf("execution = %+v", got)
	}
	evs, _, err := s.GetHistory(ctx, x.ARN, engine.HistoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range evs {
		if ev.ID != int64(i+1) || ev.PreviousEventID != int64(i) || string(ev.Details) != fmt.Sprintf(`{"n":%d}`, i+1) || !ev.Timestamp.Equal(t0.Add(time.Duration(i+1)*time.Millisecond)) {
			t.Fatalf("event %d = %+v", i, ev)
		}
	}
	if len(evs) != 4 || evs[3].Type != "ExecutionSucceeded" {
		t.Fatalf("history = %+v", evs)
	}
	// Reverse order with paging.
	var ids []int64
	tok := ""
	for {
		page, next, err := s.GetHistory(ctx, x.ARN, engine.HistoryQuery{Reverse: true, Page: engine.Page{Limit: 3, NextToken: tok}})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range page {
			ids = append(ids, ev.ID)
		}
		if next == "" {
			break
		}
		tok = next
	}
	if fmt.Sprint(ids) != "[4 3 2 1]" {
		t.Fatalf("reverse ids = %v", ids)
	}
	after, _, err := s.GetHistory(ctx, x.ARN, engine.HistoryQuery{AfterID: 2})
	if err != nil || len(after) != 2 || after[0].ID != 3 {
		t.Fatalf("after 2 = %+v, %v", after, err)
	}
}

func testCommitRejectsGap(t *testing.T, s engine.Store) {
	ctx := context.Background()
	sm := machine("m")
	_ = s.CreateStateMachine(ctx, sm)
	a := execution(sm, "a", t0)
	b := execution(sm, "b", t0)
	for _, x := range []*engine.Execution{a, b} {
		if _, _, err := s.CreateExecution(ctx, x, []engine.HistoryEvent{event(1, "ExecutionStarted")}); err != nil {
			t.Fatal(err)
		}
	}
	good := &engine.Step{Execution: a.Clone(), Events: []engine.HistoryEvent{event(2, "PassStateEntered")}}
	bad := &engine.Step{Execution: b.Clone(), Events: []engine.HistoryEvent{event(3, "PassStateEntered")}}
	if err := s.Commit(ctx, []*engine.Step{good, bad}); err == nil {
		t.Fatal("commit with an id gap succeeded")
	}
	evs, _, _ := s.GetHistory(ctx, a.ARN, engine.HistoryQuery{})
	if len(evs) != 1 {
		t.Fatalf("failed commit applied %d events to the good execution", len(evs)-1)
	}
	// Two steps of one execution in one commit continue each other.
	s1 := &engine.Step{Execution: a.Clone(), Events: []engine.HistoryEvent{event(2, "PassStateEntered")}}
	s2 := &engine.Step{Execution: a.Clone(), Events: []engine.HistoryEvent{event(3, "PassStateExited")}}
	if err := s.Commit(ctx, []*engine.Step{s1, s2}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.GetExecution(ctx, a.ARN)
	if got.LastEventID != 3 {
		t.Fatalf("LastEventID = %d, want 3", got.LastEventID)
	}
}

func testCommitMany(t *testing.T, s engine.Store) {
	ctx := context.Background()
	sm := machine("m")
	_ = s.CreateStateMachine(ctx, sm)
	var steps []*engine.Step
	for i := 0; i < 50; i++ {
		x := execution(sm, fmt.Sprintf("x%02d", i), t0.Add(time.Duration(i)*time.Second))
		if _, _, err := s.CreateExecution(ctx, x, []engine.HistoryEvent{event(1, "ExecutionStarted")}); err != nil {
			t.Fatal(err)
		}
		done := x.Clone()
		done.Status = engine.Succeeded
		steps = append(steps, &engine.Step{Execution: done, Events: []engine.HistoryEvent{event(2, "PassStateEntered"), event(3, "ExecutionSucceeded")}})
	}
	if err := s.Commit(ctx, steps); err != nil {
		t.Fatal(err)
	}
	list, _, err := s.ListExecutions(ctx, engine.ExecutionFilter{Status: engine.Succeeded, Page: engine.Page{Limit: 1000}})
	if err != nil || len(list) != 50 {
		t.Fatalf("succeeded = %d, %v", len(list), err)
	}
}

func testListExecutions(t *testing.T, s engine.Store) {
	ctx := context.Background()
	m1, m2 := machine("m1"), machine("m2")
	_ = s.CreateStateMachine(ctx, m1)
	_ = s.CreateStateMachine(ctx, m2)
	for i := 0; i < 5; i++ {
		x := execution(m1, fmt.Sprintf("e%d", i), t0.Add(time.Duration(i)*time.Second))
		if _, _, err := s.CreateExecution(ctx, x, nil); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			y := x.Clone()
			y.Status = engine.Failed
			if err := s.Commit(ctx, []*engine.Step{{Execution: y}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	x := execution(m2, "other", t0)
	x.MapRunARN = "arn:aws:states:us-east-1:123456789012:mapRun:m1/l:1"
	_, _, _ = s.CreateExecution(ctx, x, nil)

	var names []string
	tok := ""
	for {
		page, next, err := s.ListExecutions(ctx, engine.ExecutionFilter{StateMachineARN: m1.ARN, Page: engine.Page{Limit: 2, NextToken: tok}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			names = append(names, e.Name)
		}
		if next == "" {
			break
		}
		tok = next
	}
	if fmt.Sprint(names) != "[e4 e3 e2 e1 e0]" {
		t.Fatalf("newest first = %v", names)
	}
	failed, _, _ := s.ListExecutions(ctx, engine.ExecutionFilter{StateMachineARN: m1.ARN, Status: engine.Failed})
	if len(failed) != 3 {
		t.Fatalf("failed = %d, want 3", len(failed))
	}
	byRun, _, _ := s.ListExecutions(ctx, engine.ExecutionFilter{MapRunARN: x.MapRunARN})
	if len(byRun) != 1 || byRun[0].Name != "other" {
		t.Fatalf("by map run = %+v", byRun)
	}
}

func testRecover(t *testing.T, s engine.Store) {
	ctx := context.Background()
	sm := machine("m")
	_ = s.CreateStateMachine(ctx, sm)
	run := execution(sm, "run", t0)
	done := execution(sm, "done", t0)
	for _, x := range []*engine.Execution{run, done} {
		if _, _, err := s.CreateExecution(ctx, x, []engine.HistoryEvent{event(1, "ExecutionStarted")}); err != nil {
			t.Fatal(err)
		}
	}
	due := t0.Add(time.Hour)
	st := &engine.Step{Execution: run.Clone(), Events: []engine.HistoryEvent{event(2, "WaitStateEntered")},
		PutFrames: []engine.Frame{{ID: "root", Data: []byte("r1")}, {ID: "b/0", Data: []byte("b")}},
		PutTimers: []engine.Timer{{ID: "t1", Due: due, Data: []byte("w")}, {ID: "t2", Due: due}},
		PutTasks:  []engine.Task{{ID: "k1", Token: "tok1", Data: []byte("task")}, {ID: "k2"}},
	}
	fin := done.Clone()
	fin.Status = engine.Succeeded
	st2 := &engine.Step{Execution: fin, Events: []engine.HistoryEvent{event(2, "ExecutionSucceeded")}, PutFrames: []engine.Frame{{ID: "root", Data: []byte("x")}}}
	if err := s.Commit(ctx, []*engine.Step{st, st2}); err != nil {
		t.Fatal(err)
	}
	upd := &engine.Step{Execution: run.Clone(), PutFrames: []engine.Frame{{ID: "root", Data: []byte("r2")}}, DeleteFrames: []string{"b/0"},
		DeleteTimers: []string{"t2"}, DeleteTasks: []string{"k2"}}
	if err := s.Commit(ctx, []*engine.Step{upd}); err != nil {
		t.Fatal(err)
	}
	rec, err := s.Recover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec) != 1 || rec[0].Execution.ARN != run.ARN {
		t.Fatalf("recovered %d executions: %+v", len(rec), rec)
	}
	r := rec[0]
	if r.Execution.LastEventID != 2 {
		t.Fatalf("LastEventID = %d", r.Execution.LastEventID)
	}
	if len(r.Frames) != 1 || r.Frames[0].ID != "root" || string(r.Frames[0].Data) != "r2" {
		t.Fatalf("frames = %+v", r.Frames)
	}
	if len(r.Timers) != 1 || r.Timers[0].ID != "t1" || !r.Timers[0].Due.Equal(due) || string(r.Timers[0].Data) != "w" {
		t.Fatalf("timers = %+v", r.Timers)
	}
	if len(r.Tasks) != 1 || r.Tasks[0].ID != "k1" || r.Tasks[0].Token != "tok1" || string(r.Tasks[0].Data) != "task" {
		t.Fatalf("tasks = %+v", r.Tasks)
	}
}

func testMapRuns(t *testing.T, s engine.Store) {
	ctx := context.Background()
	sm := machine("m")
	_ = s.CreateStateMachine(ctx, sm)
	x := execution(sm, "x", t0)
	_, _, _ = s.CreateExecution(ctx, x, nil)
	mr := &engine.MapRun{ARN: arns.MapRun("m", "L", "1"), ExecutionARN: x.ARN, StateMachineARN: sm.ARN + "/L", Label: "L", Status: engine.Running, StartDate: t0, MaxConcurrency: 5, Total: 10, Pending: 10}
	if err := s.Commit(ctx, []*engine.Step{{Execution: x.Clone(), MapRuns: []*engine.MapRun{mr}}}); err != nil {
		t.Fatal(err)
	}
	mr2 := *mr
	mr2.Status, mr2.Succeeded, mr2.Pending = engine.Succeeded, 10, 0
	if err := s.Commit(ctx, []*engine.Step{{Execution: x.Clone(), MapRuns: []*engine.MapRun{&mr2}}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetMapRun(ctx, mr.ARN)
	if err != nil || got.Status != engine.Succeeded || got.Succeeded != 10 || got.MaxConcurrency != 5 {
		t.Fatalf("map run = %+v, %v", got, err)
	}
	list, _, err := s.ListMapRuns(ctx, x.ARN, engine.Page{})
	if err != nil || len(list) != 1 {
		t.Fatalf("list = %+v, %v", list, err)
	}
	_, err = s.GetMapRun(ctx, "arn:aws:states:us-east-1:123456789012:mapRun:m/L:none")
	wantCode(t, err, engine.MapRunDoesNotExist)
}
