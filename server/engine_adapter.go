package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"stepwise/designer"
	"stepwise/engine"
	"stepwise/engine/asl"
)

// EngineAdapter serves the Engine interface with the real engine. It
// converts AWS-shaped requests to the engine's service calls and engine
// errors to AWS errors; engine.Internal errors stay internal (logged, 500).
type EngineAdapter struct {
	eng     *engine.Engine
	drafts  designer.DraftStore
	metrics *Metrics
	base    context.Context // outlives requests: waits for async EXPRESS ends
}

// NewEngineAdapter wraps a started (or about to be started) engine.
func NewEngineAdapter(e *engine.Engine) *EngineAdapter {
	return &EngineAdapter{eng: e, base: context.Background()}
}

// WithMetrics makes the adapter count EXPRESS executions, which the engine
// does not publish (they keep no history); STANDARD ones are counted by
// Metrics.Publisher. ctx bounds the waits for asynchronous EXPRESS ends.
func (a *EngineAdapter) WithMetrics(ctx context.Context, m *Metrics) *EngineAdapter {
	a.metrics = m
	a.base = ctx
	return a
}

// WithDraftStore makes the adapter hand ds to the designer (for example the
// SQLite store's drafts), so drafts survive restarts.
func (a *EngineAdapter) WithDraftStore(ds designer.DraftStore) *EngineAdapter {
	a.drafts = ds
	return a
}

// DraftStore implements DraftStoreProvider; nil means drafts live in memory.
func (a *EngineAdapter) DraftStore() designer.DraftStore { return a.drafts }

// convertErr maps an engine error to an AWS API error.
func convertErr(err error) error {
	if err == nil {
		return nil
	}
	var e *engine.Error
	if errors.As(err, &e) && e.Code != engine.Internal && e.Code != "" {
		return &Error{Code: e.Code, Message: e.Message}
	}
	return fmt.Errorf("engine: %w", err)
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func optStr(s string, present bool) *string {
	if !present {
		return nil
	}
	return &s
}

func limit(p *int32) int {
	if p == nil {
		return 0
	}
	return int(*p)
}

func fromEngineMachine(sm *engine.StateMachine) *StateMachine {
	out := &StateMachine{
		StateMachineArn: sm.ARN, Name: sm.Name, Status: sm.Status, Definition: sm.Definition,
		RoleArn: sm.RoleARN, Type: string(sm.Type), CreationDate: TimestampOf(sm.CreationDate),
		RevisionID: sm.RevisionID, Description: sm.Description,
	}
	if out.Status == "" {
		out.Status = "ACTIVE"
	}
	if len(sm.LoggingConfig) > 0 {
		var l LoggingConfiguration
		if json.Unmarshal(sm.LoggingConfig, &l) == nil {
			out.LoggingConfiguration = &l
		}
	}
	if out.LoggingConfiguration == nil {
		off := "OFF"
		f := false
		out.LoggingConfiguration = &LoggingConfiguration{Level: &off, IncludeExecutionData: &f}
	}
	if len(sm.TracingConfig) > 0 {
		var tc TracingConfiguration
		if json.Unmarshal(sm.TracingConfig, &tc) == nil {
			out.TracingConfiguration = &tc
		}
	}
	if out.TracingConfiguration == nil {
		f := false
		out.TracingConfiguration = &TracingConfiguration{Enabled: &f}
	}
	return out
}

func tagMap(tags []Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[str(t.Key)] = str(t.Value)
	}
	return m
}

func marshalOrNil(v any, isNil bool) []byte {
	if isNil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// CreateStateMachine implements Engine.
func (a *EngineAdapter) CreateStateMachine(ctx context.Context, in *CreateStateMachineInput) (*CreateStateMachineOutput, error) {
	cin := engine.CreateStateMachineInput{
		Name: str(in.Name), Definition: str(in.Definition), RoleARN: str(in.RoleArn), Type: engine.Type(str(in.Type)),
		Tags:          tagMap(in.Tags),
		LoggingConfig: marshalOrNil(in.LoggingConfiguration, in.LoggingConfiguration == nil),
		TracingConfig: marshalOrNil(in.TracingConfiguration, in.TracingConfiguration == nil),
	}
	if in.Publish != nil && *in.Publish {
		return a.createPublished(ctx, cin, str(in.VersionDescription))
	}
	sm, err := a.eng.CreateStateMachine(ctx, cin)
	if err != nil {
		return nil, convertErr(err)
	}
	return &CreateStateMachineOutput{StateMachineArn: sm.ARN, CreationDate: TimestampOf(sm.CreationDate)}, nil
}

// UpdateStateMachine implements Engine.
func (a *EngineAdapter) UpdateStateMachine(ctx context.Context, in *UpdateStateMachineInput) (*UpdateStateMachineOutput, error) {
	uin := engine.UpdateStateMachineInput{ARN: str(in.StateMachineArn), Definition: str(in.Definition), RoleARN: str(in.RoleArn)}
	if in.Publish != nil && *in.Publish {
		return a.updatePublished(ctx, uin, str(in.VersionDescription))
	}
	sm, err := a.eng.UpdateStateMachine(ctx, uin)
	if err != nil {
		return nil, convertErr(err)
	}
	return &UpdateStateMachineOutput{UpdateDate: TimestampOf(sm.UpdateDate), RevisionID: sm.RevisionID}, nil
}

// DeleteStateMachine implements Engine.
func (a *EngineAdapter) DeleteStateMachine(ctx context.Context, arn string) error {
	return convertErr(a.eng.DeleteStateMachine(ctx, arn))
}

// DescribeStateMachine implements Engine.
func (a *EngineAdapter) DescribeStateMachine(ctx context.Context, arn string) (*StateMachine, error) {
	sm, err := a.eng.DescribeStateMachine(ctx, arn)
	if err != nil {
		return nil, convertErr(err)
	}
	return fromEngineMachine(sm), nil
}

// ListStateMachines implements Engine.
func (a *EngineAdapter) ListStateMachines(ctx context.Context, in *ListStateMachinesInput) (*ListStateMachinesOutput, error) {
	list, next, err := a.eng.ListStateMachines(ctx, engine.Page{Limit: limit(in.MaxResults), NextToken: str(in.NextToken)})
	if err != nil {
		return nil, convertErr(err)
	}
	out := &ListStateMachinesOutput{StateMachines: make([]StateMachineListItem, 0, len(list)), NextToken: next}
	for _, sm := range list {
		out.StateMachines = append(out.StateMachines, StateMachineListItem{StateMachineArn: sm.ARN, Name: sm.Name, Type: string(sm.Type), CreationDate: TimestampOf(sm.CreationDate)})
	}
	return out, nil
}

// ValidateStateMachineDefinition implements Engine with the ASL validator.
func (a *EngineAdapter) ValidateStateMachineDefinition(ctx context.Context, in *ValidateStateMachineDefinitionInput) (*ValidateStateMachineDefinitionOutput, error) {
	_, diags := asl.ParseWithOptions([]byte(str(in.Definition)), asl.Options{Type: str(in.Type)})
	max := 100
	if in.MaxResults != nil && *in.MaxResults > 0 {
		max = int(*in.MaxResults)
	}
	withWarnings := str(in.Severity) == "WARNING"
	out := &ValidateStateMachineDefinitionOutput{Result: "OK", Diagnostics: []Diagnostic{}}
	for _, d := range diags {
		if d.Severity == asl.SeverityError {
			out.Result = "FAIL"
		} else if !withWarnings {
			continue
		}
		if len(out.Diagnostics) == max {
			out.Truncated = true
			continue
		}
		out.Diagnostics = append(out.Diagnostics, Diagnostic{Severity: d.Severity, Code: d.Code, Message: d.Message, Location: d.Path})
	}
	return out, nil
}

func startInput(in *StartExecutionInput) engine.StartExecutionInput {
	return engine.StartExecutionInput{StateMachineARN: str(in.StateMachineArn), Name: str(in.Name), Input: str(in.Input), TraceHeader: str(in.TraceHeader)}
}

// StartExecution implements Engine.
func (a *EngineAdapter) StartExecution(ctx context.Context, in *StartExecutionInput) (*StartExecutionOutput, error) {
	x, err := a.eng.StartExecution(ctx, startInput(in))
	if err != nil {
		return nil, convertErr(err)
	}
	if a.metrics != nil && x.Type == engine.Express && x.Status == engine.Running {
		a.metrics.ExecutionStarted()
		go func(arn string) {
			if end, err := a.eng.Wait(a.base, arn); err == nil && end.Status.Done() {
				a.metrics.ExecutionFinished(string(end.Status), end.StopDate.Sub(end.StartDate))
			}
		}(x.ARN)
	}
	return &StartExecutionOutput{ExecutionArn: x.ARN, StartDate: TimestampOf(x.StartDate)}, nil
}

// StartSyncExecution implements Engine.
func (a *EngineAdapter) StartSyncExecution(ctx context.Context, in *StartExecutionInput) (*SyncExecution, error) {
	x, err := a.eng.StartSyncExecution(ctx, startInput(in))
	if err != nil {
		return nil, convertErr(err)
	}
	if a.metrics != nil && x.Status.Done() {
		a.metrics.ExecutionStarted()
		a.metrics.ExecutionFinished(string(x.Status), x.StopDate.Sub(x.StartDate))
	}
	out := &SyncExecution{
		ExecutionArn: x.ARN, StateMachineArn: x.StateMachineARN, Name: x.Name,
		StartDate: TimestampOf(x.StartDate), StopDate: TimestampOf(x.StopDate), Status: string(x.Status),
		Input: &x.Input, InputDetails: &DataDetails{Included: true},
		Output: optStr(x.Output, x.HasOutput), Error: optStr(x.Error, x.HasError), Cause: optStr(x.Cause, x.HasCause),
		TraceHeader: x.TraceHeader,
	}
	if x.HasOutput {
		out.OutputDetails = &DataDetails{Included: true}
	}
	if !x.StopDate.IsZero() {
		// AWS bills EXPRESS runs in 100 ms steps at 64 MB at least.
		ms := x.StopDate.Sub(x.StartDate).Milliseconds()
		ms = (ms + 99) / 100 * 100
		out.BillingDetails = &BillingDetail{BilledMemoryUsedInMB: 64, BilledDurationInMilliseconds: max(ms, 100)}
	}
	return out, nil
}

// StopExecution implements Engine.
func (a *EngineAdapter) StopExecution(ctx context.Context, in *StopExecutionInput) (*StopExecutionOutput, error) {
	x, err := a.eng.StopExecution(ctx, str(in.ExecutionArn), str(in.Error), str(in.Cause))
	if err != nil {
		return nil, convertErr(err)
	}
	stop := x.StopDate
	if stop.IsZero() {
		stop = time.Now()
	}
	return &StopExecutionOutput{StopDate: TimestampOf(stop)}, nil
}

func fromEngineExecution(x *engine.Execution) *Execution {
	out := &Execution{
		ExecutionArn: x.ARN, StateMachineArn: x.StateMachineARN, Name: x.Name, Status: string(x.Status),
		StartDate: TimestampOf(x.StartDate), StopDate: TimestampOf(x.StopDate),
		Input: &x.Input, InputDetails: &DataDetails{Included: true},
		Output: optStr(x.Output, x.HasOutput), Error: optStr(x.Error, x.HasError), Cause: optStr(x.Cause, x.HasCause),
		TraceHeader: x.TraceHeader, MapRunArn: x.MapRunARN,
	}
	if x.HasOutput {
		out.OutputDetails = &DataDetails{Included: true}
	}
	return out
}

// DescribeExecution implements Engine.
func (a *EngineAdapter) DescribeExecution(ctx context.Context, arn string) (*Execution, error) {
	x, err := a.eng.DescribeExecution(ctx, arn)
	if err != nil {
		return nil, convertErr(err)
	}
	out, err := a.withVersion(ctx, fromEngineExecution(x))
	if err != nil {
		return nil, err
	}
	return a.withRedrive(ctx, out, x)
}

// ListExecutions implements Engine.
func (a *EngineAdapter) ListExecutions(ctx context.Context, in *ListExecutionsInput) (*ListExecutionsOutput, error) {
	if in.StateMachineArn != nil {
		// An unknown machine is an error, not an empty list.
		if _, err := a.eng.DescribeStateMachine(ctx, *in.StateMachineArn); err != nil {
			return nil, convertErr(err)
		}
	}
	list, next, err := a.eng.ListExecutions(ctx, engine.ExecutionFilter{
		StateMachineARN: str(in.StateMachineArn), MapRunARN: str(in.MapRunArn), Status: engine.Status(str(in.StatusFilter)),
		Page: engine.Page{Limit: limit(in.MaxResults), NextToken: str(in.NextToken)},
	})
	if err != nil {
		return nil, convertErr(err)
	}
	out := &ListExecutionsOutput{Executions: make([]ExecutionListItem, 0, len(list)), NextToken: next}
	for _, x := range list {
		out.Executions = append(out.Executions, ExecutionListItem{
			ExecutionArn: x.ARN, StateMachineArn: x.StateMachineARN, Name: x.Name, Status: string(x.Status),
			StartDate: TimestampOf(x.StartDate), StopDate: TimestampOf(x.StopDate), MapRunArn: x.MapRunARN,
		})
	}
	return out, nil
}

// GetExecutionHistory implements Engine.
func (a *EngineAdapter) GetExecutionHistory(ctx context.Context, in *GetExecutionHistoryInput) (*GetExecutionHistoryOutput, error) {
	include := in.IncludeExecutionData == nil || *in.IncludeExecutionData
	reverse := in.ReverseOrder != nil && *in.ReverseOrder
	evs, next, err := a.eng.GetExecutionHistory(ctx, str(in.ExecutionArn), engine.HistoryQuery{
		Reverse: reverse, Page: engine.Page{Limit: limit(in.MaxResults), NextToken: str(in.NextToken)},
	}, include)
	if err != nil {
		return nil, convertErr(err)
	}
	out := &GetExecutionHistoryOutput{Events: make([]HistoryEvent, 0, len(evs)), NextToken: next}
	for _, ev := range evs {
		out.Events = append(out.Events, HistoryEvent{
			Timestamp: TimestampOf(ev.Timestamp), Type: ev.Type, ID: ev.ID, PreviousEventID: ev.PreviousEventID,
			DetailsKey: engine.DetailKey(ev.Type), Details: ev.Details,
		})
	}
	return out, nil
}

// DescribeStateMachineForExecution implements Engine: the machine with the
// definition the execution runs.
func (a *EngineAdapter) DescribeStateMachineForExecution(ctx context.Context, arn string) (*StateMachine, error) {
	x, err := a.eng.DescribeExecution(ctx, arn)
	if err != nil {
		return nil, convertErr(err)
	}
	sm, err := a.eng.DescribeStateMachine(ctx, x.StateMachineARN)
	if err != nil {
		if engine.ErrorCode(err) != engine.StateMachineDoesNotExist {
			return nil, convertErr(err)
		}
		name := x.StateMachineName
		sm = &engine.StateMachine{ARN: x.StateMachineARN, Name: name, Type: x.Type}
	}
	out := fromEngineMachine(sm)
	if x.Definition != "" {
		out.Definition = x.Definition
	}
	out.Status = ""
	out.UpdateDate = TimestampOf(sm.UpdateDate)
	return out, nil
}

// SendTaskSuccess implements TaskTokenEngine.
func (a *EngineAdapter) SendTaskSuccess(ctx context.Context, in *SendTaskSuccessInput) error {
	return convertErr(a.eng.SendTaskSuccess(ctx, str(in.TaskToken), str(in.Output)))
}

// SendTaskFailure implements TaskTokenEngine.
func (a *EngineAdapter) SendTaskFailure(ctx context.Context, in *SendTaskFailureInput) error {
	return convertErr(a.eng.SendTaskFailure(ctx, str(in.TaskToken), str(in.Error), str(in.Cause)))
}

// SendTaskHeartbeat implements TaskTokenEngine.
func (a *EngineAdapter) SendTaskHeartbeat(ctx context.Context, token string) error {
	return convertErr(a.eng.SendTaskHeartbeat(ctx, token))
}

// maxTags is AWS's limit of tags per resource.
const maxTags = 50

// taggedMachine loads the state machine a tag operation names. Activities
// are not supported by the engine, so their ARNs name no resource.
func (a *EngineAdapter) taggedMachine(ctx context.Context, arn string) (*engine.StateMachine, error) {
	res, _, ok := engine.ParseARN(arn)
	if !ok || res != "stateMachine" {
		return nil, &Error{Code: ErrResourceNotFound, Message: "Resource not found: '" + arn + "'"}
	}
	sm, err := a.eng.DescribeStateMachine(ctx, arn)
	if err != nil {
		if engine.ErrorCode(err) == engine.StateMachineDoesNotExist {
			return nil, &Error{Code: ErrResourceNotFound, Message: "Resource not found: '" + arn + "'"}
		}
		return nil, convertErr(err)
	}
	return sm, nil
}

// TagResource implements TagEngine for state machines: tags are stored with
// the machine.
func (a *EngineAdapter) TagResource(ctx context.Context, arn string, tags []Tag) error {
	sm, err := a.taggedMachine(ctx, arn)
	if err != nil {
		return err
	}
	merged := make(map[string]string, len(sm.Tags)+len(tags))
	for k, v := range sm.Tags {
		merged[k] = v
	}
	for _, t := range tags {
		merged[str(t.Key)] = str(t.Value)
	}
	if len(merged) > maxTags {
		return &Error{Code: "TooManyTags", Message: fmt.Sprintf("Too many tags: '%s' would have %d tags; the limit is %d", arn, len(merged), maxTags)}
	}
	sm.Tags = merged
	return convertErr(a.eng.Store().UpdateStateMachine(ctx, sm))
}

// UntagResource implements TagEngine.
func (a *EngineAdapter) UntagResource(ctx context.Context, arn string, keys []string) error {
	sm, err := a.taggedMachine(ctx, arn)
	if err != nil {
		return err
	}
	kept := make(map[string]string, len(sm.Tags))
	for k, v := range sm.Tags {
		kept[k] = v
	}
	for _, k := range keys {
		delete(kept, k)
	}
	sm.Tags = kept
	return convertErr(a.eng.Store().UpdateStateMachine(ctx, sm))
}

// ListTagsForResource implements TagEngine; tags come sorted by key.
func (a *EngineAdapter) ListTagsForResource(ctx context.Context, arn string) ([]Tag, error) {
	sm, err := a.taggedMachine(ctx, arn)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(sm.Tags))
	for k := range sm.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]Tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, Tag{Key: ptr(k), Value: ptr(sm.Tags[k])})
	}
	return out, nil
}

// Publisher returns an engine.Publisher that feeds these metrics from the
// committed history events and then hands the events to next (may be nil).
func (m *Metrics) Publisher(next engine.Publisher) engine.Publisher {
	return metricsPublisher{m: m, next: next}
}

type metricsPublisher struct {
	m    *Metrics
	next engine.Publisher
}

func (p metricsPublisher) Publish(x *engine.Execution, events []engine.HistoryEvent) {
	if x != nil && x.Type == engine.Express {
		// Counted by EngineAdapter.WithMetrics whether or not the engine
		// keeps EXPRESS history.
		if p.next != nil {
			p.next.Publish(x, events)
		}
		return
	}
	transitions := 0
	for _, ev := range events {
		// The engine commits ExecutionStarted (event 1) with the execution
		// record and publishes from event 2 on, so event 2 marks a start.
		if ev.ID == 2 {
			p.m.ExecutionStarted()
		}
		switch ev.Type {
		case "ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted":
			status := strings.ToUpper(strings.TrimPrefix(ev.Type, "Execution"))
			if status == "TIMEDOUT" {
				status = "TIMED_OUT"
			}
			d := time.Duration(0)
			if x != nil && !x.StartDate.IsZero() {
				d = ev.Timestamp.Sub(x.StartDate)
			}
			p.m.ExecutionFinished(status, d)
		default:
			if strings.HasSuffix(ev.Type, "StateEntered") {
				transitions++
			}
		}
	}
	p.m.Transitions(transitions)
	if p.next != nil {
		p.next.Publish(x, events)
	}
}
