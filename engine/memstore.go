package engine

import (
	"context"
	"sort"
	"strconv"
	"sync"
)

// MemStore is a Store in memory: for tests, for EXPRESS executions and for
// `stepwise run` without a database. It is safe for concurrent use.
type MemStore struct {
	mu       sync.RWMutex
	machines map[string]*StateMachine
	execs    map[string]*memExec
	order    []*memExec // creation order
	mapRuns  map[string]*MapRun
	runOrder []*MapRun
	vers     memVersions // versions and aliases (versions_memstore.go)
}

type memExec struct {
	x      *Execution
	events []HistoryEvent
	frames map[string][]byte
	timers map[string]Timer
	tasks  map[string]Task
	seq    int // creation sequence, for stable listing
}

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore {
	return &MemStore{
		machines: map[string]*StateMachine{},
		execs:    map[string]*memExec{},
		mapRuns:  map[string]*MapRun{},
	}
}

func copySM(sm *StateMachine) *StateMachine {
	c := *sm
	if sm.Tags != nil {
		c.Tags = make(map[string]string, len(sm.Tags))
		for k, v := range sm.Tags {
			c.Tags[k] = v
		}
	}
	return &c
}

// CreateStateMachine implements Store.
func (s *MemStore) CreateStateMachine(ctx context.Context, sm *StateMachine) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.machines[sm.ARN]; ok {
		return Errorf(StateMachineAlreadyExists, "State Machine Already Exists: '%s'", sm.ARN)
	}
	s.machines[sm.ARN] = copySM(sm)
	return nil
}

// UpdateStateMachine implements Store.
func (s *MemStore) UpdateStateMachine(ctx context.Context, sm *StateMachine) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.machines[sm.ARN]; !ok {
		return Errorf(StateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", sm.ARN)
	}
	s.machines[sm.ARN] = copySM(sm)
	return nil
}

// DeleteStateMachine implements Store.
func (s *MemStore) DeleteStateMachine(ctx context.Context, arn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.machines[arn]; !ok {
		return Errorf(StateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
	}
	delete(s.machines, arn)
	return nil
}

// GetStateMachine implements Store.
func (s *MemStore) GetStateMachine(ctx context.Context, arn string) (*StateMachine, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sm, ok := s.machines[arn]
	if !ok {
		return nil, Errorf(StateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
	}
	return copySM(sm), nil
}

func pageBounds(p Page, n int) (start, end int, next string, err error) {
	limit := p.Limit
	if limit <= 0 {
		limit = 100
	}
	if p.NextToken != "" {
		start, err = strconv.Atoi(p.NextToken)
		if err != nil || start < 0 || start > n {
			return 0, 0, "", Errorf(InvalidToken, "Invalid Token: '%s'", p.NextToken)
		}
	}
	end = start + limit
	if end >= n {
		end = n
	} else {
		next = strconv.Itoa(end)
	}
	return start, end, next, nil
}

// ListStateMachines implements Store.
func (s *MemStore) ListStateMachines(ctx context.Context, page Page) ([]*StateMachine, string, error) {
	s.mu.RLock()
	all := make([]*StateMachine, 0, len(s.machines))
	for _, sm := range s.machines {
		all = append(all, copySM(sm))
	}
	s.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool {
		return all[i].Name < all[j].Name || all[i].Name == all[j].Name && all[i].ARN < all[j].ARN
	})
	start, end, next, err := pageBounds(page, len(all))
	if err != nil {
		return nil, "", err
	}
	return all[start:end], next, nil
}

// CreateExecution implements Store.
func (s *MemStore) CreateExecution(ctx context.Context, x *Execution, events []HistoryEvent) (*Execution, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.execs[x.ARN]; ok {
		return e.x.Clone(), false, nil
	}
	if err := checkContiguous(0, events); err != nil {
		return nil, false, err
	}
	e := &memExec{x: x.Clone(), frames: map[string][]byte{}, timers: map[string]Timer{}, tasks: map[string]Task{}, seq: len(s.order)}
	e.events = append(e.events, events...)
	if n := len(events); n > 0 {
		e.x.LastEventID = events[n-1].ID
	}
	s.execs[x.ARN] = e
	s.order = append(s.order, e)
	return e.x.Clone(), true, nil
}

func checkContiguous(last int64, events []HistoryEvent) error {
	for _, ev := range events {
		if ev.ID != last+1 {
			return Errorf(Internal, "history event id %d does not follow %d", ev.ID, last)
		}
		last = ev.ID
	}
	return nil
}

// GetExecution implements Store.
func (s *MemStore) GetExecution(ctx context.Context, arn string) (*Execution, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.execs[arn]
	if !ok {
		return nil, Errorf(ExecutionDoesNotExist, "Execution Does Not Exist: '%s'", arn)
	}
	return e.x.Clone(), nil
}

// ListExecutions implements Store.
func (s *MemStore) ListExecutions(ctx context.Context, f ExecutionFilter) ([]*Execution, string, error) {
	s.mu.RLock()
	var all []*memExec
	for _, e := range s.order {
		if f.StateMachineARN != "" && e.x.StateMachineARN != f.StateMachineARN {
			continue
		}
		if f.MapRunARN != "" && e.x.MapRunARN != f.MapRunARN {
			continue
		}
		if f.Status != "" && e.x.Status != f.Status {
			continue
		}
		all = append(all, e)
	}
	s.mu.RUnlock()
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if !a.x.StartDate.Equal(b.x.StartDate) {
			return a.x.StartDate.After(b.x.StartDate)
		}
		return a.seq > b.seq
	})
	start, end, next, err := pageBounds(f.Page, len(all))
	if err != nil {
		return nil, "", err
	}
	out := make([]*Execution, 0, end-start)
	s.mu.RLock()
	for _, e := range all[start:end] {
		out = append(out, e.x.Clone())
	}
	s.mu.RUnlock()
	return out, next, nil
}

// GetHistory implements Store.
func (s *MemStore) GetHistory(ctx context.Context, arn string, q HistoryQuery) ([]HistoryEvent, string, error) {
	s.mu.RLock()
	e, ok := s.execs[arn]
	if !ok {
		s.mu.RUnlock()
		return nil, "", Errorf(ExecutionDoesNotExist, "Execution Does Not Exist: '%s'", arn)
	}
	var evs []HistoryEvent
	if q.Reverse {
		evs = make([]HistoryEvent, 0, len(e.events))
		for i := len(e.events) - 1; i >= 0; i-- {
			evs = append(evs, e.events[i])
		}
	} else {
		from := 0
		if q.AfterID > 0 {
			from = sort.Search(len(e.events), func(i int) bool { return e.events[i].ID > q.AfterID })
		}
		evs = append([]HistoryEvent(nil), e.events[from:]...)
	}
	s.mu.RUnlock()
	start, end, next, err := pageBounds(q.Page, len(evs))
	if err != nil {
		return nil, "", err
	}
	return evs[start:end], next, nil
}

// Commit implements Store.
func (s *MemStore) Commit(ctx context.Context, steps []*Step) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Check everything first so a bad step applies nothing.
	last := map[string]int64{}
	for _, st := range steps {
		if st.Execution == nil {
			return Errorf(Internal, "commit: step without execution")
		}
		e, ok := s.execs[st.Execution.ARN]
		if !ok {
			return Errorf(ExecutionDoesNotExist, "Execution Does Not Exist: '%s'", st.Execution.ARN)
		}
		l, seen := last[e.x.ARN]
		if !seen {
			l = e.x.LastEventID
		}
		if err := checkContiguous(l, st.Events); err != nil {
			return Errorf(Internal, "commit %s: %s", e.x.ARN, ErrorMessage(err))
		}
		if n := len(st.Events); n > 0 {
			l = st.Events[n-1].ID
		}
		last[e.x.ARN] = l
	}
	for _, st := range steps {
		e := s.execs[st.Execution.ARN]
		e.events = append(e.events, st.Events...)
		x := st.Execution.Clone()
		x.LastEventID = last[x.ARN]
		e.x = x
		for _, f := range st.PutFrames {
			e.frames[f.ID] = f.Data
		}
		for _, id := range st.DeleteFrames {
			delete(e.frames, id)
		}
		for _, t := range st.PutTimers {
			e.timers[t.ID] = t
		}
		for _, id := range st.DeleteTimers {
			delete(e.timers, id)
		}
		for _, t := range st.PutTasks {
			e.tasks[t.ID] = t
		}
		for _, id := range st.DeleteTasks {
			delete(e.tasks, id)
		}
		if x.Status.Done() {
			// A finished execution needs no interpreter state.
			e.frames = map[string][]byte{}
			e.timers = map[string]Timer{}
			e.tasks = map[string]Task{}
		}
		for _, mr := range st.MapRuns {
			c := *mr
			if _, ok := s.mapRuns[mr.ARN]; !ok {
				s.runOrder = append(s.runOrder, &c)
			} else {
				for i, r := range s.runOrder {
					if r.ARN == mr.ARN {
						s.runOrder[i] = &c
					}
				}
			}
			s.mapRuns[mr.ARN] = &c
		}
	}
	return nil
}

// Recover implements Store.
func (s *MemStore) Recover(ctx context.Context) ([]*Recovered, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*Recovered
	for _, e := range s.order {
		if e.x.Status != Running {
			continue
		}
		r := &Recovered{Execution: e.x.Clone()}
		for id, d := range e.frames {
			r.Frames = append(r.Frames, Frame{ID: id, Data: d})
		}
		sort.Slice(r.Frames, func(i, j int) bool { return r.Frames[i].ID < r.Frames[j].ID })
		for _, t := range e.timers {
			r.Timers = append(r.Timers, t)
		}
		sort.Slice(r.Timers, func(i, j int) bool { return r.Timers[i].ID < r.Timers[j].ID })
		for _, t := range e.tasks {
			r.Tasks = append(r.Tasks, t)
		}
		sort.Slice(r.Tasks, func(i, j int) bool { return r.Tasks[i].ID < r.Tasks[j].ID })
		out = append(out, r)
	}
	return out, nil
}

// GetMapRun implements Store.
func (s *MemStore) GetMapRun(ctx context.Context, arn string) (*MapRun, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	mr, ok := s.mapRuns[arn]
	if !ok {
		return nil, Errorf(MapRunDoesNotExist, "Map Run Does Not Exist: '%s'", arn)
	}
	c := *mr
	return &c, nil
}

// ListMapRuns implements Store.
func (s *MemStore) ListMapRuns(ctx context.Context, executionARN string, page Page) ([]*MapRun, string, error) {
	s.mu.RLock()
	var all []*MapRun
	for _, mr := range s.runOrder {
		if mr.ExecutionARN == executionARN {
			c := *mr
			all = append(all, &c)
		}
	}
	s.mu.RUnlock()
	start, end, next, err := pageBounds(page, len(all))
	if err != nil {
		return nil, "", err
	}
	return all[start:end], next, nil
}

// Close implements Store.
func (s *MemStore) Close() error { return nil }
