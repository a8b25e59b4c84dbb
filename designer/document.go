package designer

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"stepwise/engine/asl"
	"stepwise/engine/jsonv"
)

// Point is a position on the canvas, in canvas units.
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Viewport is the part of the canvas the user last looked at.
type Viewport struct {
	X    float64 `json:"x"`
	Y    float64 `json:"y"`
	Zoom float64 `json:"zoom"`
}

// Layout is the document's sidecar: where each state sits (by state path),
// which containers are collapsed, and the viewport. ASL never holds layout.
type Layout struct {
	Positions map[string]Point `json:"positions"`
	Collapsed map[string]bool  `json:"collapsed,omitempty"`
	Viewport  *Viewport        `json:"viewport,omitempty"`
}

func (l Layout) clone() Layout {
	c := Layout{Positions: maps.Clone(l.Positions), Collapsed: maps.Clone(l.Collapsed), Viewport: l.Viewport}
	if c.Positions == nil {
		c.Positions = map[string]Point{}
	}
	return c
}

// ParseLayout decodes a layout; empty input is an empty layout.
func ParseLayout(data []byte) (Layout, error) {
	var l Layout
	if len(strings.TrimSpace(string(data))) > 0 {
		if err := json.Unmarshal(data, &l); err != nil {
			return Layout{}, fmt.Errorf("designer: layout: %w", err)
		}
	}
	if l.Positions == nil {
		l.Positions = map[string]Point{}
	}
	return l, nil
}

// MarshalLayout encodes a layout as JSON.
func MarshalLayout(l Layout) []byte {
	b, _ := json.Marshal(l) // only maps of floats and bools: cannot fail
	return b
}

// Document is an ASL definition as an ordered JSON tree plus its layout. A
// Document is immutable: operations return a new one that shares the
// unchanged parts, so untouched parts of the ASL keep their text and key
// order exactly.
type Document struct {
	root   *jsonv.Object
	layout Layout

	// Derived from root and computed once, on first use: documents are
	// shared between requests (the editor's cache), hence the locks, one
	// per derived part so that the parts can be computed at the same time.
	valMu sync.Mutex
	diags asl.Diagnostics
	valid bool   // diags and asl computed
	asl   []byte // compact JSON text, with diags
	// analysis is what validating root left for validating documents
	// derived from this one; base is the analysis of the document this one
	// was derived from (or of an ancestor), used once by analyse and then
	// dropped so that a chain of documents does not keep old trees alive.
	analysis *asl.Analysis
	base     *asl.Analysis

	textMu   sync.Mutex
	text     string // indented text, once asked for
	textJSON []byte // text as a JSON string literal, once asked for

	idxMu sync.Mutex
	idx   *index

	// aslHint and textHint are the lengths of the texts of the document
	// this one was derived from (set before the document is shared, then
	// read only): they size the new texts' buffers.
	aslHint, textHint int
}

// NewDocument returns a document for a fresh workflow: no states yet; the
// first state added becomes the StartAt state.
func NewDocument() *Document {
	root := jsonv.ObjectOf(
		"Comment", "A description of my state machine",
		"StartAt", "",
		"States", jsonv.NewObject(0),
	)
	return &Document{root: root, layout: Layout{Positions: map[string]Point{}}}
}

// ParseDocument reads an ASL definition (JSON text) with its layout (JSON,
// may be empty).
func ParseDocument(asl, layout []byte) (*Document, error) {
	v, err := jsonv.Decode(asl)
	if err != nil {
		return nil, fmt.Errorf("designer: the definition is not valid JSON: %w", err)
	}
	root, ok := v.(*jsonv.Object)
	if !ok {
		return nil, fmt.Errorf("designer: the definition must be a JSON object, not %s", jsonv.TypeName(v))
	}
	l, err := ParseLayout(layout)
	if err != nil {
		return nil, err
	}
	return &Document{root: root, layout: l, aslHint: len(asl)}, nil
}

// Root returns the ASL as a jsonv object; callers must not modify it.
func (d *Document) Root() *jsonv.Object { return d.root }

// ASL returns the definition as compact JSON in the document's key order.
func (d *Document) ASL() []byte { return slices.Clone(d.compact()) }

// compact returns the compact JSON text, shared: callers must not modify
// it. It is computed with the diagnostics (one pass builds both).
func (d *Document) compact() []byte {
	d.valMu.Lock()
	defer d.valMu.Unlock()
	d.analyse()
	return d.asl
}

// Text returns the definition indented by two spaces, as the code view shows
// it (computed once per document).
func (d *Document) Text() string {
	d.textMu.Lock()
	defer d.textMu.Unlock()
	return d.indented()
}

// indented computes the indented text once; d.textMu is held.
func (d *Document) indented() string {
	if d.text == "" {
		// The builder's buffer becomes the string without a copy; the
		// indented text is rarely more than twice the compact one.
		w := &indenter{}
		switch {
		case d.textHint > 0:
			w.sb.Grow(d.textHint + d.textHint/8 + 256)
		case d.aslHint > 0:
			w.sb.Grow(2*d.aslHint + 256)
		}
		w.value(d.root, 0)
		d.text = w.sb.String()
	}
	return d.text
}

// textLiteral returns Text as a JSON string literal, as View.AppendJSON
// writes it (computed once per document; callers must not modify it).
func (d *Document) textLiteral() (string, []byte) {
	d.textMu.Lock()
	defer d.textMu.Unlock()
	text := d.indented()
	if d.textJSON == nil {
		w := jsonWriter{buf: make([]byte, 0, len(text)+len(text)/4+16)}
		w.str(text)
		d.textJSON = w.buf
	}
	return text, d.textJSON
}

// Layout returns a copy of the layout.
func (d *Document) Layout() Layout { return d.layout.clone() }

// with returns a document with root and layout; when root is d's own, the
// derived index, diagnostics and texts carry over (a move changes only the
// layout), and otherwise d's text lengths size the new document's buffers
// and d's analysis lets the new one re-check only the states that changed.
func (d *Document) with(root *jsonv.Object, l Layout) *Document {
	nd := &Document{root: root, layout: l, aslHint: d.aslHint, textHint: d.textHint}
	same := root == d.root
	d.valMu.Lock()
	if same {
		nd.diags, nd.valid, nd.asl, nd.analysis = d.diags, d.valid, d.asl, d.analysis
		nd.base = d.base
	} else if d.analysis != nil {
		// The new tree shares d's untouched subtrees: validating it reuses
		// what validating those found.
		nd.base = d.analysis
	} else {
		nd.base = d.base
	}
	if d.asl != nil {
		nd.aslHint = len(d.asl)
	}
	d.valMu.Unlock()
	d.textMu.Lock()
	if same {
		nd.text, nd.textJSON = d.text, d.textJSON
	}
	if d.text != "" {
		nd.textHint = len(d.text)
	}
	d.textMu.Unlock()
	if same {
		d.idxMu.Lock()
		nd.idx = d.idx
		d.idxMu.Unlock()
	}
	return nd
}

// Validate returns engine/asl's diagnostics for the definition (computed
// once per document).
func (d *Document) Validate() asl.Diagnostics {
	d.valMu.Lock()
	defer d.valMu.Unlock()
	d.analyse()
	return d.diags
}

// analyse encodes and validates the definition once; d.valMu is held.
// asl.ParseValueFrom answers what asl.Parse of the compact text would,
// without scanning the text it has just written, and re-checks only the
// states that differ from those of the document this one was derived from.
func (d *Document) analyse() {
	if d.valid {
		return
	}
	var buf []byte
	if d.aslHint > 0 {
		buf = make([]byte, 0, d.aslHint+d.aslHint/8+256)
	}
	d.asl, d.diags, d.analysis = asl.ParseValueFrom(d.base, buf, d.root, asl.Options{})
	d.base = nil
	if d.diags == nil {
		d.diags = asl.Diagnostics{}
	}
	d.valid = true
}

// SameASL reports whether d and o hold the very same definition tree (an
// operation that changed only the layout).
func (d *Document) SameASL(o *Document) bool { return o != nil && d.root == o.root }

// indent appends v with two-space indentation, at the given depth.
func indent(buf []byte, v any, depth int) []byte {
	w := &indenter{}
	w.value(v, depth)
	return append(buf, w.sb.String()...)
}

// indenter writes JSON with two-space indentation into a strings.Builder.
type indenter struct {
	sb      strings.Builder
	scratch []byte
}

func (w *indenter) value(v any, depth int) {
	switch x := v.(type) {
	case *jsonv.Object:
		if x.Len() == 0 {
			w.sb.WriteString("{}")
			return
		}
		w.sb.WriteString("{\n")
		for i, m := range x.Members() {
			w.spaces(depth + 1)
			w.scratch = jsonv.AppendString(w.scratch[:0], m.Key)
			w.sb.Write(w.scratch)
			w.sb.WriteString(": ")
			w.value(m.Value, depth+1)
			if i < x.Len()-1 {
				w.sb.WriteByte(',')
			}
			w.sb.WriteByte('\n')
		}
		w.spaces(depth)
		w.sb.WriteByte('}')
	case []any:
		if len(x) == 0 {
			w.sb.WriteString("[]")
			return
		}
		w.sb.WriteString("[\n")
		for i, e := range x {
			w.spaces(depth + 1)
			w.value(e, depth+1)
			if i < len(x)-1 {
				w.sb.WriteByte(',')
			}
			w.sb.WriteByte('\n')
		}
		w.spaces(depth)
		w.sb.WriteByte(']')
	default:
		w.scratch = jsonv.Append(w.scratch[:0], v)
		w.sb.Write(w.scratch)
	}
}

func (w *indenter) spaces(depth int) {
	for n := 2 * depth; n > 0; {
		k := min(n, len(spaces))
		w.sb.WriteString(spaces[:k])
		n -= k
	}
}

const spaces = "                                                                "

// --- index: where every state and machine is in the tree ---

// machineRef is a top-level machine, a Parallel branch or a Map processor.
type machineRef struct {
	id     string // container id: "" at the top, "<owner path>/<i>" inside
	addr   []any
	obj    *jsonv.Object
	owner  *stateRef
	kind   string // "", "branch", "processor"
	index  int
	states []*stateRef
}

type stateRef struct {
	name    string
	path    string
	addr    []any
	obj     *jsonv.Object
	typ     string
	machine *machineRef
	inner   []*machineRef
}

type index struct {
	byName   map[string]*stateRef
	byPath   map[string]*stateRef
	states   []*stateRef
	machines map[string]*machineRef
	order    []*machineRef
}

func escapeName(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

func (d *Document) index() *index {
	d.idxMu.Lock()
	defer d.idxMu.Unlock()
	if d.idx != nil {
		return d.idx
	}
	// The top level's state count sizes the maps (nested states add to it).
	n := 0
	if so, ok := d.root.Get("States"); ok {
		if o, ok := so.(*jsonv.Object); ok {
			n = o.Len()
		}
	}
	ix := &index{byName: make(map[string]*stateRef, n), byPath: make(map[string]*stateRef, n),
		machines: map[string]*machineRef{}, states: make([]*stateRef, 0, n)}
	ix.machine(d.root, nil, "", nil, "", 0, 0)
	d.idx = ix
	return ix
}

const maxNesting = 64

func (ix *index) machine(obj *jsonv.Object, addr []any, id string, owner *stateRef, kind string, i, depth int) *machineRef {
	m := &machineRef{id: id, addr: addr, obj: obj, owner: owner, kind: kind, index: i}
	ix.machines[id] = m
	ix.order = append(ix.order, m)
	states, _ := getIn(obj, []any{"States"})
	so, ok := states.(*jsonv.Object)
	if !ok || depth > maxNesting {
		return m
	}
	refs := make([]stateRef, so.Len()) // one allocation for the machine's states
	m.states = make([]*stateRef, 0, so.Len())
	for i, mem := range so.Members() {
		st, ok := mem.Value.(*jsonv.Object)
		if !ok {
			continue
		}
		path := escapeName(mem.Key)
		if id != "" {
			path = id + "/" + path
		}
		sa := make([]any, len(addr)+2)
		copy(sa, addr)
		sa[len(addr)], sa[len(addr)+1] = "States", mem.Key
		s := &refs[i]
		s.name, s.path, s.addr, s.obj, s.typ, s.machine = mem.Key, path, sa, st, str(st, "Type"), m
		m.states = append(m.states, s)
		ix.states = append(ix.states, s)
		if _, dup := ix.byName[s.name]; !dup {
			ix.byName[s.name] = s
		}
		ix.byPath[path] = s
		switch s.typ {
		case "Parallel":
			for bi, b := range arr(st, "Branches") {
				if bo, ok := b.(*jsonv.Object); ok {
					ba := append(append(append([]any{}, sa...), "Branches"), bi)
					s.inner = append(s.inner, ix.machine(bo, ba, path+"/"+strconv.Itoa(bi), s, "branch", bi, depth+1))
				}
			}
		case "Map":
			key := processorKey(st)
			if po := getObj(st, []any{key}); po != nil {
				pa := append(append([]any{}, sa...), key)
				s.inner = append(s.inner, ix.machine(po, pa, path+"/0", s, "processor", 0, depth+1))
			}
		}
	}
	return m
}

// processorKey is the Map field that holds the processor: ItemProcessor, or
// the legacy Iterator when only that is present.
func processorKey(st *jsonv.Object) string {
	if !st.Has("ItemProcessor") && st.Has("Iterator") {
		return "Iterator"
	}
	return "ItemProcessor"
}

// state finds a state by name.
func (d *Document) state(name string) (*stateRef, error) {
	s := d.index().byName[name]
	if s == nil {
		return nil, &OpError{Msg: fmt.Sprintf("there is no state named %q", name)}
	}
	return s, nil
}

func (d *Document) container(id string) (*machineRef, error) {
	m := d.index().machines[id]
	if m == nil {
		return nil, &OpError{Msg: fmt.Sprintf("there is no container %q", id)}
	}
	return m, nil
}

// Names returns every state name in the document.
func (d *Document) Names() []string {
	ix := d.index()
	out := make([]string, len(ix.states))
	for i, s := range ix.states {
		out[i] = s.name
	}
	return out
}

// PathOf returns the diagram path of the named state, "" when absent.
func (d *Document) PathOf(name string) string {
	if s := d.index().byName[name]; s != nil {
		return s.path
	}
	return ""
}
