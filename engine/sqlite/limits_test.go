package sqlite_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"stepwise/engine"
	"stepwise/engine/sqlite"
)

var (
	testARNs = engine.ARNs{Region: "us-east-1", Account: "123456789012"}
	t0       = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
)

func testMachine(t *testing.T, db engine.Store, name string) *engine.StateMachine {
	t.Helper()
	sm := &engine.StateMachine{ARN: testARNs.StateMachine(name), Name: name, Type: engine.Standard, Status: "ACTIVE",
		Definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, CreationDate: t0, UpdateDate: t0}
	if err := db.CreateStateMachine(context.Background(), sm); err != nil {
		t.Fatal(err)
	}
	return sm
}

func testExecution(t *testing.T, db engine.Store, sm *engine.StateMachine, name string, start time.Time) *engine.Execution {
	t.Helper()
	x := &engine.Execution{ARN: testARNs.Execution(engine.Standard, sm.Name, name), Name: name, StateMachineARN: sm.ARN,
		StateMachineName: sm.Name, Type: engine.Standard, Status: engine.Running, Input: `{}`, StartDate: start,
		Definition: sm.Definition}
	got, created, err := db.CreateExecution(context.Background(), x, []engine.HistoryEvent{ev(1)})
	if err != nil || !created {
		t.Fatalf("create %s: %v, %v", name, created, err)
	}
	return got
}

func ev(id int64) engine.HistoryEvent {
	return engine.HistoryEvent{ID: id, PreviousEventID: id - 1, Timestamp: t0.Add(time.Duration(id) * time.Microsecond),
		Type: "PassStateEntered", Details: json.RawMessage(fmt.Sprintf(`{"name":"S%d"}`, id))}
}

func evs(from, to int64) []engine.HistoryEvent {
	var out []engine.HistoryEvent
	for id := from; id <= to; id++ {
		out = append(out, ev(id))
	}
	return out
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := engine.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

func TestOpenOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, sync string
		wantErr          string
	}{
		{"default", "a.db", "", ""},
		{"full", "a.db", "FULL", ""},
		{"normal", "a.db", "NORMAL", ""},
		{"lower case", "a.db", "normal", ""},
		{"off is refused", "a.db", "OFF", `Synchronous is "OFF"`},
		{"extra is refused", "a.db", "EXTRA", `Synchronous is "EXTRA"`},
		{"empty path", "", "", "the database path is empty"},
		{"query characters in the name", "a?b#c.db", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := tc.path
			if path != "" {
				path = filepath.Join(t.TempDir(), path)
			}
			db, err := sqlite.Open(context.Background(), path, sqlite.Options{Synchronous: tc.sync})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if db.Path() != path {
				t.Errorf("Path() = %q", db.Path())
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestReopen checks that everything is in the file: a second Open sees the
// machine, the execution, its history and its interpreter state.
func TestReopen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sm := testMachine(t, db, "m")
	x := testExecution(t, db, sm, "x", t0)
	x.LastEventID = 3
	if err := db.Commit(ctx, []*engine.Step{{Execution: x, Events: evs(2, 3), PutFrames: []engine.Frame{{ID: "root", Data: []byte("f")}},
		PutTimers: []engine.Timer{{ID: "t", Due: t0.Add(time.Hour)}}}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, _, err := db.CreateExecution(ctx, x, nil); err == nil {
		t.Fatal("write after Close succeeded")
	}
	db, err = sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	rec, err := db.Recover(ctx)
	if err != nil || len(rec) != 1 || rec[0].Execution.LastEventID != 3 || len(rec[0].Frames) != 1 || len(rec[0].Timers) != 1 ||
		!rec[0].Timers[0].Due.Equal(t0.Add(time.Hour)) {
		t.Fatalf("recovered %+v, %v", rec, err)
	}
	h, _, err := db.GetHistory(ctx, x.ARN, engine.HistoryQuery{})
	if err != nil || len(h) != 3 {
		t.Fatalf("history %+v, %v", h, err)
	}
}

// TestHistoryChunks commits runs of events around the chunk limits (256
// events, 1 MiB) and reads them back exactly, whole, by pages forward and
// backward, and after every id.
func TestHistoryChunks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t, sqlite.Options{})
	sm := testMachine(t, db, "m")
	big := json.RawMessage(`"` + strings.Repeat("x", 300<<10) + `"`)
	tests := []struct {
		name  string
		steps []int64 // events per commit after ExecutionStarted
		big   bool    // every event carries 300 KiB of details
	}{
		{"none", []int64{0}, false},
		{"one", []int64{1}, false},
		{"255", []int64{255}, false},
		{"256", []int64{256}, false},
		{"257", []int64{257}, false},
		{"513 in steps", []int64{1, 2, 200, 310}, false},
		{"past a MiB", []int64{4, 3}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := testExecution(t, db, sm, "x"+strings.ReplaceAll(tc.name, " ", "_"), t0)
			want := []engine.HistoryEvent{ev(1)}
			for _, n := range tc.steps {
				first := x.LastEventID + 1
				x.LastEventID += n
				step := evs(first, x.LastEventID)
				for i := range step {
					step[i].Details = nil // nil details stay nil
					if step[i].ID%3 == 0 {
						step[i].Details = json.RawMessage(fmt.Sprintf(`{"id":%d}`, step[i].ID))
					}
					if tc.big {
						step[i].Details = big
					}
				}
				if err := db.Commit(ctx, []*engine.Step{{Execution: x.Clone(), Events: step}}); err != nil {
					t.Fatal(err)
				}
				want = append(want, step...)
			}
			same := func(what string, got, want []engine.HistoryEvent) {
				t.Helper()
				if len(got) != len(want) {
					t.Fatalf("%s: %d events, want %d", what, len(got), len(want))
				}
				for i := range got {
					g, w := got[i], want[i]
					if g.ID != w.ID || g.PreviousEventID != w.PreviousEventID || !g.Timestamp.Equal(w.Timestamp) || g.Type != w.Type ||
						string(g.Details) != string(w.Details) || (g.Details == nil) != (w.Details == nil) {
						t.Fatalf("%s: event %d = %+v, want %+v", what, i, g, w)
					}
				}
			}
			all, next, err := db.GetHistory(ctx, x.ARN, engine.HistoryQuery{Page: engine.Page{Limit: 10000}})
			if err != nil || next != "" {
				t.Fatal(err, next)
			}
			same("all", all, want)
			for _, limit := range []int{1, 7, 100} {
				var fwd, back []engine.HistoryEvent
				for _, reverse := range []bool{false, true} {
					tok := ""
					for {
						page, next, err := db.GetHistory(ctx, x.ARN, engine.HistoryQuery{Reverse: reverse, Page: engine.Page{Limit: limit, NextToken: tok}})
						if err != nil {
							t.Fatal(err)
						}
						if reverse {
							back = append(back, page...)
						} else {
							fwd = append(fwd, page...)
						}
						if next == "" {
							break
						}
						tok = next
					}
				}
				same(fmt.Sprintf("forward pages of %d", limit), fwd, want)
				for i, j := 0, len(back)-1; i < j; i, j = i+1, j-1 {
					back[i], back[j] = back[j], back[i]
				}
				same(fmt.Sprintf("backward pages of %d", limit), back, want)
			}
			if tc.big {
				return
			}
			for after := range int64(len(want)) + 1 {
				got, _, err := db.GetHistory(ctx, x.ARN, engine.HistoryQuery{AfterID: after, Page: engine.Page{Limit: 3}})
				if err != nil {
					t.Fatal(err)
				}
				same(fmt.Sprintf("after %d", after), got, want[after:min(after+3, int64(len(want)))])
			}
		})
	}
}

// TestPageLimits lists exactly the default page size (100) and one more.
func TestPageLimits(t *testing.T) {
	t.Parallel()
	for _, n := range []int{100, 101} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := openDB(t, sqlite.Options{})
			var sm *engine.StateMachine
			for i := range n {
				sm = testMachine(t, db, fmt.Sprintf("m%03d", i))
			}
			x := testExecution(t, db, sm, "x", t0)
			for i := 1; i < n; i++ {
				testExecution(t, db, sm, fmt.Sprintf("y%03d", i), t0.Add(time.Duration(i)*time.Second))
			}
			x.LastEventID = int64(n)
			var runs []*engine.MapRun
			for i := range n {
				runs = append(runs, &engine.MapRun{ARN: testARNs.MapRun("m", "L", fmt.Sprint(i)), ExecutionARN: x.ARN, Status: engine.Running})
			}
			if err := db.Commit(ctx, []*engine.Step{{Execution: x, Events: evs(2, int64(n)), MapRuns: runs}}); err != nil {
				t.Fatal(err)
			}
			check := func(what string, got int, next string) {
				t.Helper()
				if got != 100 || (next != "") != (n > 100) {
					t.Errorf("%s: %d items, next %q; want 100 items and a token only past 100", what, got, next)
				}
			}
			sms, next, err := db.ListStateMachines(ctx, engine.Page{})
			if err != nil {
				t.Fatal(err)
			}
			check("state machines", len(sms), next)
			xs, next, err := db.ListExecutions(ctx, engine.ExecutionFilter{})
			if err != nil {
				t.Fatal(err)
			}
			check("executions", len(xs), next)
			h, next, err := db.GetHistory(ctx, x.ARN, engine.HistoryQuery{})
			if err != nil {
				t.Fatal(err)
			}
			check("history", len(h), next)
			h, next, err = db.GetHistory(ctx, x.ARN, engine.HistoryQuery{Reverse: true})
			if err != nil {
				t.Fatal(err)
			}
			check("reverse history", len(h), next)
			if h[0].ID != int64(n) {
				t.Errorf("reverse history starts at %d, want %d", h[0].ID, n)
			}
			mrs, next, err := db.ListMapRuns(ctx, x.ARN, engine.Page{})
			if err != nil {
				t.Fatal(err)
			}
			check("map runs", len(mrs), next)
			if n > 100 {
				// The second page holds the one left.
				rest, next2, err := db.ListMapRuns(ctx, x.ARN, engine.Page{NextToken: next})
				if err != nil || len(rest) != 1 || next2 != "" || rest[0].ARN != runs[100].ARN {
					t.Errorf("second page of map runs = %+v, %q, %v", rest, next2, err)
				}
			}
		})
	}
}

func TestInvalidTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t, sqlite.Options{})
	sm := testMachine(t, db, "m")
	x := testExecution(t, db, sm, "x", t0)
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tokens := []string{"garbage!", b64("not json"), b64(`{}`), b64(`[]`), b64(`["a"]`), b64(`[1,2,3]`), b64(`["a","b","c"]`)}
	for _, tok := range tokens {
		_, _, err := db.ListStateMachines(ctx, engine.Page{NextToken: tok})
		wantCode(t, err, engine.InvalidToken)
		_, _, err = db.ListExecutions(ctx, engine.ExecutionFilter{Page: engine.Page{NextToken: tok}})
		wantCode(t, err, engine.InvalidToken)
		_, _, err = db.GetHistory(ctx, x.ARN, engine.HistoryQuery{Page: engine.Page{NextToken: tok}})
		wantCode(t, err, engine.InvalidToken)
		_, _, err = db.GetHistory(ctx, x.ARN, engine.HistoryQuery{Reverse: true, Page: engine.Page{NextToken: tok}})
		wantCode(t, err, engine.InvalidToken)
		_, _, err = db.ListMapRuns(ctx, x.ARN, engine.Page{NextToken: tok})
		wantCode(t, err, engine.InvalidToken)
	}
}

// TestGroupCommit sends more concurrent writes than one writer transaction
// takes (256), one of them bad: the bad one fails alone.
func TestGroupCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t, sqlite.Options{})
	sm := testMachine(t, db, "m")
	const n = 300
	xs := make([]*engine.Execution, n)
	var wg sync.WaitGroup
	for i := range xs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := &engine.Execution{ARN: testARNs.Execution(engine.Standard, "m", fmt.Sprintf("x%d", i)), Name: fmt.Sprintf("x%d", i),
				StateMachineARN: sm.ARN, Type: engine.Standard, Status: engine.Running, Input: "{}", StartDate: t0}
			got, created, err := db.CreateExecution(ctx, x, []engine.HistoryEvent{ev(1)})
			if err != nil || !created {
				t.Errorf("create %d: %v %v", i, created, err)
				return
			}
			xs[i] = got
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	errs := make([]error, n)
	for i, x := range xs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			events := evs(2, 3)
			if i == 123 {
				events = evs(3, 4) // a gap
			}
			y := x.Clone()
			y.Status = engine.Succeeded
			errs[i] = db.Commit(ctx, []*engine.Step{{Execution: y, Events: events}})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if (err != nil) != (i == 123) {
			t.Errorf("commit %d: %v", i, err)
		}
	}
	done, _, err := db.ListExecutions(ctx, engine.ExecutionFilter{Status: engine.Succeeded, Page: engine.Page{Limit: 1000}})
	if err != nil || len(done) != n-1 {
		t.Fatalf("%d succeeded, want %d (%v)", len(done), n-1, err)
	}
	bad, _ := db.GetExecution(ctx, xs[123].ARN)
	if bad.Status != engine.Running || bad.LastEventID != 1 {
		t.Fatalf("the failed commit left %+v", bad)
	}
}

func TestCommitErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t, sqlite.Options{})
	sm := testMachine(t, db, "m")
	a := testExecution(t, db, sm, "a", t0)
	b := testExecution(t, db, sm, "b", t0)
	ghost := a.Clone()
	ghost.ARN = testARNs.Execution(engine.Standard, "m", "ghost")
	canceled, cancel := context.WithCancel(ctx)
	cancel()

	tests := []struct {
		name  string
		ctx   context.Context
		steps []*engine.Step
		code  string
	}{
		{"unknown execution", ctx, []*engine.Step{{Execution: a.Clone(), Events: evs(2, 2)}, {Execution: ghost}}, engine.ExecutionDoesNotExist},
		{"step without execution", ctx, []*engine.Step{{Events: evs(2, 2)}}, engine.Internal},
		{"nil step", ctx, []*engine.Step{nil}, engine.Internal},
		{"id repeats the last", ctx, []*engine.Step{{Execution: a.Clone(), Events: evs(1, 2)}}, engine.Internal},
		{"ids out of order", ctx, []*engine.Step{{Execution: a.Clone(), Events: []engine.HistoryEvent{ev(3), ev(2)}}}, engine.Internal},
		{"token held by another task", ctx, []*engine.Step{
			{Execution: a.Clone(), Events: evs(2, 2), PutTasks: []engine.Task{{ID: "k1", Token: "tok"}}},
			{Execution: b.Clone(), PutTasks: []engine.Task{{ID: "k2", Token: "tok"}}}}, engine.Internal},
		{"canceled context", canceled, []*engine.Step{{Execution: a.Clone(), Events: evs(2, 2)}}, engine.Internal},
	}
	for _, tc := range tests {
		err := db.Commit(tc.ctx, tc.steps)
		if err == nil {
			t.Errorf("%s: commit succeeded", tc.name)
			continue
		}
		if tc.name == "canceled context" && !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
		if got := engine.ErrorCode(err); got != tc.code {
			t.Errorf("%s: code %q (%v), want %q", tc.name, got, err, tc.code)
		}
	}
	// Nothing of the failed commits was applied.
	for _, x := range []*engine.Execution{a, b} {
		h, _, _ := db.GetHistory(ctx, x.ARN, engine.HistoryQuery{})
		if len(h) != 1 {
			t.Errorf("%s has %d events after failed commits", x.Name, len(h))
		}
	}
	rec, _ := db.Recover(ctx)
	for _, r := range rec {
		if len(r.Tasks) != 0 {
			t.Errorf("%s kept tasks %+v from a failed commit", r.Execution.Name, r.Tasks)
		}
	}
	// The same token may be reused by the same task, and once freed.
	if err := db.Commit(ctx, []*engine.Step{{Execution: a.Clone(), PutTasks: []engine.Task{{ID: "k1", Token: "tok"}}}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(ctx, []*engine.Step{{Execution: a.Clone(), PutTasks: []engine.Task{{ID: "k1", Token: "tok", Data: []byte("v2")}}}}); err != nil {
		t.Fatalf("re-putting a task with its own token: %v", err)
	}
	if err := db.Commit(ctx, []*engine.Step{{Execution: a.Clone(), DeleteTasks: []string{"k1"}},
		{Execution: b.Clone(), PutTasks: []engine.Task{{ID: "k2", Token: "tok"}}}}); err != nil {
		t.Fatalf("reusing a freed token: %v", err)
	}
	// Many tasks without a token do not collide.
	if err := db.Commit(ctx, []*engine.Step{{Execution: a.Clone(), PutTasks: []engine.Task{{ID: "n1"}, {ID: "n2"}}}}); err != nil {
		t.Fatal(err)
	}
}

// TestFinishedExecutionDropsState: the step that ends an execution removes
// its frames, timers and tasks, whatever else it puts.
func TestFinishedExecutionDropsState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDB(t, sqlite.Options{})
	sm := testMachine(t, db, "m")
	x := testExecution(t, db, sm, "x", t0)
	if err := db.Commit(ctx, []*engine.Step{{Execution: x.Clone(), PutFrames: []engine.Frame{{ID: "a"}},
		PutTimers: []engine.Timer{{ID: "t", Due: t0}}, PutTasks: []engine.Task{{ID: "k", Token: "tok"}}}}); err != nil {
		t.Fatal(err)
	}
	end := x.Clone()
	end.Status, end.Error, end.HasError, end.StopDate = engine.Failed, "E", true, t0.Add(time.Second)
	end.LastEventID = 2
	if err := db.Commit(ctx, []*engine.Step{{Execution: end, Events: evs(2, 2), PutFrames: []engine.Frame{{ID: "b"}},
		PutTasks: []engine.Task{{ID: "k2", Token: "tok2"}}}}); err != nil {
		t.Fatal(err)
	}
	rec, err := db.Recover(ctx)
	if err != nil || len(rec) != 0 {
		t.Fatalf("recovered %+v, %v", rec, err)
	}
	got, _ := db.GetExecution(ctx, x.ARN)
	if got.Status != engine.Failed || got.Error != "E" || !got.HasError || got.HasCause || got.HasOutput ||
		!got.StopDate.Equal(t0.Add(time.Second)) {
		t.Fatalf("execution %+v", got)
	}
	// The token of the finished execution's task is free again.
	y := testExecution(t, db, sm, "y", t0)
	if err := db.Commit(ctx, []*engine.Step{{Execution: y, PutTasks: []engine.Task{{ID: "k", Token: "tok"}}}}); err != nil {
		t.Fatal(err)
	}
}
