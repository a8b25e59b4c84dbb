package asl

// Query languages.
const (
	JSONPath = "JSONPath"
	JSONata  = "JSONata"
)

// State types.
const (
	TypeTask     = "Task"
	TypePass     = "Pass"
	TypeChoice   = "Choice"
	TypeWait     = "Wait"
	TypeSucceed  = "Succeed"
	TypeFail     = "Fail"
	TypeParallel = "Parallel"
	TypeMap      = "Map"
)

// Map processor modes (ProcessorConfig.Mode) and execution types.
const (
	ModeInline      = "INLINE"
	ModeDistributed = "DISTRIBUTED"
)

// StateMachine is a set of states with a start: the whole definition, a
// Parallel branch or a Map processor.
type StateMachine struct {
	// Comment is the optional description.
	Comment string
	// StartAt names the first state.
	StartAt string
	// States in definition order.
	States []*State
	// Version is the ASL version ("1.0"); top level only.
	Version string
	// TimeoutSeconds bounds the whole execution; top level only, nil when
	// absent.
	TimeoutSeconds *int
	// QueryLanguage is the declared language ("JSONPath", "JSONata"), "" when
	// absent. Only the top level may declare one.
	QueryLanguage string
	// Pointer is the JSON pointer of this machine's object: "" for the top
	// level, "/States/P/Branches/0" or "/States/M/ItemProcessor" inside.
	Pointer string
	// Pos is where the machine's object starts.
	Pos Pos
	// Parent is the Parallel or Map state that holds this machine, nil at
	// the top level.
	Parent *State
	// Node is the machine's source object.
	Node *Node

	byName map[string]*State
	// memos, in an incremental validation, are the analyses of States.
	memos []childRef
}

// State returns the state of this machine (not of nested ones) named name,
// or nil.
func (m *StateMachine) State(name string) *State {
	if m == nil {
		return nil
	}
	return m.byName[name]
}

// Start returns the StartAt state, or nil.
func (m *StateMachine) Start() *State { return m.State(m.StartAt) }

// Walk calls fn for every state of the machine, nested ones included, in
// definition order (a Parallel or Map state before its children). It stops
// when fn returns false.
func (m *StateMachine) Walk(fn func(*State) bool) bool {
	if m == nil {
		return true
	}
	for _, s := range m.States {
		if !fn(s) {
			return false
		}
		for _, b := range s.Branches {
			if !b.Walk(fn) {
				return false
			}
		}
		if !s.ItemProcessor.Walk(fn) {
			return false
		}
	}
	return true
}

// Lookup finds a state anywhere in the machine (names are unique across the
// whole machine), or nil.
func (m *StateMachine) Lookup(name string) *State {
	var found *State
	m.Walk(func(s *State) bool {
		if s.Name == name {
			found = s
			return false
		}
		return true
	})
	return found
}

// OptPath is a field that may be absent, null, or a path string: InputPath,
// OutputPath, ResultPath, ItemsPath.
type OptPath struct {
	// Present reports whether the field appears in the definition.
	Present bool
	// Null reports whether it is JSON null (discard / empty input).
	Null bool
	// Path is the path text when present and not null.
	Path string
}

// Or returns the path to use: def when absent, "" (with null true) when
// null, else the path.
func (p OptPath) Or(def string) (path string, null bool) {
	switch {
	case !p.Present:
		return def, false
	case p.Null:
		return "", true
	default:
		return p.Path, false
	}
}

// State is one state of any type. Fields that do not apply to the state's
// Type are zero. Payload fields (Parameters, Result, Arguments, Output,
// Assign, ...) hold jsonv values as written; nil means absent unless Has
// says otherwise (a literal null).
type State struct {
	// Name is the state's key in its States object.
	Name string
	// Type is "Task", "Pass", "Choice", "Wait", "Succeed", "Fail",
	// "Parallel" or "Map".
	Type string
	// Comment is the optional description.
	Comment string
	// QueryLanguage is the language declared on the state, "" when absent.
	QueryLanguage string
	// Language is the effective query language: the state's own, else the
	// enclosing machine's, else JSONPath.
	Language string
	// Pointer is the state's JSON pointer ("/States/Name",
	// "/States/P/Branches/0/States/X").
	Pointer string
	// Pos is where the state's key starts.
	Pos Pos
	// Machine is the state machine (top level, branch or processor) that
	// holds the state.
	Machine *StateMachine

	// Next names the following state; End marks a terminal state.
	Next string
	End  bool

	// JSONPath input/output processing.
	InputPath      OptPath
	OutputPath     OptPath
	ResultPath     OptPath
	Parameters     any
	ResultSelector any

	// JSONata input/output processing. Arguments and Output are objects,
	// arrays, literals or "{% %}" strings.
	Arguments any
	Output    any

	// Assign sets variables (both languages); an object.
	Assign any

	// Pass: Result is the literal result.
	Result any

	// Task.
	Resource string
	// TimeoutSeconds and HeartbeatSeconds are json.Number, or a "{% %}"
	// string in JSONata; nil when absent.
	TimeoutSeconds       any
	TimeoutSecondsPath   string
	HeartbeatSeconds     any
	HeartbeatSecondsPath string
	// Credentials is the Task's credentials object ({"RoleArn": ...}).
	Credentials any

	// Task, Parallel, Map.
	Retry []*Retrier
	Catch []*Catcher

	// Choice.
	Choices []*ChoiceRule
	Default string

	// Wait. Seconds is a json.Number (or "{% %}" string in JSONata);
	// Timestamp an RFC 3339 string or template.
	Seconds       any
	Timestamp     any
	SecondsPath   string
	TimestampPath string

	// Fail. Error and Cause are strings (possibly "{% %}" templates).
	Error     any
	Cause     any
	ErrorPath string
	CausePath string

	// Parallel.
	Branches []*StateMachine

	// Map. ItemProcessor comes from ItemProcessor or the legacy Iterator.
	ItemProcessor *StateMachine
	// ProcessorMode is INLINE (default) or DISTRIBUTED; ExecutionType is
	// STANDARD or EXPRESS for distributed maps.
	ProcessorMode string
	ExecutionType string
	// ItemsPath is the JSONPath reference to the items array.
	ItemsPath OptPath
	// Items is the JSONata array or "{% %}" expression.
	Items any
	// ItemSelector comes from ItemSelector or the legacy Parameters.
	ItemSelector                   any
	MaxConcurrency                 any
	MaxConcurrencyPath             string
	ToleratedFailurePercentage     any
	ToleratedFailurePercentagePath string
	ToleratedFailureCount          any
	ToleratedFailureCountPath      string
	ItemReader                     any
	ItemBatcher                    any
	ResultWriter                   any
	Label                          string

	// Node is the state's source object; fieldPos records where each field
	// key is.
	Node *Node
}

// Has reports whether the state's definition has the field (by its ASL
// name, e.g. "Parameters", "Iterator").
func (s *State) Has(field string) bool { return s != nil && s.Node.Get(field) != nil }

// FieldPos returns the position of the field's key, or of the state when the
// field is absent.
func (s *State) FieldPos(field string) Pos {
	if m := s.Node.Get(field); m != nil {
		return m.KeyPos
	}
	return s.Pos
}

// IsTerminal reports whether the state ends its machine (End, Succeed, Fail).
func (s *State) IsTerminal() bool {
	return s.End || s.Type == TypeSucceed || s.Type == TypeFail
}

// Transitions returns the names of the states this state may go to: Next,
// Choice targets and Default, Catch targets.
func (s *State) Transitions() []string {
	var out []string
	if s.Next != "" {
		out = append(out, s.Next)
	}
	for _, c := range s.Choices {
		if c.Next != "" {
			out = append(out, c.Next)
		}
	}
	if s.Default != "" {
		out = append(out, s.Default)
	}
	for _, c := range s.Catch {
		if c.Next != "" {
			out = append(out, c.Next)
		}
	}
	return out
}

// Retrier defaults, as AWS applies them.
const (
	DefaultIntervalSeconds = 1
	DefaultMaxAttempts     = 3
	DefaultBackoffRate     = 2.0
)

// Retrier is one element of a Retry array. Absent fields hold AWS's
// defaults.
type Retrier struct {
	ErrorEquals []string
	// IntervalSeconds before the first retry (default 1).
	IntervalSeconds int
	// MaxAttempts is the number of retries (default 3; 0 means never).
	MaxAttempts int
	// BackoffRate multiplies the interval after each attempt (default 2.0).
	BackoffRate float64
	// MaxDelaySeconds caps the interval; 0 when absent.
	MaxDelaySeconds int
	// JitterStrategy is "FULL" or "NONE" (default "NONE").
	JitterStrategy string
	Comment        string
	// Pointer is the JSON pointer of the retrier ("/States/T/Retry/0").
	Pointer string
	Pos     Pos
}

// Catcher is one element of a Catch array.
type Catcher struct {
	ErrorEquals []string
	Next        string
	// ResultPath (JSONPath) places the error output; default "$".
	ResultPath OptPath
	// Output (JSONata) builds the state output from the error.
	Output  any
	Assign  any
	Comment string
	Pointer string
	Pos     Pos
}

// ChoiceRule is one element of Choices, or a nested rule inside And, Or or
// Not. A JSONPath rule is either a comparison (Variable, Operator, Operand)
// or a combination (And, Or, Not); a JSONata rule has Condition.
type ChoiceRule struct {
	// Variable is the JSONPath of the value tested.
	Variable string
	// Operator is the comparison's field name: "StringEquals",
	// "NumericGreaterThanPath", "IsPresent", "StringMatches", ... "" for
	// combinations and JSONata rules.
	Operator string
	// Operand is the comparison's value: a literal for plain operators, the
	// path string for *Path operators, a bool for Is* tests.
	Operand any
	And     []*ChoiceRule
	Or      []*ChoiceRule
	Not     *ChoiceRule
	// Condition is the JSONata "{% %}" condition (or a literal boolean).
	Condition any
	// Next is set on top-level rules only.
	Next    string
	Assign  any
	Output  any
	Comment string
	Pointer string
	Pos     Pos
}

// IsPathOperator reports whether the rule's Operand is a path to compare
// against rather than a literal.
func (r *ChoiceRule) IsPathOperator() bool {
	return len(r.Operator) > 4 && r.Operator[len(r.Operator)-4:] == "Path"
}
