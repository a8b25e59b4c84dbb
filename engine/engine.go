package engine

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"stepwise/engine/jsonv"
)

// Publisher receives committed history events, after they are durable, so a
// hub can stream them to watchers.
type Publisher interface {
	Publish(x *Execution, events []HistoryEvent)
}

// Options configure an Engine. Store is required; the rest have defaults.
type Options struct {
	Store        Store
	Clock        Clock          // default RealClock
	Integrations []Integration  // tried in order; first that Handles wins
	Logger       *slog.Logger   // default slog.Default()
	Publisher    Publisher      // may be nil
	Region       string         // default us-east-1
	Account      string         // default 123456789012
	Rand         func() float64 // jitter source in [0,1); default math/rand
	// ExpressHistory keeps history events of EXPRESS executions (AWS keeps
	// none; tests and `stepwise run --history` want them).
	ExpressHistory bool
	// MaxBatch bounds the steps committed per transaction (default 512).
	MaxBatch int
	// PayloadLimit is the largest execution input and state input/output in
	// bytes: 0 means AWS's 262,144 (PayloadLimit); a negative value lifts
	// the limit (benchmarks with large inputs).
	PayloadLimit int
}

// Engine runs state machines. Create it with New, then Start it.
type Engine struct {
	opts     Options
	store    Store
	clock    Clock
	log      *slog.Logger
	arns     ARNs
	programs programCache

	mu      sync.Mutex
	active  map[string]*active
	tokens  map[string]*tokenRef // running tasks by task token
	acts    activities           // activity registry and task queues
	expired expiredTokens        // tokens of tasks that timed out
	started bool
	stopped bool
	ctx     context.Context
	cancel  context.CancelFunc
	commits chan *commitReq
	// committed is closed when the committer has stopped: a step queued
	// after that is never committed.
	committed chan struct{}
	wg        sync.WaitGroup
}

// active is an execution whose interpreter state is in memory.
type active struct {
	e       *Engine
	mu      sync.Mutex
	r       *run
	inbox   []func(*run)
	busy    bool
	done    chan struct{}
	cancels map[string]func()
	tokens  map[string]string // task id → token
	express bool
	// flushed, when set, is closed once the next input has been applied
	// and committed (under mu).
	flushed chan struct{}
}

type commitReq struct {
	step *Step
	done chan error
}

// New returns an engine; call Start before starting executions.
func New(opts Options) *Engine {
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Account == "" {
		opts.Account = "123456789012"
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	if opts.PayloadLimit == 0 {
		opts.PayloadLimit = PayloadLimit
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 512
	}
	return &Engine{opts: opts, store: opts.Store, clock: opts.Clock, log: opts.Logger,
		arns: ARNs{Region: opts.Region, Account: opts.Account}, active: map[string]*active{}, tokens: map[string]*tokenRef{}}
}

// ARNs returns the engine's ARN builder.
func (e *Engine) ARNs() ARNs { return e.arns }

// Store returns the engine's store.
func (e *Engine) Store() Store { return e.store }

// Start starts the committer and continues the RUNNING executions the store
// holds. Calling Start twice is an error.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	if e.started {
		e.mu.Unlock()
		return fmt.Errorf("engine: already started")
	}
	e.started = true
	e.ctx, e.cancel = context.WithCancel(context.WithoutCancel(ctx))
	e.commits = make(chan *commitReq, 1024)
	e.committed = make(chan struct{})
	e.mu.Unlock()
	e.wg.Add(1)
	go e.committer()
	return e.recover(ctx)
}

// Stop stops the engine: in-flight steps finish committing, timers stop.
// Executions stay RUNNING in the store and continue on the next Start. Stop
// is safe before Start and when called twice.
func (e *Engine) Stop() {
	e.mu.Lock()
	if !e.started || e.stopped {
		e.stopped = true
		e.mu.Unlock()
		return
	}
	e.stopped = true
	acts := make([]*active, 0, len(e.active))
	for _, a := range e.active {
		acts = append(acts, a)
	}
	e.mu.Unlock()
	for _, a := range acts {
		a.mu.Lock()
		for _, c := range a.cancels {
			c()
		}
		a.cancels = nil
		a.mu.Unlock()
	}
	e.cancel()
	e.wg.Wait()
}

func (e *Engine) running() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.started || e.stopped {
		return Errorf(Internal, "the engine is not running")
	}
	return nil
}

// committer is the one writer: it commits the steps of many executions per
// transaction.
func (e *Engine) committer() {
	defer e.wg.Done()
	defer close(e.committed)
	batch := make([]*commitReq, 0, e.opts.MaxBatch)
	for {
		var first *commitReq
		select {
		case first = <-e.commits:
		case <-e.ctx.Done():
			// Drain what is queued so no waiter hangs.
			for {
				select {
				case req := <-e.commits:
					req.done <- e.ctx.Err()
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < e.opts.MaxBatch {
			select {
			case req := <-e.commits:
				batch = append(batch, req)
			default:
				break fill
			}
		}
		steps := make([]*Step, len(batch))
		for i, req := range batch {
			steps[i] = req.step
		}
		err := e.store.Commit(context.WithoutCancel(e.ctx), steps)
		if err != nil && len(batch) > 1 {
			// Isolate the failing step so the others still commit.
			for _, req := range batch {
				req.done <- e.store.Commit(context.WithoutCancel(e.ctx), []*Step{req.step})
			}
			continue
		}
		for _, req := range batch {
			req.done <- err
		}
	}
}

func (e *Engine) commit(st *Step) error {
	req := &commitReq{step: st, done: make(chan error, 1)}
	select {
	case e.commits <- req:
	case <-e.ctx.Done():
		return e.ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-e.committed:
		select {
		case err := <-req.done:
			return err
		default:
			return Errorf(Internal, "the engine stopped before the step was committed")
		}
	}
}

// isStopped reports whether Stop was called.
func (e *Engine) isStopped() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stopped
}

// deliver queues fn for the execution and processes the queue.
func (a *active) deliver(fn func(*run)) {
	a.mu.Lock()
	a.inbox = append(a.inbox, fn)
	if a.busy {
		a.mu.Unlock()
		return
	}
	a.busy = true
	a.mu.Unlock()
	a.process()
}

// process applies queued inputs one at a time: step, commit, effects.
func (a *active) process() {
	for {
		a.mu.Lock()
		if len(a.inbox) == 0 || a.r.done && a.r.events == nil && a.r.effects == nil && a.committedDone() {
			a.inbox = nil
			a.busy = false
			if a.flushed != nil {
				close(a.flushed)
				a.flushed = nil
			}
			a.mu.Unlock()
			return
		}
		fn := a.inbox[0]
		a.inbox = a.inbox[1:]
		a.mu.Unlock()
		if a.r.done {
			continue
		}
		fn(a.r)
		a.flush()
		a.mu.Lock()
		if a.flushed != nil {
			close(a.flushed)
			a.flushed = nil
		}
		a.mu.Unlock()
	}
}

func (a *active) committedDone() bool {
	select {
	case <-a.done:
		return true
	default:
		return false
	}
}

// flush commits what the last input produced and carries out the effects.
func (a *active) flush() {
	e, r := a.e, a.r
	x := r.x
	x.LastEventID = r.lastID
	if r.done {
		a.finalize()
	}
	effects := r.effects
	r.effects = nil
	if !a.express || r.done {
		// EXPRESS executions keep their events in memory until the final
		// record is written.
		events := r.events
		r.events = nil
		// Child executions of distributed Maps get their own records.
		for _, cx := range r.childExecs {
			if _, _, err := e.store.CreateExecution(context.WithoutCancel(e.ctx), cx, nil); err != nil {
				e.log.Error("cannot record a Map Run child execution", "execution", cx.ARN, "err", err)
			}
		}
		r.childExecs = nil
		st := &Step{Execution: x.Clone(), Events: events}
		for _, mr := range r.mapRuns {
			c := *mr
			st.MapRuns = append(st.MapRuns, &c)
		}
		r.mapRuns = nil
		for _, ef := range effects {
			switch {
			case ef.timer != nil:
				st.PutTimers = append(st.PutTimers, *ef.timer)
			case ef.cancelTimer != "":
				st.DeleteTimers = append(st.DeleteTimers, ef.cancelTimer)
			case ef.task != nil:
				st.PutTasks = append(st.PutTasks, Task{ID: ef.task.ID, Token: ef.task.Token, Data: encodeTask(ef.task)})
			case ef.cancelTask != "":
				st.DeleteTasks = append(st.DeleteTasks, ef.cancelTask)
			}
		}
		if !r.done && !a.express {
			snap, err := r.snapshot()
			if err != nil {
				e.log.Error("cannot save the interpreter state", "execution", x.ARN, "err", err)
			} else {
				st.PutFrames = []Frame{{ID: snapshotFrameID, Data: snap}}
			}
		}
		for _, ef := range effects {
			if ef.task != nil {
				a.registerToken(ef.task)
			}
		}
		if err := e.commit(st); err != nil {
			// The store refused the step: the execution cannot continue
			// durably. Stop it here; a restart recovers it from the last
			// committed step.
			e.log.Error("commit failed", "execution", x.ARN, "err", err)
			r.done = true
		}
		if e.opts.Publisher != nil && len(events) > 0 {
			e.opts.Publisher.Publish(x.Clone(), events)
		}
	}
	if r.done {
		a.mu.Lock()
		toks := a.tokens
		a.tokens = nil
		a.mu.Unlock()
		e.mu.Lock()
		delete(e.active, x.ARN)
		for _, tok := range toks {
			delete(e.tokens, tok)
		}
		e.mu.Unlock()
		a.mu.Lock()
		for _, c := range a.cancels {
			c()
		}
		a.cancels = nil
		a.mu.Unlock()
		close(a.done)
		return
	}
	for _, ef := range effects {
		switch {
		case ef.timer != nil:
			a.armTimer(ef.timer.ID, ef.timer.Due)
		case ef.cancelTimer != "":
			a.cancel(ef.cancelTimer)
		case ef.task != nil:
			a.dispatch(ef.task)
		case ef.cancelTask != "":
			tok := a.forgetToken(ef.cancelTask)
			if ef.timedOut {
				a.e.expireToken(tok)
			}
		}
	}
}

// forgetToken drops the token of a task that no longer runs and returns it.
func (a *active) forgetToken(id string) string {
	a.mu.Lock()
	tok := a.tokens[id]
	delete(a.tokens, id)
	a.mu.Unlock()
	if tok == "" {
		return ""
	}
	a.e.mu.Lock()
	if ref := a.e.tokens[tok]; ref != nil && ref.a == a {
		delete(a.e.tokens, tok)
	}
	a.e.mu.Unlock()
	return tok
}

// finalize copies the run's result into the execution record.
func (a *active) finalize() {
	r, x := a.r, a.r.x
	x.Status = r.finalStatus
	x.StopDate = a.e.clock.Now()
	if r.finalStatus == Succeeded {
		x.Output, x.HasOutput = jsonv.String(r.output), true
	}
	if r.err != nil {
		x.Error, x.HasError = r.err.name, r.err.name != ""
		x.Cause, x.HasCause = r.err.cause, r.err.hasCause
	}
}

func (a *active) armTimer(id string, due time.Time) {
	d := due.Sub(a.e.clock.Now())
	if a.e.isStopped() {
		return
	}
	cancel := a.e.clock.AfterFunc(d, func() {
		if a.e.isStopped() {
			return
		}
		a.mu.Lock()
		delete(a.cancels, id)
		a.mu.Unlock()
		a.deliver(func(r *run) { r.timerFired(id) })
	})
	a.mu.Lock()
	if a.cancels == nil {
		a.cancels = map[string]func(){}
	}
	a.cancels[id] = cancel
	a.mu.Unlock()
}

func (a *active) cancel(id string) {
	a.mu.Lock()
	c := a.cancels[id]
	delete(a.cancels, id)
	a.mu.Unlock()
	if c != nil {
		c()
	}
}

// tokenRef finds a running task by its token, for callbacks
// (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat).
type tokenRef struct {
	a    *active
	id   string
	once sync.Once
	done func(TaskResult)
}

// registerToken makes the task reachable by its token. Tasks are
// registered before their step commits, so a callback that races the
// commit is queued behind it rather than lost.
func (a *active) registerToken(req *TaskRequest) *tokenRef {
	e := a.e
	e.mu.Lock()
	if ref := e.tokens[req.Token]; ref != nil && ref.a == a && ref.id == req.ID {
		e.mu.Unlock()
		return ref
	}
	e.mu.Unlock()
	id := req.ID
	ref := &tokenRef{a: a, id: id}
	ref.done = func(res TaskResult) {
		ref.once.Do(func() {
			e.mu.Lock()
			if e.tokens[req.Token] == ref {
				delete(e.tokens, req.Token)
			}
			e.mu.Unlock()
			go a.deliver(func(r *run) { r.taskDone(id, res) })
		})
	}
	if req.Token != "" {
		e.mu.Lock()
		e.tokens[req.Token] = ref
		e.mu.Unlock()
		a.mu.Lock()
		if a.tokens == nil {
			a.tokens = map[string]string{}
		}
		a.tokens[id] = req.Token
		a.mu.Unlock()
	}
	return ref
}

func (a *active) dispatch(req *TaskRequest) {
	e := a.e
	done := a.registerToken(req).done
	nested := isNested(req.Resource)
	for _, in := range e.opts.Integrations {
		if _, cb := in.(CallbackIntegration); cb && nested {
			continue // the engine starts the child, then waits for the token
		}
		if in.Handles(req) {
			in.Start(e.ctx, req, done)
			return
		}
	}
	if nested {
		e.startNested(e.ctx, req, done)
		return
	}
	// Activities are the engine's own: tasks wait in a queue for workers
	// (mocks above still win, so `stepwise run --mock-config` can stub them).
	if isActivityARN(req.Resource) && req.Token != "" {
		e.enqueueActivity(req)
		return
	}
	done(noIntegration(req))
}

// recover continues RUNNING executions found in the store.
func (e *Engine) recover(ctx context.Context) error {
	recs, err := e.store.Recover(ctx)
	if err != nil {
		return fmt.Errorf("engine: recover: %w", err)
	}
	for _, rec := range recs {
		if err := e.resume(ctx, rec); err != nil {
			e.log.Error("cannot resume execution", "execution", rec.Execution.ARN, "err", err)
			e.failUnresumable(ctx, rec.Execution, err)
		}
	}
	return nil
}

// failUnresumable ends an execution whose state cannot be rebuilt (for
// example a definition this engine version rejects), rather than leaving it
// RUNNING forever.
func (e *Engine) failUnresumable(ctx context.Context, x *Execution, cause error) {
	now := e.clock.Now()
	d := detail{errName: "States.Runtime", hasErr: true, cause: "The execution could not be resumed after a restart: " + cause.Error(), hasCause: true}
	ev := HistoryEvent{ID: x.LastEventID + 1, PreviousEventID: x.LastEventID, Timestamp: now, Type: "ExecutionFailed",
		Details: appendDetails(nil, "ExecutionFailed", &d)}
	y := x.Clone()
	y.Status, y.StopDate = Failed, now
	y.Error, y.HasError, y.Cause, y.HasCause = d.errName, true, d.cause, true
	y.LastEventID = ev.ID
	var events []HistoryEvent
	if x.Type != Express || e.opts.ExpressHistory {
		events = []HistoryEvent{ev}
	} else {
		y.LastEventID = x.LastEventID
	}
	if err := e.store.Commit(ctx, []*Step{{Execution: y, Events: events}}); err != nil {
		e.log.Error("cannot fail an unresumable execution", "execution", x.ARN, "err", err)
	}
}

// resume restarts a recovered execution. The interpreter state is rebuilt
// by replaying the execution from its input with the same definition; the
// replay's events up to the stored LastEventID are not written again.
func (e *Engine) resume(ctx context.Context, rec *Recovered) error {
	x := rec.Execution
	p, err := e.programs.get(x.Definition)
	if err != nil {
		return err
	}
	input, err := jsonv.DecodeString(x.Input)
	if err != nil {
		return err
	}
	express := x.Type == Express
	record := !express || e.opts.ExpressHistory
	r := newRun(p, x.Clone(), input, e.arns, e.clock.Now, e.opts.Rand, record)
	r.payloadLimit = e.opts.PayloadLimit
	var snap []byte
	for _, f := range rec.Frames {
		if f.ID == snapshotFrameID {
			snap = f.Data
		}
	}
	if express || snap == nil {
		// No step was committed (or an EXPRESS execution, which keeps no
		// intermediate state): run it again from its input, after the
		// events already written.
		if express {
			r.x.LastEventID = x.LastEventID
			r.lastID = x.LastEventID
		}
		a := &active{e: e, r: r, done: make(chan struct{}), express: express}
		e.mu.Lock()
		e.active[x.ARN] = a
		e.mu.Unlock()
		go a.deliver(func(r *run) { r.start() })
		return nil
	}
	if err := r.restore(snap); err != nil {
		return err
	}
	if r.lastID != x.LastEventID {
		return fmt.Errorf("snapshot ends at event %d but the history at %d", r.lastID, x.LastEventID)
	}
	a := &active{e: e, r: r, done: make(chan struct{})}
	e.mu.Lock()
	e.active[x.ARN] = a
	e.mu.Unlock()
	// Decide everything before arming or dispatching anything: a timer or
	// task may complete at once and change r on another goroutine.
	var timers []Timer
	for _, t := range rec.Timers {
		if _, ok := r.timers[t.ID]; ok {
			timers = append(timers, t)
		}
	}
	var tasks []*TaskRequest
	for _, t := range rec.Tasks {
		if _, ok := r.tasks[t.ID]; !ok {
			continue
		}
		req, err := decodeTask(t.Data)
		if err != nil {
			e.log.Error("cannot re-dispatch a task", "execution", x.ARN, "task", t.ID, "err", err)
			continue
		}
		tasks = append(tasks, req)
	}
	for _, t := range timers {
		a.armTimer(t.ID, t.Due)
	}
	for _, req := range tasks {
		a.dispatch(req)
	}
	return nil
}
