package designer

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"stepwise/engine/asl"
	"stepwise/engine/jsonv"
)

// OpError is an operation the document refuses (unknown state, a port the
// state does not have, a name already taken). The document is unchanged.
type OpError struct{ Msg string }

func (e *OpError) Error() string { return "designer: " + e.Msg }

func opErr(format string, args ...any) error { return &OpError{Msg: fmt.Sprintf(format, args...)} }

// Operation names.
const (
	OpAdd          = "add"          // Type, Name?, Container, Pos
	OpInsert       = "insert"       // Type, Name?, From+Port (or Port "start" + Container), Pos
	OpConnect      = "connect"      // From, Port, To (Port "start": Container, To)
	OpDisconnect   = "disconnect"   // From, Port
	OpMove         = "move"         // Positions by path
	OpLayout       = "layout"       // Positions by path; amends the current revision (auto-layout)
	OpDelete       = "delete"       // States
	OpRename       = "rename"       // State, To
	OpPaste        = "paste"        // Clipboard, Container, Pos?
	OpDuplicate    = "duplicate"    // States
	OpReparent     = "reparent"     // States, Container, Positions by name?
	OpAddBranch    = "addBranch"    // State
	OpRemoveBranch = "removeBranch" // State, Index
	OpSet          = "set"          // State ("" = top level), Pointer, Value | Delete
	OpReplace      = "replace"      // ASL
	OpPattern      = "pattern"      // Pattern, Container, Pos, or From+Port to insert
	OpCollapse     = "collapse"     // Container, Collapsed
	OpViewport     = "viewport"     // Viewport
)

// Op is one edit operation as the canvas sends it (JSON).
type Op struct {
	Op        string           `json:"op"`
	Type      string           `json:"type,omitempty"`
	Name      string           `json:"name,omitempty"`
	State     string           `json:"state,omitempty"`
	States    []string         `json:"states,omitempty"`
	From      string           `json:"from,omitempty"`
	Port      string           `json:"port,omitempty"`
	To        string           `json:"to,omitempty"`
	Container string           `json:"container,omitempty"`
	Pos       *Point           `json:"pos,omitempty"`
	Positions map[string]Point `json:"positions,omitempty"`
	Pointer   string           `json:"pointer,omitempty"`
	Value     json.RawMessage  `json:"value,omitempty"`
	Delete    bool             `json:"delete,omitempty"`
	ASL       string           `json:"asl,omitempty"`
	Clipboard string           `json:"clipboard,omitempty"`
	Pattern   string           `json:"pattern,omitempty"`
	Index     int              `json:"index,omitempty"`
	Collapsed bool             `json:"collapsed,omitempty"`
	Viewport  *Viewport        `json:"viewport,omitempty"`
}

// ParseOp decodes an operation.
func ParseOp(data []byte) (Op, error) {
	var op Op
	if err := json.Unmarshal(data, &op); err != nil {
		return Op{}, fmt.Errorf("designer: operation is not valid JSON: %w", err)
	}
	if op.Op == "" {
		return Op{}, opErr("the operation has no \"op\" name")
	}
	return op, nil
}

// Amends reports whether the operation changes only presentation (viewport,
// collapsed containers, automatic positions) and so amends the current
// revision instead of adding an undo step.
func (op Op) Amends() bool {
	switch op.Op {
	case OpLayout, OpCollapse, OpViewport:
		return true
	}
	return false
}

// Apply applies op to d and returns the new document; d is unchanged.
func Apply(d *Document, op Op) (*Document, error) {
	switch op.Op {
	case OpAdd:
		return d.add(op)
	case OpInsert:
		return d.insert(op)
	case OpConnect:
		return d.connect(op.From, op.Port, op.To, op.Container)
	case OpDisconnect:
		return d.disconnect(op.From, op.Port)
	case OpMove, OpLayout:
		l := d.layout.clone()
		for p, pt := range op.Positions {
			if d.index().byPath[p] == nil && d.index().machines[p] == nil {
				return nil, opErr("cannot place %q: there is no such state", p)
			}
			l.Positions[p] = pt
		}
		return d.with(d.root, l), nil
	case OpDelete:
		return d.deleteStates(op.States)
	case OpRename:
		return d.rename(op.State, op.To)
	case OpPaste:
		return d.paste(op.Clipboard, op.Container, op.Pos, nil)
	case OpDuplicate:
		return d.duplicate(op.States)
	case OpReparent:
		return d.reparent(op.States, op.Container, op.Positions)
	case OpAddBranch:
		return d.addBranch(op.State)
	case OpRemoveBranch:
		return d.removeBranch(op.State, op.Index)
	case OpSet:
		return d.set(op)
	case OpReplace:
		nd, err := ParseDocument([]byte(op.ASL), nil)
		if err != nil {
			return nil, &OpError{Msg: err.Error()}
		}
		l := d.layout.clone()
		for p := range l.Positions {
			if nd.index().byPath[p] == nil {
				delete(l.Positions, p)
			}
		}
		// Derived from d: the states whose text did not change keep
		// their analysis (see asl.ParseValueFrom).
		return d.with(nd.root, l), nil
	case OpPattern:
		return d.pattern(op)
	case OpCollapse:
		if _, err := d.container(op.Container); err != nil || op.Container == "" {
			return nil, opErr("there is no container %q to collapse", op.Container)
		}
		l := d.layout.clone()
		if l.Collapsed == nil {
			l.Collapsed = map[string]bool{}
		}
		if op.Collapsed {
			l.Collapsed[op.Container] = true
		} else {
			delete(l.Collapsed, op.Container)
		}
		return d.with(d.root, l), nil
	case OpViewport:
		if op.Viewport == nil {
			return nil, opErr("viewport operation without a viewport")
		}
		l := d.layout.clone()
		v := *op.Viewport
		l.Viewport = &v
		return d.with(d.root, l), nil
	}
	return nil, opErr("unknown operation %q", op.Op)
}

// --- adding states ---

func (d *Document) taken() map[string]bool {
	t := map[string]bool{}
	for _, s := range d.index().states {
		t[s.name] = true
	}
	return t
}

var suffixRe = func(s string) (string, bool) {
	if !strings.HasSuffix(s, ")") {
		return s, false
	}
	i := strings.LastIndex(s, " (")
	if i < 0 {
		return s, false
	}
	if _, err := strconv.Atoi(s[i+2 : len(s)-1]); err != nil {
		return s, false
	}
	return s[:i], true
}

// uniqueName returns base, or "base (n)" with the smallest n not taken, and
// marks it taken.
func uniqueName(taken map[string]bool, base string) string {
	if base == "" {
		base = "State"
	}
	if !taken[base] {
		taken[base] = true
		return base
	}
	stem, _ := suffixRe(base)
	for i := 1; ; i++ {
		n := stem + " (" + strconv.Itoa(i) + ")"
		if !taken[n] {
			taken[n] = true
			return n
		}
	}
}

func (d *Document) language() string {
	if str(d.root, "QueryLanguage") == asl.JSONata {
		return asl.JSONata
	}
	return asl.JSONPath
}

// MaxStates bounds the states of one document, so repeated pastes cannot
// grow it without limit. AWS's 1 MB definition limit is reached well before.
const MaxStates = 10000

func (d *Document) addStates(m *machineRef, states *jsonv.Object) (*Document, error) {
	added := 0
	collectNames(states, 0, func(string) { added++ })
	if n := len(d.index().states); n+added > MaxStates {
		return nil, opErr("the workflow would have %d states; the limit is %d", n+added, MaxStates)
	}
	mobj := m.obj.Clone()
	so := getObj(mobj, []any{"States"})
	if so == nil {
		so = jsonv.NewObject(states.Len())
	} else {
		so = so.Clone()
	}
	for _, mem := range states.Members() {
		so.Set(mem.Key, mem.Value)
	}
	if !mobj.Has("StartAt") || str(mobj, "StartAt") == "" || so.Len() == states.Len() {
		if states.Len() > 0 {
			setKeepOrder(mobj, "StartAt", states.Members()[0].Key, 0)
		}
	}
	mobj.Set("States", so)
	root, err := setIn(d.root, m.addr, mobj)
	if err != nil {
		return nil, opErr("cannot add to container %q: %v", m.id, err)
	}
	return d.with(root.(*jsonv.Object), d.layout.clone()), nil
}

// setKeepOrder sets key on o (already a copy); a new key goes at position at
// when at >= 0, else at the end.
func setKeepOrder(o *jsonv.Object, key string, v any, at int) {
	if o.Has(key) || at < 0 || at >= o.Len() {
		o.Set(key, v)
		return
	}
	members := slices.Clone(o.Members())
	for _, m := range members {
		o.Delete(m.Key)
	}
	for i, m := range members {
		if i == at {
			o.Set(key, v)
		}
		o.Set(m.Key, m.Value)
	}
}

func (d *Document) add(op Op) (*Document, error) {
	nd, _, err := d.addNamed(op)
	return nd, err
}

func (d *Document) addNamed(op Op) (*Document, string, error) {
	m, err := d.container(op.Container)
	if err != nil {
		return nil, "", err
	}
	taken := d.taken()
	name := op.Name
	if name != "" {
		if err := checkName(name); err != nil {
			return nil, "", err
		}
		if taken[name] {
			return nil, "", opErr("a state named %q already exists", name)
		}
		taken[name] = true
	} else {
		name = uniqueName(taken, op.Type)
	}
	def, err := skeleton(op.Type, d.language(), taken)
	if err != nil {
		return nil, "", err
	}
	nd, err := d.addStates(m, jsonv.ObjectOf(name, def))
	if err != nil {
		return nil, "", err
	}
	if op.Pos != nil {
		nd.layout.Positions[nd.PathOf(name)] = *op.Pos
	}
	return nd, name, nil
}

func checkName(name string) error {
	n := utf8.RuneCountInString(name)
	if n == 0 || strings.TrimSpace(name) == "" {
		return opErr("a state name must not be empty")
	}
	if n > asl.MaxStateNameLength {
		return opErr("state name %q is %d characters long; the limit is %d", name, n, asl.MaxStateNameLength)
	}
	return nil
}

// portTarget returns the state name a port points at ("" when unconnected).
func portTarget(s *stateRef, port string) (string, error) {
	switch {
	case port == "next":
		if s.typ == asl.TypeChoice || s.typ == asl.TypeSucceed || s.typ == asl.TypeFail {
			return "", opErr("a %s state has no Next port", s.typ)
		}
		return str(s.obj, "Next"), nil
	case port == "default":
		if s.typ != asl.TypeChoice {
			return "", opErr("only a Choice state has a Default port; %q is a %s", s.name, s.typ)
		}
		return str(s.obj, "Default"), nil
	case strings.HasPrefix(port, "choice-"), strings.HasPrefix(port, "catch-"):
		key, list, i, err := listPort(s, port)
		if err != nil {
			return "", err
		}
		_ = key
		if i >= len(list) {
			return "", nil
		}
		o, _ := list[i].(*jsonv.Object)
		return str(o, "Next"), nil
	}
	return "", opErr("unknown port %q", port)
}

func listPort(s *stateRef, port string) (key string, list []any, i int, err error) {
	kind, num, _ := strings.Cut(port, "-")
	i, err = strconv.Atoi(num)
	if err != nil || i < 0 {
		return "", nil, 0, opErr("port %q has no valid index", port)
	}
	switch kind {
	case "choice":
		if s.typ != asl.TypeChoice {
			return "", nil, 0, opErr("only a Choice state has rule ports; %q is a %s", s.name, s.typ)
		}
		key = "Choices"
	case "catch":
		switch s.typ {
		case asl.TypeTask, asl.TypeParallel, asl.TypeMap:
		default:
			return "", nil, 0, opErr("a %s state cannot catch errors", s.typ)
		}
		key = "Catch"
	default:
		return "", nil, 0, opErr("unknown port %q", port)
	}
	list = arr(s.obj, key)
	if i > len(list) {
		return "", nil, 0, opErr("%s has %d %s; port %q is out of range", s.name, len(list), key, port)
	}
	return key, list, i, nil
}

// setPort points port of state s at target (target "" disconnects).
func (d *Document) setPort(s *stateRef, port, target string) (*Document, error) {
	obj := s.obj.Clone()
	switch {
	case port == "next":
		if _, err := portTarget(s, port); err != nil {
			return nil, err
		}
		if target == "" {
			replaceKey(obj, "Next", "End", true)
		} else {
			replaceKey(obj, "End", "Next", target)
		}
	case port == "default":
		if _, err := portTarget(s, port); err != nil {
			return nil, err
		}
		if target == "" {
			obj.Delete("Default")
		} else {
			obj.Set("Default", target)
		}
	default:
		key, list, i, err := listPort(s, port)
		if err != nil {
			return nil, err
		}
		list = slices.Clone(list)
		if i == len(list) {
			if target == "" {
				return d, nil
			}
			list = append(list, newListEntry(key, d.language(), target))
		} else if target == "" {
			list = slices.Delete(list, i, i+1)
		} else {
			e, ok := list[i].(*jsonv.Object)
			if !ok {
				return nil, opErr("%s of %q is not an object", port, s.name)
			}
			e = e.Clone()
			e.Set("Next", target)
			list[i] = e
		}
		if len(list) == 0 && key == "Catch" {
			obj.Delete(key)
		} else {
			obj.Set(key, list)
		}
	}
	return d.replaceState(s, obj)
}

func newListEntry(key, lang, target string) *jsonv.Object {
	if key == "Catch" {
		return jsonv.ObjectOf("ErrorEquals", []any{"States.ALL"}, "Next", target)
	}
	if lang == asl.JSONata {
		return jsonv.ObjectOf("Condition", "{% $states.input.value = 'yes' %}", "Next", target)
	}
	return jsonv.ObjectOf("Variable", "$.value", "StringEquals", "yes", "Next", target)
}

// replaceKey replaces key old with key nu (value v) at the same position, or
// sets nu when old is absent.
func replaceKey(o *jsonv.Object, old, nu string, v any) {
	if !o.Has(old) {
		o.Set(nu, v)
		return
	}
	members := slices.Clone(o.Members())
	for _, m := range members {
		o.Delete(m.Key)
	}
	for _, m := range members {
		switch m.Key {
		case old:
			o.Set(nu, v)
		case nu:
		default:
			o.Set(m.Key, m.Value)
		}
	}
}

func (d *Document) replaceState(s *stateRef, obj *jsonv.Object) (*Document, error) {
	root, err := setIn(d.root, s.addr, obj)
	if err != nil {
		return nil, opErr("cannot change state %q: %v", s.name, err)
	}
	return d.with(root.(*jsonv.Object), d.layout.clone()), nil
}

func (d *Document) connect(from, port, to, container string) (*Document, error) {
	t, err := d.state(to)
	if err != nil {
		return nil, err
	}
	if port == "start" {
		m, err := d.container(container)
		if err != nil {
			return nil, err
		}
		if t.machine != m {
			return nil, opErr("%q is not in container %q", to, container)
		}
		mobj := m.obj.Clone()
		setKeepOrder(mobj, "StartAt", to, 0)
		root, err := setIn(d.root, m.addr, mobj)
		if err != nil {
			return nil, opErr("cannot set StartAt: %v", err)
		}
		return d.with(root.(*jsonv.Object), d.layout.clone()), nil
	}
	s, err := d.state(from)
	if err != nil {
		return nil, err
	}
	if s.machine != t.machine {
		return nil, opErr("cannot connect %q to %q: states connect only within the same branch or map", from, to)
	}
	return d.setPort(s, port, to)
}

func (d *Document) disconnect(from, port string) (*Document, error) {
	s, err := d.state(from)
	if err != nil {
		return nil, err
	}
	if _, err := portTarget(s, port); err != nil {
		return nil, err
	}
	return d.setPort(s, port, "")
}

func (d *Document) insert(op Op) (*Document, error) {
	var target string
	var m *machineRef
	if op.Port == "start" {
		var err error
		if m, err = d.container(op.Container); err != nil {
			return nil, err
		}
		target = str(m.obj, "StartAt")
	} else {
		s, err := d.state(op.From)
		if err != nil {
			return nil, err
		}
		if target, err = portTarget(s, op.Port); err != nil {
			return nil, err
		}
		m = s.machine
	}
	nd, name, err := d.addNamed(Op{Type: op.Type, Name: op.Name, Container: m.id, Pos: op.Pos})
	if err != nil {
		return nil, err
	}
	return nd.spliceIn(name, op.From, op.Port, m.id, target)
}

// spliceIn makes port of from (or the container's start) point at name, and
// name's exits point at target.
func (d *Document) spliceIn(name, from, port, container, target string) (*Document, error) {
	var err error
	if target != "" {
		n, _ := d.state(name)
		switch n.typ {
		case asl.TypeChoice:
			d, err = d.setPort(n, "default", target)
		case asl.TypeSucceed, asl.TypeFail:
		default:
			d, err = d.setPort(n, "next", target)
		}
		if err != nil {
			return nil, err
		}
	}
	return d.connect(from, port, name, container)
}

// --- deleting ---

// refs rewrites every reference inside machine object mobj: fn returns the
// new target for a reference ("" removes it).
func rewriteRefs(mobj *jsonv.Object, fn func(string) string) *jsonv.Object {
	so := getObj(mobj, []any{"States"})
	if so == nil {
		return mobj
	}
	nso := jsonv.NewObject(so.Len())
	changed := false
	for _, mem := range so.Members() {
		st, ok := mem.Value.(*jsonv.Object)
		if !ok {
			nso.Set(mem.Key, mem.Value)
			continue
		}
		nst := st
		cl := func() {
			if nst == st {
				nst = st.Clone()
			}
		}
		if t, ok := st.Get("Next"); ok {
			if ts, ok := t.(string); ok {
				if nt := fn(ts); nt != ts {
					cl()
					if nt == "" {
						replaceKey(nst, "Next", "End", true)
					} else {
						nst.Set("Next", nt)
					}
				}
			}
		}
		if t, ok := st.Get("Default"); ok {
			if ts, ok := t.(string); ok {
				if nt := fn(ts); nt != ts {
					cl()
					if nt == "" {
						nst.Delete("Default")
					} else {
						nst.Set("Default", nt)
					}
				}
			}
		}
		for _, key := range []string{"Choices", "Catch"} {
			list := arr(st, key)
			var nl []any
			for i, e := range list {
				eo, ok := e.(*jsonv.Object)
				if !ok {
					continue
				}
				ts := str(eo, "Next")
				if ts == "" {
					continue
				}
				if nt := fn(ts); nt != ts {
					if nl == nil {
						nl = slices.Clone(list)
					}
					ne := eo.Clone()
					if nt == "" {
						ne.Delete("Next")
					} else {
						ne.Set("Next", nt)
					}
					nl[i] = ne
				}
			}
			if nl != nil {
				cl()
				nst.Set(key, nl)
			}
		}
		if nst != st {
			changed = true
		}
		nso.Set(mem.Key, nst)
	}
	if !changed {
		return mobj
	}
	c := mobj.Clone()
	c.Set("States", nso)
	return c
}

func (d *Document) deleteStates(names []string) (*Document, error) {
	if len(names) == 0 {
		return nil, opErr("nothing to delete")
	}
	for _, n := range names {
		if _, err := d.state(n); err != nil {
			return nil, err
		}
	}
	cur := d
	for _, n := range names {
		s := cur.index().byName[n]
		if s == nil {
			continue // deleted with its container
		}
		var err error
		if cur, err = cur.removeState(s, true); err != nil {
			return nil, err
		}
	}
	return cur, nil
}

// removeState takes s out of its machine. With rewire, references to s are
// re-pointed at s's Next when it has one, and otherwise removed (a Next
// becomes End; StartAt moves to the next state in order).
func (d *Document) removeState(s *stateRef, rewire bool) (*Document, error) {
	m := s.machine
	mobj := m.obj.Clone()
	so := getObj(mobj, []any{"States"}).Clone()
	so.Delete(s.name)
	mobj.Set("States", so)
	next := ""
	if rewire && s.typ != asl.TypeChoice {
		if n := str(s.obj, "Next"); n != s.name && so.Has(n) {
			next = n
		}
	}
	mobj = rewriteRefs(mobj, func(t string) string {
		if t == s.name {
			return next
		}
		return t
	})
	if str(mobj, "StartAt") == s.name {
		start := next
		if start == "" && so.Len() > 0 {
			start = so.Members()[0].Key
		}
		mobj.Set("StartAt", start)
	}
	root, err := setIn(d.root, m.addr, mobj)
	if err != nil {
		return nil, opErr("cannot delete %q: %v", s.name, err)
	}
	l := d.layout.clone()
	dropPrefix(l, s.path)
	return d.with(root.(*jsonv.Object), l), nil
}

func dropPrefix(l Layout, path string) {
	for p := range l.Positions {
		if p == path || strings.HasPrefix(p, path+"/") {
			delete(l.Positions, p)
		}
	}
	for p := range l.Collapsed {
		if strings.HasPrefix(p, path+"/") {
			delete(l.Collapsed, p)
		}
	}
}

func movePrefix(l Layout, from, to string) {
	for p, pt := range l.Positions {
		if p == from || strings.HasPrefix(p, from+"/") {
			delete(l.Positions, p)
			l.Positions[to+p[len(from):]] = pt
		}
	}
	for p, c := range l.Collapsed {
		if strings.HasPrefix(p, from+"/") {
			delete(l.Collapsed, p)
			l.Collapsed[to+p[len(from):]] = c
		}
	}
}

// --- rename ---

func (d *Document) rename(name, to string) (*Document, error) {
	s, err := d.state(name)
	if err != nil {
		return nil, err
	}
	if name == to {
		return d, nil
	}
	if err := checkName(to); err != nil {
		return nil, err
	}
	if d.taken()[to] {
		return nil, opErr("a state named %q already exists", to)
	}
	m := s.machine
	mobj := m.obj.Clone()
	mobj.Set("States", renameKey(getObj(mobj, []any{"States"}), name, to))
	mobj = rewriteRefs(mobj, func(t string) string {
		if t == name {
			return to
		}
		return t
	})
	if str(mobj, "StartAt") == name {
		mobj.Set("StartAt", to)
	}
	root, err := setIn(d.root, m.addr, mobj)
	if err != nil {
		return nil, opErr("cannot rename %q: %v", name, err)
	}
	l := d.layout.clone()
	np := escapeName(to)
	if m.id != "" {
		np = m.id + "/" + np
	}
	movePrefix(l, s.path, np)
	return d.with(root.(*jsonv.Object), l), nil
}

// --- set field ---

func (d *Document) set(op Op) (*Document, error) {
	var base []any
	var cur any = d.root
	if op.State != "" {
		s, err := d.state(op.State)
		if err != nil {
			return nil, err
		}
		base, cur = s.addr, s.obj
	}
	rel, err := parsePointer(cur, op.Pointer)
	if err != nil {
		return nil, &OpError{Msg: err.Error()}
	}
	if len(rel) == 0 {
		return nil, opErr("set needs a pointer to a field, not the whole object")
	}
	addr := append(slices.Clone(base), rel...)
	var root any
	if op.Delete {
		if _, ok := getIn(d.root, addr); !ok {
			return d, nil
		}
		root, err = deleteIn(d.root, addr)
	} else {
		if len(op.Value) == 0 {
			return nil, opErr("set %s needs a value (or delete)", op.Pointer)
		}
		v, derr := jsonv.Decode(op.Value)
		if derr != nil {
			return nil, opErr("the value for %s is not valid JSON: %v", op.Pointer, derr)
		}
		root, err = setIn(d.root, addr, v)
	}
	if err != nil {
		return nil, opErr("cannot set %s: %v", op.Pointer, err)
	}
	ro, ok := root.(*jsonv.Object)
	if !ok {
		return nil, opErr("the definition must stay an object")
	}
	nd := d.with(ro, d.layout.clone())
	// A changed name or type can move states; drop positions of paths that are gone.
	for p := range nd.layout.Positions {
		if nd.index().byPath[p] == nil {
			delete(nd.layout.Positions, p)
		}
	}
	return nd, nil
}

// --- containers ---

func (d *Document) addBranch(name string) (*Document, error) {
	s, err := d.state(name)
	if err != nil {
		return nil, err
	}
	if s.typ != asl.TypeParallel {
		return nil, opErr("%q is a %s; only a Parallel state has branches", name, s.typ)
	}
	taken := d.taken()
	n := uniqueName(taken, "Pass")
	branch := jsonv.ObjectOf("StartAt", n, "States", jsonv.ObjectOf(n, jsonv.ObjectOf("Type", "Pass", "End", true)))
	obj := s.obj.Clone()
	obj.Set("Branches", append(slices.Clone(arr(s.obj, "Branches")), branch))
	return d.replaceState(s, obj)
}

func (d *Document) removeBranch(name string, i int) (*Document, error) {
	s, err := d.state(name)
	if err != nil {
		return nil, err
	}
	bs := arr(s.obj, "Branches")
	if s.typ != asl.TypeParallel {
		return nil, opErr("%q is a %s; only a Parallel state has branches", name, s.typ)
	}
	if i < 0 || i >= len(bs) {
		return nil, opErr("%q has no branch %d", name, i)
	}
	if len(bs) == 1 {
		return nil, opErr("a Parallel state needs at least one branch")
	}
	obj := s.obj.Clone()
	obj.Set("Branches", slices.Delete(slices.Clone(bs), i, i+1))
	nd, err := d.replaceState(s, obj)
	if err != nil {
		return nil, err
	}
	// Branch ids after i shift down by one.
	l := nd.layout
	dropPrefix(l, s.path+"/"+strconv.Itoa(i))
	for j := i + 1; j < len(bs); j++ {
		movePrefix(l, s.path+"/"+strconv.Itoa(j), s.path+"/"+strconv.Itoa(j-1))
	}
	return nd, nil
}

// reparent moves states into another container (a Parallel branch, a Map
// processor, or the top level ""). Transitions between moved states are
// kept; others are removed, as ASL forbids transitions across a container's
// border.
func (d *Document) reparent(names []string, container string, positions map[string]Point) (*Document, error) {
	if _, err := d.container(container); err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, opErr("nothing to move")
	}
	moved := map[string]bool{}
	var refs []*stateRef
	for _, n := range names {
		s, err := d.state(n)
		if err != nil {
			return nil, err
		}
		if container == s.path || strings.HasPrefix(container, s.path+"/") {
			return nil, opErr("cannot move %q into itself", n)
		}
		if !moved[n] {
			moved[n] = true
			refs = append(refs, s)
		}
	}
	frag := jsonv.NewObject(len(refs))
	cur := d
	var err error
	oldPaths := map[string]string{}
	for _, s := range refs {
		if s.machine.id == container {
			continue
		}
		frag.Set(s.name, s.obj)
		oldPaths[s.name] = s.path
		if cur, err = cur.removeState(cur.index().byName[s.name], true); err != nil {
			return nil, err
		}
		cur.layout.Positions = restorePrefix(cur.layout.Positions, d.layout.Positions, s.path)
	}
	if frag.Len() == 0 {
		return d, nil
	}
	tm := cur.index().machines[container]
	local := map[string]bool{}
	for _, s := range tm.states {
		local[s.name] = true
	}
	frag = rewriteRefs(jsonv.ObjectOf("States", frag), func(t string) string {
		if frag.Has(t) || local[t] {
			return t
		}
		return ""
	})
	fs := getObj(frag, []any{"States"})
	nd, err := cur.addStates(tm, fs)
	if err != nil {
		return nil, err
	}
	for _, mem := range fs.Members() {
		np := nd.PathOf(mem.Key)
		movePrefix(nd.layout, oldPaths[mem.Key], np)
		if p, ok := positions[mem.Key]; ok {
			nd.layout.Positions[np] = p
		}
	}
	return nd, nil
}

// restorePrefix keeps the layout of a state (and its children) that
// removeState dropped, so reparent can move it to the new path.
func restorePrefix(dst, src map[string]Point, path string) map[string]Point {
	for p, pt := range src {
		if p == path || strings.HasPrefix(p, path+"/") {
			dst[p] = pt
		}
	}
	return dst
}
