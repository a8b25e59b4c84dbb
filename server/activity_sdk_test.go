package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

func activityMachine(t *testing.T, c *sfn.Client, name, activityARN, extra string) string {
	t.Helper()
	def := fmt.Sprintf(`{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":%q,%s"End":true}}}`, activityARN, extra)
	sm := must[*sfn.CreateStateMachineOutput](t, "CreateStateMachine")(c.CreateStateMachine(sdkContext(), &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(roleArn)}))
	return *sm.StateMachineArn
}

// TestSDKActivityLifecycle covers Create (idempotent), Describe, List and
// Delete with the real engine.
func TestSDKActivityLifecycle(t *testing.T) {
	t.Parallel()
	url, _ := realServer(t)
	c := sdkClient(url)
	ctx := sdkContext()
	a := must[*sfn.CreateActivityOutput](t, "CreateActivity")(c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("b")}))
	want := "arn:aws:states:us-east-1:123456789012:activity:b"
	if aws.ToString(a.ActivityArn) != want || a.CreationDate == nil {
		t.Fatalf("CreateActivity = %+v", a)
	}
	again := must[*sfn.CreateActivityOutput](t, "CreateActivity again")(c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("b")}))
	if aws.ToString(again.ActivityArn) != want || !again.CreationDate.Equal(*a.CreationDate) {
		t.Errorf("CreateActivity is not idempotent: %+v then %+v", a, again)
	}
	must[*sfn.CreateActivityOutput](t, "CreateActivity a")(c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("a")}))
	must[*sfn.CreateActivityOutput](t, "CreateActivity c")(c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("c")}))
	var names []string
	p := sfn.NewListActivitiesPaginator(c, &sfn.ListActivitiesInput{MaxResults: 2})
	for p.HasMorePages() {
		out := must[*sfn.ListActivitiesOutput](t, "ListActivities")(p.NextPage(ctx))
		for _, x := range out.Activities {
			names = append(names, aws.ToString(x.Name))
		}
	}
	if fmt.Sprint(names) != "[a b c]" {
		t.Errorf("ListActivities = %v, want [a b c]", names)
	}
	d := must[*sfn.DescribeActivityOutput](t, "DescribeActivity")(c.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: aws.String(want)}))
	if aws.ToString(d.Name) != "b" {
		t.Errorf("DescribeActivity = %+v", d)
	}
	must[*sfn.DeleteActivityOutput](t, "DeleteActivity")(c.DeleteActivity(ctx, &sfn.DeleteActivityInput{ActivityArn: aws.String(want)}))
	_, err := c.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: aws.String(want)})
	var missing *types.ActivityDoesNotExist
	if !errors.As(err, &missing) {
		t.Errorf("DescribeActivity after delete: %v, want ActivityDoesNotExist", err)
	}
	_, err = c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: aws.String(want)})
	if !errors.As(err, &missing) {
		t.Errorf("GetActivityTask after delete: %v, want ActivityDoesNotExist", err)
	}
	_, err = c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("bad name")})
	wantCode(t, "CreateActivity bad name", err, "InvalidName")
}

// TestSDKActivityWorkers runs 1,000 activity tasks over 20 concurrent
// pollers using the AWS SDK; no task may be delivered twice.
func TestSDKActivityWorkers(t *testing.T) {
	t.Parallel()
	const tasks, pollers = 1000, 20
	url, _ := realServer(t)
	c := sdkClient(url)
	ctx := sdkContext()
	act := *must[*sfn.CreateActivityOutput](t, "CreateActivity")(c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("work")})).ActivityArn
	sm := activityMachine(t, c, "workers", act, `"Parameters":{"n.$":"$.n"},`)

	pollCtx, stop := context.WithCancel(ctx)
	defer stop()
	var seen sync.Map
	var completed, dup atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, pollers)
	for w := range pollers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker := fmt.Sprintf("worker-%d", w)
			for pollCtx.Err() == nil {
				out, err := c.GetActivityTask(pollCtx, &sfn.GetActivityTaskInput{ActivityArn: aws.String(act), WorkerName: aws.String(worker)})
				if err != nil {
					if pollCtx.Err() == nil {
						errc <- fmt.Errorf("GetActivityTask: %w", err)
					}
					return
				}
				tok := aws.ToString(out.TaskToken)
				if tok == "" {
					continue
				}
				if _, loaded := seen.LoadOrStore(tok, worker); loaded {
					dup.Add(1)
				}
				var in struct{ N int }
				if err := json.Unmarshal([]byte(aws.ToString(out.Input)), &in); err != nil {
					errc <- fmt.Errorf("task input %q: %w", aws.ToString(out.Input), err)
					return
				}
				if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(fmt.Sprintf(`{"done":%d}`, in.N))}); err != nil {
					errc <- fmt.Errorf("SendTaskSuccess: %w", err)
					return
				}
				if completed.Add(1) == tasks {
					stop()
				}
			}
		}()
	}
	arns := make([]string, tasks)
	var starters sync.WaitGroup
	for s := range 4 {
		starters.Add(1)
		go func() {
			defer starters.Done()
			for i := s; i < tasks; i += 4 {
				x, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Input: aws.String(fmt.Sprintf(`{"n":%d}`, i))})
				if err != nil {
					errc <- fmt.Errorf("StartExecution: %w", err)
					return
				}
				arns[i] = *x.ExecutionArn
			}
		}()
	}
	starters.Wait()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case err := <-errc:
		stop()
		t.Fatal(err)
	case <-time.After(50 * time.Second):
		stop()
		t.Fatalf("only %d of %d tasks completed", completed.Load(), tasks)
	}
	select {
	case err := <-errc:
		t.Fatal(err)
	default:
	}
	if dup.Load() != 0 || completed.Load() != tasks {
		t.Fatalf("completed %d tasks, %d delivered twice", completed.Load(), dup.Load())
	}
	for i, arn := range arns {
		d := waitDone(t, c, arn)
		if d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != fmt.Sprintf(`{"done":%d}`, i) {
			t.Fatalf("execution %d: %s %s", i, d.Status, aws.ToString(d.Output))
		}
	}
}

// TestSDKActivityHeartbeatTimeout: a worker that stops heartbeating fails the
// state with States.HeartbeatTimeout within a second of the deadline; Retry
// hands the task to a second worker, which completes it.
func TestSDKActivityHeartbeatTimeout(t *testing.T) {
	t.Parallel()
	url, _ := realServer(t)
	c := sdkClient(url)
	ctx := sdkContext()
	act := *must[*sfn.CreateActivityOutput](t, "CreateActivity")(c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("slow")})).ActivityArn
	sm := activityMachine(t, c, "beats", act,
		`"HeartbeatSeconds":1,"Retry":[{"ErrorEquals":["States.HeartbeatTimeout"],"IntervalSeconds":1,"MaxAttempts":1}],`)
	x := must[*sfn.StartExecutionOutput](t, "StartExecution")(c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Input: aws.String(`{"job":1}`)}))

	first := must[*sfn.GetActivityTaskOutput](t, "GetActivityTask first")(c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: aws.String(act), WorkerName: aws.String("quitter")}))
	if aws.ToString(first.TaskToken) == "" || aws.ToString(first.Input) != `{"job":1}` {
		t.Fatalf("first GetActivityTask = %+v", first)
	}
	// The quitter heartbeats once, then goes silent.
	must[*sfn.SendTaskHeartbeatOutput](t, "SendTaskHeartbeat")(c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: first.TaskToken}))
	beat := time.Now()
	second := must[*sfn.GetActivityTaskOutput](t, "GetActivityTask second")(c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: aws.String(act), WorkerName: aws.String("finisher")}))
	if aws.ToString(second.TaskToken) == "" || aws.ToString(second.TaskToken) == aws.ToString(first.TaskToken) {
		t.Fatalf("second GetActivityTask = %+v", second)
	}
	if waited := time.Since(beat); waited > 4*time.Second {
		t.Errorf("the retry reached the second worker after %v", waited)
	}
	must[*sfn.SendTaskSuccessOutput](t, "SendTaskSuccess")(c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: second.TaskToken, Output: aws.String(`{"ok":true}`)}))
	d := waitDone(t, c, *x.ExecutionArn)
	if d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"ok":true}` {
		t.Fatalf("execution: %s %s", d.Status, aws.ToString(d.Output))
	}
	_, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: first.TaskToken, Output: aws.String(`{}`)})
	wantCode(t, "SendTaskSuccess with the timed-out token", err, "TaskTimedOut")
	_, err = c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: second.TaskToken})
	wantCode(t, "SendTaskHeartbeat of a finished task", err, "TaskDoesNotExist")
	h := must[*sfn.GetExecutionHistoryOutput](t, "GetExecutionHistory")(c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: x.ExecutionArn}))
	var timedOut time.Time
	var trail []string
	for _, e := range h.Events {
		switch e.Type {
		case types.HistoryEventTypeActivityScheduled:
			d := e.ActivityScheduledEventDetails
			if aws.ToString(d.Resource) != act || aws.ToString(d.Input) != `{"job":1}` || aws.ToInt64(d.HeartbeatInSeconds) != 1 {
				t.Errorf("ActivityScheduled = %+v", d)
			}
			trail = append(trail, "scheduled")
		case types.HistoryEventTypeActivityStarted:
			trail = append(trail, "started by "+aws.ToString(e.ActivityStartedEventDetails.WorkerName))
		case types.HistoryEventTypeActivityTimedOut:
			if aws.ToString(e.ActivityTimedOutEventDetails.Error) != "States.HeartbeatTimeout" {
				t.Errorf("ActivityTimedOut error = %q", aws.ToString(e.ActivityTimedOutEventDetails.Error))
			}
			timedOut = *e.Timestamp
			trail = append(trail, "timed out")
		case types.HistoryEventTypeActivitySucceeded:
			trail = append(trail, "succeeded "+aws.ToString(e.ActivitySucceededEventDetails.Output))
		case types.HistoryEventTypeTaskScheduled, types.HistoryEventTypeTaskStarted:
			t.Errorf("activity task recorded as %s", e.Type)
		}
	}
	if want := `[scheduled started by quitter timed out scheduled started by finisher succeeded {"ok":true}]`; fmt.Sprint(trail) != want {
		t.Errorf("activity events %v, want %s", trail, want)
	}
	if timedOut.IsZero() {
		t.Fatal("no ActivityTimedOut event")
	}
	// The deadline is one HeartbeatSeconds after the last heartbeat; the
	// timeout must follow it by less than a second.
	if late := timedOut.Sub(beat); late < 900*time.Millisecond || late > 2*time.Second {
		t.Errorf("HeartbeatTimeout %v after the last heartbeat, want 1s (+<1s)", late)
	}
}

// TestActivitiesPageRealEngine: the /activities page lists the activities with their
// pending tasks and the workers that polled them.
func TestActivitiesPageRealEngine(t *testing.T) {
	t.Parallel()
	url, _ := realServer(t)
	c := sdkClient(url)
	ctx := sdkContext()
	busy := *must[*sfn.CreateActivityOutput](t, "CreateActivity")(c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("busy-queue")})).ActivityArn
	idle := *must[*sfn.CreateActivityOutput](t, "CreateActivity")(c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("idle-queue")})).ActivityArn
	sm := activityMachine(t, c, "pending", busy, "")
	for range 3 {
		must[*sfn.StartExecutionOutput](t, "StartExecution")(c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm)}))
	}
	// A poll of the idle activity that gives up records its worker.
	pctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := c.GetActivityTask(pctx, &sfn.GetActivityTaskInput{ActivityArn: aws.String(idle), WorkerName: aws.String("night-worker")}); err == nil {
		t.Fatal("GetActivityTask of an empty queue returned before its deadline")
	}
	var page string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		page = httpGet(t, url+"/activities")
		if strings.Contains(page, "night-worker") && strings.Contains(page, ">3<") {
			break
		}
	}
	for _, want := range []string{"busy-queue", "idle-queue", "night-worker"} {
		if !strings.Contains(page, want) {
			t.Errorf("/activities lacks %q", want)
		}
	}
	if !strings.Contains(page, ">3<") {
		t.Errorf("/activities does not show 3 pending tasks:\n%s", page)
	}
}
