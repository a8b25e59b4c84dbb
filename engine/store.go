package engine

import (
	"context"
	"time"
)

// Store keeps state machines, executions and everything an execution needs to
// continue after a restart: its frames (interpreter state), timers, pending
// task dispatches (the outbox) and its history. Implementations: NewMemStore
// (memory) and engine/sqlite. Every implementation must pass
// engine/storetest.Run.
//
// Errors are *Error values with the AWS error codes (StateMachineDoesNotExist,
// ExecutionDoesNotExist, StateMachineAlreadyExists, ...) where the caller can
// act on them; anything else is an internal error.
type Store interface {
	// CreateStateMachine inserts sm; a machine with the same ARN →
	// StateMachineAlreadyExists.
	CreateStateMachine(ctx context.Context, sm *StateMachine) error
	// UpdateStateMachine replaces the stored machine with the same ARN.
	UpdateStateMachine(ctx context.Context, sm *StateMachine) error
	// DeleteStateMachine removes the machine (its executions stay readable).
	DeleteStateMachine(ctx context.Context, arn string) error
	// GetStateMachine returns the machine or StateMachineDoesNotExist.
	GetStateMachine(ctx context.Context, arn string) (*StateMachine, error)
	// ListStateMachines lists machines ordered by name.
	ListStateMachines(ctx context.Context, page Page) ([]*StateMachine, string, error)

	// CreateExecution inserts x (status RUNNING) with its first history events
	// in one transaction. When an execution with the same ARN exists it
	// returns that one and created=false, writing nothing.
	CreateExecution(ctx context.Context, x *Execution, events []HistoryEvent) (existing *Execution, created bool, err error)
	// GetExecution returns the execution or ExecutionDoesNotExist.
	GetExecution(ctx context.Context, arn string) (*Execution, error)
	// ListExecutions lists executions newest first (by start date, then ARN).
	ListExecutions(ctx context.Context, f ExecutionFilter) ([]*Execution, string, error)
	// GetHistory returns history events of an execution.
	GetHistory(ctx context.Context, executionARN string, q HistoryQuery) ([]HistoryEvent, string, error)

	// Commit applies the steps of many executions in one transaction: all or
	// nothing. Event ids of each execution must continue its history without
	// gaps (the first event id of a step is the execution's LastEventID+1);
	// otherwise Commit fails and applies nothing.
	Commit(ctx context.Context, steps []*Step) error

	// Recover returns every RUNNING execution with its frames, timers and
	// outbox tasks, so the runtime can continue them after a restart.
	Recover(ctx context.Context) ([]*Recovered, error)

	// GetMapRun returns a Map Run or ResourceNotFound.
	GetMapRun(ctx context.Context, arn string) (*MapRun, error)
	// ListMapRuns lists the Map Runs started by an execution, oldest first.
	ListMapRuns(ctx context.Context, executionARN string, page Page) ([]*MapRun, string, error)

	// Close releases the store's resources.
	Close() error
}

// Page asks for one page of a listing. Limit 0 means the store's default
// (100); NextToken is the token a previous call returned.
type Page struct {
	Limit     int
	NextToken string
}

// ExecutionFilter selects executions to list.
type ExecutionFilter struct {
	StateMachineARN string // "" for all machines
	MapRunARN       string // child executions of one Map Run
	Status          Status // "" for all
	Page
}

// HistoryQuery selects history events.
type HistoryQuery struct {
	Reverse bool  // newest first
	AfterID int64 // only events with a larger id (ignored when Reverse)
	Page
}

// Step is what one execution's interpreter step changes, committed together.
type Step struct {
	// Execution is the execution row after the step (status, output,
	// LastEventID...). Required.
	Execution *Execution
	// Events are new history events, ids contiguous after the previous
	// LastEventID.
	Events []HistoryEvent
	// Frames to insert or replace, and frame ids to delete.
	PutFrames    []Frame
	DeleteFrames []string
	// Timers to arm and timer ids to remove (fired or canceled).
	PutTimers    []Timer
	DeleteTimers []string
	// Tasks to dispatch (the outbox) and task ids that are finished.
	PutTasks    []Task
	DeleteTasks []string
	// MapRuns to insert or replace.
	MapRuns []*MapRun
}

// Frame is the serialized interpreter state of one frame of an execution (the
// root, a Parallel branch, a Map iteration). Data is opaque to the store.
type Frame struct {
	ID   string
	Data []byte
}

// Timer is a durable timer: at Due the runtime delivers it to its execution.
type Timer struct {
	ID   string
	Due  time.Time
	Data []byte
}

// Task is an outbox entry: a task dispatch the runtime performs after the
// commit and performs again after a restart until it is finished.
type Task struct {
	ID    string
	Token string // task token, unique; "" when the integration needs none
	Data  []byte
}

// Recovered is a RUNNING execution with what it needs to continue.
type Recovered struct {
	Execution *Execution
	Frames    []Frame
	Timers    []Timer
	Tasks     []Task
}
