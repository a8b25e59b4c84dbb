package designer

import (
	"fmt"
	"strings"

	"stepwise/engine/jsonv"
)

// Copy returns the clipboard text for the named states: a JSON object
// {"States": {...}, "Positions": {name: point}} holding their definitions as
// written. The states must share one container.
func (d *Document) Copy(names []string) (string, error) {
	if len(names) == 0 {
		return "", opErr("nothing to copy")
	}
	states := jsonv.NewObject(len(names))
	pos := jsonv.NewObject(len(names))
	var m *machineRef
	for _, n := range names {
		s, err := d.state(n)
		if err != nil {
			return "", err
		}
		if m != nil && s.machine != m {
			return "", opErr("copy states of one container at a time")
		}
		m = s.machine
		states.Set(n, s.obj)
		if p, ok := d.layout.Positions[s.path]; ok {
			pos.Set(n, jsonv.ObjectOf("x", jsonv.FloatNumber(p.X), "y", jsonv.FloatNumber(p.Y)))
		}
	}
	return jsonv.String(jsonv.ObjectOf("States", states, "Positions", pos)), nil
}

// paste adds the clipboard's states to a container under names unique in the
// whole machine (nested states included), keeping transitions among them and
// to states of the target container; other transitions are removed. With at,
// the pasted group's top-left corner goes there; else it is offset from the
// copied positions.
func (d *Document) paste(clip, container string, at *Point, renamed *map[string]string) (*Document, error) {
	m, err := d.container(container)
	if err != nil {
		return nil, err
	}
	v, err := jsonv.DecodeString(clip)
	if err != nil {
		return nil, opErr("the clipboard does not hold states: %v", err)
	}
	co, ok := v.(*jsonv.Object)
	if !ok {
		return nil, opErr("the clipboard does not hold states")
	}
	states := getObj(co, []any{"States"})
	if states == nil || states.Len() == 0 {
		return nil, opErr("the clipboard holds no states")
	}
	for _, mem := range states.Members() {
		if _, ok := mem.Value.(*jsonv.Object); !ok {
			return nil, opErr("clipboard state %q is not an object", mem.Key)
		}
	}
	taken := d.taken()
	mapping := map[string]string{}
	collectNames(states, 0, func(name string) {
		if _, done := mapping[name]; !done {
			mapping[name] = uniqueName(taken, name)
		}
	})
	frag := renameAll(jsonv.ObjectOf("States", states), mapping, 0)
	local := map[string]bool{}
	for _, s := range m.states {
		local[s.name] = true
	}
	top := getObj(frag, []any{"States"})
	frag = rewriteRefs(frag, func(t string) string {
		if top.Has(t) || local[t] {
			return t
		}
		return ""
	})
	top = getObj(frag, []any{"States"})
	nd, err := d.addStates(m, top)
	if err != nil {
		return nil, err
	}
	// Positions: keep the copied arrangement, moved to at or offset by 40.
	pos := getObj(co, []any{"Positions"})
	minX, minY, any := 0.0, 0.0, false
	for _, mem := range pos.Members() {
		p, ok := point(mem.Value)
		if !ok {
			continue
		}
		if !any || p.X < minX {
			minX = p.X
		}
		if !any || p.Y < minY {
			minY = p.Y
		}
		any = true
	}
	dx, dy := 40.0, 40.0
	if at != nil {
		dx, dy = at.X-minX, at.Y-minY
	}
	for i, mem := range states.Members() {
		np := nd.PathOf(mapping[mem.Key])
		if pv, ok := pos.Get(mem.Key); ok {
			if p, ok := point(pv); ok {
				nd.layout.Positions[np] = Point{p.X + dx, p.Y + dy}
				continue
			}
		}
		if at != nil {
			nd.layout.Positions[np] = Point{at.X, at.Y + float64(i)*120}
		}
	}
	if renamed != nil {
		*renamed = mapping
	}
	return nd, nil
}

func point(v any) (Point, bool) {
	o, ok := v.(*jsonv.Object)
	if !ok {
		return Point{}, false
	}
	xv, _ := o.Get("x")
	yv, _ := o.Get("y")
	x, ok1 := jsonv.Float(xv)
	y, ok2 := jsonv.Float(yv)
	return Point{x, y}, ok1 && ok2
}

// collectNames calls fn for every state name in states and in the machines
// nested inside them, in definition order.
func collectNames(states *jsonv.Object, depth int, fn func(string)) {
	if depth > maxNesting {
		return
	}
	for _, mem := range states.Members() {
		fn(mem.Key)
		st, ok := mem.Value.(*jsonv.Object)
		if !ok {
			continue
		}
		for _, inner := range innerMachines(st) {
			if so := getObj(inner, []any{"States"}); so != nil {
				collectNames(so, depth+1, fn)
			}
		}
	}
}

func innerMachines(st *jsonv.Object) []*jsonv.Object {
	var out []*jsonv.Object
	switch str(st, "Type") {
	case "Parallel":
		for _, b := range arr(st, "Branches") {
			if bo, ok := b.(*jsonv.Object); ok {
				out = append(out, bo)
			}
		}
	case "Map":
		if po := getObj(st, []any{processorKey(st)}); po != nil {
			out = append(out, po)
		}
	}
	return out
}

// renameAll renames states by mapping throughout a machine object: keys,
// StartAt, transitions, and nested machines.
func renameAll(mobj *jsonv.Object, mapping map[string]string, depth int) *jsonv.Object {
	ren := func(t string) string {
		if n, ok := mapping[t]; ok {
			return n
		}
		return t
	}
	mobj = rewriteRefs(mobj, ren).Clone()
	if s := str(mobj, "StartAt"); s != "" {
		mobj.Set("StartAt", ren(s))
	}
	so := getObj(mobj, []any{"States"})
	if so == nil {
		return mobj
	}
	nso := jsonv.NewObject(so.Len())
	for _, mem := range so.Members() {
		st, ok := mem.Value.(*jsonv.Object)
		if ok && depth < maxNesting {
			switch str(st, "Type") {
			case "Parallel":
				bs := arr(st, "Branches")
				nb := make([]any, len(bs))
				for i, b := range bs {
					if bo, ok := b.(*jsonv.Object); ok {
						nb[i] = renameAll(bo, mapping, depth+1)
					} else {
						nb[i] = b
					}
				}
				if len(bs) > 0 {
					st = st.Clone()
					st.Set("Branches", nb)
				}
			case "Map":
				key := processorKey(st)
				if po := getObj(st, []any{key}); po != nil {
					st = st.Clone()
					st.Set(key, renameAll(po, mapping, depth+1))
				}
			}
			nso.Set(ren(mem.Key), st)
			continue
		}
		nso.Set(ren(mem.Key), mem.Value)
	}
	mobj.Set("States", nso)
	return mobj
}

func (d *Document) duplicate(names []string) (*Document, error) {
	clip, err := d.Copy(names)
	if err != nil {
		return nil, err
	}
	s, _ := d.state(names[0])
	return d.paste(clip, s.machine.id, nil, nil)
}

// pattern adds a ready-made group of states, at a position or inserted on an
// edge (From + Port, or Port "start" + Container).
func (d *Document) pattern(op Op) (*Document, error) {
	p, ok := patterns[op.Pattern]
	if !ok {
		return nil, opErr("unknown pattern %q (known: %s)", op.Pattern, strings.Join(PatternNames(), ", "))
	}
	frag := p.states(d.language())
	clip := jsonv.String(jsonv.ObjectOf("States", frag, "Positions", jsonv.NewObject(0)))
	container, target := op.Container, ""
	inserting := op.Port != ""
	if inserting && op.Port != "start" {
		s, err := d.state(op.From)
		if err != nil {
			return nil, err
		}
		container = s.machine.id
		if target, err = portTarget(s, op.Port); err != nil {
			return nil, err
		}
	} else if inserting {
		m, err := d.container(container)
		if err != nil {
			return nil, err
		}
		target = str(m.obj, "StartAt")
	}
	var mapping map[string]string
	nd, err := d.paste(clip, container, op.Pos, &mapping)
	if err != nil {
		return nil, err
	}
	entry := mapping[frag.Members()[0].Key]
	if op.Pos != nil {
		for i, mem := range frag.Members() {
			nd.layout.Positions[nd.PathOf(mapping[mem.Key])] = Point{op.Pos.X, op.Pos.Y + float64(i)*110}
		}
	}
	if !inserting {
		return nd, nil
	}
	if target != "" {
		// Exits (End: true at the fragment's top level) continue to the old target.
		for _, mem := range frag.Members() {
			s := nd.index().byName[mapping[mem.Key]]
			if end, _ := s.obj.Get("End"); end == true {
				if nd, err = nd.setPort(s, "next", target); err != nil {
					return nil, err
				}
			}
		}
	}
	return nd.connect(op.From, op.Port, entry, container)
}

var _ = fmt.Sprintf
