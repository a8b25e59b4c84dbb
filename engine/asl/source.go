package asl

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"stepwise/engine/jsonv"
)

// Kind is the JSON type of a Node.
type Kind uint8

// The kinds of Node.
const (
	KindNull Kind = iota
	KindBool
	KindNumber
	KindString
	KindArray
	KindObject
)

var kindNames = [...]string{"null", "boolean", "number", "string", "array", "object"}

// String names the kind as a JSON type ("object", "string", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Pos is a position in the source text. Line and Column are 1-based (the
// column counts characters, not bytes); Offset is the 0-based byte offset.
type Pos struct {
	Line   int
	Column int
	Offset int
}

// Node is one value of the source document with its position.
type Node struct {
	Kind Kind
	// Pos is where the value starts.
	Pos Pos
	// Text holds a string's value or a number's literal text.
	Text string
	// Bool holds a boolean's value.
	Bool bool
	// Members holds an object's members in source order. Duplicate keys are
	// kept, and reported by the parser.
	Members []*Member
	// Elems holds an array's elements.
	Elems []*Node
}

// Member is one key/value pair of an object Node.
type Member struct {
	Key string
	// KeyPos is where the key starts.
	KeyPos Pos
	Value  *Node
}

// Get returns the first member named key, or nil.
func (n *Node) Get(key string) *Member {
	if n == nil {
		return nil
	}
	for _, m := range n.Members {
		if m.Key == key {
			return m
		}
	}
	return nil
}

// At returns the node at a JSON pointer relative to n ("" or "/" is n
// itself, "/States/A/Next" a member's value), or nil when there is none.
func (n *Node) At(pointer string) *Node {
	if pointer == "" || pointer == "/" {
		return n
	}
	if pointer[0] != '/' {
		return nil
	}
	for _, tok := range strings.Split(pointer[1:], "/") {
		if n == nil {
			return nil
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch n.Kind {
		case KindObject:
			m := n.Get(tok)
			if m == nil {
				return nil
			}
			n = m.Value
		case KindArray:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Elems) {
				return nil
			}
			n = n.Elems[i]
		default:
			return nil
		}
	}
	return n
}

// Value converts the node to a jsonv value (nil, bool, string, json.Number,
// []any, *jsonv.Object). Duplicate keys keep the last value.
func (n *Node) Value() any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case KindBool:
		return n.Bool
	case KindNumber:
		return json.Number(n.Text)
	case KindString:
		return n.Text
	case KindArray:
		out := make([]any, len(n.Elems))
		for i, e := range n.Elems {
			out[i] = e.Value()
		}
		return out
	case KindObject:
		o := jsonv.NewObject(len(n.Members))
		for _, m := range n.Members {
			o.Set(m.Key, m.Value.Value())
		}
		return o
	}
	return nil
}

// Source is a parsed document: the node tree and the text it came from.
type Source struct {
	// Root is the top-level value; nil when the text could not be decoded.
	Root *Node
	// Format is "json" or "yaml".
	Format string
	// Size is the length of the text in bytes.
	Size int
}

// ParseSource decodes a JSON or YAML document (detected by content: text
// whose first non-blank character is '{' or '[' is JSON) into a positional
// node tree. Syntax errors are reported as INVALID_JSON_DESCRIPTION with
// line:column. Duplicate keys are kept in the tree; Parse reports them.
func ParseSource(data []byte) (*Source, Diagnostics) {
	trimmed := strings.TrimLeft(string(data), " \t\r\n\ufeff")
	if trimmed == "" {
		return &Source{Format: "json", Size: len(data)}, Diagnostics{{
			Code: CodeSchemaValidationFailed, Severity: SeverityError,
			Message: "Definition must be a valid JSON object", Path: "/", Line: 1, Column: 1,
		}}
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		return parseJSONSource(data)
	}
	src, diags := parseYAMLSource(data)
	if src.Root != nil && src.Root.Kind != KindObject && src.Root.Kind != KindArray {
		// A lone word is no YAML mapping: report it as the JSON it likely
		// was meant to be, as AWS does.
		if js, jd := parseJSONSource(data); jd.HasErrors() {
			return js, jd
		}
	}
	return src, diags
}

func parseJSONSource(data []byte) (*Source, Diagnostics) {
	s := &scanner{data: data, line: 1}
	root, err := s.document()
	src := &Source{Format: "json", Size: len(data)}
	if err != nil {
		return src, Diagnostics{*err}
	}
	src.Root = root
	return src, nil
}

// maxNesting bounds the depth of a document so hostile input cannot exhaust
// the stack.
const maxNesting = 1000

// scanner is a small JSON decoder that records positions.
type scanner struct {
	data      []byte
	pos       int
	line      int
	lineStart int
	// colLine, colPos and col cache the column of colPos on the line that
	// starts at colLine.
	colLine, colPos, col int

	// Nodes and members are carved from slabs, and short strings (keys,
	// type names, paths) are shared, so a large document costs a few
	// allocations per hundred values rather than several per value.
	nodes   []Node
	members []Member
	// nodeSlab and memberSlab are the sizes of the last slabs, which the
	// next ones double (the slices' own capacity is gone once used up).
	nodeSlab, memberSlab int
	strs                 []string
	// stack holds the members and elements of the objects and arrays
	// being read; each container copies its own into an exact-size slice.
	memberStack []*Member
	elemStack   []*Node
}

func withText(n *Node, text string) *Node { n.Text = text; return n }

func withBool(n *Node, b bool) *Node { n.Bool = b; return n }

// slabSize is how many nodes or members the next slab holds: small
// documents get small slabs, large ones up to maxSlab.
func slabSize(done int) int { return min(max(16, done), maxSlab) }

const maxSlab = 256

// node returns a new node of kind k at pos from the slab; the caller sets
// the rest. (Filling a zero node field by field avoids copying, with write
// barriers, a whole Node.)
func (s *scanner) node(k Kind, pos Pos) *Node {
	if len(s.nodes) == 0 {
		s.nodeSlab = slabSize(s.nodeSlab * 2)
		s.nodes = make([]Node, s.nodeSlab)
	}
	p := &s.nodes[0]
	s.nodes = s.nodes[1:]
	p.Kind, p.Pos = k, pos
	return p
}

func (s *scanner) member(key string, kp Pos, v *Node) *Member {
	if len(s.members) == 0 {
		s.memberSlab = slabSize(s.memberSlab * 2)
		s.members = make([]Member, s.memberSlab)
	}
	p := &s.members[0]
	s.members = s.members[1:]
	p.Key, p.KeyPos, p.Value = key, kp, v
	return p
}

// maxInterned is the longest string the scanner shares between equal
// occurrences.
const maxInterned = 64

// text returns b as a string, shared with an earlier equal short string
// when the scanner's direct-mapped cache still holds it (a miss only costs
// the allocation it would have cost anyway).
func (s *scanner) text(b []byte) string {
	if len(b) > maxInterned || len(b) == 0 {
		return string(b)
	}
	if s.strs == nil {
		// About one slot per 32 bytes of input, a power of two.
		n := 64
		for n < len(s.data)/32 && n < 1<<14 {
			n <<= 1
		}
		s.strs = make([]string, n)
	}
	h := uint32(2166136261)
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	slot := &s.strs[h&uint32(len(s.strs)-1)]
	if *slot == string(b) {
		return *slot
	}
	*slot = string(b)
	return *slot
}

func (s *scanner) here() Pos {
	pos := min(s.pos, len(s.data))
	// Count characters from the last position asked for on this line, so a
	// long single-line document stays linear.
	if s.colLine != s.lineStart || s.colPos > pos {
		s.colLine, s.colPos, s.col = s.lineStart, s.lineStart, 0
	}
	s.col += columnOf(s.data[s.colPos:pos])
	s.colPos = pos
	return Pos{Line: s.line, Column: s.col + 1, Offset: s.pos}
}

// columnOf counts the characters of a line prefix (UTF-8 continuation bytes
// do not count).
func columnOf(b []byte) int {
	n := 0
	for _, c := range b {
		if c < 0x80 || c >= 0xC0 {
			n++
		}
	}
	return n
}

func (s *scanner) fail(format string, args ...any) *Diagnostic {
	p := s.here()
	return &Diagnostic{
		Code: CodeInvalidJSONDescription, Severity: SeverityError,
		Message: "invalid JSON: " + sprintf(format, args...), Path: "/",
		Line: p.Line, Column: p.Column,
	}
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\r':
			s.pos++
		case '\n':
			s.pos++
			s.line++
			s.lineStart = s.pos
		default:
			return
		}
	}
}

func (s *scanner) document() (*Node, *Diagnostic) {
	// A UTF-8 byte order mark is tolerated.
	if bytes.HasPrefix(s.data, []byte("\ufeff")) {
		s.pos = 3
		s.lineStart = 3
	}
	s.skipSpace()
	n, err := s.value(0)
	if err != nil {
		return nil, err
	}
	s.skipSpace()
	if s.pos < len(s.data) {
		return nil, s.fail("unexpected %s after the end of the document", describeByte(s.data[s.pos]))
	}
	return n, nil
}

func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return "byte 0x" + strconv.FormatUint(uint64(c), 16)
}

func (s *scanner) value(depth int) (*Node, *Diagnostic) {
	if depth > maxNesting {
		return nil, s.fail("nesting deeper than %d levels", maxNesting)
	}
	if s.pos >= len(s.data) {
		return nil, s.fail("unexpected end of input, expecting a value")
	}
	start := s.here()
	switch c := s.data[s.pos]; {
	case c == '{':
		return s.object(start, depth)
	case c == '[':
		return s.array(start, depth)
	case c == '"':
		str, err := s.str()
		if err != nil {
			return nil, err
		}
		return withText(s.node(KindString, start), str), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number(start)
	case s.word("true"):
		return withBool(s.node(KindBool, start), true), nil
	case s.word("false"):
		return s.node(KindBool, start), nil
	case s.word("null"):
		return s.node(KindNull, start), nil
	default:
		return nil, s.fail("unexpected %s, expecting a JSON value (string, number, array, object, true, false or null)", describeByte(c))
	}
}

func (s *scanner) word(w string) bool {
	if bytes.HasPrefix(s.data[s.pos:], []byte(w)) {
		s.pos += len(w)
		return true
	}
	return false
}

func (s *scanner) object(start Pos, depth int) (*Node, *Diagnostic) {
	n := s.node(KindObject, start)
	s.pos++ // {
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return n, nil
	}
	base := len(s.memberStack)
	for {
		if s.pos >= len(s.data) {
			return nil, s.fail("unexpected end of input inside an object")
		}
		if s.data[s.pos] != '"' {
			return nil, s.fail("unexpected %s, expecting a quoted field name", describeByte(s.data[s.pos]))
		}
		kp := s.here()
		key, err := s.str()
		if err != nil {
			return nil, err
		}
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return nil, s.fail("expecting ':' after field name %q", key)
		}
		s.pos++
		s.skipSpace()
		v, err := s.value(depth + 1)
		if err != nil {
			return nil, err
		}
		s.memberStack = append(s.memberStack, s.member(key, kp, v))
		s.skipSpace()
		if s.pos >= len(s.data) {
			return nil, s.fail("unexpected end of input inside an object")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.skipSpace()
		case '}':
			s.pos++
			// On an error the whole scan ends, so only success needs to
			// pop the stack.
			n.Members = append([]*Member(nil), s.memberStack[base:]...)
			s.memberStack = s.memberStack[:base]
			return n, nil
		default:
			return nil, s.fail("unexpected %s, expecting ',' or '}'", describeByte(s.data[s.pos]))
		}
	}
}

func (s *scanner) array(start Pos, depth int) (*Node, *Diagnostic) {
	n := s.node(KindArray, start)
	s.pos++ // [
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return n, nil
	}
	base := len(s.elemStack)
	for {
		v, err := s.value(depth + 1)
		if err != nil {
			return nil, err
		}
		s.elemStack = append(s.elemStack, v)
		s.skipSpace()
		if s.pos >= len(s.data) {
			return nil, s.fail("unexpected end of input inside an array")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			s.skipSpace()
		case ']':
			s.pos++
			n.Elems = append([]*Node(nil), s.elemStack[base:]...)
			s.elemStack = s.elemStack[:base]
			return n, nil
		default:
			return nil, s.fail("unexpected %s, expecting ',' or ']'", describeByte(s.data[s.pos]))
		}
	}
}

func (s *scanner) number(start Pos) (*Node, *Diagnostic) {
	b := s.pos
	if s.data[s.pos] == '-' {
		s.pos++
	}
	digits := func() int {
		n := 0
		for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
			s.pos++
			n++
		}
		return n
	}
	intStart := s.pos
	if digits() == 0 {
		return nil, s.fail("invalid number: expecting a digit")
	}
	if s.data[intStart] == '0' && s.pos-intStart > 1 {
		s.pos = intStart + 1
		return nil, s.fail("invalid number: leading zeros are not allowed")
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if digits() == 0 {
			return nil, s.fail("invalid number: expecting a digit after the decimal point")
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if digits() == 0 {
			return nil, s.fail("invalid number: expecting a digit in the exponent")
		}
	}
	return withText(s.node(KindNumber, start), s.text(s.data[b:s.pos])), nil
}

// str decodes a string starting at the opening quote.
func (s *scanner) str() (string, *Diagnostic) {
	s.pos++ // opening quote
	start := s.pos
	// Fast path: no escapes.
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		if c == '"' {
			out := s.text(s.data[start:s.pos])
			s.pos++
			return validUTF8(out), nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		s.pos++
	}
	var b strings.Builder
	b.Write(s.data[start:s.pos])
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return validUTF8(b.String()), nil
		case c < 0x20:
			return "", s.fail("control character %s in a string must be escaped", describeByte(c))
		case c == '\\':
			s.pos++
			if s.pos >= len(s.data) {
				return "", s.fail("unexpected end of input in a string escape")
			}
			e := s.data[s.pos]
			s.pos++
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := s.hex4()
				if !ok {
					return "", s.fail("invalid \\u escape: expecting four hex digits")
				}
				if utf16.IsSurrogate(r) {
					// A pair makes one character; a lone half becomes U+FFFD,
					// as jsonv decodes it.
					r2 := rune(-1)
					save := s.pos
					if bytes.HasPrefix(s.data[s.pos:], []byte("\\u")) {
						s.pos += 2
						if x, ok := s.hex4(); ok {
							r2 = x
						}
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
					} else {
						s.pos = save
						r = utf8.RuneError
					}
				}
				b.WriteRune(r)
			default:
				s.pos--
				return "", s.fail("invalid escape %s in a string", describeByte(e))
			}
		default:
			b.WriteByte(c)
			s.pos++
		}
	}
	// Point at the opening quote: the end of the input says little.
	s.pos = start - 1
	s.rewindLine()
	return "", s.fail("unterminated string (no closing quote before the end of the input)")
}

// rewindLine recomputes the line bookkeeping after s.pos moved backwards.
func (s *scanner) rewindLine() {
	s.line = 1 + strings.Count(string(s.data[:s.pos]), "\n")
	s.lineStart = strings.LastIndexByte(string(s.data[:s.pos]), '\n') + 1
}

// validUTF8 replaces invalid UTF-8 sequences with U+FFFD, as jsonv does.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string([]rune(s))
}

func (s *scanner) hex4() (rune, bool) {
	if s.pos+4 > len(s.data) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(s.data[s.pos:s.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	s.pos += 4
	return rune(v), true
}
