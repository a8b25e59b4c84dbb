package designer

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"stepwise/engine/asl"
)

// AppendJSON appends the view as a JSON object, byte for byte what
// encoding/json's Encoder (HTML escaping on, as echo uses it) writes for
// *View, without the trailing newline. It walks the view's types directly
// instead of by reflection: the answer to every edit carries a graph, the
// ASL text and the layout of the whole draft. It fails, as encoding/json
// would, on a position that is not a finite number.
func (v *View) AppendJSON(buf []byte) ([]byte, error) {
	w := jsonWriter{buf: buf}
	w.head(v)
	w.raw(`,"graph":`)
	w.graph(v.Graph)
	if v.ASL != "" {
		w.raw(`,"asl":`)
		var lit []byte
		if v.Doc != nil {
			var text string
			if text, lit = v.Doc.textLiteral(); text != v.ASL { // escaped once per document
				lit = nil
			}
		}
		if lit != nil {
			w.buf = append(w.buf, lit...)
		} else {
			w.str(v.ASL)
		}
	}
	w.raw(`,"diagnostics":`)
	w.diagnostics(v.Diagnostics)
	if v.SameASL {
		w.raw(`,"sameAsl":true`)
	}
	w.raw(`,"layout":`)
	w.layout(v.Layout)
	if v.Clipboard != "" {
		w.raw(`,"clipboard":`)
		w.str(v.Clipboard)
	}
	w.raw("}")
	if w.err != nil {
		return buf, w.err
	}
	return w.buf, nil
}

// head opens a view's object with its small members, as both AppendJSON
// and AppendDeltaJSON start it.
func (w *jsonWriter) head(v *View) {
	w.raw(`{"id":`)
	w.str(v.ID)
	w.raw(`,"machine":`)
	w.str(v.Machine)
	w.raw(`,"version":`)
	w.buf = strconv.AppendInt(w.buf, v.Version, 10)
	w.raw(`,"canUndo":`)
	w.bool(v.CanUndo)
	w.raw(`,"canRedo":`)
	w.bool(v.CanRedo)
}

// jsonWriter appends JSON as encoding/json writes it.
type jsonWriter struct {
	buf []byte
	err error
}

func (w *jsonWriter) raw(s string) { w.buf = append(w.buf, s...) }

func (w *jsonWriter) bool(b bool) {
	if b {
		w.raw("true")
	} else {
		w.raw("false")
	}
}

func (w *jsonWriter) int(i int) { w.buf = strconv.AppendInt(w.buf, int64(i), 10) }

// float writes a float64 as encoding/json does (ES6 number formatting).
func (w *jsonWriter) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		if w.err == nil {
			w.err = fmt.Errorf("designer: cannot encode the position %v as JSON", f)
		}
		w.raw("0")
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	w.buf = strconv.AppendFloat(w.buf, f, format, -1, 64)
	if format == 'e' {
		// e-09 → e-9, as encoding/json does.
		n := len(w.buf)
		if n >= 4 && w.buf[n-4] == 'e' && w.buf[n-3] == '-' && w.buf[n-2] == '0' {
			w.buf[n-2] = w.buf[n-1]
			w.buf = w.buf[:n-1]
		}
	}
}

const hexDigits = "0123456789abcdef"

// str writes a string literal as encoding/json does with HTML escaping:
// <, > and & as \u00XX, control characters escaped, invalid UTF-8 as
// \ufffd, U+2028 and U+2029 escaped.
func (w *jsonWriter) str(s string) {
	dst := append(w.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	w.buf = append(dst, '"')
}

func (w *jsonWriter) strings(ss []string) {
	if ss == nil {
		w.raw("null")
		return
	}
	w.raw("[")
	for i, s := range ss {
		if i > 0 {
			w.raw(",")
		}
		w.str(s)
	}
	w.raw("]")
}

func (w *jsonWriter) graph(g *Graph) {
	if g == nil {
		w.raw("null")
		return
	}
	w.raw(`{"nodes":`)
	writeItems(w, g.Nodes, (*jsonWriter).node)
	w.raw(`,"edges":`)
	writeItems(w, g.Edges, (*jsonWriter).edge)
	w.raw(`,"containers":`)
	writeItems(w, g.Containers, (*jsonWriter).container)
	w.raw("}")
}

// writeItems writes a slice as encoding/json does: null when nil, else an
// array of each item as write writes it.
func writeItems[T any](w *jsonWriter, items []T, write func(*jsonWriter, *T)) {
	if items == nil {
		w.raw("null")
		return
	}
	w.raw("[")
	for i := range items {
		if i > 0 {
			w.raw(",")
		}
		write(w, &items[i])
	}
	w.raw("]")
}

func (w *jsonWriter) node(n *Node) {
	w.raw(`{"path":`)
	w.str(n.Path)
	w.raw(`,"name":`)
	w.str(n.Name)
	w.raw(`,"type":`)
	w.str(n.Type)
	w.raw(`,"container":`)
	w.str(n.Container)
	if n.Comment != "" {
		w.raw(`,"comment":`)
		w.str(n.Comment)
	}
	if n.Start {
		w.raw(`,"start":true`)
	}
	if n.End {
		w.raw(`,"end":true`)
	}
	w.raw(`,"ports":`)
	w.strings(n.Ports)
	if n.Problem != "" {
		w.raw(`,"problem":`)
		w.str(n.Problem)
	}
	if len(n.Messages) > 0 {
		w.raw(`,"messages":`)
		w.strings(n.Messages)
	}
	w.raw("}")
}

func (w *jsonWriter) edge(e *Edge) {
	w.raw(`{"from":`)
	w.str(e.From)
	w.raw(`,"to":`)
	w.str(e.To)
	w.raw(`,"kind":`)
	w.str(e.Kind)
	w.raw(`,"index":`)
	w.int(e.Index)
	w.raw(`,"port":`)
	w.str(e.Port)
	if e.Label != "" {
		w.raw(`,"label":`)
		w.str(e.Label)
	}
	w.raw(`,"container":`)
	w.str(e.Container)
	w.raw("}")
}

func (w *jsonWriter) container(c *Container) {
	w.raw(`{"id":`)
	w.str(c.ID)
	w.raw(`,"state":`)
	w.str(c.State)
	w.raw(`,"kind":`)
	w.str(c.Kind)
	w.raw(`,"index":`)
	w.int(c.Index)
	w.raw(`,"startAt":`)
	w.str(c.StartAt)
	w.raw(`,"parent":`)
	w.str(c.Parent)
	if c.Collapsed {
		w.raw(`,"collapsed":true`)
	}
	w.raw("}")
}

func (w *jsonWriter) diagnostics(ds asl.Diagnostics) {
	writeItems(w, ds, (*jsonWriter).diagnostic)
}

func (w *jsonWriter) diagnostic(d *asl.Diagnostic) {
	w.raw(`{"code":`)
	w.str(d.Code)
	w.raw(`,"severity":`)
	w.str(d.Severity)
	w.raw(`,"message":`)
	w.str(d.Message)
	w.raw(`,"path":`)
	w.str(d.Path)
	w.raw(`,"line":`)
	w.int(d.Line)
	w.raw(`,"column":`)
	w.int(d.Column)
	if d.State != "" {
		w.raw(`,"state":`)
		w.str(d.State)
	}
	if d.Field != "" {
		w.raw(`,"field":`)
		w.str(d.Field)
	}
	w.raw("}")
}

func (w *jsonWriter) point(p Point) {
	w.raw(`{"x":`)
	w.float(p.X)
	w.raw(`,"y":`)
	w.float(p.Y)
	w.raw("}")
}

// layout writes a Layout; map keys in sorted order, as encoding/json does.
func (w *jsonWriter) layout(l Layout) {
	w.raw(`{"positions":`)
	if l.Positions == nil {
		w.raw("null")
	} else {
		w.raw("{")
		for i, k := range sortedKeys(l.Positions) {
			if i > 0 {
				w.raw(",")
			}
			w.str(k)
			w.raw(":")
			w.point(l.Positions[k])
		}
		w.raw("}")
	}
	if len(l.Collapsed) > 0 {
		w.raw(`,"collapsed":{`)
		for i, k := range sortedKeys(l.Collapsed) {
			if i > 0 {
				w.raw(",")
			}
			w.str(k)
			w.raw(":")
			w.bool(l.Collapsed[k])
		}
		w.raw("}")
	}
	if l.Viewport != nil {
		w.raw(`,"viewport":{"x":`)
		w.float(l.Viewport.X)
		w.raw(`,"y":`)
		w.float(l.Viewport.Y)
		w.raw(`,"zoom":`)
		w.float(l.Viewport.Zoom)
		w.raw("}")
	}
	w.raw("}")
}

// layoutJSON encodes a layout as MarshalLayout does, without reflection.
func layoutJSON(l Layout) []byte {
	w := jsonWriter{buf: make([]byte, 0, 48*len(l.Positions)+64)}
	w.layout(l)
	if w.err != nil {
		return MarshalLayout(l)
	}
	return w.buf
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
