package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"stepwise/engine"
	"stepwise/engine/jsonv"
	"stepwise/engine/sqlite"
)

// The crash test's subprocess mode: when crashChildEnv names a database,
// TestCrashRecovery runs the engine on it instead of testing.
const (
	crashChildEnv = "STEPWISE_CRASH_CHILD_DB"
	crashMockEnv  = "STEPWISE_CRASH_CHILD_MOCK"
	crashExecs    = 200
	crashKills    = 5
)

// crashDefinition exercises what must survive a crash: a Parallel whose
// branches wait 0–25 seconds (a durable timer that outlives restarts: a
// quarter of the executions are still waiting at the fifth kill) and run a mocked Task retried
// with one-second intervals, a Catch, an inline Map with a Wait in each
// iteration, a Choice and a Fail.
const crashDefinition = `{
  "StartAt": "Init",
  "States": {
    "Init": {"Type": "Pass", "Parameters": {"id.$": "$.id", "items.$": "$.items", "fail.$": "$.fail", "wait.$": "$.wait"}, "Next": "Par"},
    "Par": {
      "Type": "Parallel",
      "Branches": [
        {"StartAt": "W", "States": {
          "W": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "B1"},
          "B1": {"Type": "Pass", "Parameters": {"waited.$": "$.id"}, "End": true}}},
        {"StartAt": "T", "States": {
          "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
                "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 1.0}],
                "End": true}}}
      ],
      "ResultPath": "$.par",
      "Catch": [{"ErrorEquals": ["Hard"], "ResultPath": "$.caught", "Next": "Map"}],
      "Next": "Map"
    },
    "Map": {
      "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2,
      "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Sq", "States": {
        "Sq": {"Type": "Pass", "Parameters": {"v.$": "States.MathAdd($.v, 1)"}, "Next": "MW"},
        "MW": {"Type": "Wait", "Seconds": 0, "End": true}}},
      "ResultPath": "$.mapped",
      "Next": "Check"
    },
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.fail", "BooleanEquals": true, "Next": "Fail"}], "Default": "Done"},
    "Fail": {"Type": "Fail", "Error": "Crash.Chosen", "Cause": "the input asked to fail"},
    "Done": {"Type": "Succeed"}
  }
}`

const crashMocks = `{
  "StateMachines": {"crash": {"TestCases": {
    "Flaky": {"T": "FlakyThenOK"},
    "Broken": {"T": "Hard"},
    "Fatal": {"T": "Fatal"}
  }}},
  "MockedResponses": {
    "FlakyThenOK": {
      "0-1": {"Throw": {"Error": "Flaky", "Cause": "try again"}},
      "2": {"Return": {"ok": true, "attempts": 3}}
    },
    "Hard": {"0": {"Throw": {"Error": "Hard", "Cause": "caught by the Parallel"}}},
    "Fatal": {"0": {"Throw": {"Error": "Fatal", "Cause": "nothing catches this"}}}
  }
}`

type crashExec struct {
	name, input, testCase string
}

func crashExecutions() []crashExec {
	cases := []string{"Flaky", "Broken", "Fatal"}
	out := make([]crashExec, crashExecs)
	for i := range out {
		items := make([]string, i%5)
		for j := range items {
			items[j] = fmt.Sprintf(`{"v": %d}`, i*10+j)
		}
		out[i] = crashExec{
			name: fmt.Sprintf("x%03d", i),
			input: fmt.Sprintf(`{"id": %d, "items": [%s], "fail": %t, "wait": %d}`, i, strings.Join(items, ","),
				i%7 == 3, []int{0, 2, 5, 25}[i%4]),
			testCase: cases[i%3],
		}
	}
	return out
}

// startCrashEngine creates the machine and starts every execution not yet
// started; executions already in the store are left to recovery.
func startCrashEngine(ctx context.Context, store engine.Store, clock engine.Clock, mocks []byte) (*engine.Engine, []string, error) {
	cfg, err := engine.ParseMockConfig(mocks)
	if err != nil {
		return nil, nil, err
	}
	e := engine.New(engine.Options{Store: store, Clock: clock,
		Integrations: []engine.Integration{&engine.MockIntegration{Config: cfg}}})
	if err := e.Start(ctx); err != nil {
		return nil, nil, err
	}
	sm, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "crash", Definition: crashDefinition,
		RoleARN: "arn:aws:iam::123456789012:role/r"})
	if err != nil {
		e.Stop()
		return nil, nil, fmt.Errorf("create machine: %w", err)
	}
	var arns []string
	for _, c := range crashExecutions() {
		arn := e.ARNs().Execution(engine.Standard, "crash", c.name)
		_, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN, Name: c.name,
			Input: c.input, TestCase: c.testCase})
		// A finished execution of the same name is one started before a
		// crash: that is fine.
		if err != nil && engine.ErrorCode(err) != engine.ExecutionAlreadyExists {
			e.Stop()
			return nil, nil, fmt.Errorf("start %s: %w", c.name, err)
		}
		arns = append(arns, arn)
	}
	return e, arns, nil
}

// runCrashChild is the subprocess: open the database, recover, start what
// is not started, print READY, and print DONE once nothing runs.
func runCrashChild(t *testing.T, path string) {
	ctx := context.Background()
	mocks, err := os.ReadFile(os.Getenv(crashMockEnv))
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e, arns, err := startCrashEngine(ctx, db, engine.RealClock{}, mocks)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("READY")
	for _, arn := range arns {
		if _, err := e.Wait(ctx, arn); err != nil {
			t.Fatal(err)
		}
	}
	e.Stop()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	fmt.Println("DONE")
}

// TestCrashRecovery kills an engine running 200 executions with SIGKILL at
// random moments 5 times, restarts it each time, and checks that every
// execution ends as it does in an uninterrupted run, that history ids run
// from 1 without gaps or duplicates, and that the database is intact.
func TestCrashRecovery(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		runCrashChild(t, path)
		return
	}
	if testing.Short() {
		t.Skip("the crash test runs subprocesses for ~20 s; skipped with -short")
	}
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "crash.db")
	mockPath := filepath.Join(dir, "mocks.json")
	if err := os.WriteFile(mockPath, []byte(crashMocks), 0o644); err != nil {
		t.Fatal(err)
	}

	want := crashReference(t)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for kill := 1; kill <= crashKills; kill++ {
		cmd, lines := startCrashChild(t, dbPath, mockPath)
		// Odd kills land at any moment (also during open and recovery),
		// even ones while the executions are in flight.
		delay := time.Duration(50+rng.IntN(1200)) * time.Millisecond
		if kill%2 == 0 {
			select {
			case <-lines.ready:
			case <-time.After(30 * time.Second):
				t.Fatalf("kill %d: the child did not get ready: %s", kill, lines.output())
			}
		}
		time.Sleep(delay)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("kill %d: %v", kill, err)
		}
		_ = cmd.Wait()
		running, finished := crashCounts(t, dbPath)
		if running == 0 && finished == crashExecs {
			t.Fatalf("kill %d: every execution finished before the kill; the test proves nothing", kill)
		}
		t.Logf("kill %d after %v: %d running, %d finished", kill, delay, running, finished)
	}
	// The last run goes to the end.
	cmd, lines := startCrashChild(t, dbPath, mockPath)
	select {
	case <-lines.doneCh:
		if err := cmd.Wait(); err != nil {
			t.Fatalf("final run: %v\n%s", err, lines.output())
		}
	case <-time.After(90 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("final run did not finish: %s", lines.output())
	}

	db, err := sqlite.Open(ctx, dbPath, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range crashExecutions() {
		arn := engine.ARNs{Region: "us-east-1", Account: "123456789012"}.Execution(engine.Standard, "crash", c.name)
		got, err := db.GetExecution(ctx, arn)
		if err != nil {
			t.Fatal(err)
		}
		w := want[c.name]
		if msg := sameResult(got, w); msg != "" {
			t.Errorf("%s: %s\n got %s %s %s %s\nwant %s %s %s %s", c.name, msg, got.Status, got.Output, got.Error, got.Cause,
				w.Status, w.Output, w.Error, w.Cause)
		}
		checkHistory(t, db, got)
	}
}

// crashReference runs the same executions in memory without interruption.
func crashReference(t *testing.T) map[string]*engine.Execution {
	t.Helper()
	ctx := context.Background()
	e, arns, err := startCrashEngine(ctx, engine.NewMemStore(), engine.NewFakeClock(time.Now(), true), []byte(crashMocks))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out := map[string]*engine.Execution{}
	for _, arn := range arns {
		x, err := e.Wait(wctx, arn)
		if err != nil {
			t.Fatalf("reference run: %s: %v", arn, err)
		}
		out[x.Name] = x
	}
	// The reference must cover every ending the crash run is judged on.
	seen := map[engine.Status]int{}
	for _, x := range out {
		seen[x.Status]++
	}
	if seen[engine.Succeeded] == 0 || seen[engine.Failed] == 0 {
		t.Fatalf("reference statuses %v: want both SUCCEEDED and FAILED", seen)
	}
	return out
}

func sameResult(got, want *engine.Execution) string {
	switch {
	case got.Status != want.Status:
		return "status differs"
	case got.HasOutput != want.HasOutput, got.HasError != want.HasError, got.HasCause != want.HasCause:
		return "presence of output, error or cause differs"
	case got.Error != want.Error:
		return "error differs"
	case got.Cause != want.Cause:
		return "cause differs"
	}
	if got.HasOutput {
		a, err1 := jsonv.DecodeString(got.Output)
		b, err2 := jsonv.DecodeString(want.Output)
		if err1 != nil || err2 != nil || !jsonv.Equal(a, b) {
			return "output differs"
		}
	}
	return ""
}

// checkHistory checks that x's history ids run 1..LastEventID, that it
// starts with ExecutionStarted and has exactly one final event, its last.
func checkHistory(t *testing.T, db *sqlite.DB, x *engine.Execution) {
	t.Helper()
	ctx := context.Background()
	var evs []engine.HistoryEvent
	tok := ""
	for {
		page, next, err := db.GetHistory(ctx, x.ARN, engine.HistoryQuery{Page: engine.Page{Limit: 1000, NextToken: tok}})
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, page...)
		if next == "" {
			break
		}
		tok = next
	}
	final := 0
	for i, ev := range evs {
		if ev.ID != int64(i+1) {
			t.Errorf("%s: event %d has id %d", x.Name, i+1, ev.ID)
			return
		}
		switch ev.Type {
		case "ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut":
			final++
		}
	}
	if len(evs) == 0 || evs[0].Type != "ExecutionStarted" || int64(len(evs)) != x.LastEventID {
		t.Errorf("%s: %d events, LastEventID %d", x.Name, len(evs), x.LastEventID)
		return
	}
	if final != 1 || !strings.HasPrefix(evs[len(evs)-1].Type, "Execution") {
		t.Errorf("%s: %d final events, last event %s", x.Name, final, evs[len(evs)-1].Type)
	}
}

// crashCounts opens the database left by a killed child and counts its
// executions by state.
func crashCounts(t *testing.T, path string) (running, finished int) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	all, _, err := db.ListExecutions(ctx, engine.ExecutionFilter{Page: engine.Page{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range all {
		if x.Status == engine.Running {
			running++
		} else {
			finished++
		}
	}
	return running, finished
}

// childLines collects a child's output and notes READY and DONE.
type childLines struct {
	stderr *lockedWriter
	ready  chan struct{}
	doneCh chan struct{}
	buf    chan string
	all    *strings.Builder
}

func (l *childLines) output() string {
	for {
		select {
		case s := <-l.buf:
			l.all.WriteString(s + "\n")
		default:
			return l.all.String() + l.stderr.String()
		}
	}
}

func startCrashChild(t *testing.T, dbPath, mockPath string) (*exec.Cmd, *childLines) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashRecovery$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dbPath, crashMockEnv+"="+mockPath)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &strings.Builder{}
	cmd.Stderr = &lockedWriter{w: stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	l := &childLines{stderr: cmd.Stderr.(*lockedWriter), ready: make(chan struct{}), doneCh: make(chan struct{}), buf: make(chan string, 1000), all: &strings.Builder{}}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			switch line {
			case "READY":
				close(l.ready)
			case "DONE":
				close(l.doneCh)
			}
			select {
			case l.buf <- line:
			default:
			}
		}
	}()
	return cmd, l
}

// lockedWriter is an io.Writer safe to read while a command writes to it.
type lockedWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}
