package engine

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"stepwise/engine/jsonv"
)

// ExecutionNotRedrivable is AWS's error for a redrive the execution does
// not allow.
const ExecutionNotRedrivable = "ExecutionNotRedrivable"

// RedriveWindow is how long after it stopped an execution can be redriven.
const RedriveWindow = 14 * 24 * time.Hour

// Redrive is an execution's redrive record.
type Redrive struct {
	Count int
	Date  time.Time
}

// RedriveStore is implemented by stores that keep redrive records.
type RedriveStore interface {
	// PutRedrive records an execution's redrive count and date.
	PutRedrive(ctx context.Context, executionARN string, r Redrive) error
	// GetRedrive returns the record; the zero value when never redriven.
	GetRedrive(ctx context.Context, executionARN string) (Redrive, error)
}

// DescribeRedrive returns an execution's redrive record (zero when it was
// never redriven or the store keeps none).
func (e *Engine) DescribeRedrive(ctx context.Context, executionARN string) (Redrive, error) {
	rs, ok := e.store.(RedriveStore)
	if !ok {
		return Redrive{}, nil
	}
	return rs.GetRedrive(ctx, executionARN)
}

// Redrivable says whether x can be redriven now and, if not, why.
func Redrivable(x *Execution, now time.Time) (bool, string) {
	switch {
	case x.Type == Express:
		return false, "Execution is not redrivable: EXPRESS executions cannot be redriven"
	case x.MapRunARN != "":
		return false, "Execution is not redrivable: it is a child execution of a Map Run"
	case x.Status != Failed && x.Status != TimedOut && x.Status != Aborted:
		return false, "Execution is not redrivable: its status is " + string(x.Status)
	case now.Sub(x.StopDate) > RedriveWindow:
		return false, "Execution is not redrivable: it stopped more than 14 days ago"
	}
	return true, ""
}

// RedriveExecution restarts a FAILED, TIMED_OUT or ABORTED STANDARD
// execution from the top-level state that was running when it stopped, with
// that state's input. The history continues with ExecutionRedriven.
//
// Limits: a Parallel or Map state runs again whole (AWS reruns only the
// failed branches and iterations), and variables assigned before the
// redriven state are not restored.
func (e *Engine) RedriveExecution(ctx context.Context, arn string) (*Execution, Redrive, error) {
	if err := e.running(); err != nil {
		return nil, Redrive{}, err
	}
	if err := checkARN(arn, "execution"); err != nil {
		return nil, Redrive{}, err
	}
	rs, ok := e.store.(RedriveStore)
	if !ok {
		return nil, Redrive{}, Errorf(UnsupportedOperation, "this store does not keep redrive records")
	}
	x, err := e.store.GetExecution(ctx, arn)
	if err != nil {
		return nil, Redrive{}, err
	}
	now := e.clock.Now()
	if ok, why := Redrivable(x, now); !ok {
		return nil, Redrive{}, Errorf(ExecutionNotRedrivable, "%s: '%s'", why, arn)
	}
	p, err := e.programs.get(x.Definition)
	if err != nil {
		return nil, Redrive{}, err
	}
	evs, _, err := e.store.GetHistory(ctx, arn, HistoryQuery{Reverse: true, Page: Page{Limit: HistoryLimit}})
	if err != nil {
		return nil, Redrive{}, err
	}
	st, input, err := restartPoint(p, x, evs)
	if err != nil {
		return nil, Redrive{}, err
	}
	prev, err := rs.GetRedrive(ctx, arn)
	if err != nil {
		return nil, Redrive{}, err
	}
	rec := Redrive{Count: prev.Count + 1, Date: now}

	nx := x.Clone()
	nx.Status, nx.StopDate = Running, time.Time{}
	nx.Output, nx.HasOutput = "", false
	nx.Error, nx.HasError, nx.Cause, nx.HasCause = "", false, "", false
	r := newRun(p, nx, input, e.arns, e.clock.Now, e.opts.Rand, true)
	r.payloadLimit = e.opts.PayloadLimit
	a := &active{e: e, r: r, done: make(chan struct{})}
	e.mu.Lock()
	if e.active[arn] != nil {
		e.mu.Unlock()
		return nil, Redrive{}, Errorf(ExecutionNotRedrivable, "Execution is not redrivable: it is still running: '%s'", arn)
	}
	e.active[arn] = a
	e.mu.Unlock()
	if err := rs.PutRedrive(ctx, arn, rec); err != nil {
		e.mu.Lock()
		delete(e.active, arn)
		e.mu.Unlock()
		return nil, Redrive{}, err
	}
	ret := nx.Clone()
	// The redrive's first step (RUNNING again, ExecutionRedriven) is
	// committed before the call returns, as StartExecution's execution
	// is: a DescribeExecution right after it must not still see the
	// execution stopped.
	flushed := make(chan struct{})
	a.mu.Lock()
	a.flushed = flushed
	a.mu.Unlock()
	go a.deliver(func(r *run) { r.redrive(st, rec.Count) })
	select {
	case <-flushed:
	case <-ctx.Done():
	}
	return ret, rec, nil
}

// restartPoint finds the top-level state that was running when the
// execution stopped (the last one entered) and its input; the start state
// with the execution's input when none was entered.
func restartPoint(p *program, x *Execution, newestFirst []HistoryEvent) (*stateProg, any, error) {
	byName := make(map[string]*stateProg, len(p.root.states))
	for _, s := range p.root.states {
		byName[s.name] = s
	}
	for _, ev := range newestFirst {
		if !strings.HasSuffix(ev.Type, "StateEntered") {
			continue
		}
		var d struct {
			Name  string `json:"name"`
			Input string `json:"input"`
		}
		if err := json.Unmarshal(ev.Details, &d); err != nil {
			return nil, nil, Errorf(Internal, "redrive %s: event %d: %v", x.ARN, ev.ID, err)
		}
		st := byName[d.Name]
		if st == nil {
			continue // a state inside a Parallel or Map
		}
		in, err := jsonv.DecodeString(d.Input)
		if err != nil {
			return nil, nil, Errorf(Internal, "redrive %s: input of event %d: %v", x.ARN, ev.ID, err)
		}
		return st, in, nil
	}
	in, err := jsonv.DecodeString(x.Input)
	if err != nil {
		return nil, nil, Errorf(Internal, "redrive %s: execution input: %v", x.ARN, err)
	}
	return p.root.start, in, nil
}

// redrive writes ExecutionRedriven and enters st again with input.
func (r *run) redrive(st *stateProg, count int) {
	f := &frame{id: r.newID(), kind: kindRoot, m: r.p.root, lastEvent: r.lastID}
	if r.p.usesVars {
		f.vars = &varScope{}
	}
	r.root = f
	r.appendEvent(f, "ExecutionRedriven", nil)
	if n := len(r.events); n > 0 && r.events[n-1].Type == "ExecutionRedriven" {
		r.events[n-1].Details = []byte(`{"redriveCount":` + strconv.Itoa(count) + `}`)
	}
	r.enter(f, st, r.input)
	r.queue = append(r.queue, f)
	r.pump()
}

// ExecutionRedrivable says whether x can be redriven now and, if not, why.
func (e *Engine) ExecutionRedrivable(x *Execution) (bool, string) {
	return Redrivable(x, e.clock.Now())
}
