package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"stepwise/engine/asl"
	"stepwise/engine/asl/intrinsic"
	"stepwise/engine/asl/jsonpath"
	"stepwise/engine/asl/payload"
	"stepwise/engine/jsonv"
)

// program is a compiled definition: immutable, shared by every execution of
// the definition.
type program struct {
	hash    string
	root    *machineProg
	timeout time.Duration // 0: none
	// usesVars is set when some state assigns variables.
	usesVars bool
}

type machineProg struct {
	states []*stateProg
	start  *stateProg
}

const (
	stPass = iota
	stTask
	stChoice
	stWait
	stSucceed
	stFail
	stParallel
	stMap
)

// valuePath is a field that holds either a path or an intrinsic call (Fail's
// ErrorPath and CausePath).
type valuePath struct {
	text string
	path *jsonpath.Path
	call *intrinsic.Call
}

type stateProg struct {
	s    *asl.State
	name string
	kind int
	// enteredType and exitedType are the history event types, e.g.
	// "PassStateEntered", computed once.
	enteredType, exitedType string
	next                    *stateProg
	end                     bool

	inputPath, outputPath *jsonpath.Path // nil: "$"
	inputNull, outputNull bool
	resultPath            *jsonpath.Path // nil: "$"
	resultNull            bool
	params, resultSel     *payload.Template
	result                any
	hasResult             bool
	usesCtx               bool

	choices []*choiceProg
	def     *stateProg

	seconds       int64
	hasSeconds    bool
	timestamp     time.Time
	timestampText string
	hasTimestamp  bool
	secondsPath   *jsonpath.Path
	timestampPath *jsonpath.Path

	failError, failCause       string
	hasFailError, hasFailCause bool
	errorPath, causePath       *valuePath

	branches []*machineProg

	proc          *machineProg
	distributed   bool
	itemsPath     *jsonpath.Path
	itemSel       *payload.Template
	maxConc       int64
	maxConcPath   *jsonpath.Path
	tolPct        float64
	hasTolPct     bool
	tolPctPath    *jsonpath.Path
	tolCount      int64
	hasTolCount   bool
	tolCountPath  *jsonpath.Path
	batchMaxItems int64
	batchInput    *payload.Template
	batched       bool
	label         string

	resource         string
	timeoutSeconds   int64
	timeoutPath      *jsonpath.Path
	heartbeatSeconds int64
	heartbeatPath    *jsonpath.Path

	retry []*asl.Retrier
	catch []*catchProg

	// assign is the state's Assign (for a Choice: used with Default).
	assign *payload.Template

	// jsonata holds the compiled fields of a JSONata-mode state (nil in
	// JSONPath mode).
	jsonata *jsonataProg
}

type catchProg struct {
	c          *asl.Catcher
	assign     *payload.Template
	next       *stateProg
	resultPath *jsonpath.Path
	resultNull bool
}

// compileError names the state and field that cannot be compiled.
func compileError(s *asl.State, field string, err error) error {
	return Errorf(InvalidDefinition, "Invalid State Machine Definition: '%s.%s: %v'", s.Name, field, err)
}

// programCache holds compiled programs by definition hash.
type programCache struct {
	mu sync.Mutex
	m  map[string]*program
}

func (c *programCache) get(def string) (*program, error) {
	sum := sha256.Sum256([]byte(def))
	h := hex.EncodeToString(sum[:])
	c.mu.Lock()
	p, ok := c.m[h]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := compileDefinition(def)
	if err != nil {
		return nil, err
	}
	p.hash = h
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]*program{}
	}
	c.m[h] = p
	c.mu.Unlock()
	return p, nil
}

// parseDefinition parses and validates a definition, returning
// InvalidDefinition naming the problems.
func parseDefinition(def string) (*asl.StateMachine, error) {
	m, diags := asl.Parse([]byte(def))
	if diags.HasErrors() || m == nil {
		var msgs []string
		for _, d := range diags.Errors() {
			msgs = append(msgs, d.Code+": "+d.Message+" at "+d.Path)
		}
		if len(msgs) == 0 {
			msgs = append(msgs, "the definition could not be parsed")
		}
		return nil, Errorf(InvalidDefinition, "Invalid State Machine Definition: '%s'", strings.Join(msgs, ", "))
	}
	return m, nil
}

func compileDefinition(def string) (*program, error) {
	m, err := parseDefinition(def)
	if err != nil {
		return nil, err
	}
	p := &program{}
	if m.TimeoutSeconds != nil {
		p.timeout = time.Duration(*m.TimeoutSeconds) * time.Second
	}
	m.Walk(func(s *asl.State) bool {
		if s.Assign != nil {
			p.usesVars = true
		}
		for _, c := range s.Catch {
			if c.Assign != nil {
				p.usesVars = true
			}
		}
		for _, c := range s.Choices {
			if c.Assign != nil {
				p.usesVars = true
			}
		}
		return true
	})
	root, err := compileMachine(m)
	if err != nil {
		return nil, err
	}
	p.root = root
	return p, nil
}

func compileMachine(m *asl.StateMachine) (*machineProg, error) {
	mp := &machineProg{}
	byName := map[string]*stateProg{}
	for _, s := range m.States {
		sp := &stateProg{s: s, name: s.Name}
		byName[s.Name] = sp
		mp.states = append(mp.states, sp)
	}
	mp.start = byName[m.StartAt]
	if mp.start == nil {
		return nil, Errorf(InvalidDefinition, "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: StartAt %q names no state'", m.StartAt)
	}
	for _, sp := range mp.states {
		if err := compileState(sp, byName); err != nil {
			return nil, err
		}
	}
	return mp, nil
}

func optPath(s *asl.State, field string, p asl.OptPath, ref bool) (*jsonpath.Path, bool, error) {
	if !p.Present {
		return nil, false, nil
	}
	if p.Null {
		return nil, true, nil
	}
	var jp *jsonpath.Path
	var err error
	if ref {
		jp, err = jsonpath.ParseReference(p.Path)
	} else {
		jp, err = jsonpath.Parse(p.Path)
	}
	if err != nil {
		return nil, false, compileError(s, field, err)
	}
	if jp.IsRoot() && jp.Root() == jsonpath.RootInput {
		return nil, false, nil
	}
	return jp, false, nil
}

func pathField(s *asl.State, field, text string) (*jsonpath.Path, error) {
	if text == "" {
		return nil, nil
	}
	p, err := jsonpath.Parse(text)
	if err != nil {
		return nil, compileError(s, field, err)
	}
	return p, nil
}

func template(s *asl.State, field string, v any) (*payload.Template, error) {
	if v == nil {
		return nil, nil
	}
	t, err := payload.Compile(v)
	if err != nil {
		return nil, compileError(s, field, err)
	}
	return t, nil
}

func intOf(v any) (int64, bool) {
	if v == nil {
		return 0, false
	}
	return jsonv.Int(v)
}

func compileState(sp *stateProg, byName map[string]*stateProg) error {
	s := sp.s
	var err error
	sp.end = s.End
	defer func() {
		sp.enteredType = stateType(sp) + "StateEntered"
		sp.exitedType = stateType(sp) + "StateExited"
	}()
	if s.Next != "" {
		sp.next = byName[s.Next]
		if sp.next == nil {
			return Errorf(InvalidDefinition, "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing Next target: %s at /States/%s/Next'", s.Next, s.Name)
		}
	}
	if sp.inputPath, sp.inputNull, err = optPath(s, "InputPath", s.InputPath, false); err != nil {
		return err
	}
	if sp.outputPath, sp.outputNull, err = optPath(s, "OutputPath", s.OutputPath, false); err != nil {
		return err
	}
	if sp.resultPath, sp.resultNull, err = optPath(s, "ResultPath", s.ResultPath, true); err != nil {
		return err
	}
	if sp.params, err = template(s, "Parameters", s.Parameters); err != nil {
		return err
	}
	if sp.resultSel, err = template(s, "ResultSelector", s.ResultSelector); err != nil {
		return err
	}
	if sp.assign, err = template(s, "Assign", s.Assign); err != nil {
		return err
	}
	sp.usesCtx = strings.Contains(jsonv.String(s.Parameters), "$$") || strings.Contains(jsonv.String(s.ItemSelector), "$$") ||
		strings.Contains(jsonv.String(s.ResultSelector), "$$") || strings.HasPrefix(s.InputPath.Path, "$$") ||
		strings.HasPrefix(s.OutputPath.Path, "$$") || strings.Contains(s.ErrorPath+s.CausePath+s.SecondsPath+s.TimestampPath+s.ItemsPath.Path, "$$") ||
		strings.Contains(jsonv.String(s.Assign), "$$")
	for _, c := range s.Catch {
		sp.usesCtx = sp.usesCtx || strings.Contains(jsonv.String(c.Assign), "$$")
	}
	for _, c := range s.Choices {
		sp.usesCtx = sp.usesCtx || strings.Contains(jsonv.String(c.Assign), "$$")
	}
	sp.retry = append(sp.retry, s.Retry...)
	for _, c := range s.Catch {
		cp := &catchProg{c: c, next: byName[c.Next]}
		if cp.next == nil {
			return Errorf(InvalidDefinition, "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing Next target: %s at /States/%s/Catch'", c.Next, s.Name)
		}
		if cp.resultPath, cp.resultNull, err = optPath(s, "Catch.ResultPath", c.ResultPath, true); err != nil {
			return err
		}
		if cp.assign, err = template(s, "Catch.Assign", c.Assign); err != nil {
			return err
		}
		sp.catch = append(sp.catch, cp)
	}
	switch s.Type {
	case asl.TypePass:
		sp.kind = stPass
		if s.Has("Result") {
			sp.result, sp.hasResult = s.Result, true
		}
	case asl.TypeSucceed:
		sp.kind = stSucceed
	case asl.TypeFail:
		sp.kind = stFail
		if str, ok := s.Error.(string); ok {
			sp.failError, sp.hasFailError = str, true
		}
		if str, ok := s.Cause.(string); ok {
			sp.failCause, sp.hasFailCause = str, true
		}
		if sp.errorPath, err = compileValuePath(s, "ErrorPath", s.ErrorPath); err != nil {
			return err
		}
		if sp.causePath, err = compileValuePath(s, "CausePath", s.CausePath); err != nil {
			return err
		}
	case asl.TypeChoice:
		sp.kind = stChoice
		if s.Default != "" {
			sp.def = byName[s.Default]
		}
		for _, r := range s.Choices {
			if s.Language == asl.JSONata {
				sp.choices = append(sp.choices, &choiceProg{next: byName[r.Next]})
				continue
			}
			cp, err := compileChoice(s, r)
			if err != nil {
				return err
			}
			cp.next = byName[r.Next]
			if cp.assign, err = template(s, "Choices.Assign", r.Assign); err != nil {
				return err
			}
			sp.choices = append(sp.choices, cp)
		}
	case asl.TypeWait:
		sp.kind = stWait
		if n, ok := intOf(s.Seconds); ok {
			sp.seconds, sp.hasSeconds = n, true
		}
		if ts, ok := s.Timestamp.(string); ok && s.Language != asl.JSONata {
			t, err := parseTimestamp(ts)
			if err != nil {
				return compileError(s, "Timestamp", err)
			}
			sp.timestamp, sp.timestampText, sp.hasTimestamp = t, ts, true
		}
		if sp.secondsPath, err = pathField(s, "SecondsPath", s.SecondsPath); err != nil {
			return err
		}
		if sp.timestampPath, err = pathField(s, "TimestampPath", s.TimestampPath); err != nil {
			return err
		}
	case asl.TypeTask:
		sp.kind = stTask
		sp.resource = s.Resource
		if n, ok := intOf(s.TimeoutSeconds); ok {
			sp.timeoutSeconds = n
		}
		if n, ok := intOf(s.HeartbeatSeconds); ok {
			sp.heartbeatSeconds = n
		}
		if sp.timeoutPath, err = pathField(s, "TimeoutSecondsPath", s.TimeoutSecondsPath); err != nil {
			return err
		}
		if sp.heartbeatPath, err = pathField(s, "HeartbeatSecondsPath", s.HeartbeatSecondsPath); err != nil {
			return err
		}
	case asl.TypeParallel:
		sp.kind = stParallel
		for _, b := range s.Branches {
			bp, err := compileMachine(b)
			if err != nil {
				return err
			}
			sp.branches = append(sp.branches, bp)
		}
	case asl.TypeMap:
		sp.kind = stMap
		if s.ItemProcessor == nil {
			return compileError(s, "ItemProcessor", fmt.Errorf("missing"))
		}
		if sp.proc, err = compileMachine(s.ItemProcessor); err != nil {
			return err
		}
		sp.distributed = s.ProcessorMode == asl.ModeDistributed
		sp.label = s.Label
		if sp.itemsPath, _, err = optPath(s, "ItemsPath", s.ItemsPath, false); err != nil {
			return err
		}
		if sp.itemSel, err = template(s, "ItemSelector", s.ItemSelector); err != nil {
			return err
		}
		if n, ok := intOf(s.MaxConcurrency); ok {
			sp.maxConc = n
		}
		if sp.maxConcPath, err = pathField(s, "MaxConcurrencyPath", s.MaxConcurrencyPath); err != nil {
			return err
		}
		if s.ToleratedFailurePercentage != nil {
			if f, ok := jsonv.Float(s.ToleratedFailurePercentage); ok {
				sp.tolPct, sp.hasTolPct = f, true
			}
		}
		if n, ok := intOf(s.ToleratedFailureCount); ok {
			sp.tolCount, sp.hasTolCount = n, true
		}
		if sp.tolPctPath, err = pathField(s, "ToleratedFailurePercentagePath", s.ToleratedFailurePercentagePath); err != nil {
			return err
		}
		if sp.tolCountPath, err = pathField(s, "ToleratedFailureCountPath", s.ToleratedFailureCountPath); err != nil {
			return err
		}
		if b, ok := s.ItemBatcher.(*jsonv.Object); ok {
			sp.batched = true
			if v, ok := b.Get("MaxItemsPerBatch"); ok {
				sp.batchMaxItems, _ = jsonv.Int(v)
			}
			if v, ok := b.Get("BatchInput"); ok {
				if sp.batchInput, err = template(s, "ItemBatcher.BatchInput", v); err != nil {
					return err
				}
			}
		}
	default:
		return compileError(s, "Type", fmt.Errorf("unknown state type %q", s.Type))
	}
	if s.Language == asl.JSONata {
		return compileJSONataState(sp)
	}
	return nil
}

func compileValuePath(s *asl.State, field, text string) (*valuePath, error) {
	if text == "" {
		return nil, nil
	}
	vp := &valuePath{text: text}
	var err error
	if intrinsic.IsCall(text) {
		vp.call, err = intrinsic.Parse(text)
	} else {
		vp.path, err = jsonpath.Parse(text)
	}
	if err != nil {
		return nil, compileError(s, field, err)
	}
	return vp, nil
}

// parseTimestamp parses an ISO-8601 extended offset date-time as AWS accepts
// it (RFC 3339 with an offset or Z, optional fraction).
func parseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an ISO-8601 extended offset date-time", s)
	}
	return t, nil
}
