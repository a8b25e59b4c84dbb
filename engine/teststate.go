package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"

	"stepwise/engine/jsonv"
)

// TestState statuses, as AWS's TestState API reports them.
const (
	TestSucceeded   = "SUCCEEDED"
	TestFailed      = "FAILED"
	TestRetriable   = "RETRIABLE"
	TestCaughtError = "CAUGHT_ERROR"
)

// TestStateInput runs one state alone (AWS's TestState API).
type TestStateInput struct {
	// Definition is the state's JSON (one state, not a machine).
	Definition string
	// Input is the state's input as JSON text ("" for {}).
	Input string
	// Variables is a JSON object of variables the state can read ("" for none).
	Variables string
	// InspectionLevel is INFO (default), DEBUG or TRACE; DEBUG and TRACE
	// fill InspectionData.
	InspectionLevel string
	// Mock is the result of a Task instead of calling its resource; a Task
	// needs one.
	Mock *TestStateMock
}

// TestStateMock is a Task's mocked outcome: Result (JSON text), or an
// error with a cause.
type TestStateMock struct {
	Result string
	Error  string
	Cause  string
}

// TestStateOutput is the outcome of TestState.
type TestStateOutput struct {
	Status    string // SUCCEEDED, FAILED, RETRIABLE or CAUGHT_ERROR
	Output    string // JSON text, when the state produced one
	HasOutput bool
	Error     string
	Cause     string
	// NextState is the state the machine would go to ("" at an end).
	NextState string
	// Inspection holds the data after each processing step, at DEBUG level.
	Inspection *TestStateInspection
}

// TestStateInspection is AWS's inspectionData: the value after each
// input and output processing step, as JSON text ("" when the step does not
// apply).
type TestStateInspection struct {
	Input               string `json:"input,omitempty"`
	AfterInputPath      string `json:"afterInputPath,omitempty"`
	AfterParameters     string `json:"afterParameters,omitempty"`
	Result              string `json:"result,omitempty"`
	AfterResultSelector string `json:"afterResultSelector,omitempty"`
	AfterResultPath     string `json:"afterResultPath,omitempty"`
	Variables           string `json:"variables,omitempty"`
}

const testStateName = "TestState"

// TestState runs the state in.Definition alone with in.Input, the way AWS's
// TestState API does: it reports the output, the error and cause, the next
// state, and at DEBUG level the data after each processing step. A Task is
// not called: its result comes from in.Mock. Wait states do not wait;
// Parallel and Map states are not supported.
func (e *Engine) TestState(ctx context.Context, in TestStateInput) (*TestStateOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sv, err := jsonv.DecodeString(in.Definition)
	if err != nil {
		return nil, Errorf(InvalidDefinition, "TestState: the state definition is not valid JSON: %v", err)
	}
	state, ok := sv.(*jsonv.Object)
	if !ok {
		return nil, Errorf(InvalidDefinition, "TestState: the state definition must be an object, not %s", jsonv.TypeName(sv))
	}
	typ, _ := state.Get("Type")
	if typ == "Parallel" || typ == "Map" {
		return nil, Errorf(ValidationException, "TestState: %s states are not supported; test the states inside them", typ)
	}
	input := any(jsonv.NewObject(0))
	if in.Input != "" {
		if input, err = jsonv.DecodeString(in.Input); err != nil {
			return nil, Errorf(InvalidExecutionInput, "TestState: the input is not valid JSON: %v", err)
		}
	}
	vars := map[string]any{}
	if in.Variables != "" {
		v, err := jsonv.DecodeString(in.Variables)
		o, ok := v.(*jsonv.Object)
		if err != nil || !ok {
			return nil, Errorf(ValidationException, "TestState: the variables must be a JSON object")
		}
		for _, m := range o.Members() {
			vars[m.Key] = m.Value
		}
	}
	if typ == "Task" && in.Mock == nil {
		return nil, Errorf(ValidationException, "TestState: a Task state needs a mocked result (its resource is not called)")
	}

	// The state runs as the only state of a machine whose other states
	// stand in for the states it names, so transitions have a target.
	targets := stateTargets(state)
	states := jsonv.NewObject(len(targets) + 1)
	states.Set(testStateName, state)
	for _, t := range targets {
		if t != testStateName {
			states.Set(t, jsonv.ObjectOf("Type", "Succeed"))
		}
	}
	machine := jsonv.ObjectOf("StartAt", testStateName, "States", states)
	if ql, ok := state.Get("QueryLanguage"); ok {
		machine.Set("QueryLanguage", ql)
	}
	p, err := compileDefinition(jsonv.String(machine))
	if err != nil {
		return nil, fmt.Errorf("engine: TestState: %w", err)
	}
	p.usesVars = true
	var st *stateProg
	for _, s := range p.root.states {
		if s.name == testStateName {
			st = s
		}
	}
	if st == nil {
		return nil, Errorf(InvalidDefinition, "TestState: the state did not compile")
	}

	x := &Execution{ARN: e.arns.Execution(Express, testStateName, "test"), Name: "test", StateMachineName: testStateName, Type: Express}
	r := newRun(p, x, input, e.arns, e.clock.Now, rand.Float64, false)
	f := &frame{id: r.newID(), kind: kindRoot, m: p.root, lastEvent: r.lastID, vars: &varScope{vals: vars}}
	r.root = f
	out := &TestStateOutput{}
	if in.InspectionLevel == "DEBUG" || in.InspectionLevel == "TRACE" {
		out.Inspection = r.inspect(f, st, input, in.Mock)
		f.vars = &varScope{vals: vars} // inspect may have assigned
	}
	r.enter(f, st, input)
	r.queue = append(r.queue, f)
	r.pump()
	for i := 0; i < 4 && !r.done && f.st == st && f.status == frBlocked; i++ {
		switch {
		case f.taskID != "":
			res := TaskResult{}
			if in.Mock.Error != "" || in.Mock.Cause != "" {
				res = TaskResult{Failed: true, Error: in.Mock.Error, Cause: in.Mock.Cause}
			} else if res.Output, err = jsonv.DecodeString(in.Mock.Result); err != nil {
				return nil, Errorf(ValidationException, "TestState: the mocked result is not valid JSON: %v", err)
			}
			r.taskDone(f.taskID, res)
		case f.timerID != "" && r.timers[f.timerID].kind == timerWait:
			r.timerFired(f.timerID)
		default:
			// A retry timer: the error is retriable.
			out.Status = TestRetriable
			if f.err != nil {
				out.Error, out.Cause = f.err.name, f.err.cause
			} else if lastErr := r.lastTaskErr(in.Mock); lastErr != nil {
				out.Error, out.Cause = lastErr.name, lastErr.cause
			}
			return out, nil
		}
	}
	switch {
	case f.st != st:
		// Moved on: to the next state, or to a catcher's target.
		out.NextState = f.st.name
		out.Output, out.HasOutput = jsonv.String(f.raw), true
		out.Status = TestSucceeded
		if caught := st.kind == stTask && in.Mock.Error != "" || st.kind == stTask && in.Mock.Cause != ""; caught {
			out.Status = TestCaughtError
			out.Error, out.Cause = in.Mock.Error, in.Mock.Cause
		}
	case r.done && r.err != nil:
		out.Status = TestFailed
		out.Error, out.Cause = r.err.name, r.err.cause
	case r.done:
		out.Status = TestSucceeded
		out.Output, out.HasOutput = jsonv.String(r.output), true
	default:
		return nil, Errorf(Internal, "TestState: the state %s did not finish", stateType(st))
	}
	return out, nil
}

// lastTaskErr is the mocked error that led to a retry.
func (r *run) lastTaskErr(m *TestStateMock) *stateErr {
	if m == nil || (m.Error == "" && m.Cause == "") {
		return nil
	}
	return &stateErr{name: m.Error, cause: m.Cause, hasCause: true}
}

// inspect computes the data after each JSONPath processing step; JSONata
// states report only their input (their steps are one expression each).
func (r *run) inspect(f *frame, st *stateProg, input any, mock *TestStateMock) *TestStateInspection {
	ins := &TestStateInspection{Input: jsonv.String(input)}
	f.st, f.raw = st, input
	if len(f.vars.vals) > 0 {
		o := jsonv.NewObject(len(f.vars.vals))
		keys := make([]string, 0, len(f.vars.vals))
		for k := range f.vars.vals {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			o.Set(k, f.vars.vals[k])
		}
		ins.Variables = jsonv.String(o)
	}
	if st.jsonata != nil {
		return ins
	}
	eff, serr := r.applyPath(f, st.inputPath, st.inputNull, input)
	if serr != nil {
		return ins
	}
	ins.AfterInputPath = jsonv.String(eff)
	if st.kind != stPass && st.kind != stTask {
		return ins
	}
	result := eff
	if st.params != nil {
		v, err := st.params.Eval(r.env(f, eff))
		if err != nil {
			return ins
		}
		ins.AfterParameters = jsonv.String(v)
		result = v
	}
	switch {
	case st.kind == stPass && st.hasResult:
		result = st.result
	case st.kind == stTask:
		if mock == nil || mock.Error != "" || mock.Cause != "" {
			return ins
		}
		v, err := jsonv.DecodeString(mock.Result)
		if err != nil {
			return ins
		}
		result = v
		ins.Result = jsonv.String(v)
		if st.resultSel != nil {
			v, err := st.resultSel.Eval(r.env(f, result))
			if err != nil {
				return ins
			}
			result = v
			ins.AfterResultSelector = jsonv.String(v)
		}
	}
	if st.kind == stPass {
		ins.Result = jsonv.String(result)
	}
	out, serr := r.applyResult(f, st.resultPath, st.resultNull, input, result)
	if serr != nil {
		return ins
	}
	ins.AfterResultPath = jsonv.String(out)
	return ins
}

// stateTargets lists the state names a state transitions to: Next,
// Default, each Choice rule's and each catcher's Next.
func stateTargets(s *jsonv.Object) []string {
	var out []string
	add := func(v any) {
		if n, ok := v.(string); ok && n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	n, _ := s.Get("Next")
	add(n)
	d, _ := s.Get("Default")
	add(d)
	for _, key := range []string{"Choices", "Catch"} {
		list, _ := s.Get(key)
		arr, _ := list.([]any)
		for _, e := range arr {
			if o, ok := e.(*jsonv.Object); ok {
				n, _ := o.Get("Next")
				add(n)
			}
		}
	}
	return out
}

// InspectionJSON is the inspection data as AWS's JSON object.
func (i *TestStateInspection) InspectionJSON() json.RawMessage {
	if i == nil {
		return nil
	}
	b, _ := json.Marshal(i) // strings only: cannot fail
	return b
}
