package asl

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"stepwise/engine/jsonv"
)

// Analysis is what ParseValueFrom remembers of a definition it validated,
// so that validating a definition derived from it (the designer's next
// draft, which shares every untouched subtree) costs about what changed.
//
// It holds, for every state (nested ones included), the state's compact
// text and the diagnostics of the checks that look at that state only,
// with positions relative to the state's key. They are reused for a state
// whose object is the very same *jsonv.Object (or an equal one: same keys
// in the same order, same strings and number literals) at the same JSON
// pointer and in the same context (effective and top-level query language,
// machine type). The checks that look across states (unique names, StartAt,
// transition targets, reachability, reaching an end, definition size, the
// top level's own fields) run again every time.
//
// An Analysis is immutable and may be shared: any number of definitions may
// be derived from one, concurrently. It relies on the jsonv values it was
// made from never changing, as jsonv values never do once built.
type Analysis struct {
	// top holds the analyses of the top-level states, in order.
	top []*stateMemo
	// analysed counts the states the call that made this Analysis had to
	// analyse (those not reused), nested ones included.
	analysed int
	// size is the length of the text, to size the next one's buffer.
	size int
}

// unit is the encoding of one state: its text ("name":{...}) and the node
// tree read from it, positions relative to the start of its key. It
// depends on the state's object and pointer only, so it is shared by every
// analysis of that object there.
type unit struct {
	name, ptr string
	obj       *jsonv.Object // nil when the value is not an object
	text      []byte
	chars     int // characters (not bytes) in text
	node      *Node
	// machines are the States objects inside the state (of its branches
	// and processor) whose states were encoded as units of their own.
	machines []unitList
}

// unitList is the states of one States object: their units and where
// each one's key starts, relative to the enclosing unit's key (or in the
// whole text, for the top level).
type unitList struct {
	node  *Node
	units []*unit
	rels  []Pos
}

// stateMemo is one state analysed on its own, in one context: the model
// built from its unit and its diagnostics.
type stateMemo struct {
	unit  *unit
	ctx   stateContext
	state *State
	// parse and check are the diagnostics of building the state and of
	// checking it; marks say where, between them, the global checks the
	// full build makes at that point go, and where the diagnostics of the
	// states nested in this one go.
	parse, check           []Diagnostic
	parseMarks, checkMarks []mark
	// children are the analyses of the states of this state's branches
	// and processor.
	children []childRef
}

// childRef is a nested state's analysis and where its key starts,
// relative to the enclosing state's key.
type childRef struct {
	memo *stateMemo
	rel  Pos
}

// stateContext is what a state's own checks depend on besides its object
// and pointer.
type stateContext struct {
	// lang is the state's inherited query language.
	lang string
	// top is the valid QueryLanguage of the top level ("" inside a
	// distributed Map's processor, or when there is none).
	top     string
	express bool
}

// recorder collects, while a state is analysed on its own, the places
// where a global check or a nested state's diagnostics go.
type recorder struct{ marks []mark }

// mark is a global check at diagnostic index at: registering the name of
// state (unique names), or the graph rules of machine (whose messages name
// states anywhere in the definition); or the diagnostics of a nested
// state, child.
type mark struct {
	at      int
	state   *State
	machine *StateMachine
	child   childRef
}

// ParseValueFrom is ParseValueBuffer for a definition that may share
// subtrees with one validated before: prev is that validation's Analysis
// (nil for none). It returns the same text and the same diagnostics as
// ParseValueBuffer(buf, v, opts) would, byte for byte and in the same order,
// and the Analysis to pass on to the next call. It returns no model.
//
// A state whose object is pointer-equal (or equal) to the one at the same
// place in prev, in the same context, is not encoded or checked again;
// the rest costs what ParseValueBuffer would.
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
	opts    Options
	express bool
	prev    *Analysis
	// prevByName finds prev's top-level states by name when they are not
	// at the same index (built on first need).
	prevByName map[string]*stateMemo

	// topList holds the new definition's top-level states and topPred
	// prev's analyses of the states of the same names.
	topList unitList
	topPred []*stateMemo
	memos   []*stateMemo
	// bases finds where a state's key starts in the text, from its model
	// (built when a graph diagnostic needs a position).
	bases map[*State]Pos

	// units and memos index the nested units and analyses of prev's
	// states by pointer, when their order changed (built on first need).
	units map[*unit]map[string]*unit
	kids  map[*stateMemo]map[string]*stateMemo

	// Shared by the analyses of single states.
	paths     map[pathKey]pathVerdict
	resources map[string][]problem
	bufs      [][]byte // encoding buffers, one per nesting level
	level     int
	slab      []byte     // units' texts
	builders  []*builder // by nesting level
	depth     int
	misses    int
}

// parseIncremental is ParseValueFrom for an object; false means the
// definition holds something the incremental path does not mirror (then
// the full path answers).
func parseIncremental(prev *Analysis, buf []byte, root *jsonv.Object, opts Options) ([]byte, Diagnostics, *Analysis, bool) {
	r := &incRun{opts: opts, prev: prev, express: strings.EqualFold(opts.Type, "EXPRESS"),
		paths: map[pathKey]pathVerdict{}, resources: map[string][]problem{}}
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
	return e.buf, diags, &Analysis{top: r.memos, analysed: r.misses, size: len(e.buf)}, true
}

// ---- encoding ----

// encodeRoot is valueEncoder.value for the top-level object, except that
// the states of its States object are encoded as units (or reused).
func (r *incRun) encodeRoot(e *valueEncoder, root *jsonv.Object) (*Node, bool) {
	return r.object(e, root, 0, func(key string, v any) (*Node, bool) {
		if so, ok := v.(*jsonv.Object); ok && so != nil && key == "States" {
			return r.encodeTopStates(e, so)
		}
		return e.value(v, 1)
	})
}

// encodeTopStates encodes the top-level States object: a unit per state,
// prev's when the state's object is the same.
func (r *incRun) encodeTopStates(e *valueEncoder, so *jsonv.Object) (*Node, bool) {
	// The node has no members: build takes the states from r.topList.
	n := e.node(KindObject, e.here())
	e.buf = append(e.buf, '{')
	ms := so.Members()
	r.topList = unitList{node: n, units: make([]*unit, len(ms)), rels: make([]Pos, len(ms))}
	r.topPred = make([]*stateMemo, len(ms))
	for i, m := range ms {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if !utf8.ValidString(m.Key) {
			return nil, false
		}
		kp := e.here()
		pred := r.prevNamed(i, m.Key)
		var u *unit
		obj, _ := m.Value.(*jsonv.Object)
		if pred != nil {
			u = reusable(pred.unit, obj)
		}
		if u == nil {
			var pu *unit
			if pred != nil {
				pu = pred.unit
			}
			var ok bool
			if u, ok = r.newUnit(e, m.Key, join("/States", m.Key), m.Value, 2, pu); !ok {
				return nil, false
			}
		}
		r.appendUnit(e, u)
		r.topList.units[i], r.topList.rels[i], r.topPred[i] = u, relPos(kp), pred
	}
	e.buf = append(e.buf, '}')
	return n, true
}

// relPos turns the position of a key into the shift that moves positions
// relative to that key (which start at 1:1, offset 0) there.
func relPos(kp Pos) Pos { return Pos{Column: kp.Column - 1, Offset: kp.Offset} }

func (r *incRun) appendUnit(e *valueEncoder, u *unit) {
	e.buf = append(e.buf, u.text...)
	e.col += u.chars
	e.colPos = len(e.buf)
}

// prevNamed returns prev's analysis of the top-level state name (at index
// i, usually), or nil.
func (r *incRun) prevNamed(i int, name string) *stateMemo {
	if r.prev == nil || len(r.prev.top) == 0 {
		return nil
	}
	if i < len(r.prev.top) && r.prev.top[i].unit.name == name {
		return r.prev.top[i]
	}
	if r.prevByName == nil {
		r.prevByName = make(map[string]*stateMemo, len(r.prev.top))
		for _, m := range r.prev.top {
			r.prevByName[m.unit.name] = m
		}
	}
	return r.prevByName[name]
}

// newUnit encodes the state name (value v at depth, pointer ptr) on its
// own; pred is the unit at the same pointer before (nil for none), whose
// nested units are reused where their objects are the same. parent is the
// encoder of the enclosing text, whose slabs the new encoding shares.
func (r *incRun) newUnit(parent *valueEncoder, name, ptr string, v any, depth int, pred *unit) (*unit, bool) {
	if r.level == len(r.bufs) {
		r.bufs = append(r.bufs, nil)
	}
	e := &valueEncoder{buf: r.bufs[r.level][:0], nodes: parent.nodes, members: parent.members,
		nodeSlab: parent.nodeSlab, memberSlab: parent.memberSlab}
	r.level++
	u := &unit{name: name, ptr: ptr}
	u.obj, _ = v.(*jsonv.Object)
	e.here()
	e.buf = jsonv.AppendString(e.buf, name)
	e.buf = append(e.buf, ':')
	node, ok := r.stateValue(e, u, v, depth, pred)
	r.level--
	r.bufs[r.level] = e.buf
	parent.nodes, parent.members, parent.nodeSlab, parent.memberSlab = e.nodes, e.members, e.nodeSlab, e.memberSlab
	if !ok || e.badKey {
		return nil, false
	}
	if len(r.slab)+len(e.buf) > cap(r.slab) {
		// A first analysis encodes every state: one slab for many.
		want := len(e.buf)
		if r.prev == nil {
			want *= 64
		}
		r.slab = make([]byte, 0, max(want, 1024))
	}
	start := len(r.slab)
	r.slab = append(r.slab, e.buf...)
	u.text = r.slab[start:len(r.slab):len(r.slab)]
	u.chars = columnOf(e.buf)
	u.node = node
	return u, true
}

// stateValue is valueEncoder.value for a state's value, except that the
// states of its branches and processor are encoded as units.
func (r *incRun) stateValue(e *valueEncoder, u *unit, v any, depth int, pred *unit) (*Node, bool) {
	obj, ok := v.(*jsonv.Object)
	if !ok || obj == nil {
		return e.value(v, depth)
	}
	if depth > maxNesting {
		return nil, false
	}
	return r.object(e, obj, depth, func(key string, v any) (*Node, bool) {
		switch key {
		case "Branches":
			if arr, ok := v.([]any); ok {
				return r.branches(e, u, arr, join(u.ptr, key), depth+1, pred)
			}
		case "ItemProcessor", "Iterator":
			if po, ok := v.(*jsonv.Object); ok && po != nil {
				return r.machineValue(e, u, po, join(u.ptr, key), depth+1, pred)
			}
		}
		return e.value(v, depth+1)
	})
}

// object encodes an object as valueEncoder.value does, each member's value
// by member.
func (r *incRun) object(e *valueEncoder, obj *jsonv.Object, depth int, member func(key string, v any) (*Node, bool)) (*Node, bool) {
	n := e.node(KindObject, e.here())
	e.buf = append(e.buf, '{')
	ms := obj.Members()
	if len(ms) > 0 {
		n.Members = make([]*Member, len(ms))
	}
	for i, m := range ms {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if !utf8.ValidString(m.Key) {
			e.badKey = true
			return nil, false
		}
		kp := e.here()
		e.buf = jsonv.AppendString(e.buf, m.Key)
		e.buf = append(e.buf, ':')
		c, ok := member(m.Key, m.Value)
		if !ok {
			return nil, false
		}
		n.Members[i] = e.member(m.Key, kp, c)
	}
	e.buf = append(e.buf, '}')
	return n, true
}

// branches encodes a Parallel state's Branches array.
func (r *incRun) branches(e *valueEncoder, u *unit, arr []any, ptr string, depth int, pred *unit) (*Node, bool) {
	if depth > maxNesting {
		return nil, false
	}
	n := e.node(KindArray, e.here())
	e.buf = append(e.buf, '[')
	if len(arr) > 0 {
		n.Elems = make([]*Node, len(arr))
	}
	for i, el := range arr {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		var c *Node
		ok := false
		if bo, isObj := el.(*jsonv.Object); isObj && bo != nil {
			c, ok = r.machineValue(e, u, bo, ptr+"/"+strconv.Itoa(i), depth+1, pred)
		} else {
			c, ok = e.value(el, depth+1)
		}
		if !ok {
			return nil, false
		}
		n.Elems[i] = c
	}
	e.buf = append(e.buf, ']')
	return n, true
}

// machineValue encodes a branch or processor object.
func (r *incRun) machineValue(e *valueEncoder, u *unit, mo *jsonv.Object, ptr string, depth int, pred *unit) (*Node, bool) {
	if depth > maxNesting {
		return nil, false
	}
	return r.object(e, mo, depth, func(key string, v any) (*Node, bool) {
		if so, ok := v.(*jsonv.Object); ok && so != nil && key == "States" {
			return r.statesValue(e, u, so, join(ptr, key), depth+1, pred)
		}
		return e.value(v, depth+1)
	})
}

// statesValue encodes the States object of a branch or processor of the
// state u: a unit per state, pred's when the object is the same.
func (r *incRun) statesValue(e *valueEncoder, u *unit, so *jsonv.Object, ptr string, depth int, pred *unit) (*Node, bool) {
	if depth > maxNesting {
		return nil, false
	}
	// The node has no members: build takes the states from the list.
	n := e.node(KindObject, e.here())
	e.buf = append(e.buf, '{')
	ms := so.Members()
	list := unitList{node: n, units: make([]*unit, len(ms)), rels: make([]Pos, len(ms))}
	for i, m := range ms {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if !utf8.ValidString(m.Key) {
			e.badKey = true
			return nil, false
		}
		kp := e.here()
		cptr := join(ptr, m.Key)
		pu := r.find(pred, cptr, len(u.machines), i)
		obj, _ := m.Value.(*jsonv.Object)
		c := reusable(pu, obj)
		if c == nil {
			var ok bool
			if c, ok = r.newUnit(e, m.Key, cptr, m.Value, depth+1, pu); !ok {
				return nil, false
			}
		}
		r.appendUnit(e, c)
		list.units[i], list.rels[i] = c, relPos(kp)
	}
	e.buf = append(e.buf, '}')
	u.machines = append(u.machines, list)
	return n, true
}

// reusable returns the encoding of obj at u's place: u itself when u is
// obj's, a copy of u naming obj when obj is equal to u's object, member
// for member (another document's decoding of the same text: the code
// view's), else nil. An equal object has the same text, so the same nodes
// and analyses.
func reusable(u *unit, obj *jsonv.Object) *unit {
	switch {
	case u == nil || obj == nil:
		return nil
	case u.obj == obj:
		return u
	case u.obj != nil && sameValue(u.obj, obj, 0):
		c := *u
		c.obj = obj
		return &c
	}
	return nil
}

// sameValue reports whether a and b are the same jsonv value, written
// alike: same keys in the same order, same strings, same number literals.
func sameValue(a, b any, depth int) bool {
	if depth > maxNesting {
		return false
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i], depth+1) {
				return false
			}
		}
		return true
	case *jsonv.Object:
		y, ok := b.(*jsonv.Object)
		if !ok || x == nil || y == nil {
			return ok && x == y
		}
		if x == y {
			return true
		}
		xm, ym := x.Members(), y.Members()
		if len(xm) != len(ym) {
			return false
		}
		for i := range xm {
			if xm[i].Key != ym[i].Key || !sameValue(xm[i].Value, ym[i].Value, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

// find returns the unit nested in u whose pointer is ptr, or nil; it is
// usually state i of u's States object li.
func (r *incRun) find(u *unit, ptr string, li, i int) *unit {
	if u == nil {
		return nil
	}
	if li < len(u.machines) && i < len(u.machines[li].units) && u.machines[li].units[i].ptr == ptr {
		return u.machines[li].units[i]
	}
	if r.units == nil {
		r.units = map[*unit]map[string]*unit{}
	}
	byPtr := r.units[u]
	if byPtr == nil {
		byPtr = map[string]*unit{}
		for _, l := range u.machines {
			for _, c := range l.units {
				byPtr[c.ptr] = c
			}
		}
		r.units[u] = byPtr
	}
	return byPtr[ptr]
}

// ---- building ----

// statesOf returns the units encoded for the States object node of a
// machine being built by b.
func (r *incRun) statesOf(b *builder, n *Node) (unitList, bool) {
	if n == r.topList.node {
		return r.topList, true
	}
	if b.unit != nil {
		for _, l := range b.unit.machines {
			if l.node == n {
				return l, true
			}
		}
	}
	return unitList{}, false
}

// buildStates is machine's work on a States object (at fptr, its value at
// pos; state names the machine's owner) whose states were encoded as
// units: each state's analysis, reused or made now, goes into sm, and its
// diagnostics into b's (or, when b analyses a state itself, a mark does).
func (r *incRun) buildStates(b *builder, sm *StateMachine, list unitList, fptr string, pos Pos, state, lang string) {
	if len(list.units) == 0 {
		b.schema(fptr, pos, state, "States", "The field 'States' must have at least one state")
	}
	sm.States = make([]*State, len(list.units))
	sm.byName = make(map[string]*State, len(list.units))
	sm.memos = make([]childRef, len(list.units))
	ctx := stateContext{lang: lang, top: b.topLanguage, express: r.express}
	for k, u := range list.units {
		var pred *stateMemo
		if b.unit == nil {
			pred = r.topPred[k]
		} else {
			pred = r.child(b.pred, u.ptr, len(b.children))
		}
		m := pred
		switch {
		case m == nil || m.unit.node != u.node || m.ctx != ctx:
			m = r.analyse(b, sm, u, ctx, pred, len(list.units)-k)
		case m.unit != u:
			// The same encoding of an equal object (see reusable): the
			// analysis holds, under the new object's name.
			c := *m
			c.unit = u
			m = &c
		}
		ref := childRef{memo: m, rel: list.rels[k]}
		if b.rec != nil {
			b.rec.marks = append(b.rec.marks, mark{at: len(b.diags), child: ref})
			b.children = append(b.children, ref)
		} else {
			if r.memos == nil {
				r.memos = make([]*stateMemo, 0, len(list.units))
			}
			r.memos = append(r.memos, m)
			r.replay(b, m.parse, m.parseMarks, ref.rel, false)
		}
		sm.States[k] = m.state
		sm.byName[m.state.Name] = m.state
		sm.memos[k] = ref
	}
}

// child returns the analysis of the state nested in m whose pointer is
// ptr, or nil; it is usually m's child k.
func (r *incRun) child(m *stateMemo, ptr string, k int) *stateMemo {
	if m == nil {
		return nil
	}
	if k < len(m.children) && m.children[k].memo.unit.ptr == ptr {
		return m.children[k].memo
	}
	if r.kids == nil {
		r.kids = map[*stateMemo]map[string]*stateMemo{}
	}
	byPtr := r.kids[m]
	if byPtr == nil {
		byPtr = make(map[string]*stateMemo, len(m.children))
		for _, c := range m.children {
			byPtr[c.memo.unit.ptr] = c.memo
		}
		r.kids[m] = byPtr
	}
	return byPtr[ptr]
}

// analyse builds and checks the state u on its own in the machine sm, as
// the full build would, recording where the global checks and nested
// states' diagnostics go; pred is the state's analysis before, whose
// nested analyses are reused where they fit; parent is the builder at
// work, whose state slab the new builder shares; remaining sizes slabs.
func (r *incRun) analyse(parent *builder, sm *StateMachine, u *unit, ctx stateContext, pred *stateMemo, remaining int) *stateMemo {
	// One builder per nesting level serves every state analysed there;
	// its diagnostics, marks and children grow over the run, and each
	// state keeps its part (parts never change once made, so they may
	// share arrays).
	if r.depth == len(r.builders) {
		r.builders = append(r.builders, &builder{opts: r.opts, rec: &recorder{}, inc: r, paths: r.paths, resources: r.resources})
	}
	b := r.builders[r.depth]
	r.depth++
	defer func() { r.depth-- }()
	b.topLanguage, b.unit, b.pred, b.states = ctx.top, u, pred, parent.states
	d0, m0, c0 := len(b.diags), len(b.rec.marks), len(b.children)
	b.mem = Member{Key: u.name, KeyPos: Pos{Line: 1, Column: 1}, Value: u.node}
	// Few states are analysed when most are reused; many when none are.
	want := remaining
	if r.prev != nil {
		want = min(remaining, 1+2*r.misses)
	}
	s := b.state(b.newState(want), sm, &b.mem, u.ptr, ctx.lang)
	p, pm := len(b.diags), len(b.rec.marks)
	b.checkTree(s)
	parent.states = b.states
	d1, m1, c1 := len(b.diags), len(b.rec.marks), len(b.children)
	m := &stateMemo{unit: u, ctx: ctx, state: s}
	m.parse, m.parseMarks = b.diags[d0:p:p], b.rec.marks[m0:pm:pm]
	for i := range m.parseMarks {
		m.parseMarks[i].at -= d0
	}
	if d1 > p {
		m.check = b.diags[p:d1:d1]
	}
	if m1 > pm {
		m.checkMarks = b.rec.marks[pm:m1:m1]
		for i := range m.checkMarks {
			m.checkMarks[i].at -= p
		}
	}
	if c1 > c0 {
		m.children = b.children[c0:c1:c1]
	}
	r.misses++
	return m
}

// replay appends diags (a state's, relative to its key, which is at base)
// to b's, running the global checks and adding nested states' diagnostics
// of the same phase (check) where the marks say.
func (r *incRun) replay(b *builder, diags []Diagnostic, marks []mark, base Pos, check bool) {
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
		switch {
		case m.state != nil:
			pos := m.state.Pos
			pos.Column += base.Column
			pos.Offset += base.Offset
			b.register(m.state, pos)
		case m.machine != nil:
			b.graph(m.machine)
		default:
			cb := Pos{Column: base.Column + m.child.rel.Column, Offset: base.Offset + m.child.rel.Offset}
			if check {
				r.replay(b, m.child.memo.check, m.child.memo.checkMarks, cb, true)
			} else {
				r.replay(b, m.child.memo.parse, m.child.memo.parseMarks, cb, false)
			}
		}
	}
	emit(len(diags))
}

// replayCheck appends the diagnostics of checking a state analysed on its
// own, or marks where they go.
func (b *builder) replayCheck(ref childRef) {
	if b.rec != nil {
		b.rec.marks = append(b.rec.marks, mark{at: len(b.diags), child: ref})
		return
	}
	b.inc.replay(b, ref.memo.check, ref.memo.checkMarks, ref.rel, true)
}

// abs returns p, a position in the source of owner (a state; nil for the
// top level), as a position in the text being validated: the positions of
// a state analysed on its own are relative to its key.
func (b *builder) abs(owner *State, p Pos) Pos {
	r := b.inc
	if r == nil || owner == nil {
		return p
	}
	if r.bases == nil {
		r.bases = map[*State]Pos{}
		var walk func(refs []childRef, base Pos)
		walk = func(refs []childRef, base Pos) {
			for _, c := range refs {
				cb := Pos{Column: base.Column + c.rel.Column, Offset: base.Offset + c.rel.Offset}
				r.bases[c.memo.state] = cb
				walk(c.memo.children, cb)
			}
		}
		top := make([]childRef, len(r.memos))
		for i, m := range r.memos {
			top[i] = childRef{memo: m, rel: r.topList.rels[i]}
		}
		walk(top, Pos{})
	}
	base, ok := r.bases[owner]
	if !ok {
		return p
	}
	p.Column += base.Column
	p.Offset += base.Offset
	return p
}
