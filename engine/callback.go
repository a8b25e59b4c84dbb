package engine

import (
	"context"
	"strings"

	"stepwise/engine/jsonv"
)

func (e *Engine) tokenRef(token string) (*tokenRef, error) {
	if token == "" || len(token) > 2048 {
		return nil, Errorf(InvalidToken, "Invalid Token: '%s'", token)
	}
	e.mu.Lock()
	ref := e.tokens[token]
	e.mu.Unlock()
	if ref == nil {
		if e.expired.has(token) {
			return nil, Errorf(TaskTimedOut, "Task Timed Out: '%s'", token)
		}
		return nil, Errorf(TaskDoesNotExist, "Task Does Not Exist: '%s'", token)
	}
	return ref, nil
}

// SendTaskSuccess completes the running task with the token (a
// .waitForTaskToken callback or an activity) with output, a JSON text.
func (e *Engine) SendTaskSuccess(ctx context.Context, token, output string) error {
	v, err := jsonv.DecodeString(output)
	if err != nil {
		return Errorf(InvalidOutput, "Invalid Output: '%v'", err)
	}
	if lim := e.opts.PayloadLimit; lim > 0 && len(output) > lim {
		return Errorf(InvalidOutput, "Output exceeds the maximum size of %d bytes", lim)
	}
	ref, err := e.tokenRef(token)
	if err != nil {
		return err
	}
	ref.done(TaskResult{Output: v})
	return nil
}

// SendTaskFailure fails the running task with the token.
func (e *Engine) SendTaskFailure(ctx context.Context, token, errName, cause string) error {
	ref, err := e.tokenRef(token)
	if err != nil {
		return err
	}
	ref.done(TaskResult{Failed: true, Error: errName, Cause: cause})
	return nil
}

// SendTaskHeartbeat tells the engine the task with the token is alive; its
// HeartbeatSeconds timer starts again.
func (e *Engine) SendTaskHeartbeat(ctx context.Context, token string) error {
	ref, err := e.tokenRef(token)
	if err != nil {
		return err
	}
	ref.a.deliver(func(r *run) { r.taskHeartbeat(ref.id) })
	return nil
}

// CallbackIntegration serves ".waitForTaskToken" resources by waiting: the
// task ends when SendTaskSuccess or SendTaskFailure arrives with its token
// (which Parameters pass on with "$$.Task.Token"), or when it times out.
// Delivering the message that carries the token is the job of the real
// service integration; this one lets a local run, a test or an operator
// answer by hand.
type CallbackIntegration struct{}

// Handles reports whether the resource waits for a task token.
func (CallbackIntegration) Handles(req *TaskRequest) bool {
	return strings.HasSuffix(req.Resource, ".waitForTaskToken")
}

// Start does nothing: completion comes through the Send* calls.
func (CallbackIntegration) Start(ctx context.Context, req *TaskRequest, done func(TaskResult)) {}
