package asl

import (
	"encoding/json"
	"unicode/utf8"

	"stepwise/engine/jsonv"
)

// ParseValue validates a definition held as a decoded jsonv value (the
// designer keeps its document that way). It returns the compact JSON text
// (jsonv.Marshal of v) and exactly what Parse of that text returns: the same
// model and the same diagnostics, with positions in that text. It builds the
// source tree while it encodes, instead of encoding and then scanning the
// text again.
func ParseValue(v any, opts Options) ([]byte, *StateMachine, Diagnostics) {
	return ParseValueBuffer(nil, v, opts)
}

// ParseValueBuffer is ParseValue writing the text into buf's spare
// capacity (a caller that knows about how long the text will be saves the
// buffer's growth). buf's contents are ignored.
func ParseValueBuffer(buf []byte, v any, opts Options) ([]byte, *StateMachine, Diagnostics) {
	e := &valueEncoder{buf: buf[:0]}
	root, ok := e.value(v, 0)
	if !ok || root.Kind != KindObject {
		// Values the encoder does not mirror exactly (Go types outside the
		// jsonv set, odd number literals, extreme nesting) and documents
		// that are not objects take the long way.
		text := jsonv.Append(buf[:0], v)
		sm, diags := ParseWithOptions(text, opts)
		return text, sm, diags
	}
	sm, diags := Build(&Source{Root: root, Format: "json", Size: len(e.buf)}, opts)
	diags.Sort()
	return e.buf, sm, diags
}

// valueEncoder appends the compact encoding of a jsonv value (byte for byte
// jsonv.Append) and builds the Node tree the scanner would read back from
// it, positions included.
type valueEncoder struct {
	buf []byte
	// col is the column (in characters, 0-based) of byte offset colPos;
	// the whole text is one line because strings escape control characters.
	col, colPos int
	nodes       []Node
	members     []Member
	// nodeSlab and memberSlab are the sizes of the last slabs, which the
	// next ones double (the slices' own capacity is gone once used up).
	nodeSlab, memberSlab int
	// badKey records a key that is not valid UTF-8: the scanner reads it
	// with U+FFFD in place, so two distinct jsonv keys may read the same.
	badKey bool
}

func (e *valueEncoder) here() Pos {
	e.col += columnOf(e.buf[e.colPos:])
	e.colPos = len(e.buf)
	return Pos{Line: 1, Column: e.col + 1, Offset: len(e.buf)}
}

// node returns a new node of kind k at pos from the slab; the caller sets
// the rest. (Filling a zero node field by field avoids copying, with write
// barriers, a whole Node.)
func (e *valueEncoder) node(k Kind, pos Pos) *Node {
	if len(e.nodes) == 0 {
		e.nodeSlab = slabSize(e.nodeSlab * 2)
		e.nodes = make([]Node, e.nodeSlab)
	}
	p := &e.nodes[0]
	e.nodes = e.nodes[1:]
	p.Kind, p.Pos = k, pos
	return p
}

func (e *valueEncoder) member(key string, kp Pos, v *Node) *Member {
	if len(e.members) == 0 {
		e.memberSlab = slabSize(e.memberSlab * 2)
		e.members = make([]Member, e.memberSlab)
	}
	p := &e.members[0]
	e.members = e.members[1:]
	p.Key, p.KeyPos, p.Value = key, kp, v
	return p
}

// value encodes v; false means v holds something the scanner would read
// differently from what this encoder mirrors.
func (e *valueEncoder) value(v any, depth int) (*Node, bool) {
	if depth > maxNesting {
		return nil, false
	}
	start := e.here()
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
		return e.node(KindNull, start), true
	case bool:
		if x {
			e.buf = append(e.buf, "true"...)
		} else {
			e.buf = append(e.buf, "false"...)
		}
		return withBool(e.node(KindBool, start), x), true
	case string:
		e.buf = jsonv.AppendString(e.buf, x)
		return withText(e.node(KindString, start), validUTF8(x)), true
	case json.Number:
		text := string(x)
		if text == "" {
			text = "0"
		}
		if !isNumberLiteral(text) {
			return nil, false
		}
		e.buf = append(e.buf, text...)
		return withText(e.node(KindNumber, start), text), true
	case []any:
		n := e.node(KindArray, start)
		e.buf = append(e.buf, '[')
		if len(x) > 0 {
			n.Elems = make([]*Node, len(x))
		}
		for i, el := range x {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			c, ok := e.value(el, depth+1)
			if !ok {
				return nil, false
			}
			n.Elems[i] = c
		}
		e.buf = append(e.buf, ']')
		return n, true
	case *jsonv.Object:
		n := e.node(KindObject, start)
		e.buf = append(e.buf, '{')
		ms := x.Members()
		if len(ms) > 0 {
			n.Members = make([]*Member, len(ms))
		}
		for i, m := range ms {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			kp := e.here()
			e.buf = jsonv.AppendString(e.buf, m.Key)
			e.buf = append(e.buf, ':')
			c, ok := e.value(m.Value, depth+1)
			if !ok {
				return nil, false
			}
			key := m.Key
			if !utf8.ValidString(key) {
				e.badKey = true
				key = validUTF8(key)
			}
			n.Members[i] = e.member(key, kp, c)
		}
		e.buf = append(e.buf, '}')
		return n, true
	}
	return nil, false
}

// isNumberLiteral reports whether s is a JSON number literal as the scanner
// accepts it.
func isNumberLiteral(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	intStart := i
	if digits() == 0 || (s[intStart] == '0' && i-intStart > 1) {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s) && utf8.ValidString(s)
}
