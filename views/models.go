package views

import (
	"fmt"
	"net/url"
	"time"
)

// Page is what the layout needs on every page.
type Page struct {
	Title   string
	Section string // "state-machines" or "activities": the highlighted nav entry
	CSRF    string // token for form posts
	CSSURL  string
	JSURL   string
	Flash   string // one-line notice shown on top (after a redirect)
	FlashOK bool
	Wide    bool // the page uses the whole window (the designer)
}

// StateMachineRow is one line of the state machines list.
type StateMachineRow struct {
	Name          string
	Type          string
	Created       time.Time
	LastStatus    string // empty when the machine never ran
	LastExecution string
	LastStart     time.Time
}

// StateMachinesView is the /state-machines page.
type StateMachinesView struct {
	Page
	Query      string
	Type       string // "", "STANDARD" or "EXPRESS"
	Rows       []StateMachineRow
	Total      int // machines before filtering
	NextURL    string
	PrevURL    string
	Create     CreateForm
	CreateOpen bool
}

// CreateForm is the create-state-machine form with what the user typed.
type CreateForm struct {
	Name       string
	Type       string
	Definition string
	Error      string
}

// DiagramNode is one state in the read-only preview.
type DiagramNode struct {
	Name    string
	Type    string
	Start   bool
	End     bool
	Edges   []DiagramEdge
	Comment string
}

// DiagramEdge is one outgoing transition of a state.
type DiagramEdge struct {
	Label  string // "Next", "Default", "Choice 1", "Catch States.ALL"
	Target string
}

// ExecutionRow is one line of an executions list.
type ExecutionRow struct {
	Name     string
	Status   string
	Start    time.Time
	Stop     time.Time
	Duration string
}

// StateMachineView is the /state-machines/<name> page.
type StateMachineView struct {
	Page
	Name         string
	ARN          string
	Type         string
	RoleARN      string
	Created      time.Time
	RevisionID   string
	Definition   string // pretty-printed
	Diagram      []DiagramNode
	DiagramError string
	Executions   []ExecutionRow
	StatusFilter string
	NextURL      string
	FirstURL     string
	StartName    string
	StartInput   string
	StartError   string
	Versioning   string   // what the engine says about versions and aliases
	Tags         []string // "key=value", sorted by key
}

// EventRow is one history event.
type EventRow struct {
	ID        int64
	Previous  int64
	Type      string
	Time      time.Time
	Elapsed   string
	StateName string
	Details   string // pretty JSON of the detail object
	Kind      string // "ok", "fail", "info": the row color
}

// ExecutionView is the /state-machines/<name>/executions/<execution> page.
type ExecutionView struct {
	Page
	MachineName  string
	Name         string
	ARN          string
	Status       string
	Start        time.Time
	Stop         time.Time
	Duration     string
	Input        string
	Output       string
	Error        string
	Cause        string
	Events       []EventRow
	EventTypes   []string
	EventsTrunc  bool
	Transitions  int
	Cost         string
	CanStop      bool
	CanRedrive   bool
	RedriveNote  string
	RedriveCount int
	// Live is the live diagram, history and timeline; nil without a hub.
	Live *LiveView
}

// ActivityRow is one activity on /activities.
type ActivityRow struct {
	Name    string
	ARN     string
	Created time.Time
	Pending int
	Known   bool // whether Pending and Workers are known
	Workers []Worker
}

// Worker is a worker that polled an activity.
type Worker struct {
	Name     string
	LastSeen time.Time
}

// ActivitiesView is the /activities page.
type ActivitiesView struct {
	Page
	Supported bool
	Rows      []ActivityRow
	NextURL   string
}

// ErrorView is a full-page error.
type ErrorView struct {
	Page
	Status  int
	Heading string
	Message string
}

// MachineURL is the stable URL of a state machine's page.
func MachineURL(name string) string {
	return "/state-machines/" + url.PathEscape(name)
}

// ExecutionURL is the stable URL of an execution's page.
func ExecutionURL(machine, execution string) string {
	return MachineURL(machine) + "/executions/" + url.PathEscape(execution)
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func statusClass(status string) string {
	switch status {
	case "SUCCEEDED":
		return "badge badge-ok"
	case "FAILED", "TIMED_OUT":
		return "badge badge-fail"
	case "ABORTED":
		return "badge badge-warn"
	case "RUNNING", "PENDING_REDRIVE":
		return "badge badge-run"
	default:
		return "badge"
	}
}

func statusLabel(status string) string {
	switch status {
	case "":
		return "never run"
	case "TIMED_OUT":
		return "Timed out"
	case "PENDING_REDRIVE":
		return "Pending redrive"
	}
	if len(status) > 1 {
		return status[:1] + lower(status[1:])
	}
	return status
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func itoa(n int) string { return fmt.Sprint(n) }

func i64(n int64) string { return fmt.Sprint(n) }

// Statuses are the execution statuses the filter offers.
var statuses = [...]string{"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
