package engine

import (
	"context"
	"time"
)

type timeDuration = time.Duration

// TaskRequest is one dispatch of a Task state to an integration.
type TaskRequest struct {
	// ID identifies the dispatch within its execution; Token is the task
	// token a callback would use.
	ID               string
	ExecutionARN     string
	StateMachineName string
	StateName        string
	Resource         string
	// Input is the task's parameters (a jsonv value).
	Input any
	// Attempt counts earlier dispatches of this state in the execution (0
	// for the first), so mocks can answer successive attempts differently.
	Attempt          int
	Token            string
	TimeoutSeconds   int64
	HeartbeatSeconds int64
	// TestCase is the mock test case the execution runs under, if any.
	TestCase string
}

// TaskResult is how a task ended: Output (a jsonv value) or, when Failed,
// Error and Cause.
type TaskResult struct {
	Output any
	Failed bool
	Error  string
	Cause  string
}

// Integration carries out Task states for resources it serves. Start must
// not block for long: it starts the work and calls done exactly once, from
// any goroutine, now or later (task tokens, heartbeats and callbacks fit in
// this shape: the integration holds done until the callback arrives).
type Integration interface {
	// Handles reports whether the integration serves the request (by
	// resource, test case, ...).
	Handles(req *TaskRequest) bool
	Start(ctx context.Context, req *TaskRequest, done func(TaskResult))
}

// noIntegration is the answer for a resource nothing serves.
func noIntegration(req *TaskRequest) TaskResult {
	return TaskResult{Failed: true, Error: "States.TaskFailed",
		Cause: "No integration serves the resource '" + req.Resource + "' of state '" + req.StateName +
			"'. Mock it with a MockConfigFile (stepwise run --mock-config FILE --test-case NAME) naming the state in a test case."}
}
