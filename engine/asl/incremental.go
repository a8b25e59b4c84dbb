package asl

import (
	"strings"
	"unicode/utf8"

	"stepwise/engine/jsonv"
)

// Analysis is what ParseValueFrom remembers of a definition it validated,
// so that validating a definition derived from it (the designer's next
// draft, which shares every untouched subtree) costs about what changed.
//
// It holds, for each top-level state, the state's compact text and the
// diagnostics of the checks that look at that state only, with positions
// relative to the state's key. Those are reused for a state whose object is
// the very same *jsonv.Object under the same name and in the same context
// (top-level query language, machine type); the checks that look across
// states (unique names, StartAt, transition targets, reachability, reaching
// an end, definition size, the top level's own fields) run again every time.
//
// An Analysis is immutable and may be shared: any number of definitions may
// be derived from one, concurrently. It relies on the jsonv values it was
// made from never changing, as jsonv values never do once built.
type Analysis struct {
	states []*stateMemo
	// analysed counts the states the call that made this Analysis had to
	// analyse (those not reused).
	analysed int
	// size is the length of the text, to size the next one's buffer.
	size int
}

// stateMemo is one top-level state analysed on its own: its text
// ("name":{...}), the model built from it and its diagnostics, all with
// positions relative to the start of its key.
type stateMemo struct {
	obj  *jsonv.Object // nil when the state's value is not an object
	name string
	ctx  stateContext

	text  []byte
	chars int // characters (not bytes) in text

	state *State
	// parse and check are the diagnostics of building the state and of
	// checking it; marks say where, between them, the global checks the
	// full build makes at that point go.
	parse, check           []Diagnostic
	parseMarks, checkMarks []mark
}

// stateContext is what a top-level state's own checks depend on besides
// its object and name.
type stateContext struct {
	// top is the valid QueryLanguage of the top level, "" when it has none
	// (states then default to JSONPath).
	top     string
	express bool
}

// recorder collects, while a state is analysed on its own, the places
// where a global check would run.
type recorder struct{ marks []mark }

// mark is a global check at diagnostic index at: registering the name of
// state (unique names), or the graph rules of machine (a nested machine's,
// whose messages name states anywhere in the definition).
type mark struct {
	at      int
	state   *State
	machine *StateMachine
}

// ParseValueFrom is ParseValueBuffer for a definition that may share
// subtrees with one validated before: prev is that validation's Analysis
// (nil for none). It returns the same text and the same diagnostics as
// ParseValueBuffer(buf, v, opts) would, byte for byte and in the same order,
// and the Analysis to pass on to the next call. It builds no model.
//
// A top-level state whose object is pointer-equal to one in prev, under the
// same name and in the same context, is not encoded or checked again.
func ParseValueFrom(prev *Analysis, buf []byte, v any, opts Options) ([]byte, Diagnostics, *Analysis) {
	root, ok := v.(*jsonv.Object)
	if ok {
		if text, diags, a, ok := parseIncremental(prev, buf, root, opts); ok {
			return text, diags, a
		}
	}
	text, _, diags := ParseValueBuffer(buf, v, opts)
	return text, diags, &Analysis{}
}

// incRun is one incremental validation.
type incRun struct {
	opts Options
	ctx  stateContext
	prev *Analysis
	// byKey finds prev's states by object and name when they are not at
	// the same index (built on first need).
	byKey map[memoKey]*stateMemo

	// states are the new definition's top-level states, in order, and
	// bases where each one's key starts in the new text.
	states []*stateMemo
	bases  []Pos
	// index finds a top-level state's index from its model (built when a
	// graph diagnostic needs a position).
	index map[*State]int

	// iso analyses states on their own; scratch, slab, nodes and members
	// are reused between those analyses.
	iso     *builder
	top     *StateMachine
	mem     Member
	scratch []byte
	slab    []byte
	nodes   []Node
	members []Member
	misses  int
}

type memoKey struct {
	obj  *jsonv.Object
	name string
}

// parseIncremental is ParseValueFrom for an object; false means the
// definition holds something the incremental path does not mirror (then
// the full path answers).
func parseIncremental(prev *Analysis, buf []byte, root *jsonv.Object, opts Options) ([]byte, Diagnostics, *Analysis, bool) {
	r := &incRun{opts: opts, prev: prev}
	r.ctx.express = strings.EqualFold(opts.Type, "EXPRESS")
	// machine() reads the top level's QueryLanguage before anything else.
	if q, ok := root.Get("QueryLanguage"); ok {
		if s, ok := q.(string); ok && (s == JSONPath || s == JSONata) {
			r.ctx.top = s
		}
	}
	if prev != nil && cap(buf) < prev.size {
		buf = make([]byte, 0, prev.size+prev.size/8+256)
	}
	e := &valueEncoder{buf: buf[:0]}
	node, ok := r.encodeRoot(e, root)
	if !ok || e.badKey {
		return nil, nil, nil, false
	}
	_, diags := build(&Source{Root: node, Format: "json", Size: len(e.buf)}, opts, r)
	diags.Sort()
	return e.buf, diags, &Analysis{states: r.states, analysed: r.misses, size: len(e.buf)}, true
}

// encodeRoot is valueEncoder.value for the top-level object, except that
// the states of its States object come from analyses of their own.
func (r *incRun) encodeRoot(e *valueEncoder, root *jsonv.Object) (*Node, bool) {
	n := e.node(KindObject, e.here())
	e.buf = append(e.buf, '{')
	ms := root.Members()
	if len(ms) > 0 {
		n.Members = make([]*Member, len(ms))
	}
	for i, m := range ms {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if !utf8.ValidString(m.Key) {
			return nil, false
		}
		kp := e.here()
		e.buf = jsonv.AppendString(e.buf, m.Key)
		e.buf = append(e.buf, ':')
		var c *Node
		ok := false
		if so, isObj := m.Value.(*jsonv.Object); isObj && m.Key == "States" {
			c, ok = r.encodeStates(e, so)
		} else {
			c, ok = e.value(m.Value, 1)
		}
		if !ok {
			return nil, false
		}
		n.Members[i] = e.member(m.Key, kp, c)
	}
	e.buf = append(e.buf, '}')
	return n, true
}

// encodeStates encodes the top-level States object from its states'
// analyses, reused from prev or made now.
func (r *incRun) encodeStates(e *valueEncoder, so *jsonv.Object) (*Node, bool) {
	// The node has no members: build takes the states from r.states.
	n := e.node(KindObject, e.here())
	e.buf = append(e.buf, '{')
	ms := so.Members()
	r.states = make([]*stateMemo, len(ms))
	r.bases = make([]Pos, len(ms))
	for i, m := range ms {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if !utf8.ValidString(m.Key) {
			return nil, false
		}
		kp := e.here()
		sm := r.reuse(i, m.Key, m.Value)
		if sm == nil {
			var ok bool
			if sm, ok = r.analyse(m.Key, m.Value, len(ms)-i); !ok {
				return nil, false
			}
		}
		e.buf = append(e.buf, sm.text...)
		e.col += sm.chars
		e.colPos = len(e.buf)
		r.states[i] = sm
		r.bases[i] = Pos{Line: 0, Column: kp.Column - 1, Offset: kp.Offset}
	}
	e.buf = append(e.buf, '}')
	return n, true
}

// reuse returns prev's analysis of the state name: obj, or nil.
func (r *incRun) reuse(i int, name string, v any) *stateMemo {
	obj, ok := v.(*jsonv.Object)
	if !ok || obj == nil || r.prev == nil || len(r.prev.states) == 0 {
		// A nil *jsonv.Object (which encodes as {}) has no identity.
		return nil
	}
	fits := func(sm *stateMemo) bool { return sm != nil && sm.obj == obj && sm.name == name && sm.ctx == r.ctx }
	if i < len(r.prev.states) && r.prev.states[i] != nil && r.prev.states[i].name == name {
		// Names are unique in a States object: this is the only
		// candidate (the common case, an edit inside the state).
		if fits(r.prev.states[i]) {
			return r.prev.states[i]
		}
		return nil
	}
	if r.byKey == nil {
		r.byKey = make(map[memoKey]*stateMemo, len(r.prev.states))
		for _, sm := range r.prev.states {
			if sm != nil && sm.obj != nil {
				r.byKey[memoKey{sm.obj, sm.name}] = sm
			}
		}
	}
	if sm := r.byKey[memoKey{obj, name}]; fits(sm) {
		return sm
	}
	return nil
}

// analyse builds and checks the top-level state name: v on its own, as
// Build would in the top-level machine, recording where the global checks
// go; remaining is how many states are left to do, to size slabs.
func (r *incRun) analyse(name string, v any, remaining int) (*stateMemo, bool) {
	e := &valueEncoder{buf: r.scratch[:0], nodes: r.nodes, members: r.members}
	kp := e.here()
	e.buf = jsonv.AppendString(e.buf, name)
	e.buf = append(e.buf, ':')
	node, ok := e.value(v, 2)
	r.scratch, r.nodes, r.members = e.buf, e.nodes, e.members
	if !ok || e.badKey {
		return nil, false
	}
	sm := &stateMemo{name: name, ctx: r.ctx}
	sm.obj, _ = v.(*jsonv.Object)
	if len(r.slab)+len(e.buf) > cap(r.slab) {
		want := remaining
		if r.prev != nil {
			want = min(remaining, 1+2*r.misses)
		}
		r.slab = make([]byte, 0, max(2*cap(r.slab), want*len(e.buf), 1024))
	}
	start := len(r.slab)
	r.slab = append(r.slab, e.buf...)
	sm.text = r.slab[start:len(r.slab):len(r.slab)]
	sm.chars = columnOf(e.buf)

	b := r.iso
	if b == nil {
		b = &builder{opts: r.opts, rec: &recorder{}, topLanguage: r.ctx.top}
		r.iso = b
		// The top-level machine the states say they belong to; the graph
		// rules use the new top level's own.
		r.top = &StateMachine{byName: map[string]*State{}}
	}
	// b's diagnostics and marks grow over the whole run; each state keeps
	// its part (the parts never change once made, so they may share an
	// array).
	d0, m0 := len(b.diags), len(b.rec.marks)
	lang := JSONPath
	if r.ctx.top != "" {
		lang = r.ctx.top
	}
	r.mem = Member{Key: name, KeyPos: kp, Value: node}
	// Few states are analysed when most are reused; many when none are.
	want := remaining
	if r.prev != nil {
		want = min(remaining, 1+2*r.misses)
	}
	sm.state = b.state(b.newState(want), r.top, &r.mem, join("/States", name), lang)
	p, pm := len(b.diags), len(b.rec.marks)
	b.checkTree(sm.state)
	sm.parse = b.diags[d0:p:p]
	sm.parseMarks = b.rec.marks[m0:pm:pm]
	if len(b.diags) > p {
		sm.check = b.diags[p:len(b.diags):len(b.diags)]
	}
	if len(b.rec.marks) > pm {
		sm.checkMarks = b.rec.marks[pm:len(b.rec.marks):len(b.rec.marks)]
		for i := range sm.checkMarks {
			sm.checkMarks[i].at -= p
		}
	}
	for i := range sm.parseMarks {
		sm.parseMarks[i].at -= d0
	}
	r.misses++
	return sm, true
}

// topStates is machine's work on the top level's States object (at fptr,
// its value at pos) when its states come analysed: it appends the
// diagnostics of building each state, with the global checks at their
// places, and adds the states to the top-level machine sm.
func (r *incRun) topStates(b *builder, sm *StateMachine, fptr string, pos Pos) {
	if len(r.states) == 0 {
		b.schema(fptr, pos, "", "States", "The field 'States' must have at least one state")
	}
	sm.States = make([]*State, len(r.states))
	sm.byName = make(map[string]*State, len(r.states))
	for i, m := range r.states {
		r.replay(b, i, m.parse, m.parseMarks)
		sm.States[i] = m.state
		sm.byName[m.state.Name] = m.state
	}
}

// replayCheck appends the diagnostics of checking top-level state i.
func (r *incRun) replayCheck(b *builder, i int) {
	sm := r.states[i]
	r.replay(b, i, sm.check, sm.checkMarks)
}

func (r *incRun) replay(b *builder, i int, diags []Diagnostic, marks []mark) {
	base := r.bases[i]
	next := 0
	emit := func(to int) {
		for ; next < to; next++ {
			d := diags[next]
			d.Column += base.Column
			b.diags = append(b.diags, d)
		}
	}
	for _, m := range marks {
		emit(m.at)
		if m.state != nil {
			// Every mark of a top-level state's analysis is inside it.
			pos := m.state.Pos
			pos.Column += base.Column
			pos.Offset += base.Offset
			b.register(m.state, pos)
		} else {
			b.graph(m.machine)
		}
	}
	emit(len(diags))
}

// abs returns p, a position in the source of owner (a state; nil for the
// top level), as a position in the text being validated. Positions inside
// top-level states analysed on their own are relative to the state's key.
func (b *builder) abs(owner *State, p Pos) Pos {
	r := b.inc
	if r == nil || owner == nil {
		return p
	}
	for owner.Machine != nil && owner.Machine.Parent != nil {
		owner = owner.Machine.Parent
	}
	if r.index == nil {
		r.index = make(map[*State]int, len(r.states))
		for i, sm := range r.states {
			r.index[sm.state] = i
		}
	}
	i, ok := r.index[owner]
	if !ok {
		return p
	}
	p.Column += r.bases[i].Column
	p.Offset += r.bases[i].Offset
	return p
}
