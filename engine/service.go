package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"stepwise/engine/jsonv"
)

// CreateStateMachineInput is what CreateStateMachine takes.
type CreateStateMachineInput struct {
	Name          string
	Definition    string
	RoleARN       string
	Type          Type // default STANDARD
	Description   string
	Tags          map[string]string
	LoggingConfig []byte
	TracingConfig []byte
}

// CreateStateMachine validates the definition and stores a new machine. A
// machine with the same name and the same definition, role and type is
// returned as it is (AWS's idempotent create); a different one →
// StateMachineAlreadyExists.
func (e *Engine) CreateStateMachine(ctx context.Context, in CreateStateMachineInput) (*StateMachine, error) {
	if !validName(in.Name) {
		return nil, Errorf(InvalidName, "Invalid Name: '%s'", in.Name)
	}
	if in.Type == "" {
		in.Type = Standard
	}
	if in.Type != Standard && in.Type != Express {
		return nil, Errorf(ValidationException, "1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]", in.Type)
	}
	if _, err := e.programs.get(in.Definition); err != nil {
		return nil, err
	}
	now := e.clock.Now()
	sm := &StateMachine{ARN: e.arns.StateMachine(in.Name), Name: in.Name, Type: in.Type, Definition: in.Definition,
		RoleARN: in.RoleARN, Status: "ACTIVE", CreationDate: now, UpdateDate: now, RevisionID: newRevision(),
		Description: in.Description, Tags: in.Tags, LoggingConfig: in.LoggingConfig, TracingConfig: in.TracingConfig}
	if err := e.store.CreateStateMachine(ctx, sm); err != nil {
		if ErrorCode(err) == StateMachineAlreadyExists {
			old, gerr := e.store.GetStateMachine(ctx, sm.ARN)
			if gerr == nil && old.Definition == sm.Definition && old.RoleARN == sm.RoleARN && old.Type == sm.Type {
				return old, nil
			}
		}
		return nil, err
	}
	return sm, nil
}

func newRevision() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// UpdateStateMachineInput changes a machine; empty fields stay as they are.
type UpdateStateMachineInput struct {
	ARN        string
	Definition string
	RoleARN    string
}

// UpdateStateMachine changes a machine's definition and/or role. Running
// executions keep the definition they started with.
func (e *Engine) UpdateStateMachine(ctx context.Context, in UpdateStateMachineInput) (*StateMachine, error) {
	sm, err := e.DescribeStateMachine(ctx, in.ARN)
	if err != nil {
		return nil, err
	}
	if in.Definition != "" {
		if _, err := e.programs.get(in.Definition); err != nil {
			return nil, err
		}
		sm.Definition = in.Definition
	}
	if in.RoleARN != "" {
		sm.RoleARN = in.RoleARN
	}
	sm.UpdateDate = e.clock.Now()
	sm.RevisionID = newRevision()
	if err := e.store.UpdateStateMachine(ctx, sm); err != nil {
		return nil, err
	}
	return sm, nil
}

// DeleteStateMachine deletes a machine.
func (e *Engine) DeleteStateMachine(ctx context.Context, arn string) error {
	if err := checkARN(arn, "stateMachine"); err != nil {
		return err
	}
	if err := e.store.DeleteStateMachine(ctx, arn); err != nil {
		return err
	}
	// Its versions and aliases go with it (versions.go).
	if vs, ok := e.store.(VersionStore); ok {
		return vs.DeleteMachineVersions(ctx, arn)
	}
	return nil
}

// DescribeStateMachine returns a machine.
func (e *Engine) DescribeStateMachine(ctx context.Context, arn string) (*StateMachine, error) {
	if err := checkARN(arn, "stateMachine"); err != nil {
		return nil, err
	}
	return e.store.GetStateMachine(ctx, arn)
}

// ListStateMachines lists machines by name.
func (e *Engine) ListStateMachines(ctx context.Context, page Page) ([]*StateMachine, string, error) {
	return e.store.ListStateMachines(ctx, page)
}

func checkARN(arn, kind string) error {
	res, _, ok := ParseARN(arn)
	if !ok || (res != kind && (kind != "execution" || res != "express")) {
		return Errorf(InvalidArn, "Invalid Arn: '%s'", arn)
	}
	return nil
}

// StartExecutionInput is what StartExecution takes.
type StartExecutionInput struct {
	StateMachineARN string
	Name            string // default: generated
	Input           string // default "{}"
	TraceHeader     string
	// TestCase picks a mock test case (also accepted as a
	// "stateMachineArn#TestCase" suffix, as Step Functions Local does).
	TestCase string
}

// StartExecution starts an execution and returns at once. Starting again
// with the same name and input while it runs returns the same execution;
// otherwise a reused name → ExecutionAlreadyExists.
func (e *Engine) StartExecution(ctx context.Context, in StartExecutionInput) (*Execution, error) {
	x, _, err := e.start(ctx, in, false)
	return x, err
}

// StartSyncExecution runs an EXPRESS execution to its end and returns the
// final record.
func (e *Engine) StartSyncExecution(ctx context.Context, in StartExecutionInput) (*Execution, error) {
	x, a, err := e.start(ctx, in, true)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return x, nil
	}
	select {
	case <-a.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return a.r.x.Clone(), nil
}

func (e *Engine) start(ctx context.Context, in StartExecutionInput, sync bool) (*Execution, *active, error) {
	if err := e.running(); err != nil {
		return nil, nil, err
	}
	smARN := in.StateMachineARN
	if i := strings.IndexByte(smARN, '#'); i >= 0 {
		if in.TestCase == "" {
			in.TestCase = smARN[i+1:]
		}
		smARN = smARN[:i]
	}
	if err := checkARN(smARN, "stateMachine"); err != nil {
		return nil, nil, err
	}
	// A version or alias ARN runs that version (versions.go).
	q, err := e.resolveQualified(ctx, smARN)
	if err != nil {
		return nil, nil, err
	}
	if q != nil {
		smARN = q.stateMachineARN
	}
	sm, err := e.store.GetStateMachine(ctx, smARN)
	if err != nil {
		return nil, nil, err
	}
	if q != nil {
		sm = q.apply(sm)
	}
	if sync && sm.Type != Express {
		return nil, nil, Errorf(StateMachineTypeNotSupported, "This operation is not supported by this type of state machine")
	}
	if in.Input == "" {
		in.Input = "{}"
	}
	if lim := e.opts.PayloadLimit; lim > 0 && len(in.Input) > lim {
		return nil, nil, Errorf(InvalidExecutionInput, "Input exceeds the maximum size of %d bytes", lim)
	}
	input, err := jsonv.DecodeString(in.Input)
	if err != nil {
		return nil, nil, Errorf(InvalidExecutionInput, "Invalid State Machine Execution Input: '%v'", err)
	}
	if in.Name == "" {
		in.Name = newRevision()
	} else if !validName(in.Name) {
		return nil, nil, Errorf(InvalidName, "Invalid Name: '%s'", in.Name)
	}
	p, err := e.programs.get(sm.Definition)
	if err != nil {
		return nil, nil, err
	}
	now := e.clock.Now()
	x := &Execution{ARN: e.arns.Execution(sm.Type, sm.Name, in.Name), Name: in.Name, StateMachineARN: sm.ARN,
		StateMachineName: sm.Name, Type: sm.Type, Status: Running, Input: in.Input, StartDate: now,
		Definition: sm.Definition, TraceHeader: in.TraceHeader, TestCase: in.TestCase}
	x.ParentARN = startedBy(input)
	d := detail{rawInput: in.Input, useRaw: true, roleARN: sm.RoleARN}
	ev := HistoryEvent{ID: 1, Timestamp: now, Type: "ExecutionStarted", Details: appendDetails(nil, "ExecutionStarted", &d)}
	var events []HistoryEvent
	express := sm.Type == Express
	if !express || e.opts.ExpressHistory {
		events = []HistoryEvent{ev}
	}
	existing, created, err := e.store.CreateExecution(ctx, x, events)
	if err != nil {
		return nil, nil, err
	}
	if !created {
		if existing.Input == in.Input && existing.Status == Running && existing.StateMachineARN == sm.ARN {
			return existing, nil, nil
		}
		return nil, nil, Errorf(ExecutionAlreadyExists, "Execution Already Exists: '%s'", x.ARN)
	}
	if q != nil {
		e.recordQualified(ctx, x.ARN, q)
	}
	x.LastEventID = 1
	ret := x.Clone()
	r := newRun(p, x, input, e.arns, e.clock.Now, e.opts.Rand, !express || e.opts.ExpressHistory)
	r.payloadLimit = e.opts.PayloadLimit
	a := &active{e: e, r: r, done: make(chan struct{}), express: express}
	e.mu.Lock()
	e.active[x.ARN] = a
	e.mu.Unlock()
	if sync {
		a.deliver(func(r *run) { r.start() })
	} else {
		go a.deliver(func(r *run) { r.start() })
	}
	return ret, a, nil
}

// StopExecution aborts a running execution (ExecutionAborted).
func (e *Engine) StopExecution(ctx context.Context, arn, errName, cause string) (*Execution, error) {
	if err := checkARN(arn, "execution"); err != nil {
		return nil, err
	}
	e.mu.Lock()
	a := e.active[arn]
	e.mu.Unlock()
	if a == nil {
		x, err := e.store.GetExecution(ctx, arn)
		if err != nil {
			return nil, err
		}
		if x.Status.Done() {
			return nil, Errorf(ValidationException, "Execution Already Stopped: '%s'", arn)
		}
		return nil, Errorf(Internal, "execution %s is RUNNING but not loaded in this engine", arn)
	}
	a.deliver(func(r *run) { r.abort(errName, cause) })
	select {
	case <-a.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return a.r.x.Clone(), nil
}

// DescribeExecution returns an execution.
func (e *Engine) DescribeExecution(ctx context.Context, arn string) (*Execution, error) {
	if err := checkARN(arn, "execution"); err != nil {
		return nil, err
	}
	return e.store.GetExecution(ctx, arn)
}

// ListExecutions lists executions newest first.
func (e *Engine) ListExecutions(ctx context.Context, f ExecutionFilter) ([]*Execution, string, error) {
	return e.store.ListExecutions(ctx, f)
}

// GetExecutionHistory returns an execution's events. Without
// includeExecutionData, input and output are left out of the details as AWS
// does.
func (e *Engine) GetExecutionHistory(ctx context.Context, arn string, q HistoryQuery, includeExecutionData bool) ([]HistoryEvent, string, error) {
	if err := checkARN(arn, "execution"); err != nil {
		return nil, "", err
	}
	evs, next, err := e.store.GetHistory(ctx, arn, q)
	if err != nil || includeExecutionData {
		return evs, next, err
	}
	out := make([]HistoryEvent, len(evs))
	for i, ev := range evs {
		ev.Details = stripData(ev.Details)
		out[i] = ev
	}
	return out, next, nil
}

// stripData removes input/output (and their details) from event details.
func stripData(details []byte) []byte {
	if len(details) == 0 {
		return details
	}
	v, err := jsonv.Decode(details)
	o, ok := v.(*jsonv.Object)
	if err != nil || !ok {
		return details
	}
	o = o.Clone()
	for _, k := range []string{"input", "output", "parameters"} {
		o.Delete(k)
	}
	return jsonv.Marshal(o)
}

// Wait blocks until the execution ends (or ctx ends) and returns its final
// record.
func (e *Engine) Wait(ctx context.Context, arn string) (*Execution, error) {
	for {
		e.mu.Lock()
		a := e.active[arn]
		e.mu.Unlock()
		if a != nil {
			select {
			case <-a.done:
				return a.r.x.Clone(), nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		x, err := e.store.GetExecution(ctx, arn)
		if err != nil {
			return nil, err
		}
		if x.Status.Done() {
			return x, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// HistoryEventJSON renders an event as GetExecutionHistory's JSON shape:
// {"timestamp", "type", "id", "previousEventId", "<detailKey>": {...}}.
func HistoryEventJSON(ev HistoryEvent) []byte {
	b := []byte(`{"timestamp":`)
	b = strconv.AppendFloat(b, float64(ev.Timestamp.UnixMilli())/1000, 'f', -1, 64)
	b = append(b, `,"type":`...)
	b = jsonv.AppendString(b, ev.Type)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, ev.ID, 10)
	b = append(b, `,"previousEventId":`...)
	b = strconv.AppendInt(b, ev.PreviousEventID, 10)
	if k := DetailKey(ev.Type); k != "" && len(ev.Details) > 0 {
		b = append(b, ',')
		b = jsonv.AppendString(b, k)
		b = append(b, ':')
		b = append(b, ev.Details...)
	}
	return append(b, '}')
}
