package engine

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"stepwise/engine/jsonv"
)

// ActivityDoesNotExist is AWS's error for an unknown activity ARN.
const ActivityDoesNotExist = "ActivityDoesNotExist"

// ActivityPollTimeout is how long GetActivityTask waits for a task before it
// answers with none, as AWS does.
const ActivityPollTimeout = 60 * time.Second

// Activity is a named queue of tasks that workers poll for.
type Activity struct {
	ARN          string
	Name         string
	CreationDate time.Time
}

// ActivityStore is implemented by stores that keep activities durably. The
// engine keeps activities in memory when its Store does not implement it.
type ActivityStore interface {
	// PutActivity inserts a (an existing activity with its ARN stays).
	PutActivity(ctx context.Context, a *Activity) error
	// GetActivity returns the activity or ActivityDoesNotExist.
	GetActivity(ctx context.Context, arn string) (*Activity, error)
	// ListActivities lists activities ordered by name.
	ListActivities(ctx context.Context) ([]*Activity, error)
	// DeleteActivity removes the activity; an unknown ARN is no error.
	DeleteActivity(ctx context.Context, arn string) error
}

// ActivityWorker is a worker that polled an activity, and when it last did.
type ActivityWorker struct {
	Name     string
	LastSeen time.Time
}

// activityTask is a dispatched task waiting for a worker.
type activityTask struct {
	token string
	input string
}

// activityQueue holds the pending tasks and the waiting pollers of one
// activity. A task goes either to the first waiting poller or into tasks;
// both happen under activities.mu, so each task reaches one poller only.
type activityQueue struct {
	tasks   []*activityTask
	waiters []chan *activityTask // buffered (1), FIFO
	workers map[string]time.Time
}

// activities is the engine's activity registry (when the store keeps none)
// and its task queues.
type activities struct {
	mu     sync.Mutex
	defs   map[string]*Activity
	queues map[string]*activityQueue
}

func (as *activities) queue(arn string) *activityQueue {
	if as.queues == nil {
		as.queues = map[string]*activityQueue{}
	}
	q := as.queues[arn]
	if q == nil {
		q = &activityQueue{workers: map[string]time.Time{}}
		as.queues[arn] = q
	}
	return q
}

// isActivityARN reports whether a Task resource names an activity.
func isActivityARN(resource string) bool {
	kind, rest, ok := ParseARN(resource)
	return ok && kind == "activity" && rest != ""
}

// Activity returns the ARN of the activity name.
func (a ARNs) Activity(name string) string { return a.prefix() + "activity:" + name }

// CreateActivity creates the activity name, or returns the existing one with
// that name (CreateActivity is idempotent, as AWS's is).
func (e *Engine) CreateActivity(ctx context.Context, name string) (*Activity, error) {
	if !validName(name) {
		return nil, Errorf(InvalidName, "Invalid Name: '%s'", name)
	}
	arn := e.arns.Activity(name)
	if old, err := e.DescribeActivity(ctx, arn); err == nil {
		return old, nil
	} else if ErrorCode(err) != ActivityDoesNotExist {
		return nil, err
	}
	a := &Activity{ARN: arn, Name: name, CreationDate: e.clock.Now().UTC().Truncate(time.Millisecond)}
	if st, ok := e.store.(ActivityStore); ok {
		if err := st.PutActivity(ctx, a); err != nil {
			return nil, err
		}
		return st.GetActivity(ctx, arn)
	}
	e.acts.mu.Lock()
	defer e.acts.mu.Unlock()
	if old := e.acts.defs[arn]; old != nil {
		return old, nil
	}
	if e.acts.defs == nil {
		e.acts.defs = map[string]*Activity{}
	}
	e.acts.defs[arn] = a
	return a, nil
}

func (e *Engine) checkActivityARN(arn string) error {
	if kind, rest, ok := ParseARN(arn); !ok || kind != "activity" || rest == "" {
		return Errorf(InvalidArn, "Invalid Arn: 'Resource type not valid in this context: %s'", arn)
	}
	return nil
}

// DescribeActivity returns the activity or ActivityDoesNotExist.
func (e *Engine) DescribeActivity(ctx context.Context, arn string) (*Activity, error) {
	if err := e.checkActivityARN(arn); err != nil {
		return nil, err
	}
	if st, ok := e.store.(ActivityStore); ok {
		return st.GetActivity(ctx, arn)
	}
	e.acts.mu.Lock()
	defer e.acts.mu.Unlock()
	if a := e.acts.defs[arn]; a != nil {
		return a, nil
	}
	return nil, Errorf(ActivityDoesNotExist, "Activity Does Not Exist: '%s'", arn)
}

// ListActivities lists the activities ordered by name, a page at a time.
func (e *Engine) ListActivities(ctx context.Context, page Page) ([]*Activity, string, error) {
	var all []*Activity
	if st, ok := e.store.(ActivityStore); ok {
		l, err := st.ListActivities(ctx)
		if err != nil {
			return nil, "", err
		}
		all = l
	} else {
		e.acts.mu.Lock()
		for _, a := range e.acts.defs {
			all = append(all, a)
		}
		e.acts.mu.Unlock()
		sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	}
	start := 0
	if page.NextToken != "" {
		start = sort.Search(len(all), func(i int) bool { return all[i].Name > page.NextToken })
		if start == 0 && (len(all) == 0 || all[0].Name <= page.NextToken) {
			start = len(all)
		}
	}
	lim := page.Limit
	if lim <= 0 || lim > 1000 {
		lim = 100
	}
	end := min(start+lim, len(all))
	next := ""
	if end < len(all) {
		next = all[end-1].Name
	}
	return all[start:end], next, nil
}

// DeleteActivity deletes the activity; its pending tasks stay queued and
// time out as their states say. An unknown activity is no error.
func (e *Engine) DeleteActivity(ctx context.Context, arn string) error {
	if err := e.checkActivityARN(arn); err != nil {
		return err
	}
	if st, ok := e.store.(ActivityStore); ok {
		return st.DeleteActivity(ctx, arn)
	}
	e.acts.mu.Lock()
	delete(e.acts.defs, arn)
	e.acts.mu.Unlock()
	return nil
}

// enqueueActivity hands a dispatched activity task to a waiting worker or
// queues it. Tasks of a restarted engine come back here from the outbox.
func (e *Engine) enqueueActivity(req *TaskRequest) {
	t := &activityTask{token: req.Token, input: jsonv.String(req.Input)}
	e.acts.mu.Lock()
	defer e.acts.mu.Unlock()
	q := e.acts.queue(req.Resource)
	if len(q.waiters) > 0 {
		w := q.waiters[0]
		q.waiters = q.waiters[1:]
		w <- t
		return
	}
	q.tasks = append(q.tasks, t)
}

// tokenLive reports whether a task with the token is still running.
func (e *Engine) tokenLive(token string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.tokens[token] != nil
}

// GetActivityTask waits up to ActivityPollTimeout (or until ctx ends) for a
// task of the activity and returns its token and input (a JSON text); both
// are "" when none arrived. Each task goes to exactly one caller.
func (e *Engine) GetActivityTask(ctx context.Context, arn, worker string) (token, input string, err error) {
	if _, err := e.DescribeActivity(ctx, arn); err != nil {
		return "", "", err
	}
	if len(worker) > 80 {
		return "", "", Errorf(ValidationException, "Value at 'workerName' failed to satisfy constraint: Member must have length less than or equal to 80")
	}
	timer := time.NewTimer(ActivityPollTimeout)
	defer timer.Stop()
	// A stopping engine answers its pollers at once, so shutdown does not
	// wait for their long polls.
	var stopping <-chan struct{}
	e.mu.Lock()
	if e.ctx != nil {
		stopping = e.ctx.Done()
	}
	e.mu.Unlock()
	for {
		w := make(chan *activityTask, 1)
		e.acts.mu.Lock()
		q := e.acts.queue(arn)
		q.workers[worker] = e.clock.Now()
		var t *activityTask
		if len(q.tasks) > 0 {
			t = q.tasks[0]
			q.tasks = q.tasks[1:]
		} else {
			q.waiters = append(q.waiters, w)
		}
		e.acts.mu.Unlock()
		if t == nil {
			select {
			case t = <-w:
			case <-ctx.Done():
			case <-stopping:
			case <-timer.C:
			}
			if t == nil {
				e.acts.mu.Lock()
				for i, x := range q.waiters {
					if x == w {
						q.waiters = append(q.waiters[:i:i], q.waiters[i+1:]...)
						break
					}
				}
				e.acts.mu.Unlock()
				// A task sent while we gave up is ours: the sender removed
				// us from waiters before sending.
				select {
				case t = <-w:
				default:
					return "", "", nil
				}
			}
		}
		// A task whose state ended (timeout, stop) is dropped.
		if e.markStarted(t.token, worker) {
			return t.token, t.input, nil
		}
	}
}

// ActivityStatus returns the number of pending tasks of an activity and the
// workers that polled it, most recent first.
func (e *Engine) ActivityStatus(ctx context.Context, arn string) (pending int, workers []ActivityWorker, err error) {
	if err := e.checkActivityARN(arn); err != nil {
		return 0, nil, err
	}
	e.acts.mu.Lock()
	q := e.acts.queue(arn)
	var live []*activityTask
	live = append(live, q.tasks...)
	for n, at := range q.workers {
		workers = append(workers, ActivityWorker{Name: n, LastSeen: at})
	}
	e.acts.mu.Unlock()
	for _, t := range live {
		if e.tokenLive(t.token) {
			pending++
		}
	}
	sort.Slice(workers, func(i, j int) bool {
		if !workers[i].LastSeen.Equal(workers[j].LastSeen) {
			return workers[i].LastSeen.After(workers[j].LastSeen)
		}
		return strings.Compare(workers[i].Name, workers[j].Name) < 0
	})
	return pending, workers, nil
}

// activityStarted records that a worker took the activity task id.
func (r *run) activityStarted(id, worker string) {
	f, ok := r.tasks[id]
	if !ok || r.done {
		return
	}
	r.emit(f, "ActivityStarted", &detail{name: worker})
}

// markStarted writes ActivityStarted for the task with the token before the
// worker gets the token, so the event precedes the worker's answer.
func (e *Engine) markStarted(token, worker string) bool {
	e.mu.Lock()
	ref := e.tokens[token]
	e.mu.Unlock()
	if ref == nil {
		return false
	}
	ref.a.deliver(func(r *run) { r.activityStarted(ref.id, worker) })
	return true
}

// expiredTokens remembers the tokens of the latest timed-out tasks (at most
// maxExpired, oldest forgotten first), so a worker that answers late learns
// TaskTimedOut rather than TaskDoesNotExist, as on AWS. It is memory only:
// after a restart a late answer gets TaskDoesNotExist.
type expiredTokens struct {
	mu    sync.Mutex
	set   map[string]struct{}
	order []string
}

const maxExpired = 10000

func (x *expiredTokens) add(tok string) {
	if tok == "" {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.set == nil {
		x.set = map[string]struct{}{}
	}
	if _, ok := x.set[tok]; ok {
		return
	}
	x.set[tok] = struct{}{}
	x.order = append(x.order, tok)
	if len(x.order) > maxExpired {
		delete(x.set, x.order[0])
		x.order = x.order[1:]
	}
}

func (x *expiredTokens) has(tok string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	_, ok := x.set[tok]
	return ok
}

// expireToken records that the task with the token timed out.
func (e *Engine) expireToken(tok string) { e.expired.add(tok) }
