package designer

import (
	"maps"
	"math"
	"slices"
	"unicode/utf16"
	"unicode/utf8"

	"stepwise/engine/asl"
	"stepwise/internal/affix"
)

// AppendDeltaJSON appends v as what changed since prev, the last view the
// receiver was sent (nil: none, and v is written in full as by
// AppendJSON). A 500-state draft's view is some 200 KB (the ASL, the graph,
// the diagnostics, the layout) and an edit changes a few lines of it:
// moving 200 KB through the browser's network process and JSON parser cost
// more than the edit. It returns the view the receiver holds afterwards, for
// the next delta: v, or, when v is layout-only (SameASL), v with prev's
// graph, ASL and diagnostics.
//
// The delta is the object AppendJSON would write with the large fields
// replaced by a "$delta" member: "same" names the fields (of graph, asl,
// diagnostics, layout) equal to prev's; "asl", when the text changed, is a
// splice ("p" UTF-16 units kept from the start, "s" from the end, "t" the
// text between them: JavaScript counts strings in UTF-16 units); "graph"
// has each of the graph's arrays, and "diagnostics" is one, either in full
// (a JSON array) or, when its length did not change and at most half of its
// items did, as {"n": length, "i": [changed indexes], "v": [their items]}.
// A changed layout is under "$delta" too when few of its positions changed:
// its members with "positions" holding the new and changed ones and
// "removed" the paths that lost theirs; otherwise it is sent in full. The
// page reverses all this in static/src/designer/designer.ts (expandView).
func (v *View) AppendDeltaJSON(buf []byte, prev *View) ([]byte, *View, error) {
	if prev == nil || prev.Graph == nil || prev.ASL == "" || v.ID != prev.ID {
		out, err := v.AppendJSON(buf)
		return out, v, err
	}
	cur := v
	if v.SameASL || v.Graph == nil {
		// Only the layout changed: the graph, the text and the
		// diagnostics the receiver holds stay.
		c := *v
		c.Graph, c.ASL, c.Diagnostics = prev.Graph, prev.ASL, prev.Diagnostics
		cur = &c
	}
	w := jsonWriter{buf: buf}
	w.head(v)
	if v.SameASL {
		w.raw(`,"sameAsl":true`)
	}
	if v.Clipboard != "" {
		w.raw(`,"clipboard":`)
		w.str(v.Clipboard)
	}
	sameLayout := layoutEqual(cur.Layout, prev.Layout)
	var layoutDelta []byte
	if !sameLayout {
		if layoutDelta = appendLayoutDelta(nil, cur.Layout, prev.Layout); layoutDelta == nil {
			w.raw(`,"layout":`)
			w.layout(cur.Layout)
		}
	}
	w.raw(`,"$delta":{"same":[`)
	var same []string
	sameDiags := slices.Equal(cur.Diagnostics, prev.Diagnostics) && (cur.Diagnostics == nil) == (prev.Diagnostics == nil)
	sameGraph := graphEqual(cur.Graph, prev.Graph)
	sameText := cur.ASL == prev.ASL
	for _, f := range []struct {
		name string
		same bool
	}{{"asl", sameText}, {"diagnostics", sameDiags}, {"graph", sameGraph}, {"layout", sameLayout}} {
		if f.same {
			same = append(same, f.name)
		}
	}
	for i, name := range same {
		if i > 0 {
			w.raw(",")
		}
		w.str(name)
	}
	w.raw("]")
	if !sameText {
		p, s, mid := textSplice(prev.ASL, cur.ASL)
		w.raw(`,"asl":{"p":`)
		w.int(p)
		w.raw(`,"s":`)
		w.int(s)
		w.raw(`,"t":`)
		w.str(mid)
		w.raw("}")
	}
	if layoutDelta != nil {
		w.raw(`,"layout":`)
		w.buf = append(w.buf, layoutDelta...)
	}
	if !sameDiags {
		w.raw(`,"diagnostics":`)
		appendItems(&w, cur.Diagnostics, prev.Diagnostics, func(a, b *asl.Diagnostic) bool { return *a == *b }, (*jsonWriter).diagnostic)
	}
	if !sameGraph {
		w.raw(`,"graph":{"nodes":`)
		appendItems(&w, cur.Graph.Nodes, prev.Graph.Nodes, nodeEqual, (*jsonWriter).node)
		w.raw(`,"edges":`)
		appendItems(&w, cur.Graph.Edges, prev.Graph.Edges, func(a, b *Edge) bool { return *a == *b }, (*jsonWriter).edge)
		w.raw(`,"containers":`)
		appendItems(&w, cur.Graph.Containers, prev.Graph.Containers, func(a, b *Container) bool { return *a == *b }, (*jsonWriter).container)
		w.raw("}")
	}
	w.raw("}}")
	if w.err != nil {
		return buf, prev, w.err
	}
	return w.buf, cur, nil
}

// appendLayoutDelta appends cur as its changes from prev (see
// AppendDeltaJSON), or returns nil when most positions changed: the
// layout's members as AppendJSON writes them, with "positions" holding only
// the positions that are new or changed, and "removed" the paths that no
// longer have one.
func appendLayoutDelta(buf []byte, cur, prev Layout) []byte {
	if cur.Positions == nil || prev.Positions == nil {
		return nil
	}
	changed := map[string]Point{}
	var removed []string
	for k, p := range cur.Positions {
		if q, ok := prev.Positions[k]; !ok || !pointEqual(p, q) {
			changed[k] = p
		}
	}
	for k := range prev.Positions {
		if _, ok := cur.Positions[k]; !ok {
			removed = append(removed, k)
		}
	}
	if len(changed)+len(removed) > len(cur.Positions)/2 {
		return nil
	}
	slices.Sort(removed)
	w := jsonWriter{buf: buf}
	w.raw(`{"removed":`)
	w.strings(append([]string{}, removed...))
	w.raw(",")
	rest := jsonWriter{}
	rest.layout(Layout{Positions: changed, Collapsed: cur.Collapsed, Viewport: cur.Viewport})
	if w.err != nil || rest.err != nil {
		return nil
	}
	return append(w.buf, rest.buf[1:]...) // without its opening brace
}

// appendItems writes items as the changed ones of prev's (see
// AppendDeltaJSON), or in full.
func appendItems[T any](w *jsonWriter, items, prev []T, equal func(a, b *T) bool, write func(*jsonWriter, *T)) {
	if items == nil || prev == nil || len(items) != len(prev) {
		writeItems(w, items, write)
		return
	}
	var changed []int
	for i := range items {
		if !equal(&items[i], &prev[i]) {
			changed = append(changed, i)
			if len(changed) > len(items)/2 {
				writeItems(w, items, write)
				return
			}
		}
	}
	w.raw(`{"n":`)
	w.int(len(items))
	w.raw(`,"i":[`)
	for j, i := range changed {
		if j > 0 {
			w.raw(",")
		}
		w.int(i)
	}
	w.raw(`],"v":[`)
	for j, i := range changed {
		if j > 0 {
			w.raw(",")
		}
		write(w, &items[i])
	}
	w.raw("]}")
}

// The equalities below hold exactly when the JSON AppendJSON writes for
// the two is the same: slices nil or not alike, numbers bit for bit (0 and
// -0 are written differently).

func graphEqual(a, b *Graph) bool {
	if a == nil || b == nil {
		return a == b
	}
	return itemsEqual(a.Nodes, b.Nodes, nodeEqual) &&
		itemsEqual(a.Edges, b.Edges, func(x, y *Edge) bool { return *x == *y }) &&
		itemsEqual(a.Containers, b.Containers, func(x, y *Container) bool { return *x == *y })
}

func itemsEqual[T any](a, b []T, equal func(x, y *T) bool) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for i := range a {
		if !equal(&a[i], &b[i]) {
			return false
		}
	}
	return true
}

func nodeEqual(a, b *Node) bool {
	return a.Path == b.Path && a.Name == b.Name && a.Type == b.Type && a.Container == b.Container &&
		a.Comment == b.Comment && a.Start == b.Start && a.End == b.End && a.Problem == b.Problem &&
		(a.Ports == nil) == (b.Ports == nil) && slices.Equal(a.Ports, b.Ports) &&
		slices.Equal(a.Messages, b.Messages)
}

func pointEqual(a, b Point) bool {
	return math.Float64bits(a.X) == math.Float64bits(b.X) && math.Float64bits(a.Y) == math.Float64bits(b.Y)
}

func layoutEqual(a, b Layout) bool {
	if (a.Positions == nil) != (b.Positions == nil) || !maps.EqualFunc(a.Positions, b.Positions, pointEqual) {
		return false
	}
	if len(a.Collapsed) != len(b.Collapsed) || !maps.Equal(a.Collapsed, b.Collapsed) {
		return false
	}
	if a.Viewport == nil || b.Viewport == nil {
		return a.Viewport == b.Viewport
	}
	return math.Float64bits(a.Viewport.X) == math.Float64bits(b.Viewport.X) &&
		math.Float64bits(a.Viewport.Y) == math.Float64bits(b.Viewport.Y) &&
		math.Float64bits(a.Viewport.Zoom) == math.Float64bits(b.Viewport.Zoom)
}

// textSplice finds what b changes in a: the lengths, in UTF-16 code units, of
// their common start and end, and b's text between them. It never cuts a
// character in two.
func textSplice(a, b string) (prefix, suffix int, mid string) {
	n := affix.Prefix(a, b)
	for n > 0 && ((n < len(b) && !utf8.RuneStart(b[n])) || (n < len(a) && !utf8.RuneStart(a[n]))) {
		n--
	}
	m := affix.Suffix(a[n:], b[n:])
	for m > 0 && (!utf8.RuneStart(b[len(b)-m]) || !utf8.RuneStart(a[len(a)-m])) {
		m--
	}
	return utf16Len(a[:n]), utf16Len(a[len(a)-m:]), b[n : len(b)-m]
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			// Not ASCII from here: count by characters.
			n = i
			for _, r := range s[i:] {
				n += utf16.RuneLen(r)
			}
			return n
		}
	}
	return n
}
