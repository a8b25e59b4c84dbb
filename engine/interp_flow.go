package engine

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"stepwise/engine/jsonv"
)

// resourceParts splits a Task resource into AWS's resourceType and resource
// as history events show them: "arn:aws:states:::lambda:invoke" → "lambda",
// "invoke".
func resourceParts(res string) (string, string) {
	parts := strings.SplitN(res, ":", 6)
	if len(parts) == 6 && parts[2] == "states" && parts[3] == "" && parts[4] == "" {
		svc, action, ok := strings.Cut(parts[5], ":")
		if ok {
			return svc, action
		}
		return parts[5], ""
	}
	if len(parts) >= 3 {
		return parts[2], res
	}
	return "", res
}

func (r *run) execTask(f *frame) {
	st := f.st
	// The task's id and token exist before Parameters are evaluated, so
	// "$$.Task.Token" can be passed to the worker (.waitForTaskToken).
	id := "k" + r.newID()
	f.taskID = id
	token := taskToken(r.x.ARN, id)
	params := f.eff
	if st.params != nil {
		env := r.env(f, f.eff)
		if env.Context == nil && strings.Contains(st.resource, "waitForTaskToken") {
			env.Context = r.ctxObject(f, nil, 0, false)
		}
		if o, ok := env.Context.(*jsonv.Object); ok {
			o.Set("Task", jsonv.ObjectOf("Token", token))
		}
		v, err := st.params.Eval(env)
		if err != nil {
			f.taskID = ""
			r.fail(f, r.evalErr(f, err))
			return
		}
		params = v
	}
	timeout, heartbeat := st.timeoutSeconds, st.heartbeatSeconds
	if st.timeoutPath != nil {
		v, err := r.resolve(f, st.timeoutPath, f.eff)
		n, ok := jsonv.Int(v)
		if err != nil || !ok || n <= 0 {
			f.taskID = ""
			r.fail(f, r.runtimeErr(f, "States.Runtime", fmt.Sprintf("The TimeoutSecondsPath parameter does not reference a valid positive integer: %s", st.timeoutPath.String())))
			return
		}
		timeout = n
	}
	if st.heartbeatPath != nil {
		v, err := r.resolve(f, st.heartbeatPath, f.eff)
		n, ok := jsonv.Int(v)
		if err != nil || !ok || n <= 0 {
			f.taskID = ""
			r.fail(f, r.runtimeErr(f, "States.Runtime", fmt.Sprintf("The HeartbeatSecondsPath parameter does not reference a valid positive integer: %s", st.heartbeatPath.String())))
			return
		}
		heartbeat = n
	}
	rt, res := resourceParts(st.resource)
	activity := isActivityARN(st.resource)
	if activity {
		d := detail{resource: st.resource, input: params, timeout: timeout, heartbeat: heartbeat}
		r.emit(f, "ActivityScheduled", &d)
	} else {
		d := detail{resourceType: rt, resource: res, region: r.arns.Region, params: params, timeout: timeout, heartbeat: heartbeat}
		r.emit(f, "TaskScheduled", &d)
	}
	r.tasks[id] = f
	if r.invokes == nil {
		r.invokes = map[string]int{}
	}
	attempt := r.invokes[st.name]
	r.invokes[st.name] = attempt + 1
	req := &TaskRequest{ID: id, ExecutionARN: r.x.ARN, StateMachineName: r.x.StateMachineName, StateName: st.name,
		Resource: st.resource, Input: params, Attempt: attempt, Token: token, TimeoutSeconds: timeout,
		HeartbeatSeconds: heartbeat, TestCase: r.x.TestCase}
	r.effects = append(r.effects, effect{task: req})
	if timeout > 0 {
		r.armTimer(f, timerTaskTimeout, r.now().Add(secondsDuration(timeout)))
	}
	f.heartbeat = heartbeat
	if heartbeat > 0 {
		r.armTimer(f, timerHeartbeat, r.now().Add(secondsDuration(heartbeat)))
	}
	if !activity { // ActivityStarted comes when a worker takes the task
		d2 := detail{resourceType: rt, resource: res}
		r.emit(f, "TaskStarted", &d2)
	}
	f.status = frBlocked
}

// taskDone delivers a task's result.
func (r *run) taskDone(id string, res TaskResult) {
	f, ok := r.tasks[id]
	if !ok || r.done {
		return
	}
	delete(r.tasks, id)
	r.cancelTaskTimers(f)
	f.taskID = ""
	f.status = frRunning
	rt, rs := resourceParts(f.st.resource)
	activity := isActivityARN(f.st.resource)
	if res.Failed {
		d := detail{resourceType: rt, resource: rs, errName: res.Error, hasErr: res.Error != "", cause: res.Cause, hasCause: res.Cause != ""}
		if activity {
			r.emit(f, "ActivityFailed", &d)
		} else {
			r.emit(f, "TaskFailed", &d)
		}
		r.fail(f, &stateErr{name: res.Error, cause: res.Cause, hasCause: true})
	} else {
		d := detail{resourceType: rt, resource: rs, output: res.Output}
		if activity {
			r.emit(f, "ActivitySucceeded", &d)
		} else {
			r.emit(f, "TaskSucceeded", &d)
		}
		if f.st.jsonata != nil {
			r.jfinish(f, f.st.next, jenv{input: f.raw, result: res.Output, hasResult: true}, res.Output)
		} else {
			r.finishResult(f, res.Output, true)
		}
	}
	r.queue = append(r.queue, f)
	r.pump()
}

func (r *run) startParallel(f *frame) {
	st := f.st
	input := f.eff
	if st.params != nil {
		v, err := st.params.Eval(r.env(f, f.eff))
		if err != nil {
			r.fail(f, r.evalErr(f, err))
			return
		}
		input = v
	}
	r.emit(f, "ParallelStateStarted", nil)
	n := len(st.branches)
	c := &container{n: n, results: make([]any, n), children: make([]*frame, n), startID: f.lastEvent}
	f.kids = c
	c.items = make([]any, n)
	for i := range c.items {
		c.items[i] = input
	}
	r.launch(f)
}

func (r *run) startMap(f *frame) {
	st := f.st
	itemsV := f.eff
	if st.itemsPath != nil {
		v, err := r.resolve(f, st.itemsPath, f.eff)
		if err != nil {
			r.fail(f, r.runtimeErr(f, "States.Runtime", fmt.Sprintf("Invalid path '%s' : %s", st.itemsPath.String(), err.Error())))
			return
		}
		itemsV = v
	}
	items, ok := itemsV.([]any)
	if !ok {
		r.fail(f, r.runtimeErr(f, "States.Runtime", fmt.Sprintf("Map state input must be an array but was: %s", jsonv.String(itemsV))))
		return
	}
	maxConc := st.maxConc
	if st.maxConcPath != nil {
		v, err := r.resolve(f, st.maxConcPath, f.eff)
		n, ok := intValue(v)
		if err != nil || !ok {
			r.fail(f, r.runtimeErr(f, "States.Runtime", fmt.Sprintf("The MaxConcurrencyPath field refers to value \"%s\" which is not a valid integer: %s", plainOrJSON(v, err), st.maxConcPath.String())))
			return
		}
		maxConc = n
	}
	// AWS reports the Map as started before it reads the tolerances.
	d := detail{length: len(items)}
	r.emit(f, "MapStateStarted", &d)
	c := &container{maxConc: int(maxConc), startID: f.lastEvent}
	if st.hasTolCount {
		c.tolCount, c.tolerance = st.tolCount, true
	}
	if st.hasTolPct {
		c.tolPct, c.tolerance = st.tolPct, true
	}
	if st.tolCountPath != nil {
		v, err := r.resolve(f, st.tolCountPath, f.eff)
		n, ok := intValue(v)
		if err != nil || !ok {
			r.fail(f, r.runtimeErr(f, "States.Runtime", fmt.Sprintf("The ToleratedFailureCountPath field refers to value \"%s\" which is not a valid integer: %s", plainOrJSON(v, err), st.tolCountPath.String())))
			return
		}
		if n < 0 {
			r.fail(f, r.runtimeErr(f, "States.Runtime", "ToleratedFailureCount cannot be negative."))
			return
		}
		c.tolCount, c.tolerance = n, true
	}
	if st.tolPctPath != nil {
		v, err := r.resolve(f, st.tolPctPath, f.eff)
		p, ok := floatValue(v)
		if err != nil || !ok {
			r.fail(f, r.runtimeErr(f, "States.Runtime", fmt.Sprintf("The ToleratedFailurePercentagePath field refers to value \"%s\" which is not a valid float: %s", plainOrJSON(v, err), st.tolPctPath.String())))
			return
		}
		if p < 0 || p > 100 {
			r.fail(f, r.runtimeErr(f, "States.Runtime", "ToleratedFailurePercentage must be between 0 and 100."))
			return
		}
		c.tolPct, c.tolerance = p, true
	}
	// Item inputs.
	// The container consumes its copy of the inputs; items belong to the
	// (immutable) state input.
	inputs := items
	if st.itemSel == nil && !st.batched {
		inputs = append([]any(nil), items...)
	}
	if st.itemSel != nil {
		inputs = make([]any, len(items))
		for i, it := range items {
			env := r.env(f, f.eff)
			env.Context = r.ctxObject(f, it, i, true)
			v, err := st.itemSel.Eval(env)
			if err != nil {
				r.fail(f, r.evalErr(f, err))
				return
			}
			inputs[i] = v
		}
	}
	if st.batched {
		inputs = r.batch(f, inputs)
		if inputs == nil {
			return
		}
	}
	c.items = inputs
	c.n = len(inputs)
	c.results = make([]any, c.n)
	c.children = make([]*frame, c.n)
	f.kids = c
	if st.distributed {
		r.mapRunSeq++
		label := st.label
		c.mapRunARN = r.arns.MapRun(r.x.StateMachineName, label, fmt.Sprintf("%s-%d", r.x.Name, r.mapRunSeq))
		d := detail{mapRunARN: c.mapRunARN}
		r.emit(f, "MapRunStarted", &d)
		mr := &MapRun{ARN: c.mapRunARN, ExecutionARN: r.x.ARN, StateMachineARN: r.x.StateMachineARN, Label: label,
			Status: Running, StartDate: r.now(), MaxConcurrency: c.maxConc, ToleratedFailureCount: c.tolCount, ToleratedFailurePercentage: c.tolPct,
			Total: int64(c.n), Pending: int64(c.n)}
		if r.allMapRuns == nil {
			r.allMapRuns = map[string]*MapRun{}
		}
		r.allMapRuns[mr.ARN] = mr
		r.mapRuns = append(r.mapRuns, mr)
	}
	r.launch(f)
}

// batch groups item inputs per ItemBatcher into {"Items": [...]} objects.
func (r *run) batch(f *frame, inputs []any) []any {
	st := f.st
	size := int(st.batchMaxItems)
	if size <= 0 {
		size = len(inputs)
		if size == 0 {
			size = 1
		}
	}
	var batchInput any
	if st.batchInput != nil {
		v, err := st.batchInput.Eval(r.env(f, f.eff))
		if err != nil {
			r.fail(f, r.evalErr(f, err))
			return nil
		}
		batchInput = v
	}
	out := []any{}
	for i := 0; i < len(inputs); i += size {
		end := min(i+size, len(inputs))
		o := jsonv.NewObject(2)
		if batchInput != nil {
			o.Set("BatchInput", batchInput)
		}
		o.Set("Items", append([]any(nil), inputs[i:end]...))
		out = append(out, o)
	}
	return out
}

func plainOrJSON(v any, err error) string {
	if err != nil {
		return "null"
	}
	return plain(v)
}

// launch starts children of f's container while concurrency allows, running
// each until it blocks or ends.
func (r *run) launch(f *frame) {
	c := f.kids
	c.launching = true
	for !r.done && !c.finished && c.started < c.n && (c.maxConc <= 0 || c.running < c.maxConc) {
		i := c.started
		c.started++
		c.running++
		child := r.newFrame()
		child.parent, child.index, child.quiet, child.lastEvent = f, i, f.quiet || f.st.distributed, c.startID
		var start *stateProg
		if f.st.kind == stParallel {
			child.kind = kindBranch
			child.m = f.st.branches[i]
		} else {
			child.kind = kindIteration
			child.m = f.st.proc
			d := detail{name: f.st.name, index: i}
			r.emit(child, "MapIterationStarted", &d)
		}
		start = child.m.start
		c.children[i] = child
		input := c.items[i]
		c.items[i] = nil
		if f.st.distributed {
			child.input, child.startedAt = input, r.now()
		}
		if r.p.usesVars {
			// A distributed Map's children are executions of their own and
			// see none of the parent's variables.
			child.vars = &varScope{}
			if !f.st.distributed {
				child.vars.parent = f.vars
			}
		}
		r.enter(child, start, input)
		r.drive(child)
	}
	c.launching = false
	if r.done {
		return
	}
	if c.finished || c.done == c.n {
		f.phase = phFinish
		f.status = frRunning
		return
	}
	f.status = frBlocked
}

// childEnded records a finished child and continues the parent when all are
// done (or the failure tolerance is exceeded).
func (r *run) childEnded(p *frame, child *frame) {
	c := p.kids
	if c == nil || c.children[child.index] != child {
		return // a child of an earlier attempt
	}
	c.children[child.index] = nil
	c.running--
	c.done++
	if p.st.distributed {
		r.recordChild(p, c, child)
	}
	if child.status == frDone {
		c.results[child.index] = child.output
		if child.kind == kindIteration {
			d := detail{name: p.st.name, index: child.index}
			r.emit(child, "MapIterationSucceeded", &d)
		}
	} else {
		c.failed++
		if child.kind == kindIteration {
			d := detail{name: p.st.name, index: child.index}
			r.emit(child, "MapIterationFailed", &d)
		}
		switch {
		case child.kind == kindBranch:
			c.finished, c.err = true, child.err
		case !c.tolerance:
			c.finished, c.err = true, child.err
		default:
			over := int64(c.failed) > c.tolCount
			if c.tolPct > 0 || c.tolCount == 0 {
				pct := float64(c.failed) * 100 / float64(c.n)
				over = pct > c.tolPct && int64(c.failed) > c.tolCount
				if c.tolCount == 0 && c.tolPct == 0 {
					over = true
				}
			}
			if over {
				c.finished = true
				c.err = &stateErr{name: "States.ExceedToleratedFailureThreshold", hasCause: true,
					cause: "The specified tolerated failure threshold was exceeded"}
			}
		}
	}
	r.releaseFrame(child)
	if c.launching {
		return
	}
	if c.finished || c.done == c.n {
		p.phase = phFinish
		p.status = frRunning
		r.queue = append(r.queue, p)
		return
	}
	r.launch(p)
	if p.status == frRunning {
		r.queue = append(r.queue, p)
	}
}

// finishContainer completes a Parallel or Map state whose children ended.
func (r *run) finishContainer(f *frame) {
	st := f.st
	c := f.kids
	f.kids = nil
	if c.finished && c.err != nil {
		// Abort the children still running.
		for _, ch := range c.children {
			if ch == nil {
				continue
			}
			r.abortFrame(ch)
			if ch.kind == kindIteration {
				d := detail{name: st.name, index: ch.index}
				r.emit(ch, "MapIterationAborted", &d)
			}
		}
		if st.distributed {
			d := detail{errName: c.err.name, hasErr: true, cause: c.err.cause, hasCause: c.err.hasCause}
			r.emit(f, "MapRunFailed", &d)
			r.updateMapRun(c, Failed)
		}
		r.fail(f, c.err)
		return
	}
	if st.kind == stParallel {
		r.emit(f, "ParallelStateSucceeded", nil)
	} else {
		if st.distributed {
			r.emit(f, "MapRunSucceeded", nil)
			r.updateMapRun(c, Succeeded)
		}
		r.emit(f, "MapStateSucceeded", nil)
	}
	r.finishResult(f, c.results, true)
}

func (r *run) updateMapRun(c *container, status Status) {
	if mr := r.allMapRuns[c.mapRunARN]; mr != nil {
		r.mapRuns = append(r.mapRuns, mr)
		mr.Status = status
		mr.StopDate = r.now()
		mr.Pending = int64(c.n - c.started)
		mr.Aborted = int64(c.started - c.done)
		mr.Running = 0
	}
}

// abortFrame cancels a frame's pending work (and its children's).
func (r *run) abortFrame(f *frame) {
	if f.taskID != "" {
		delete(r.tasks, f.taskID)
		r.effects = append(r.effects, effect{cancelTask: f.taskID})
	}
	for id, ti := range r.timers {
		if ti.frame == f {
			delete(r.timers, id)
			r.effects = append(r.effects, effect{cancelTimer: id})
		}
	}
	if f.kids != nil {
		for _, ch := range f.kids.children {
			if ch != nil {
				r.abortFrame(ch)
			}
		}
	}
	f.status = frFailed
}

func secondsDuration(s int64) (d timeDuration) {
	if s > math.MaxInt64/int64(1e9) {
		return timeDuration(math.MaxInt64)
	}
	return timeDuration(s) * 1e9
}

// recordChild keeps the record of a distributed Map's child execution.
func (r *run) recordChild(p *frame, c *container, child *frame) {
	name := fmt.Sprintf("%s-%d", c.mapRunARN[strings.LastIndexByte(c.mapRunARN, ':')+1:], child.index)
	smName := r.x.StateMachineName
	if p.st.label != "" {
		smName += "/" + p.st.label
	} else {
		smName += "/" + p.st.name
	}
	typ := Standard
	if p.st.s.ExecutionType == string(Express) {
		typ = Express
	}
	x := &Execution{ARN: r.arns.Execution(typ, smName, name), Name: name, StateMachineARN: r.arns.StateMachine(smName),
		StateMachineName: smName, Type: typ, Input: jsonv.String(child.input), StartDate: child.startedAt,
		StopDate: r.now(), MapRunARN: c.mapRunARN, ParentARN: r.x.ARN}
	if child.status == frDone {
		x.Status, x.Output, x.HasOutput = Succeeded, jsonv.String(child.output), true
	} else {
		x.Status = Failed
		if child.err != nil {
			x.Error, x.HasError = child.err.name, child.err.name != ""
			x.Cause, x.HasCause = child.err.cause, child.err.hasCause
		}
	}
	r.childExecs = append(r.childExecs, x)
	if mr := r.allMapRuns[c.mapRunARN]; mr != nil {
		mr.Running = int64(c.running)
		mr.Pending = int64(c.n - c.started)
		if child.status == frDone {
			mr.Succeeded++
		} else {
			mr.Failed++
		}
		r.mapRuns = append(r.mapRuns, mr)
	}
}

// newFrame returns a zeroed frame, reusing one whose child ended: a Map of
// many short iterations then allocates a handful of frames, not one per item.
func (r *run) newFrame() *frame {
	if n := len(r.framePool); n > 0 {
		f := r.framePool[n-1]
		r.framePool = r.framePool[:n-1]
		return f
	}
	return &frame{}
}

// releaseFrame recycles an ended child frame. Nothing refers to it any more:
// its container slot is cleared and an ended frame has no timers or tasks.
func (r *run) releaseFrame(f *frame) {
	*f = frame{}
	if len(r.framePool) < 64 {
		r.framePool = append(r.framePool, f)
	}
}

// taskToken derives a task token that is unique across executions and
// stable across restarts (the outbox re-dispatches with the same token).
func taskToken(executionARN, id string) string {
	sum := sha256.Sum256([]byte(executionARN + "#" + id))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// cancelTaskTimers removes the timeout and heartbeat timers of f's task.
func (r *run) cancelTaskTimers(f *frame) {
	for tid, ti := range r.timers {
		if ti.frame == f && (ti.kind == timerTaskTimeout || ti.kind == timerHeartbeat) {
			delete(r.timers, tid)
			r.effects = append(r.effects, effect{cancelTimer: tid})
		}
	}
}

// taskHeartbeat restarts the heartbeat timer of a running task. It reports
// whether the task is running.
func (r *run) taskHeartbeat(id string) bool {
	f, ok := r.tasks[id]
	if !ok || r.done {
		return false
	}
	if f.heartbeat <= 0 {
		return true
	}
	for tid, ti := range r.timers {
		if ti.frame == f && ti.kind == timerHeartbeat {
			delete(r.timers, tid)
			r.effects = append(r.effects, effect{cancelTimer: tid})
		}
	}
	r.armTimer(f, timerHeartbeat, r.now().Add(secondsDuration(f.heartbeat)))
	return true
}

// intValue reads an integer from a number or a string holding one (AWS
// accepts both in the *Path fields of Map).
func intValue(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		return jsonv.Int(x)
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// floatValue reads a number from a number or a string holding one.
func floatValue(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		return jsonv.Float(x)
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}
