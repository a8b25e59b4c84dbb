package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"stepwise/engine/asl/intrinsic"
	"stepwise/engine/asl/jsonpath"
	"stepwise/engine/asl/payload"
	"stepwise/engine/jsonv"
)

// Limits AWS applies to executions.
const (
	// PayloadLimit is the largest state input or output, in bytes.
	PayloadLimit = 262144
	// HistoryLimit is the largest number of events in a STANDARD history.
	HistoryLimit = 25000
)

// Frame states.
const (
	frRunning = iota // has work to do now
	frBlocked        // waits for a timer, a task or its children
	frDone           // finished with output
	frFailed         // finished with an error
)

// Phases of the current state of a frame.
const (
	phStart  = iota // execute the state (first time or after a retry timer)
	phFinish        // children of a Parallel/Map have all ended
)

// Frame kinds.
const (
	kindRoot = iota
	kindBranch
	kindIteration
)

// stateErr is a state failure: an error name and a cause.
type stateErr struct {
	name     string
	cause    string
	hasCause bool
	// terminal errors (States.Runtime, States.DataLimitExceeded) are not
	// matched by States.ALL.
	terminal bool
}

// frame is a thread of control: the root machine, a Parallel branch or a Map
// iteration.
type frame struct {
	id        string
	parent    *frame
	kind      int
	index     int
	quiet     bool // a distributed Map's child: its events are not in this history
	m         *machineProg
	st        *stateProg
	status    int
	phase     int
	raw       any // the state's raw input
	eff       any // the state's effective input (after InputPath)
	entered   int64
	enteredAt time.Time
	lastEvent int64
	retries   []int
	kids      *container
	output    any
	err       *stateErr
	// vars are the variables the frame assigned (nil when the definition
	// assigns none)
	vars *varScope
	// heartbeat is the running task's HeartbeatSeconds (0: none)
	heartbeat int64
	// input and startedAt of a distributed Map child (its own execution)
	input     any
	startedAt time.Time
	// pending task/timer ids for the current state
	taskID  string
	timerID string
}

// container tracks the children of a Parallel or Map state.
type container struct {
	children  []*frame // live children by index (nil once finished)
	items     []any    // Map item inputs
	results   []any
	n         int
	started   int
	running   int
	done      int
	failed    int
	maxConc   int
	tolCount  int64
	tolPct    float64
	tolerance bool
	launching bool
	finished  bool
	err       *stateErr
	mapRunARN string
	startID   int64
}

type timerKind int

const (
	timerWait timerKind = iota
	timerRetry
	timerTaskTimeout
	timerExecTimeout
	timerHeartbeat // appended: snapshots store kinds as numbers
)

type timerInfo struct {
	kind  timerKind
	frame *frame
}

// Effect is something the shell must do after committing a step.
type effect struct {
	timer *Timer
	task  *TaskRequest
	// cancel names a task or timer that is no longer wanted.
	cancelTimer string
	cancelTask  string
	// timedOut marks a cancelTask whose task timed out: a late SendTask*
	// with its token gets TaskTimedOut.
	timedOut bool
}

// run is one execution's interpreter state. Its methods never block and do
// no I/O: they change the state, append history events and effects.
type run struct {
	p      *program
	x      *Execution
	input  any
	arns   ARNs
	now    func() time.Time
	rand   func() float64
	record bool
	limit  int64 // history limit, 0 for none
	// payloadLimit bounds state results in bytes; <= 0 for none.
	payloadLimit int

	lastID  int64
	events  []HistoryEvent
	effects []effect
	seq     int
	root    *frame
	queue   []*frame
	timers  map[string]timerInfo
	tasks   map[string]*frame
	invokes map[string]int

	ctxExec     *jsonv.Object
	ctxMachine  *jsonv.Object
	done        bool
	output      any
	err         *stateErr
	finalStatus Status
	mapRunSeq   int
	// childExecs are finished child executions of distributed Maps, written
	// with the next commit.
	childExecs []*Execution
	framePool  []*frame
	// mapRuns are the Map Runs changed since the last commit; allMapRuns
	// every Map Run of the execution by ARN.
	mapRuns      []*MapRun
	allMapRuns   map[string]*MapRun
	limitReached bool
}

func newRun(p *program, x *Execution, input any, arns ARNs, now func() time.Time, rnd func() float64, record bool) *run {
	r := &run{p: p, x: x, input: input, arns: arns, now: now, rand: rnd, record: record,
		timers: map[string]timerInfo{}, tasks: map[string]*frame{}, lastID: x.LastEventID, payloadLimit: PayloadLimit}
	if x.Type == Standard {
		r.limit = HistoryLimit
	}
	return r
}

func (r *run) newID() string {
	r.seq++
	return strconv.Itoa(r.seq)
}

// emit appends a history event (or only counts it when not recording).
func (r *run) emit(f *frame, typ string, d *detail) int64 {
	if f != nil && f.quiet {
		return f.lastEvent
	}
	if r.limit > 0 && r.lastID+1 >= r.limit {
		// No room is left but for the final event: the execution fails as
		// soon as control returns to the driver; this event is dropped.
		r.limitReached = true
		return r.lastID
	}
	return r.appendEvent(f, typ, d)
}

// emitFinal appends an execution's last event; it may take the last id the
// history limit allows.
func (r *run) emitFinal(typ string, d *detail) int64 {
	return r.appendEvent(nil, typ, d)
}

func (r *run) appendEvent(f *frame, typ string, d *detail) int64 {
	r.lastID++
	id := r.lastID
	if r.record {
		prev := id - 1
		if f != nil && f.lastEvent > 0 {
			prev = f.lastEvent
		}
		ev := HistoryEvent{ID: id, PreviousEventID: prev, Timestamp: r.now(), Type: typ}
		if d != nil {
			if b := appendDetails(nil, typ, d); b != nil {
				ev.Details = b
			}
		}
		r.events = append(r.events, ev)
	}
	if f != nil {
		f.lastEvent = id
	}
	return id
}

// start begins the execution: ExecutionStarted is written by the caller
// (it belongs to the create transaction); this enters the first state.
func (r *run) start() {
	f := &frame{id: r.newID(), kind: kindRoot, m: r.p.root, lastEvent: r.lastID}
	if r.p.usesVars {
		f.vars = &varScope{}
	}
	r.root = f
	if r.p.timeout > 0 {
		r.armTimer(f, timerExecTimeout, r.now().Add(r.p.timeout))
	}
	r.enter(f, f.m.start, r.input)
	r.queue = append(r.queue, f)
	r.pump()
}

// pump runs frames until none can make progress.
func (r *run) pump() {
	for len(r.queue) > 0 && !r.done {
		f := r.queue[0]
		r.queue[0] = nil
		r.queue = r.queue[1:]
		r.drive(f)
	}
	if r.limitReached && !r.done {
		r.failHistoryLimit()
	}
	if len(r.queue) == 0 {
		r.queue = nil
	}
}

// drive runs one frame until it blocks or ends.
func (r *run) drive(f *frame) {
	for f.status == frRunning && !r.done {
		if r.limitReached {
			r.failHistoryLimit()
			return
		}
		r.exec(f)
	}
	if r.done {
		return
	}
	switch f.status {
	case frDone, frFailed:
		r.frameEnded(f)
	}
}

func (r *run) ctxObject(f *frame, item any, index int, withItem bool) any {
	if r.ctxExec == nil {
		r.ctxExec = jsonv.NewObject(6)
		r.ctxExec.Set("Id", r.x.ARN)
		r.ctxExec.Set("Input", r.input)
		r.ctxExec.Set("StartTime", r.x.StartDate.UTC().Format("2006-01-02T15:04:05.000Z"))
		r.ctxExec.Set("Name", r.x.Name)
		r.ctxExec.Set("RoleArn", "arn:aws:iam::"+r.arns.Account+":role/StepFunctionsRole")
		r.ctxExec.Set("RedriveCount", json.Number("0"))
		r.ctxMachine = jsonv.NewObject(2)
		r.ctxMachine.Set("Id", r.x.StateMachineARN)
		r.ctxMachine.Set("Name", r.x.StateMachineName)
	}
	o := jsonv.NewObject(5)
	o.Set("Execution", r.ctxExec)
	st := jsonv.NewObject(3)
	st.Set("EnteredTime", f.enteredAt.UTC().Format("2006-01-02T15:04:05.000Z"))
	st.Set("Name", f.st.name)
	retry := 0
	for _, n := range f.retries {
		retry += n
	}
	st.Set("RetryCount", jsonv.Number(int64(retry)))
	o.Set("State", st)
	o.Set("StateMachine", r.ctxMachine)
	if f.taskID != "" {
		o.Set("Task", jsonv.ObjectOf("Token", taskToken(r.x.ARN, f.taskID)))
	}
	if withItem {
		it := jsonv.NewObject(2)
		it.Set("Index", jsonv.Number(int64(index)))
		it.Set("Value", item)
		o.Set("Map", jsonv.ObjectOf("Item", it))
	}
	return o
}

func (r *run) env(f *frame, input any) intrinsic.Env {
	env := intrinsic.Env{Input: input}
	if f.st.usesCtx {
		env.Context = r.ctxObject(f, nil, 0, false)
	}
	if r.p.usesVars {
		env.Var = f.lookupVar
	}
	return env
}

// runtimeErr builds a States.Runtime error for the state f is in.
func (r *run) runtimeErr(f *frame, name, cause string) *stateErr {
	return &stateErr{name: name, hasCause: true, terminal: name == "States.Runtime" || name == "States.DataLimitExceeded",
		cause: fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). %s", f.st.name, f.entered, cause)}
}

// evalErr turns an evaluation error of a path, template or intrinsic into a
// state error.
func (r *run) evalErr(f *frame, err error) *stateErr {
	var pe *payload.EvalError
	if errors.As(err, &pe) {
		return r.runtimeErr(f, pe.Name, pe.Cause)
	}
	var ie *intrinsic.Error
	if errors.As(err, &ie) {
		return r.runtimeErr(f, ie.Name, ie.Cause)
	}
	type named interface{ ErrorName() string }
	var n named
	if errors.As(err, &n) {
		return r.runtimeErr(f, n.ErrorName(), err.Error())
	}
	return r.runtimeErr(f, "States.Runtime", err.Error())
}

// resolve evaluates a path against the state input, the context object or
// a variable, according to its root.
func (r *run) resolve(f *frame, p *jsonpath.Path, input any) (any, error) {
	doc := input
	switch p.Root() {
	case jsonpath.RootContext:
		doc = r.ctxObject(f, nil, 0, false)
	case jsonpath.RootVariable:
		v, ok := f.lookupVar(p.Variable())
		if !ok {
			return nil, &jsonpath.NotFoundError{Path: p.String(), Normalized: p.Normalized(),
				Msg: fmt.Sprintf("The variable '$%s' is not defined", p.Variable())}
		}
		doc = v
	}
	return p.Get(doc)
}

// varScope holds the variables a frame assigned; lookups continue in the
// enclosing frame's scope (a Map iteration or Parallel branch reads the
// variables of the states around it, and its own assignments stay inside).
type varScope struct {
	vals   map[string]any
	parent *varScope
}

func (f *frame) lookupVar(name string) (any, bool) {
	for s := f.vars; s != nil; s = s.parent {
		if v, ok := s.vals[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// evalAssign evaluates an Assign template with $ bound to input; the values
// are set with setVars once the state's output is known, because a state's
// own fields still see the variables as they were.
func (r *run) evalAssign(f *frame, t *payload.Template, input any) (*jsonv.Object, *stateErr) {
	if t == nil {
		return nil, nil
	}
	v, err := t.Eval(r.env(f, input))
	if err != nil {
		return nil, r.evalErr(f, err)
	}
	o, ok := v.(*jsonv.Object)
	if !ok {
		return nil, r.runtimeErr(f, "States.Runtime", "The Assign field must evaluate to an object, not "+jsonv.TypeName(v))
	}
	return o, nil
}

func (r *run) setVars(f *frame, vals *jsonv.Object) {
	if vals == nil || vals.Len() == 0 {
		return
	}
	if f.vars == nil {
		f.vars = &varScope{}
	}
	if f.vars.vals == nil {
		f.vars.vals = map[string]any{}
	}
	for _, m := range vals.Members() {
		f.vars.vals[m.Key] = m.Value
	}
}

// applyPath applies InputPath or OutputPath.
func (r *run) applyPath(f *frame, p *jsonpath.Path, null bool, v any) (any, *stateErr) {
	if null {
		return jsonv.NewObject(0), nil
	}
	if p == nil {
		return v, nil
	}
	out, err := r.resolve(f, p, v)
	if err != nil {
		var nf *jsonpath.NotFoundError
		if errors.As(err, &nf) {
			return nil, r.runtimeErr(f, "States.Runtime", fmt.Sprintf("Invalid path '%s' : %s", p.String(), nf.Msg))
		}
		return nil, r.runtimeErr(f, "States.Runtime", err.Error())
	}
	return out, nil
}

// applyResult places result into the raw input per ResultPath.
func (r *run) applyResult(f *frame, p *jsonpath.Path, null bool, raw, result any) (any, *stateErr) {
	if null {
		return raw, nil
	}
	if p == nil {
		return result, nil
	}
	out, err := jsonpath.Set(raw, p, result)
	if err != nil {
		return nil, r.runtimeErr(f, "States.ResultPathMatchFailure", err.Error())
	}
	return out, nil
}

// enter makes f enter state st with input.
func (r *run) enter(f *frame, st *stateProg, input any) {
	f.st = st
	f.raw = input
	f.phase = phStart
	f.status = frRunning
	f.retries = nil
	f.kids = nil
	f.taskID, f.timerID = "", ""
	f.enteredAt = r.now()
	var d detail
	if r.record {
		d = detail{name: st.name, input: input}
	}
	f.entered = r.emit(f, st.enteredType, &d)
}

func stateType(st *stateProg) string {
	switch st.kind {
	case stPass:
		return "Pass"
	case stTask:
		return "Task"
	case stChoice:
		return "Choice"
	case stWait:
		return "Wait"
	case stSucceed:
		return "Succeed"
	case stFail:
		return "Fail"
	case stParallel:
		return "Parallel"
	default:
		return "Map"
	}
}

// exit emits the state's Exited event and moves f on to next (nil: end).
func (r *run) exit(f *frame, next *stateProg, output any) {
	if r.payloadLimit > 0 && exceeds(output, r.payloadLimit) {
		r.fail(f, &stateErr{name: "States.DataLimitExceeded", hasCause: true, terminal: true,
			cause: fmt.Sprintf("The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", f.st.name)})
		return
	}
	var d detail
	if r.record {
		d = detail{name: f.st.name, output: output}
	}
	r.emit(f, f.st.exitedType, &d)
	if next == nil {
		f.status = frDone
		f.output = output
		return
	}
	r.enter(f, next, output)
}

// exec executes the current state of f (or its finishing phase).
func (r *run) exec(f *frame) {
	st := f.st
	if st.jsonata != nil {
		r.execJSONata(f)
		return
	}
	if f.phase == phStart {
		eff, serr := r.applyPath(f, st.inputPath, st.inputNull, f.raw)
		if serr != nil {
			r.fail(f, serr)
			return
		}
		f.eff = eff
	}
	switch st.kind {
	case stPass:
		result := f.eff
		switch {
		case st.hasResult:
			result = st.result
		case st.params != nil:
			v, err := st.params.Eval(r.env(f, f.eff))
			if err != nil {
				r.fail(f, r.evalErr(f, err))
				return
			}
			result = v
		}
		r.finishResult(f, result, false)
	case stSucceed:
		out, serr := r.applyPath(f, st.outputPath, st.outputNull, f.eff)
		if serr != nil {
			r.fail(f, serr)
			return
		}
		r.exit(f, nil, out)
	case stFail:
		r.execFail(f)
	case stChoice:
		r.execChoice(f)
	case stWait:
		r.execWait(f)
	case stTask:
		r.execTask(f)
	case stParallel, stMap:
		if f.phase == phFinish {
			r.finishContainer(f)
			return
		}
		if st.kind == stParallel {
			r.startParallel(f)
		} else {
			r.startMap(f)
		}
	}
}

// finishResult applies ResultSelector (when selector), ResultPath and
// OutputPath to a state's result and exits the state.
func (r *run) finishResult(f *frame, result any, selector bool) {
	st := f.st
	if selector && st.resultSel != nil {
		v, err := st.resultSel.Eval(r.env(f, result))
		if err != nil {
			r.fail(f, r.evalErr(f, err))
			return
		}
		result = v
	}
	if st.kind == stPass && r.payloadLimit > 0 && exceeds(result, r.payloadLimit) {
		r.fail(f, &stateErr{name: "States.DataLimitExceeded", hasCause: true, terminal: true,
			cause: fmt.Sprintf("The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", st.name)})
		return
	}
	vals, serr := r.evalAssign(f, st.assign, result)
	if serr != nil {
		r.fail(f, serr)
		return
	}
	out, serr := r.applyResult(f, st.resultPath, st.resultNull, f.raw, result)
	if serr != nil {
		r.fail(f, serr)
		return
	}
	out, serr = r.applyPath(f, st.outputPath, st.outputNull, out)
	if serr != nil {
		r.fail(f, serr)
		return
	}
	r.setVars(f, vals)
	r.exit(f, st.next, out)
}

func (r *run) execFail(f *frame) {
	st := f.st
	e := &stateErr{}
	if st.hasFailError {
		e.name = st.failError
	}
	if st.hasFailCause {
		e.cause, e.hasCause = st.failCause, true
	}
	for _, x := range []struct {
		vp    *valuePath
		field string
		dst   *string
	}{{st.errorPath, "ErrorPath", &e.name}, {st.causePath, "CausePath", &e.cause}} {
		if x.vp == nil {
			continue
		}
		var v any
		var err error
		if x.vp.call != nil {
			v, err = x.vp.call.Eval(r.env(f, f.eff))
			if err != nil {
				r.fail(f, r.evalErr(f, err))
				return
			}
		} else {
			v, err = r.resolve(f, x.vp.path, f.eff)
			if err != nil {
				r.fail(f, r.runtimeErr(f, "States.Runtime", fmt.Sprintf("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", x.vp.text, x.field, jsonv.String(f.eff))))
				return
			}
		}
		s, ok := v.(string)
		if !ok {
			s = jsonv.String(v)
		}
		*x.dst = s
		if x.field == "CausePath" {
			e.hasCause = true
		}
	}
	// A Fail state cannot be retried or caught: its frame fails.
	f.status = frFailed
	f.err = e
}

func (r *run) execChoice(f *frame) {
	st := f.st
	get := func(p *jsonpath.Path, input any) (any, bool) {
		v, err := r.resolve(f, p, input)
		return v, err == nil
	}
	next, assign := st.def, st.assign
	for _, c := range st.choices {
		if c.eval(f.eff, get) {
			next, assign = c.next, c.assign
			break
		}
	}
	if next == nil {
		r.fail(f, &stateErr{name: "States.NoChoiceMatched", hasCause: true,
			cause: fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). Failed to transition out of the state. The state does not point to a next state.", st.name, f.entered)})
		return
	}
	vals, serr := r.evalAssign(f, assign, f.eff)
	if serr != nil {
		r.fail(f, serr)
		return
	}
	out, serr := r.applyPath(f, st.outputPath, st.outputNull, f.eff)
	if serr != nil {
		r.fail(f, serr)
		return
	}
	r.setVars(f, vals)
	r.exit(f, next, out)
}

func (r *run) execWait(f *frame) {
	st := f.st
	if f.timerID != "" {
		// The timer fired.
		f.timerID = ""
		vals, serr := r.evalAssign(f, st.assign, f.eff)
		if serr != nil {
			r.fail(f, serr)
			return
		}
		out, serr := r.applyPath(f, st.outputPath, st.outputNull, f.eff)
		if serr != nil {
			r.fail(f, serr)
			return
		}
		r.setVars(f, vals)
		r.exit(f, st.next, out)
		return
	}
	now := r.now()
	var due time.Time
	switch {
	case st.hasSeconds:
		due = now.Add(time.Duration(st.seconds) * time.Second)
	case st.hasTimestamp:
		due = st.timestamp
	case st.secondsPath != nil:
		v, err := r.resolve(f, st.secondsPath, f.eff)
		if err != nil {
			r.fail(f, r.runtimeErr(f, "States.Runtime", "The SecondsPath parameter does not reference an input value: "+st.secondsPath.String()))
			return
		}
		n, ok := v.(json.Number)
		var secs int64
		if ok {
			secs, ok = jsonv.Int(n)
		}
		if !ok {
			r.fail(f, r.runtimeErr(f, "States.Runtime", fmt.Sprintf("The SecondsPath parameter cannot be parsed as a long value: %s == %s", st.secondsPath.String(), plain(v))))
			return
		}
		if secs < 0 {
			r.fail(f, r.runtimeErr(f, "States.Runtime", fmt.Sprintf("The SecondsPath parameter references a negative value: %s == %s", st.secondsPath.String(), plain(v))))
			return
		}
		due = now.Add(time.Duration(secs) * time.Second)
	case st.timestampPath != nil:
		v, err := r.resolve(f, st.timestampPath, f.eff)
		if err != nil {
			r.fail(f, r.runtimeErr(f, "States.Runtime", "The TimestampPath parameter does not reference an input value: "+st.timestampPath.String()))
			return
		}
		s, ok := v.(string)
		var t time.Time
		if ok {
			t, err = parseTimestamp(s)
		}
		if !ok || err != nil {
			r.fail(f, r.runtimeErr(f, "States.Runtime", fmt.Sprintf("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", st.timestampPath.String(), plain(v))))
			return
		}
		due = t
	}
	if !due.After(now) {
		f.timerID = "now"
		r.execWait(f)
		return
	}
	r.armTimer(f, timerWait, due)
	f.status = frBlocked
}

// plain prints a value as AWS does in messages: strings bare, others as JSON.
func plain(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return jsonv.String(v)
}

func (r *run) armTimer(f *frame, kind timerKind, due time.Time) string {
	id := "t" + r.newID()
	r.timers[id] = timerInfo{kind: kind, frame: f}
	if kind != timerExecTimeout && kind != timerTaskTimeout && kind != timerHeartbeat {
		f.timerID = id
	}
	r.effects = append(r.effects, effect{timer: &Timer{ID: id, Due: due}})
	return id
}

// timerFired delivers a fired timer.
func (r *run) timerFired(id string) {
	ti, ok := r.timers[id]
	if !ok || r.done {
		return
	}
	delete(r.timers, id)
	f := ti.frame
	switch ti.kind {
	case timerExecTimeout:
		r.timeout()
		return
	case timerTaskTimeout, timerHeartbeat:
		if f.taskID == "" || f.status != frBlocked {
			return
		}
		name := "States.Timeout"
		if ti.kind == timerHeartbeat {
			name = "States.HeartbeatTimeout"
		}
		tid := f.taskID
		delete(r.tasks, tid)
		r.effects = append(r.effects, effect{cancelTask: tid, timedOut: true})
		r.cancelTaskTimers(f)
		rt, res := resourceParts(f.st.resource)
		d := detail{resourceType: rt, resource: res, errName: name, hasErr: true}
		if isActivityARN(f.st.resource) {
			r.emit(f, "ActivityTimedOut", &d)
		} else {
			r.emit(f, "TaskTimedOut", &d)
		}
		f.taskID = ""
		f.status = frRunning
		r.fail(f, &stateErr{name: name})
	case timerRetry:
		if f.timerID != id {
			return
		}
		f.timerID = ""
		f.phase = phStart
		f.status = frRunning
	case timerWait:
		if f.timerID != id {
			return
		}
		f.status = frRunning
	}
	r.queue = append(r.queue, f)
	r.pump()
}

// fail handles a failure of f's current state: Retry, then Catch, then the
// frame fails.
func (r *run) fail(f *frame, e *stateErr) {
	st := f.st
	f.status = frRunning
	queryErr := e.name == "States.QueryEvaluationError" && st.jsonata != nil
	if queryErr {
		d := detail{errName: e.name, hasErr: true, cause: e.cause, hasCause: e.hasCause, name: st.name}
		r.emit(f, "EvaluationFailed", &d)
	}
	{
		for i, rt := range st.retry {
			if !matches(rt.ErrorEquals, e) {
				continue
			}
			if f.retries == nil {
				f.retries = make([]int, len(st.retry))
			}
			if f.retries[i] >= rt.MaxAttempts {
				break
			}
			delay := float64(rt.IntervalSeconds) * math.Pow(rt.BackoffRate, float64(f.retries[i]))
			if rt.MaxDelaySeconds > 0 && delay > float64(rt.MaxDelaySeconds) {
				delay = float64(rt.MaxDelaySeconds)
			}
			if rt.JitterStrategy == "FULL" && r.rand != nil {
				delay = delay * r.rand()
			}
			f.retries[i]++
			r.armTimer(f, timerRetry, r.now().Add(time.Duration(delay*float64(time.Second))))
			f.status = frBlocked
			return
		}
	}
	// Not retried: a Parallel or Map state records its failure (AWS writes
	// no such event between retries).
	// Only a failure of the children (or of processing their results) is
	// one; a failure while setting up (paths, tolerances) fails the
	// execution directly, as in AWS.
	if f.phase == phFinish || queryErr {
		switch st.kind {
		case stParallel:
			r.emit(f, "ParallelStateFailed", nil)
		case stMap:
			r.emit(f, "MapStateFailed", nil)
		}
	}
	for ci, c := range st.catch {
		if !matches(c.c.ErrorEquals, e) {
			continue
		}
		eo := jsonv.NewObject(2)
		eo.Set("Error", e.name)
		if e.hasCause {
			eo.Set("Cause", e.cause)
		} else {
			eo.Set("Cause", "")
		}
		if jp := st.jsonata; jp != nil {
			env := jenv{input: f.raw, errorOutput: eo, hasErrorOutput: true}
			vals, serr := r.jassign(f, jp.catchAssigns[ci], env)
			if serr == nil {
				var out any
				out, serr = r.jevalOr(f, jp.catchOutputs[ci], env, eo)
				if serr == nil {
					r.setVars(f, vals)
					r.exit(f, c.next, out)
					return
				}
			}
			f.status = frFailed
			f.err = serr
			return
		}
		vals, serr := r.evalAssign(f, c.assign, eo)
		if serr != nil {
			f.status = frFailed
			f.err = serr
			return
		}
		var out any
		if c.resultNull {
			out = f.raw
		} else if c.resultPath == nil {
			out = eo
		} else {
			out, serr = r.applyResult(f, c.resultPath, false, f.raw, eo)
			if serr != nil {
				f.status = frFailed
				f.err = serr
				return
			}
		}
		r.setVars(f, vals)
		r.exit(f, c.next, out)
		return
	}
	f.status = frFailed
	f.err = e
}

// matches reports whether a Retry/Catch ErrorEquals list matches e.
func matches(names []string, e *stateErr) bool {
	for _, n := range names {
		if n == e.name {
			return true
		}
		if n == "States.ALL" && !e.terminal {
			return true
		}
		if n == "States.TaskFailed" && e.name != "States.Timeout" && !e.terminal && !strings.HasPrefix(e.name, "States.") {
			return true
		}
	}
	return false
}

// frameEnded handles a frame that finished (done or failed).
func (r *run) frameEnded(f *frame) {
	if f.parent == nil {
		if f.status == frDone {
			r.finish(f.output, nil)
		} else {
			r.finish(nil, f.err)
		}
		return
	}
	r.childEnded(f.parent, f)
}

// failHistoryLimit fails an execution whose history is full.
func (r *run) failHistoryLimit() {
	r.finish(nil, &stateErr{name: "States.Runtime", hasCause: true, terminal: true,
		cause: fmt.Sprintf("The execution reached the maximum number of history events (%d).", r.limit)})
}

// finish ends the execution.
func (r *run) finish(output any, e *stateErr) {
	if r.done {
		return
	}
	if e == nil {
		var d detail
		if r.record {
			d = detail{output: output}
		}
		r.emitFinal("ExecutionSucceeded", &d)
		r.finalStatus = Succeeded
		r.output = output
	} else {
		d := detail{errName: e.name, hasErr: e.name != "", cause: e.cause, hasCause: e.hasCause}
		r.emitFinal("ExecutionFailed", &d)
		r.finalStatus = Failed
		r.err = e
	}
	r.end()
}

func (r *run) end() {
	r.done = true
	// Timers and tasks of this step were not armed or dispatched yet: drop
	// them; cancel those of earlier steps.
	fresh := map[string]bool{}
	kept := r.effects[:0]
	for _, ef := range r.effects {
		switch {
		case ef.timer != nil:
			fresh[ef.timer.ID] = true
		case ef.task != nil:
			fresh[ef.task.ID] = true
		default:
			kept = append(kept, ef)
		}
	}
	r.effects = kept
	for id := range r.timers {
		if !fresh[id] {
			r.effects = append(r.effects, effect{cancelTimer: id})
		}
	}
	for id := range r.tasks {
		if !fresh[id] {
			r.effects = append(r.effects, effect{cancelTask: id})
		}
	}
	r.timers = map[string]timerInfo{}
	r.tasks = map[string]*frame{}
	r.queue = nil
}

func (r *run) timeout() {
	if r.done {
		return
	}
	d := detail{errName: "States.Timeout", hasErr: true}
	r.emitFinal("ExecutionTimedOut", &d)
	r.finalStatus = TimedOut
	r.err = &stateErr{name: "States.Timeout"}
	r.end()
}

// abort stops the execution (StopExecution).
func (r *run) abort(errName, cause string) {
	if r.done {
		return
	}
	d := detail{errName: errName, hasErr: errName != "", cause: cause, hasCause: cause != ""}
	r.emitFinal("ExecutionAborted", &d)
	r.finalStatus = Aborted
	r.err = &stateErr{name: errName, cause: cause, hasCause: cause != ""}
	r.end()
}

// exceeds reports whether v serialized as JSON is longer than limit bytes,
// without serializing it.
func exceeds(v any, limit int) bool {
	n := 0
	return sizeOver(v, limit, &n)
}

func sizeOver(v any, limit int, n *int) bool {
	switch x := v.(type) {
	case nil:
		*n += 4
	case bool:
		*n += 5
	case json.Number:
		*n += len(x)
	case string:
		*n += len(x) + 2
	case []any:
		*n += 2 + len(x)
		for _, e := range x {
			if sizeOver(e, limit, n) {
				return true
			}
		}
	case *jsonv.Object:
		*n += 2
		for _, m := range x.Members() {
			*n += len(m.Key) + 4
			if sizeOver(m.Value, limit, n) {
				return true
			}
		}
	}
	return *n > limit
}
