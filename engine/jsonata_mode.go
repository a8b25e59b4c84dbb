package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"stepwise/engine/asl"
	"stepwise/engine/jsonata"
	"stepwise/engine/jsonv"
)

// JSONata query language: every field that may hold "{% expr %}" templates
// is compiled into a jtmpl; evaluation binds $states ({input, context,
// result, errorOutput}) and the visible variables.

type jtmpl struct {
	lit   any
	expr  *jsonata.Expr
	src   string
	keys  []string
	vals  []*jtmpl
	isObj bool
	isArr bool
	field string
}

func compileJ(field string, v any) (*jtmpl, error) {
	switch x := v.(type) {
	case string:
		if asl.IsTemplate(x) {
			src := asl.TemplateExpr(x)
			e, err := jsonata.Compile(src)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", field, err)
			}
			return &jtmpl{expr: e, src: src, field: field}, nil
		}
	case *jsonv.Object:
		t := &jtmpl{isObj: true, field: field}
		for _, m := range x.Members() {
			sub, err := compileJ(field+"/"+m.Key, m.Value)
			if err != nil {
				return nil, err
			}
			t.keys = append(t.keys, m.Key)
			t.vals = append(t.vals, sub)
		}
		return t, nil
	case []any:
		t := &jtmpl{isArr: true, field: field}
		for i, e := range x {
			sub, err := compileJ(field+"/"+strconv.Itoa(i), e)
			if err != nil {
				return nil, err
			}
			t.vals = append(t.vals, sub)
		}
		return t, nil
	}
	return &jtmpl{lit: v, field: field}, nil
}

func compileJField(s *asl.State, field string, v any) (*jtmpl, error) {
	if v == nil {
		if field == "Output" && s.Has("Output") {
			// "Output": null makes the output null.
			return &jtmpl{field: field}, nil
		}
		return nil, nil
	}
	t, err := compileJ(field, v)
	if err != nil {
		return nil, compileError(s, field, err)
	}
	return t, nil
}

// jsonataProg holds a JSONata state's compiled fields.
type jsonataProg struct {
	output, arguments, assign, items, itemSelector *jtmpl
	failError, failCause                           *jtmpl
	seconds, timestamp                             *jtmpl
	timeout, heartbeat                             *jtmpl
	maxConc, tolPct, tolCount                      *jtmpl
	// per choice rule / catcher, by index
	conditions   []*jtmpl
	ruleOutputs  []*jtmpl
	ruleAssigns  []*jtmpl
	catchOutputs []*jtmpl
	catchAssigns []*jtmpl
}

func compileJSONataState(sp *stateProg) error {
	s := sp.s
	jp := &jsonataProg{}
	var err error
	fields := []struct {
		dst  **jtmpl
		name string
		v    any
	}{
		{&jp.output, "Output", s.Output}, {&jp.arguments, "Arguments", s.Arguments}, {&jp.assign, "Assign", s.Assign},
		{&jp.items, "Items", s.Items}, {&jp.itemSelector, "ItemSelector", s.ItemSelector},
		{&jp.failError, "Error", s.Error}, {&jp.failCause, "Cause", s.Cause},
		{&jp.seconds, "Seconds", s.Seconds}, {&jp.timestamp, "Timestamp", s.Timestamp},
		{&jp.timeout, "TimeoutSeconds", s.TimeoutSeconds}, {&jp.heartbeat, "HeartbeatSeconds", s.HeartbeatSeconds},
		{&jp.maxConc, "MaxConcurrency", s.MaxConcurrency}, {&jp.tolPct, "ToleratedFailurePercentage", s.ToleratedFailurePercentage},
		{&jp.tolCount, "ToleratedFailureCount", s.ToleratedFailureCount},
	}
	for _, fd := range fields {
		if *fd.dst, err = compileJField(s, fd.name, fd.v); err != nil {
			return err
		}
	}
	for _, r := range s.Choices {
		c, err := compileJField(s, "Condition", r.Condition)
		if err != nil {
			return err
		}
		o, err := compileJField(s, "Output", r.Output)
		if err != nil {
			return err
		}
		a, err := compileJField(s, "Assign", r.Assign)
		if err != nil {
			return err
		}
		jp.conditions, jp.ruleOutputs, jp.ruleAssigns = append(jp.conditions, c), append(jp.ruleOutputs, o), append(jp.ruleAssigns, a)
	}
	for _, c := range s.Catch {
		o, err := compileJField(s, "Output", c.Output)
		if err != nil {
			return err
		}
		a, err := compileJField(s, "Assign", c.Assign)
		if err != nil {
			return err
		}
		jp.catchOutputs, jp.catchAssigns = append(jp.catchOutputs, o), append(jp.catchAssigns, a)
	}
	sp.jsonata = jp
	return nil
}

// jenv is what a JSONata evaluation sees.
type jenv struct {
	input, result, errorOutput any
	hasResult, hasErrorOutput  bool
}

// jeval evaluates a template. undefined results are reported as errors
// naming the field, as AWS does.
func (r *run) jeval(f *frame, t *jtmpl, env jenv) (any, *stateErr) {
	states := jsonv.NewObject(4)
	states.Set("input", env.input)
	states.Set("context", r.ctxObject(f, nil, 0, false))
	if env.hasResult {
		states.Set("result", env.result)
	}
	if env.hasErrorOutput {
		states.Set("errorOutput", env.errorOutput)
	}
	bind := map[string]any{"states": states}
	for s := f.vars; s != nil; s = s.parent {
		for k, v := range s.vals {
			if _, ok := bind[k]; !ok {
				bind[k] = v
			}
		}
	}
	opts := &jsonata.Options{Bindings: bind, AWS: true, Now: r.now, Rand: r.rand, Timeout: 10 * time.Second}
	return r.jevalNode(f, t, opts)
}

func (r *run) jevalNode(f *frame, t *jtmpl, opts *jsonata.Options) (any, *stateErr) {
	switch {
	case t.expr != nil:
		v, defined, err := t.expr.Eval(context.Background(), jsonata.Undefined, opts)
		if err != nil {
			msg := err.Error()
			var je *jsonata.Error
			if errors.As(err, &je) {
				msg = je.Error()
			}
			if errors.Is(err, jsonata.ErrFunctionResult) {
				return nil, r.runtimeErr(f, "States.QueryEvaluationError", fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned an unsupported result type.", t.src, t.field))
			}
			return nil, r.runtimeErr(f, "States.QueryEvaluationError", fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' threw an error during evaluation. %s", t.src, t.field, msg))
		}
		if !defined {
			return nil, r.runtimeErr(f, "States.QueryEvaluationError", fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' returned nothing (undefined).", t.src, t.field))
		}
		return v, nil
	case t.isObj:
		o := jsonv.NewObject(len(t.keys))
		for i, k := range t.keys {
			v, serr := r.jevalNode(f, t.vals[i], opts)
			if serr != nil {
				return nil, serr
			}
			o.Set(k, v)
		}
		return o, nil
	case t.isArr:
		out := make([]any, len(t.vals))
		for i, sub := range t.vals {
			v, serr := r.jevalNode(f, sub, opts)
			if serr != nil {
				return nil, serr
			}
			out[i] = v
		}
		return out, nil
	}
	return t.lit, nil
}

// jevalOr evaluates t, or returns def when the field is absent.
func (r *run) jevalOr(f *frame, t *jtmpl, env jenv, def any) (any, *stateErr) {
	if t == nil {
		return def, nil
	}
	return r.jeval(f, t, env)
}

func (r *run) jassign(f *frame, t *jtmpl, env jenv) (*jsonv.Object, *stateErr) {
	if t == nil {
		return nil, nil
	}
	v, serr := r.jeval(f, t, env)
	if serr != nil {
		return nil, serr
	}
	o, ok := v.(*jsonv.Object)
	if !ok {
		return nil, r.runtimeErr(f, "States.QueryEvaluationError", "The Assign field must evaluate to an object, not "+jsonv.TypeName(v))
	}
	return o, nil
}

// jfinish completes a JSONata state with a result: Assign, then Output
// (default: the result).
func (r *run) jfinish(f *frame, next *stateProg, env jenv, def any) {
	jp := f.st.jsonata
	vals, serr := r.jassign(f, jp.assign, env)
	if serr != nil {
		r.fail(f, serr)
		return
	}
	out, serr := r.jevalOr(f, jp.output, env, def)
	if serr != nil {
		r.fail(f, serr)
		return
	}
	r.setVars(f, vals)
	r.exit(f, next, out)
}

func (r *run) jint(f *frame, t *jtmpl, env jenv, field string) (int64, bool, *stateErr) {
	if t == nil {
		return 0, false, nil
	}
	v, serr := r.jeval(f, t, env)
	if serr != nil {
		return 0, false, serr
	}
	n, ok := intValue(v)
	if !ok {
		return 0, false, r.runtimeErr(f, "States.QueryEvaluationError", fmt.Sprintf("The value of the field '%s' must be an integer, but was %s", field, jsonv.String(v)))
	}
	return n, true, nil
}

// execJSONata executes the current state of a JSONata-mode frame.
func (r *run) execJSONata(f *frame) {
	st := f.st
	jp := st.jsonata
	env := jenv{input: f.raw}
	switch st.kind {
	case stPass:
		r.jfinish(f, st.next, env, f.raw)
	case stSucceed:
		out, serr := r.jevalOr(f, jp.output, env, f.raw)
		if serr != nil {
			r.fail(f, serr)
			return
		}
		r.exit(f, nil, out)
	case stFail:
		e := &stateErr{}
		if jp.failError != nil {
			v, serr := r.jeval(f, jp.failError, env)
			if serr != nil {
				r.fail(f, serr)
				return
			}
			e.name = plain(v)
		}
		if jp.failCause != nil {
			v, serr := r.jeval(f, jp.failCause, env)
			if serr != nil {
				r.fail(f, serr)
				return
			}
			e.cause, e.hasCause = plain(v), true
		}
		f.status = frFailed
		f.err = e
	case stChoice:
		for i, c := range jp.conditions {
			if c == nil {
				continue
			}
			v, serr := r.jeval(f, c, env)
			if serr != nil {
				r.fail(f, serr)
				return
			}
			b, ok := v.(bool)
			if !ok {
				r.fail(f, r.runtimeErr(f, "States.QueryEvaluationError", fmt.Sprintf("The JSONata expression '%s' specified for the field 'Condition' returned an unexpected data type.", c.src)))
				return
			}
			if b {
				vals, serr := r.jassign(f, jp.ruleAssigns[i], env)
				if serr != nil {
					r.fail(f, serr)
					return
				}
				out, serr := r.jevalOr(f, jp.ruleOutputs[i], env, f.raw)
				if serr != nil {
					r.fail(f, serr)
					return
				}
				r.setVars(f, vals)
				r.exit(f, st.choices[i].next, out)
				return
			}
		}
		if st.def == nil {
			r.fail(f, &stateErr{name: "States.NoChoiceMatched", hasCause: true,
				cause: fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). Failed to transition out of the state. The state does not point to a next state.", st.name, f.entered)})
			return
		}
		r.jfinish(f, st.def, env, f.raw)
	case stWait:
		if f.timerID != "" {
			f.timerID = ""
			r.jfinish(f, st.next, env, f.raw)
			return
		}
		now := r.now()
		due := now
		switch {
		case jp.seconds != nil:
			n, _, serr := r.jint(f, jp.seconds, env, "Seconds")
			if serr != nil {
				r.fail(f, serr)
				return
			}
			due = now.Add(secondsDuration(n))
		case jp.timestamp != nil:
			v, serr := r.jeval(f, jp.timestamp, env)
			if serr != nil {
				r.fail(f, serr)
				return
			}
			s, _ := v.(string)
			t, err := parseTimestamp(s)
			if err != nil {
				r.fail(f, r.runtimeErr(f, "States.QueryEvaluationError", fmt.Sprintf("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: %s", plain(v))))
				return
			}
			due = t
		}
		if !due.After(now) {
			f.timerID = "now"
			r.execJSONata(f)
			return
		}
		r.armTimer(f, timerWait, due)
		f.status = frBlocked
	case stTask:
		r.execTaskJ(f, env)
	case stParallel, stMap:
		if f.phase == phFinish {
			c := f.kids
			if c.finished && c.err != nil {
				r.finishContainer(f) // aborts children and fails
				return
			}
			f.kids = nil
			if st.kind == stParallel {
				r.emit(f, "ParallelStateSucceeded", nil)
			} else {
				if st.distributed {
					r.emit(f, "MapRunSucceeded", nil)
					r.updateMapRun(c, Succeeded)
				}
				r.emit(f, "MapStateSucceeded", nil)
			}
			env.result, env.hasResult = c.results, true
			r.jfinish(f, st.next, env, c.results)
			return
		}
		if st.kind == stParallel {
			in, serr := r.jevalOr(f, jp.arguments, env, f.raw)
			if serr != nil {
				r.fail(f, serr)
				return
			}
			f.eff = in
			r.startParallel(f)
			return
		}
		r.startMapJ(f, env)
	}
}

func (r *run) execTaskJ(f *frame, env jenv) {
	// Task states share the JSONPath dispatch; Arguments replace Parameters.
	in, serr := r.jevalOr(f, f.st.jsonata.arguments, env, f.raw)
	if serr != nil {
		r.fail(f, serr)
		return
	}
	f.eff = in
	r.execTask(f)
}

func (r *run) startMapJ(f *frame, env jenv) {
	st := f.st
	jp := st.jsonata
	itemsV, serr := r.jevalOr(f, jp.items, env, f.raw)
	if serr != nil {
		r.fail(f, serr)
		return
	}
	items, ok := itemsV.([]any)
	if !ok {
		if jp.items != nil && jp.items.expr != nil {
			r.fail(f, r.runtimeErr(f, "States.QueryEvaluationError", fmt.Sprintf("The JSONata expression '%s' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '%s' for value: %s", jp.items.src, jsonTypeName(itemsV), jsonv.String(itemsV))))
		} else {
			r.fail(f, r.runtimeErr(f, "States.QueryEvaluationError", fmt.Sprintf("Map state input must be an array but was: %s", jsonv.String(itemsV))))
		}
		return
	}
	maxConc, _, serr := r.jint(f, jp.maxConc, env, "MaxConcurrency")
	if serr != nil {
		r.fail(f, serr)
		return
	}
	inputs := append([]any(nil), items...)
	if jp.itemSelector != nil {
		for i, it := range items {
			states := jsonv.NewObject(2)
			states.Set("input", env.input)
			ctx := r.ctxObject(f, it, i, true)
			states.Set("context", ctx)
			bind := map[string]any{"states": states}
			for s := f.vars; s != nil; s = s.parent {
				for k, v := range s.vals {
					if _, ok := bind[k]; !ok {
						bind[k] = v
					}
				}
			}
			v, serr := r.jevalNode(f, jp.itemSelector, &jsonata.Options{Bindings: bind, AWS: true, Now: r.now, Rand: r.rand})
			if serr != nil {
				r.fail(f, serr)
				return
			}
			inputs[i] = v
		}
	}
	c := &container{maxConc: int(maxConc)}
	if n, ok, serr := r.jint(f, jp.tolCount, env, "ToleratedFailureCount"); serr != nil {
		r.fail(f, serr)
		return
	} else if ok {
		c.tolCount, c.tolerance = n, true
	}
	if jp.tolPct != nil {
		v, serr := r.jeval(f, jp.tolPct, env)
		if serr != nil {
			r.fail(f, serr)
			return
		}
		p, ok := floatValue(v)
		if !ok {
			r.fail(f, r.runtimeErr(f, "States.QueryEvaluationError", "The ToleratedFailurePercentage field must be a number"))
			return
		}
		c.tolPct, c.tolerance = p, true
	}
	d := detail{length: len(items)}
	r.emit(f, "MapStateStarted", &d)
	c.startID = f.lastEvent
	c.items, c.n = inputs, len(inputs)
	c.results = make([]any, c.n)
	c.children = make([]*frame, c.n)
	f.kids = c
	if st.distributed {
		r.mapRunSeq++
		c.mapRunARN = r.arns.MapRun(r.x.StateMachineName, st.label, fmt.Sprintf("%s-%d", r.x.Name, r.mapRunSeq))
		d := detail{mapRunARN: c.mapRunARN}
		r.emit(f, "MapRunStarted", &d)
		mr := &MapRun{ARN: c.mapRunARN, ExecutionARN: r.x.ARN, StateMachineARN: r.x.StateMachineARN, Label: st.label,
			Status: Running, StartDate: r.now(), MaxConcurrency: c.maxConc, Total: int64(c.n), Pending: int64(c.n)}
		if r.allMapRuns == nil {
			r.allMapRuns = map[string]*MapRun{}
		}
		r.allMapRuns[mr.ARN] = mr
		r.mapRuns = append(r.mapRuns, mr)
	}
	r.launch(f)
}

// jsonTypeName names a value's JSON type as AWS's JSONata messages do.
func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case *jsonv.Object:
		return "object"
	}
	return "number"
}
