package engine

import (
	"encoding/json"
	"fmt"
	"time"

	"stepwise/engine/jsonv"
)

// The interpreter state of a STANDARD execution is saved after every step as
// one frame row ("state") holding the live frame tree, so a restarted engine
// continues where the last committed step left off. Timers and outbox tasks
// are separate rows (Store timers and tasks); the snapshot refers to them by
// id.

const snapshotFrameID = "state"

type snapErr struct {
	Name     string `json:"name"`
	Cause    string `json:"cause,omitempty"`
	HasCause bool   `json:"hasCause,omitempty"`
	Terminal bool   `json:"terminal,omitempty"`
}

type snapContainer struct {
	Children  []int             `json:"children"` // frame index, -1 once ended
	Items     []json.RawMessage `json:"items"`    // null once started
	Results   []json.RawMessage `json:"results"`
	N         int               `json:"n"`
	Started   int               `json:"started"`
	Running   int               `json:"running"`
	Done      int               `json:"done"`
	Failed    int               `json:"failed"`
	MaxConc   int               `json:"maxConc"`
	TolCount  int64             `json:"tolCount"`
	TolPct    float64           `json:"tolPct"`
	Tolerance bool              `json:"tolerance"`
	Finished  bool              `json:"finished"`
	Err       *snapErr          `json:"err,omitempty"`
	MapRunARN string            `json:"mapRunArn,omitempty"`
	StartID   int64             `json:"startId"`
}

type snapFrame struct {
	Parent    int             `json:"parent"` // -1 for the root
	Kind      int             `json:"kind"`
	Index     int             `json:"index"`
	Quiet     bool            `json:"quiet,omitempty"`
	State     string          `json:"state"`
	Status    int             `json:"status"`
	Phase     int             `json:"phase"`
	Raw       json.RawMessage `json:"raw"`
	Eff       json.RawMessage `json:"eff"`
	Entered   int64           `json:"entered"`
	EnteredAt time.Time       `json:"enteredAt"`
	LastEvent int64           `json:"lastEvent"`
	Retries   []int           `json:"retries,omitempty"`
	TaskID    string          `json:"taskId,omitempty"`
	TimerID   string          `json:"timerId,omitempty"`
	Heartbeat int64           `json:"heartbeat,omitempty"`
	// Vars are the variables the frame itself assigned.
	Vars map[string]json.RawMessage `json:"vars,omitempty"`
	Kids *snapContainer             `json:"kids,omitempty"`
}

type snapTimer struct {
	Kind  int `json:"kind"`
	Frame int `json:"frame"`
}

type snapshot struct {
	Seq       int                  `json:"seq"`
	LastID    int64                `json:"lastId"`
	MapRunSeq int                  `json:"mapRunSeq"`
	Invokes   map[string]int       `json:"invokes,omitempty"`
	Frames    []snapFrame          `json:"frames"`
	Timers    map[string]snapTimer `json:"timers,omitempty"`
	Tasks     map[string]int       `json:"tasks,omitempty"`
	MapRuns   []*MapRun            `json:"mapRuns,omitempty"`
}

func rawOf(v any) json.RawMessage { return jsonv.Marshal(v) }

func errSnap(e *stateErr) *snapErr {
	if e == nil {
		return nil
	}
	return &snapErr{Name: e.name, Cause: e.cause, HasCause: e.hasCause, Terminal: e.terminal}
}

func errFromSnap(e *snapErr) *stateErr {
	if e == nil {
		return nil
	}
	return &stateErr{name: e.Name, cause: e.Cause, hasCause: e.HasCause, terminal: e.Terminal}
}

// snapshot serializes the run's live state.
func (r *run) snapshot() ([]byte, error) {
	s := snapshot{Seq: r.seq, LastID: r.lastID, MapRunSeq: r.mapRunSeq, Invokes: r.invokes,
		Timers: map[string]snapTimer{}, Tasks: map[string]int{}}
	index := map[*frame]int{}
	var add func(f *frame, parent int)
	add = func(f *frame, parent int) {
		i := len(s.Frames)
		index[f] = i
		s.Frames = append(s.Frames, snapFrame{})
		sf := snapFrame{Parent: parent, Kind: f.kind, Index: f.index, Quiet: f.quiet, Status: f.status, Phase: f.phase,
			Raw: rawOf(f.raw), Eff: rawOf(f.eff), Entered: f.entered, EnteredAt: f.enteredAt, LastEvent: f.lastEvent,
			Retries: f.retries, TaskID: f.taskID, TimerID: f.timerID, Heartbeat: f.heartbeat}
		if f.st != nil {
			sf.State = f.st.name
		}
		if f.vars != nil && len(f.vars.vals) > 0 {
			sf.Vars = make(map[string]json.RawMessage, len(f.vars.vals))
			for k, v := range f.vars.vals {
				sf.Vars[k] = rawOf(v)
			}
		}
		if c := f.kids; c != nil {
			sc := &snapContainer{N: c.n, Started: c.started, Running: c.running, Done: c.done, Failed: c.failed,
				MaxConc: c.maxConc, TolCount: c.tolCount, TolPct: c.tolPct, Tolerance: c.tolerance, Finished: c.finished,
				Err: errSnap(c.err), MapRunARN: c.mapRunARN, StartID: c.startID}
			sc.Items = make([]json.RawMessage, len(c.items))
			for k := c.started; k < len(c.items); k++ {
				sc.Items[k] = rawOf(c.items[k])
			}
			sc.Results = make([]json.RawMessage, len(c.results))
			for k, v := range c.results {
				sc.Results[k] = rawOf(v)
			}
			sc.Children = make([]int, len(c.children))
			sf.Kids = sc
			s.Frames[i] = sf
			for k, ch := range c.children {
				sc.Children[k] = -1
				if ch != nil {
					sc.Children[k] = len(s.Frames)
					add(ch, i)
				}
			}
			return
		}
		s.Frames[i] = sf
	}
	if r.root != nil {
		add(r.root, -1)
	}
	for id, ti := range r.timers {
		fi, ok := index[ti.frame]
		if !ok {
			return nil, fmt.Errorf("snapshot: timer %s belongs to no live frame", id)
		}
		s.Timers[id] = snapTimer{Kind: int(ti.kind), Frame: fi}
	}
	for id, f := range r.tasks {
		fi, ok := index[f]
		if !ok {
			return nil, fmt.Errorf("snapshot: task %s belongs to no live frame", id)
		}
		s.Tasks[id] = fi
	}
	for _, mr := range r.allMapRuns {
		s.MapRuns = append(s.MapRuns, mr)
	}
	return json.Marshal(&s)
}

func decodeRaw(m json.RawMessage) (any, error) {
	if len(m) == 0 {
		return nil, nil
	}
	return jsonv.Decode(m)
}

// restore rebuilds the run from a snapshot made by snapshot.
func (r *run) restore(data []byte) error {
	var s snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	r.seq, r.lastID, r.mapRunSeq, r.invokes = s.Seq, s.LastID, s.MapRunSeq, s.Invokes
	frames := make([]*frame, len(s.Frames))
	for i, sf := range s.Frames {
		f := &frame{kind: sf.Kind, index: sf.Index, quiet: sf.Quiet, status: sf.Status, phase: sf.Phase,
			entered: sf.Entered, enteredAt: sf.EnteredAt, lastEvent: sf.LastEvent, retries: sf.Retries,
			taskID: sf.TaskID, timerID: sf.TimerID, heartbeat: sf.Heartbeat}
		var err error
		if f.raw, err = decodeRaw(sf.Raw); err != nil {
			return fmt.Errorf("restore frame %d: %w", i, err)
		}
		if f.eff, err = decodeRaw(sf.Eff); err != nil {
			return fmt.Errorf("restore frame %d: %w", i, err)
		}
		// The frame's machine follows from its parent's current state.
		if sf.Parent < 0 {
			f.m = r.p.root
		} else {
			if sf.Parent >= i {
				return fmt.Errorf("restore frame %d: parent %d comes later", i, sf.Parent)
			}
			p := frames[sf.Parent]
			f.parent = p
			switch {
			case p.st == nil:
				return fmt.Errorf("restore frame %d: parent has no state", i)
			case p.st.kind == stParallel && sf.Index < len(p.st.branches):
				f.m = p.st.branches[sf.Index]
			case p.st.kind == stMap:
				f.m = p.st.proc
			default:
				return fmt.Errorf("restore frame %d: parent state %s has no child %d", i, p.st.name, sf.Index)
			}
		}
		if r.p.usesVars {
			f.vars = &varScope{}
			if f.parent != nil && (!f.quiet || !f.parent.st.distributed) {
				f.vars.parent = f.parent.vars
			}
			for k, raw := range sf.Vars {
				v, err := decodeRaw(raw)
				if err != nil {
					return fmt.Errorf("restore frame %d variable %s: %w", i, k, err)
				}
				if f.vars.vals == nil {
					f.vars.vals = map[string]any{}
				}
				f.vars.vals[k] = v
			}
		}
		for _, st := range f.m.states {
			if st.name == sf.State {
				f.st = st
			}
		}
		if f.st == nil {
			return fmt.Errorf("restore frame %d: no state %q in its machine", i, sf.State)
		}
		if sc := sf.Kids; sc != nil {
			if sc.N < 0 || len(sc.Items) != sc.N || len(sc.Results) != sc.N || len(sc.Children) != sc.N ||
				sc.Started < 0 || sc.Started > sc.N || sc.Done < 0 || sc.Done > sc.Started || sc.Running < 0 || sc.Running > sc.Started {
				return fmt.Errorf("restore frame %d: inconsistent container counts", i)
			}
			c := &container{n: sc.N, started: sc.Started, running: sc.Running, done: sc.Done, failed: sc.Failed,
				maxConc: sc.MaxConc, tolCount: sc.TolCount, tolPct: sc.TolPct, tolerance: sc.Tolerance,
				finished: sc.Finished, err: errFromSnap(sc.Err), mapRunARN: sc.MapRunARN, startID: sc.StartID}
			c.items = make([]any, len(sc.Items))
			for k, raw := range sc.Items {
				if c.items[k], err = decodeRaw(raw); err != nil {
					return fmt.Errorf("restore frame %d item %d: %w", i, k, err)
				}
			}
			c.results = make([]any, len(sc.Results))
			for k, raw := range sc.Results {
				if c.results[k], err = decodeRaw(raw); err != nil {
					return fmt.Errorf("restore frame %d result %d: %w", i, k, err)
				}
			}
			c.children = make([]*frame, len(sc.Children))
			f.kids = c
		}
		frames[i] = f
	}
	// Link children now that every frame exists; the links must form a tree.
	linked := make([]bool, len(frames))
	for i, sf := range s.Frames {
		if sf.Kids == nil {
			continue
		}
		for k, ci := range sf.Kids.Children {
			if ci >= 0 {
				if ci <= i || ci >= len(frames) || s.Frames[ci].Parent != i || linked[ci] {
					return fmt.Errorf("restore frame %d: child %d is not a frame of its own", i, ci)
				}
				linked[ci] = true
				frames[i].kids.children[k] = frames[ci]
			}
		}
	}
	if len(frames) > 0 {
		r.root = frames[0]
	}
	r.timers = map[string]timerInfo{}
	for id, t := range s.Timers {
		if t.Frame < 0 || t.Frame >= len(frames) {
			return fmt.Errorf("restore timer %s: frame out of range", id)
		}
		r.timers[id] = timerInfo{kind: timerKind(t.Kind), frame: frames[t.Frame]}
	}
	r.tasks = map[string]*frame{}
	for id, fi := range s.Tasks {
		if fi < 0 || fi >= len(frames) {
			return fmt.Errorf("restore task %s: frame out of range", id)
		}
		r.tasks[id] = frames[fi]
	}
	r.allMapRuns = map[string]*MapRun{}
	for _, mr := range s.MapRuns {
		r.allMapRuns[mr.ARN] = mr
	}
	return nil
}

// taskData is the outbox form of a TaskRequest.
type taskData struct {
	ID               string          `json:"id"`
	ExecutionARN     string          `json:"executionArn"`
	StateMachineName string          `json:"stateMachineName"`
	StateName        string          `json:"stateName"`
	Resource         string          `json:"resource"`
	Input            json.RawMessage `json:"input"`
	Attempt          int             `json:"attempt"`
	Token            string          `json:"token"`
	TimeoutSeconds   int64           `json:"timeoutSeconds,omitempty"`
	HeartbeatSeconds int64           `json:"heartbeatSeconds,omitempty"`
	TestCase         string          `json:"testCase,omitempty"`
}

func encodeTask(t *TaskRequest) []byte {
	b, _ := json.Marshal(taskData{ID: t.ID, ExecutionARN: t.ExecutionARN, StateMachineName: t.StateMachineName,
		StateName: t.StateName, Resource: t.Resource, Input: rawOf(t.Input), Attempt: t.Attempt, Token: t.Token,
		TimeoutSeconds: t.TimeoutSeconds, HeartbeatSeconds: t.HeartbeatSeconds, TestCase: t.TestCase})
	return b
}

func decodeTask(data []byte) (*TaskRequest, error) {
	var d taskData
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("outbox task: %w", err)
	}
	in, err := decodeRaw(d.Input)
	if err != nil {
		return nil, fmt.Errorf("outbox task %s input: %w", d.ID, err)
	}
	return &TaskRequest{ID: d.ID, ExecutionARN: d.ExecutionARN, StateMachineName: d.StateMachineName, StateName: d.StateName,
		Resource: d.Resource, Input: in, Attempt: d.Attempt, Token: d.Token, TimeoutSeconds: d.TimeoutSeconds,
		HeartbeatSeconds: d.HeartbeatSeconds, TestCase: d.TestCase}, nil
}
