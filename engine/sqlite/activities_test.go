package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"stepwise/engine"
	"stepwise/engine/sqlite"
	"stepwise/engine/storetest"
)

func TestActivityStore(t *testing.T) {
	t.Parallel()
	storetest.RunActivities(t, func(t *testing.T) engine.ActivityStore { return openDB(t, sqlite.Options{}) })
}

// TestActivityTaskSurvivesRestart: an activity and its pending task outlive
// the engine and the database handle; after a restart a worker receives the
// task with its token and completes the execution.
func TestActivityTaskSurvivesRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "stepwise.db")
	boot := func() (*sqlite.DB, *engine.Engine) {
		t.Helper()
		db, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		e := engine.New(engine.Options{Store: db})
		if err := e.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return db, e
	}
	db, e := boot()
	act, err := e.CreateActivity(ctx, "jobs")
	if err != nil {
		t.Fatal(err)
	}
	if again, err := e.CreateActivity(ctx, "jobs"); err != nil || again.ARN != act.ARN || !again.CreationDate.Equal(act.CreationDate) {
		t.Fatalf("CreateActivity again = %+v, %v", again, err)
	}
	sm, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "m",
		Definition: `{"StartAt":"W","States":{"W":{"Type":"Task","Resource":"` + act.ARN + `","End":true}}}`})
	if err != nil {
		t.Fatal(err)
	}
	x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN, Input: `{"job":7}`})
	if err != nil {
		t.Fatal(err)
	}
	// Wait until the task is queued, without taking it.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		n, _, err := e.ActivityStatus(ctx, act.ARN)
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the task was never queued")
		}
	}
	e.Stop()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, e = boot()
	defer func() {
		e.Stop()
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	}()
	list, _, err := e.ListActivities(ctx, engine.Page{})
	if err != nil || len(list) != 1 || list[0].Name != "jobs" {
		t.Fatalf("ListActivities after restart = %v, %v", list, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	tok, input, err := e.GetActivityTask(pctx, act.ARN, "w1")
	if err != nil || tok == "" || input != `{"job":7}` {
		t.Fatalf("GetActivityTask after restart = %q %q %v", tok, input, err)
	}
	if err := e.SendTaskSuccess(ctx, tok, `{"ok":1}`); err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	end, err := e.Wait(wctx, x.ARN)
	if err != nil || end.Status != engine.Succeeded || end.Output != `{"ok":1}` {
		t.Fatalf("execution = %+v, %v", end, err)
	}
	if err := e.DeleteActivity(ctx, act.ARN); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DescribeActivity(ctx, act.ARN); engine.ErrorCode(err) != engine.ActivityDoesNotExist {
		t.Fatalf("DescribeActivity after delete: %v", err)
	}
}
