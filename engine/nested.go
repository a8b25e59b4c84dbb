package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"stepwise/engine/jsonv"
)

// nestedResource is the optimized integration that starts an execution of
// another state machine; its suffixes ".sync", ".sync:2" and
// ".waitForTaskToken" choose how the parent waits.
const nestedResource = "arn:aws:states:::states:startExecution"

// isNested reports whether a Task resource starts a nested execution.
func isNested(resource string) bool {
	switch resource {
	case nestedResource, nestedResource + ".sync", nestedResource + ".sync:2", nestedResource + ".waitForTaskToken":
		return true
	}
	return false
}

// childName is the name of the child execution a task starts when
// Parameters name none: derived from the task, so a dispatch repeated after
// a restart finds the child it started before instead of starting another.
func childName(req *TaskRequest) string {
	sum := sha256.Sum256([]byte(req.ExecutionARN + "#" + req.ID))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// startNested starts the child execution the task's Parameters describe
// (StateMachineArn, Input, Name) and, for .sync and .sync:2, completes the
// task when the child ends: its DescribeExecution output is the result; a
// child that does not succeed fails the task with States.TaskFailed and the
// description as cause. .waitForTaskToken leaves completion to SendTask*.
func (e *Engine) startNested(ctx context.Context, req *TaskRequest, done func(TaskResult)) {
	fail := func(name, cause string) { done(TaskResult{Failed: true, Error: name, Cause: cause}) }
	params, _ := req.Input.(*jsonv.Object)
	if params == nil {
		fail("States.Runtime", "The Parameters of state '"+req.StateName+"' must be an object with StateMachineArn for "+req.Resource)
		return
	}
	smARN, _ := params.Get("StateMachineArn")
	arn, ok := smARN.(string)
	if !ok || arn == "" {
		fail("States.Runtime", "The Parameters of state '"+req.StateName+"' lack the string field StateMachineArn for "+req.Resource)
		return
	}
	input := "{}"
	if v, ok := params.Get("Input"); ok {
		if s, isStr := v.(string); isStr {
			input = s
		} else {
			input = jsonv.String(v)
		}
	}
	name := childName(req)
	if v, ok := params.Get("Name"); ok {
		s, isStr := v.(string)
		if !isStr {
			fail("States.Runtime", "The Name parameter of state '"+req.StateName+"' must be a string")
			return
		}
		name = s
	}
	x, err := e.StartExecution(ctx, StartExecutionInput{StateMachineARN: arn, Name: name, Input: input})
	if ErrorCode(err) == ExecutionAlreadyExists {
		// Started before a restart and finished since: report that run.
		x, err = e.DescribeExecution(ctx, e.arns.childARN(arn, name))
	}
	if err != nil {
		code := ErrorCode(err)
		if code == Internal {
			fail("States.TaskFailed", "Starting the child execution of state '"+req.StateName+"' failed: "+err.Error())
			return
		}
		fail("StepFunctions."+code+"Exception", ErrorMessage(err))
		return
	}
	switch {
	case strings.HasSuffix(req.Resource, ".waitForTaskToken"):
		return
	case strings.HasSuffix(req.Resource, ".sync"), strings.HasSuffix(req.Resource, ".sync:2"):
	default:
		done(TaskResult{Output: jsonv.ObjectOf("ExecutionArn", x.ARN, "StartDate", epochMillis(x))})
		return
	}
	asJSON := strings.HasSuffix(req.Resource, ":2")
	e.taskSubmitted(req, jsonv.ObjectOf("ExecutionArn", x.ARN, "StartDate", epochMillis(x)))
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		end, err := e.Wait(ctx, x.ARN)
		if err != nil {
			// The engine is stopping: the task stays in the outbox and is
			// dispatched again on recovery, which finds this child.
			return
		}
		desc := describeChild(end, asJSON)
		if end.Status != Succeeded {
			fail("States.TaskFailed", jsonv.String(desc))
			return
		}
		done(TaskResult{Output: desc})
	}()
}

// childARN is the ARN of execution name of the machine smARN (a version or
// alias ARN names its machine's executions).
func (a ARNs) childARN(smARN, name string) string {
	_, rest, _ := ParseARN(smARN)
	machine, _, _ := strings.Cut(rest, ":")
	return a.Execution(Standard, machine, name)
}

func epochMillis(x *Execution) any {
	return jsonv.Number(x.StartDate.UnixMilli())
}

// describeChild is the result of a .sync task: the child's DescribeExecution
// shape, with Input and Output as JSON text (.sync) or values (.sync:2).
func describeChild(x *Execution, asJSON bool) *jsonv.Object {
	text := func(s string) any {
		if !asJSON {
			return s
		}
		v, err := jsonv.DecodeString(s)
		if err != nil {
			return s
		}
		return v
	}
	o := jsonv.ObjectOf("ExecutionArn", x.ARN, "Input", text(x.Input),
		"InputDetails", jsonv.ObjectOf("Included", true), "Name", x.Name)
	if x.HasOutput {
		o.Set("Output", text(x.Output))
		o.Set("OutputDetails", jsonv.ObjectOf("Included", true))
	}
	if x.HasError {
		o.Set("Error", x.Error)
	}
	if x.HasCause {
		o.Set("Cause", x.Cause)
	}
	o.Set("StartDate", epochMillis(x))
	o.Set("StateMachineArn", x.StateMachineARN)
	o.Set("Status", string(x.Status))
	if !x.StopDate.IsZero() {
		o.Set("StopDate", jsonv.Number(x.StopDate.UnixMilli()))
	}
	return o
}

// taskSubmitted records TaskSubmitted (the child started; the task waits
// for it) for the running task req.
func (e *Engine) taskSubmitted(req *TaskRequest, output any) {
	e.mu.Lock()
	ref := e.tokens[req.Token]
	e.mu.Unlock()
	if ref == nil {
		return
	}
	ref.a.deliver(func(r *run) {
		f, ok := r.tasks[req.ID]
		if !ok || r.done {
			return
		}
		rt, res := resourceParts(f.st.resource)
		r.emit(f, "TaskSubmitted", &detail{resourceType: rt, resource: res, output: output})
	})
}

// startedBy returns the parent execution an input names with AWS's
// AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID key ("$$.Execution.Id" of the
// parent), or "" when it names none.
func startedBy(input any) string {
	o, ok := input.(*jsonv.Object)
	if !ok {
		return ""
	}
	v, _ := o.Get("AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID")
	s, _ := v.(string)
	if kind, _, ok := ParseARN(s); !ok || kind != "execution" {
		return ""
	}
	return s
}
