package engine

import (
	"encoding/json"
	"strings"
	"time"
)

// Type is a state machine type.
type Type string

// State machine types.
const (
	Standard Type = "STANDARD"
	Express  Type = "EXPRESS"
)

// Status is an execution status.
type Status string

// Execution statuses, as AWS names them.
const (
	Running   Status = "RUNNING"
	Succeeded Status = "SUCCEEDED"
	Failed    Status = "FAILED"
	TimedOut  Status = "TIMED_OUT"
	Aborted   Status = "ABORTED"
)

// Done reports whether s is a final status.
func (s Status) Done() bool { return s != Running && s != "" }

// StateMachine is a created state machine.
type StateMachine struct {
	ARN          string
	Name         string
	Type         Type
	Definition   string // the definition text exactly as given
	RoleARN      string
	Status       string // ACTIVE or DELETING
	CreationDate time.Time
	UpdateDate   time.Time
	RevisionID   string
	Description  string
	// Tags, logging and tracing configuration are kept as given so the API can
	// return them; the engine does not interpret them.
	Tags          map[string]string
	LoggingConfig json.RawMessage
	TracingConfig json.RawMessage
}

// Execution is one run of a state machine.
type Execution struct {
	ARN              string
	Name             string
	StateMachineARN  string
	StateMachineName string
	Type             Type
	Status           Status
	Input            string // the input text exactly as given
	Output           string // final output text; "" when none
	HasOutput        bool
	Error            string
	HasError         bool
	Cause            string
	HasCause         bool
	StartDate        time.Time
	StopDate         time.Time // zero while RUNNING
	// DefinitionHash names the compiled program the execution runs, so a
	// recovered execution runs the definition it started with.
	Definition string
	// MapRunARN is set for child executions of a distributed Map.
	MapRunARN string
	// ParentARN is the execution that started this one (distributed Map).
	ParentARN string
	// TraceHeader and TestCase are carried from StartExecution.
	TraceHeader string
	TestCase    string
	// LastEventID is the id of the last history event written.
	LastEventID int64
}

// Clone returns a copy of x.
func (x *Execution) Clone() *Execution {
	c := *x
	return &c
}

// HistoryEvent is one event of an execution's history, in AWS's shape.
type HistoryEvent struct {
	ID              int64
	PreviousEventID int64
	Timestamp       time.Time
	Type            string
	// Details is the JSON of the AWS detail object for Type (the value under
	// DetailKey(Type)), or nil for event types without details.
	Details json.RawMessage
}

// MapRun is the record of one distributed Map state run.
type MapRun struct {
	ARN                        string
	ExecutionARN               string
	StateMachineARN            string // the child state machine
	Label                      string
	Status                     Status
	StartDate                  time.Time
	StopDate                   time.Time
	MaxConcurrency             int
	ToleratedFailurePercentage float64
	ToleratedFailureCount      int64
	// Item counts, as DescribeMapRun reports them.
	Total, Pending, Running, Succeeded, Failed, TimedOut, Aborted int64
}

// ARNs builds and parses Amazon Resource Names for a region and account.
type ARNs struct {
	Region  string
	Account string
}

func (a ARNs) prefix() string {
	return "arn:aws:states:" + a.Region + ":" + a.Account + ":"
}

// StateMachine returns the ARN of the state machine name.
func (a ARNs) StateMachine(name string) string { return a.prefix() + "stateMachine:" + name }

// Execution returns the ARN of execution exec of machine sm; express
// executions use the "express" resource type as AWS does.
func (a ARNs) Execution(t Type, sm, exec string) string {
	kind := "execution:"
	if t == Express {
		kind = "express:"
	}
	return a.prefix() + kind + sm + ":" + exec
}

// MapRun returns the ARN of a distributed Map run.
func (a ARNs) MapRun(sm, label, id string) string {
	name := sm
	if label != "" {
		name += "/" + label
	}
	return a.prefix() + "mapRun:" + name + ":" + id
}

// ParseARN splits an ARN of this engine into resource type ("stateMachine",
// "execution", "express", "mapRun", "activity") and the rest after it. ok is
// false when arn does not have the form arn:aws:states:REGION:ACCOUNT:TYPE:...
func ParseARN(arn string) (resource, rest string, ok bool) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "states" || parts[1] == "" {
		return "", "", false
	}
	return parts[5], parts[6], true
}

// validName reports whether s is a valid state machine or execution name by
// AWS's rules: 1–80 characters, none of whitespace, brackets, wildcards,
// special characters or control characters.
func validName(s string) bool {
	if s == "" || len([]rune(s)) > 80 {
		return false
	}
	for _, r := range s {
		switch {
		case r <= 0x1f, r >= 0x7f && r <= 0x9f:
			return false
		case strings.ContainsRune(" <>{}[]?*\"#%\\^|~`$&,;:/", r):
			return false
		case r == '\t' || r == '\n' || r == '\r':
			return false
		}
	}
	return true
}
