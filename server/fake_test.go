package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"stepwise/server"
)

// fakeEngine is an in-memory test double of server.Engine. Executions run
// synchronously: a definition whose first state is a Fail state fails with
// its Error and Cause, one whose first state is a Wait state keeps running,
// and any other succeeds with its input as output.
type fakeEngine struct {
	mu       sync.Mutex
	region   string
	account  string
	now      time.Time
	machines map[string]*server.StateMachine // by ARN
	execs    map[string]*fakeExec            // by ARN
	order    []string                        // execution ARNs in start order
	seq      int
}

type fakeExec struct {
	desc   server.Execution
	events []server.HistoryEvent
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{
		region: "us-east-1", account: "123456789012",
		now:      time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		machines: map[string]*server.StateMachine{},
		execs:    map[string]*fakeExec{},
	}
}

func (f *fakeEngine) tick() time.Time {
	f.now = f.now.Add(1500 * time.Millisecond)
	return f.now
}

func notFoundSM(arn string) error {
	return &server.Error{Code: "StateMachineDoesNotExist", Message: "State Machine Does Not Exist: '" + arn + "'"}
}

func notFoundExec(arn string) error {
	return &server.Error{Code: "ExecutionDoesNotExist", Message: "Execution Does Not Exist: '" + arn + "'"}
}

func checkDefinition(def string) (map[string]any, error) {
	var d map[string]any
	if err := json.Unmarshal([]byte(def), &d); err != nil {
		return nil, &server.Error{Code: "InvalidDefinition", Message: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: definition is not a JSON object'"}
	}
	start, _ := d["StartAt"].(string)
	states, _ := d["States"].(map[string]any)
	if _, ok := states[start]; !ok {
		return nil, &server.Error{Code: "InvalidDefinition", Message: "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: " + start + " at /StartAt'"}
	}
	return d, nil
}

func (f *fakeEngine) CreateStateMachine(ctx context.Context, in *server.CreateStateMachineInput) (*server.CreateStateMachineOutput, error) {
	if _, err := checkDefinition(*in.Definition); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := "arn:aws:states:" + f.region + ":" + f.account + ":stateMachine:" + *in.Name
	typ := "STANDARD"
	if in.Type != nil {
		typ = *in.Type
	}
	if old, ok := f.machines[arn]; ok {
		if old.Definition == *in.Definition && old.Type == typ {
			return &server.CreateStateMachineOutput{StateMachineArn: arn, CreationDate: old.CreationDate}, nil
		}
		return nil, &server.Error{Code: "StateMachineAlreadyExists", Message: "State Machine Already Exists: '" + arn + "'"}
	}
	sm := &server.StateMachine{StateMachineArn: arn, Name: *in.Name, Status: "ACTIVE", Definition: *in.Definition, RoleArn: *in.RoleArn, Type: typ, CreationDate: server.TimestampOf(f.tick()), RevisionID: "1"}
	f.machines[arn] = sm
	return &server.CreateStateMachineOutput{StateMachineArn: arn, CreationDate: sm.CreationDate}, nil
}

func (f *fakeEngine) UpdateStateMachine(ctx context.Context, in *server.UpdateStateMachineInput) (*server.UpdateStateMachineOutput, error) {
	if in.Definition != nil {
		if _, err := checkDefinition(*in.Definition); err != nil {
			return nil, err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	sm, ok := f.machines[*in.StateMachineArn]
	if !ok {
		return nil, notFoundSM(*in.StateMachineArn)
	}
	if in.Definition != nil {
		sm.Definition = *in.Definition
	}
	if in.RoleArn != nil {
		sm.RoleArn = *in.RoleArn
	}
	n, _ := strconv.Atoi(sm.RevisionID)
	sm.RevisionID = strconv.Itoa(n + 1)
	sm.UpdateDate = server.TimestampOf(f.tick())
	return &server.UpdateStateMachineOutput{UpdateDate: sm.UpdateDate, RevisionID: sm.RevisionID}, nil
}

func (f *fakeEngine) DeleteStateMachine(ctx context.Context, arn string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.machines, arn) // AWS: deleting a missing machine succeeds
	return nil
}

func (f *fakeEngine) DescribeStateMachine(ctx context.Context, arn string) (*server.StateMachine, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sm, ok := f.machines[arn]
	if !ok {
		return nil, notFoundSM(arn)
	}
	c := *sm
	return &c, nil
}

func paginate[T any](items []T, maxResults *int32, token *string) ([]T, string, error) {
	start := 0
	if token != nil {
		n, err := strconv.Atoi(strings.TrimPrefix(*token, "tok-"))
		if err != nil || !strings.HasPrefix(*token, "tok-") || n < 0 || n > len(items) {
			return nil, "", &server.Error{Code: "InvalidToken", Message: "Invalid Token: '" + *token + "'"}
		}
		start = n
	}
	size := 100
	if maxResults != nil && *maxResults > 0 {
		size = int(*maxResults)
	}
	end := min(start+size, len(items))
	next := ""
	if end < len(items) {
		next = "tok-" + strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

func (f *fakeEngine) ListStateMachines(ctx context.Context, in *server.ListStateMachinesInput) (*server.ListStateMachinesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []server.StateMachineListItem
	for _, sm := range f.machines {
		all = append(all, server.StateMachineListItem{StateMachineArn: sm.StateMachineArn, Name: sm.Name, Type: sm.Type, CreationDate: sm.CreationDate})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	items, next, err := paginate(all, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []server.StateMachineListItem{}
	}
	return &server.ListStateMachinesOutput{StateMachines: items, NextToken: next}, nil
}

func (f *fakeEngine) ValidateStateMachineDefinition(ctx context.Context, in *server.ValidateStateMachineDefinitionInput) (*server.ValidateStateMachineDefinitionOutput, error) {
	out := &server.ValidateStateMachineDefinitionOutput{Result: "OK", Diagnostics: []server.Diagnostic{}}
	if _, err := checkDefinition(*in.Definition); err != nil {
		out.Result = "FAIL"
		out.Diagnostics = append(out.Diagnostics, server.Diagnostic{Severity: "ERROR", Code: "SCHEMA_VALIDATION_FAILED", Message: err.Error(), Location: "/"})
	}
	return out, nil
}

func (f *fakeEngine) StartExecution(ctx context.Context, in *server.StartExecutionInput) (*server.StartExecutionOutput, error) {
	e, err := f.start(in, false)
	if err != nil {
		return nil, err
	}
	return &server.StartExecutionOutput{ExecutionArn: e.ExecutionArn, StartDate: e.StartDate}, nil
}

func (f *fakeEngine) StartSyncExecution(ctx context.Context, in *server.StartExecutionInput) (*server.SyncExecution, error) {
	e, err := f.start(in, true)
	if err != nil {
		return nil, err
	}
	return &server.SyncExecution{ExecutionArn: e.ExecutionArn, StateMachineArn: e.StateMachineArn, Name: e.Name, StartDate: e.StartDate, StopDate: e.StopDate, Status: e.Status, Input: e.Input, Output: e.Output, Error: e.Error, Cause: e.Cause}, nil
}

func event(t time.Time, typ string, id, prev int64, key string, details any) server.HistoryEvent {
	b, _ := json.Marshal(details)
	return server.HistoryEvent{Timestamp: server.TimestampOf(t), Type: typ, ID: id, PreviousEventID: prev, DetailsKey: key, Details: b}
}

func (f *fakeEngine) start(in *server.StartExecutionInput, sync bool) (*server.Execution, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sm, ok := f.machines[*in.StateMachineArn]
	if !ok {
		return nil, notFoundSM(*in.StateMachineArn)
	}
	if sync != (sm.Type == "EXPRESS") {
		return nil, &server.Error{Code: "StateMachineTypeNotSupported", Message: "This operation is not supported by this type of state machine"}
	}
	f.seq++
	name := fmt.Sprintf("exec-%04d", f.seq)
	if in.Name != nil {
		name = *in.Name
	}
	input := "{}"
	if in.Input != nil {
		input = *in.Input
	}
	kind := "execution"
	if sm.Type == "EXPRESS" {
		kind = "express"
	}
	arn := "arn:aws:states:" + f.region + ":" + f.account + ":" + kind + ":" + sm.Name + ":" + name
	if old, ok := f.execs[arn]; ok {
		if old.desc.Input != nil && *old.desc.Input == input && old.desc.Status == "RUNNING" {
			c := old.desc
			return &c, nil
		}
		return nil, &server.Error{Code: "ExecutionAlreadyExists", Message: "Execution Already Exists: '" + arn + "'"}
	}
	def, _ := checkDefinition(sm.Definition)
	startAt := def["StartAt"].(string)
	first, _ := def["States"].(map[string]any)[startAt].(map[string]any)
	typ, _ := first["Type"].(string)
	t0 := f.tick()
	x := &fakeExec{desc: server.Execution{ExecutionArn: arn, StateMachineArn: sm.StateMachineArn, Name: name, Status: "RUNNING", StartDate: server.TimestampOf(t0), Input: &input, InputDetails: &server.DataDetails{Included: true}}}
	x.events = append(x.events,
		event(t0, "ExecutionStarted", 1, 0, "executionStartedEventDetails", map[string]any{"input": input, "inputDetails": map[string]bool{"truncated": false}, "roleArn": sm.RoleArn}),
		event(t0, typ+"StateEntered", 2, 1, "stateEnteredEventDetails", map[string]any{"name": startAt, "input": input, "inputDetails": map[string]bool{"truncated": false}}))
	switch typ {
	case "Wait":
	case "Fail":
		t1 := f.tick()
		errName, _ := first["Error"].(string)
		cause, _ := first["Cause"].(string)
		x.desc.Status, x.desc.StopDate, x.desc.Error, x.desc.Cause = "FAILED", server.TimestampOf(t1), &errName, &cause
		x.events = append(x.events, event(t1, "ExecutionFailed", 3, 2, "executionFailedEventDetails", map[string]any{"error": errName, "cause": cause}))
	default:
		t1 := f.tick()
		x.desc.Status, x.desc.StopDate, x.desc.Output = "SUCCEEDED", server.TimestampOf(t1), &input
		x.desc.OutputDetails = &server.DataDetails{Included: true}
		x.events = append(x.events,
			event(t1, typ+"StateExited", 3, 2, "stateExitedEventDetails", map[string]any{"name": startAt, "output": input, "outputDetails": map[string]bool{"truncated": false}}),
			event(t1, "ExecutionSucceeded", 4, 3, "executionSucceededEventDetails", map[string]any{"output": input, "outputDetails": map[string]bool{"truncated": false}}))
	}
	f.execs[arn] = x
	f.order = append(f.order, arn)
	c := x.desc
	return &c, nil
}

func (f *fakeEngine) StopExecution(ctx context.Context, in *server.StopExecutionInput) (*server.StopExecutionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	x, ok := f.execs[*in.ExecutionArn]
	if !ok {
		return nil, notFoundExec(*in.ExecutionArn)
	}
	if x.desc.Status != "RUNNING" {
		return nil, &server.Error{Code: "ValidationException", Message: "Execution is not running: '" + *in.ExecutionArn + "'"}
	}
	t := f.tick()
	x.desc.Status, x.desc.StopDate = "ABORTED", server.TimestampOf(t)
	d := map[string]string{}
	if in.Error != nil {
		d["error"] = *in.Error
		x.desc.Error = in.Error
	}
	if in.Cause != nil {
		d["cause"] = *in.Cause
		x.desc.Cause = in.Cause
	}
	last := x.events[len(x.events)-1].ID
	x.events = append(x.events, event(t, "ExecutionAborted", last+1, last, "executionAbortedEventDetails", d))
	return &server.StopExecutionOutput{StopDate: x.desc.StopDate}, nil
}

func (f *fakeEngine) DescribeExecution(ctx context.Context, arn string) (*server.Execution, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	x, ok := f.execs[arn]
	if !ok {
		return nil, notFoundExec(arn)
	}
	c := x.desc
	return &c, nil
}

func (f *fakeEngine) ListExecutions(ctx context.Context, in *server.ListExecutionsInput) (*server.ListExecutionsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.StateMachineArn == nil {
		return nil, &server.Error{Code: "ResourceNotFound", Message: "Map run does not exist"}
	}
	if _, ok := f.machines[*in.StateMachineArn]; !ok {
		return nil, notFoundSM(*in.StateMachineArn)
	}
	var all []server.ExecutionListItem
	for i := len(f.order) - 1; i >= 0; i-- { // newest first
		x := f.execs[f.order[i]]
		if x.desc.StateMachineArn != *in.StateMachineArn || (in.StatusFilter != nil && x.desc.Status != *in.StatusFilter) {
			continue
		}
		all = append(all, server.ExecutionListItem{ExecutionArn: x.desc.ExecutionArn, StateMachineArn: x.desc.StateMachineArn, Name: x.desc.Name, Status: x.desc.Status, StartDate: x.desc.StartDate, StopDate: x.desc.StopDate})
	}
	items, next, err := paginate(all, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []server.ExecutionListItem{}
	}
	return &server.ListExecutionsOutput{Executions: items, NextToken: next}, nil
}

func (f *fakeEngine) GetExecutionHistory(ctx context.Context, in *server.GetExecutionHistoryInput) (*server.GetExecutionHistoryOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	x, ok := f.execs[*in.ExecutionArn]
	if !ok {
		return nil, notFoundExec(*in.ExecutionArn)
	}
	evs := append([]server.HistoryEvent(nil), x.events...)
	if in.ReverseOrder != nil && *in.ReverseOrder {
		for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
			evs[i], evs[j] = evs[j], evs[i]
		}
	}
	items, next, err := paginate(evs, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &server.GetExecutionHistoryOutput{Events: items, NextToken: next}, nil
}

func (f *fakeEngine) DescribeStateMachineForExecution(ctx context.Context, arn string) (*server.StateMachine, error) {
	f.mu.Lock()
	x, ok := f.execs[arn]
	f.mu.Unlock()
	if !ok {
		return nil, notFoundExec(arn)
	}
	return f.DescribeStateMachine(ctx, x.desc.StateMachineArn)
}

// fakeActivities adds activities to the fake engine.
type fakeActivities struct {
	*fakeEngine
	acts map[string]*server.Activity
}

func (f *fakeActivities) CreateActivity(ctx context.Context, in *server.CreateActivityInput) (*server.CreateActivityOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := "arn:aws:states:" + f.region + ":" + f.account + ":activity:" + *in.Name
	a := &server.Activity{ActivityArn: arn, Name: *in.Name, CreationDate: server.TimestampOf(f.tick())}
	f.acts[arn] = a
	return &server.CreateActivityOutput{ActivityArn: arn, CreationDate: a.CreationDate}, nil
}

func (f *fakeActivities) DeleteActivity(ctx context.Context, arn string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.acts, arn)
	return nil
}

func (f *fakeActivities) DescribeActivity(ctx context.Context, arn string) (*server.Activity, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.acts[arn]
	if !ok {
		return nil, &server.Error{Code: "ActivityDoesNotExist", Message: "Activity Does Not Exist: '" + arn + "'"}
	}
	c := *a
	return &c, nil
}

func (f *fakeActivities) ListActivities(ctx context.Context, in *server.ListActivitiesInput) (*server.ListActivitiesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &server.ListActivitiesOutput{Activities: []server.Activity{}}
	for _, a := range f.acts {
		out.Activities = append(out.Activities, *a)
	}
	sort.Slice(out.Activities, func(i, j int) bool { return out.Activities[i].Name < out.Activities[j].Name })
	return out, nil
}

func (f *fakeActivities) GetActivityTask(ctx context.Context, in *server.GetActivityTaskInput) (*server.GetActivityTaskOutput, error) {
	return &server.GetActivityTaskOutput{}, nil
}

func (f *fakeActivities) SendTaskSuccess(ctx context.Context, in *server.SendTaskSuccessInput) error {
	return &server.Error{Code: "TaskDoesNotExist", Message: "Task Does Not Exist"}
}

func (f *fakeActivities) SendTaskFailure(ctx context.Context, in *server.SendTaskFailureInput) error {
	return &server.Error{Code: "TaskDoesNotExist", Message: "Task Does Not Exist"}
}

func (f *fakeActivities) SendTaskHeartbeat(ctx context.Context, token string) error {
	return &server.Error{Code: "TaskDoesNotExist", Message: "Task Does Not Exist"}
}

func (f *fakeActivities) ActivityStatus(ctx context.Context, arn string) (*server.ActivityStatus, error) {
	return &server.ActivityStatus{PendingTasks: 2, Workers: []server.ActivityWorker{{Name: "worker-<1>", LastSeen: f.now}}}, nil
}
