package jsonpath

import (
	"fmt"
	"strconv"
	"strings"
)

// Root says which document a path starts from.
type Root int

const (
	// RootInput is "$": the state input (or the current item in a filter).
	RootInput Root = iota
	// RootContext is "$$": the context object.
	RootContext
	// RootVariable is "$name": a variable set by Assign (JSONPath mode).
	RootVariable
)

// String names the root as it is written.
func (r Root) String() string {
	switch r {
	case RootContext:
		return "$$"
	case RootVariable:
		return "$var"
	default:
		return "$"
	}
}

type segKind uint8

const (
	segName     segKind = iota // ['a']
	segIndex                   // [3], [-1]
	segNames                   // ['a','b']
	segIndexes                 // [0,2]
	segSlice                   // [1:3], [::2]
	segWildcard                // [*], .*
	segDescend                 // .. (applies the next segment to every node below)
	segFilter                  // [?(...)]
	segFunc                    // .length()
)

// segment is one compiled step of a path.
type segment struct {
	kind    segKind
	name    string
	index   int
	names   []string
	indexes []int
	// slice bounds; hasFrom/hasTo say whether they were written.
	from, to, step int
	hasFrom, hasTo bool
	filter         *expr
	fn             string
	fragment       string // Jayway's normalized text of this segment
	pos            int    // byte offset of the segment in the path
}

// Path is a compiled JSONPath. It is immutable and safe for concurrent use.
type Path struct {
	text     string
	root     Root
	variable string
	segs     []segment
	definite bool
	norm     string // Jayway's normalized form, e.g. $['a'][0]
}

// String returns the path as it was written.
func (p *Path) String() string { return p.text }

// Root returns the document the path starts from.
func (p *Path) Root() Root { return p.root }

// Variable returns the variable name of a RootVariable path ("" otherwise).
func (p *Path) Variable() string { return p.variable }

// IsDefinite reports whether the path can match at most one value (Jayway's
// definition: only single names, single indexes and a trailing function).
func (p *Path) IsDefinite() bool { return p.definite }

// Normalized returns the path in Jayway's normalized form, e.g. "$['a'][0]",
// as Jayway prints it in its error messages.
func (p *Path) Normalized() string { return p.norm }

// IsRoot reports whether the path is the bare root ("$", "$$" or "$name").
func (p *Path) IsRoot() bool { return len(p.segs) == 0 }

// SyntaxError reports a path that cannot be compiled.
type SyntaxError struct {
	Path   string // the path as written
	Offset int    // byte offset of the problem in Path
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSONPath %q at column %d: %s", e.Path, e.Offset+1, e.Msg)
}

// maxPathLen bounds the text of a path; AWS limits definitions far below it.
const maxPathLen = 1 << 16

// maxFilterDepth bounds nesting inside filter expressions.
const maxFilterDepth = 64

// Parse compiles any JSONPath AWS accepts in JSONPath mode: "$", "$$" and
// "$name" roots, .name, ['name'], ["name"], [n], [-n], [*], .*, .., unions,
// slices, filters [?(...)] and trailing functions such as .length().
func Parse(s string) (*Path, error) {
	p := &parser{src: s}
	return p.parse()
}

// ParseReference compiles an AWS reference path: a definite path made of
// names and non-negative indexes only, as ResultPath requires. The error says
// which construct is not allowed.
func ParseReference(s string) (*Path, error) {
	p, err := Parse(s)
	if err != nil {
		return nil, err
	}
	for _, sg := range p.segs {
		var what string
		switch sg.kind {
		case segName:
			continue
		case segIndex:
			if sg.index >= 0 {
				continue
			}
			what = "a negative index"
		case segNames, segIndexes:
			what = "a union ([a,b])"
		case segSlice:
			what = "an array slice ([start:end])"
		case segWildcard:
			what = "a wildcard (*)"
		case segDescend:
			what = "a deep scan (..)"
		case segFilter:
			what = "a filter ([?(...)])"
		case segFunc:
			what = "a function call (" + sg.fn + "())"
		}
		return nil, &SyntaxError{Path: s, Offset: sg.pos, Msg: "a reference path cannot contain " + what}
	}
	return p, nil
}

type parser struct {
	src   string
	pos   int
	depth int
}

func (p *parser) errf(off int, format string, args ...any) error {
	return &SyntaxError{Path: p.src, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func (p *parser) parse() (*Path, error) {
	s := p.src
	if len(s) > maxPathLen {
		return nil, p.errf(0, "path longer than %d bytes", maxPathLen)
	}
	if s == "" {
		return nil, p.errf(0, "path is empty")
	}
	if s[0] != '$' {
		return nil, p.errf(0, "path must start with '$'")
	}
	path := &Path{text: s, root: RootInput}
	p.pos = 1
	switch {
	case p.peek() == '$':
		path.root = RootContext
		p.pos++
	case !p.eof() && isIdentStart(p.peek()):
		start := p.pos
		for !p.eof() && isIdentChar(p.peek()) {
			p.pos++
		}
		path.root = RootVariable
		path.variable = s[start:p.pos]
	}
	segs, err := p.segments(false)
	if err != nil {
		return nil, err
	}
	if !p.eof() {
		return nil, p.errf(p.pos, "unexpected %q", p.peek())
	}
	path.segs = segs
	path.definite = true
	var norm strings.Builder
	norm.WriteString(s[:rootLen(path)])
	for _, sg := range segs {
		switch sg.kind {
		case segName, segIndex, segFunc:
		default:
			path.definite = false
		}
		norm.WriteString(sg.fragment)
	}
	path.norm = norm.String()
	return path, nil
}

func rootLen(p *Path) int {
	switch p.root {
	case RootContext:
		return 2
	case RootVariable:
		return 1 + len(p.variable)
	}
	return 1
}

// segments parses segments until the end of the path or, inside a filter,
// until a character that cannot continue a path.
func (p *parser) segments(inFilter bool) ([]segment, error) {
	var segs []segment
	for !p.eof() {
		c := p.peek()
		start := p.pos
		add := func(sg segment) {
			sg.pos = start
			segs = append(segs, sg)
		}
		switch c {
		case '.':
			if strings.HasPrefix(p.src[p.pos:], "..") {
				p.pos += 2
				add(segment{kind: segDescend, fragment: ".."})
				if p.eof() {
					return nil, p.errf(p.pos, "path must not end with '..'")
				}
				switch p.peek() {
				case '[':
					sg, err := p.bracket()
					if err != nil {
						return nil, err
					}
					add(sg)
				case '*':
					p.pos++
					add(segment{kind: segWildcard, fragment: "[*]"})
				default:
					sg, err := p.dotName(inFilter)
					if err != nil {
						return nil, err
					}
					if sg.kind == segFunc {
						return nil, p.errf(p.pos, "a function cannot follow '..'")
					}
					add(sg)
				}
				continue
			}
			p.pos++
			if p.eof() {
				return nil, p.errf(p.pos, "path must not end with '.'")
			}
			if p.peek() == '*' {
				p.pos++
				add(segment{kind: segWildcard, fragment: "[*]"})
				continue
			}
			if p.peek() == '[' {
				return nil, p.errf(p.pos, "unexpected '[' after '.'")
			}
			sg, err := p.dotName(inFilter)
			if err != nil {
				return nil, err
			}
			add(sg)
			if sg.kind == segFunc {
				p.skipSpaceIf(inFilter)
				if !p.eof() && (!inFilter || isPathContinuation(p.peek())) {
					return nil, p.errf(p.pos, "a function must be the last part of a path")
				}
				return segs, nil
			}
		case '[':
			sg, err := p.bracket()
			if err != nil {
				return nil, err
			}
			add(sg)
		default:
			if inFilter {
				return segs, nil
			}
			return nil, p.errf(p.pos, "expected '.' or '[' but found %q", c)
		}
	}
	return segs, nil
}

func (p *parser) skipSpaceIf(b bool) {
	if b {
		p.skipSpace()
	}
}

func isPathContinuation(c byte) bool { return c == '.' || c == '[' }

// jaywayFunctions are the functions Jayway allows at the end of a path.
var jaywayFunctions = map[string]bool{
	"length": true, "size": true, "min": true, "max": true, "avg": true,
	"stddev": true, "sum": true, "keys": true, "first": true, "last": true,
}

// dotName reads the name after '.', which in Jayway runs until '.', '[' or
// '(' (a function call); a blank is an error outside filters.
func (p *parser) dotName(inFilter bool) (segment, error) {
	start := p.pos
	for !p.eof() {
		c := p.peek()
		if c == '.' || c == '[' || c == '(' {
			break
		}
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			if inFilter {
				break
			}
			return segment{}, p.errf(p.pos, "use bracket notation ['my prop'] for a name that contains blanks")
		}
		if inFilter && (c == ')' || c == '=' || c == '!' || c == '<' || c == '>' || c == '&' || c == '|' || c == ',' || c == ']' || c == '~') {
			break
		}
		p.pos++
	}
	name := p.src[start:p.pos]
	if name == "" {
		return segment{}, p.errf(p.pos, "expected a name")
	}
	if p.peek() == '(' {
		p.pos++
		p.skipSpace()
		if p.peek() != ')' {
			return segment{}, p.errf(p.pos, "function %s() takes no arguments here", name)
		}
		p.pos++
		if !jaywayFunctions[name] {
			return segment{}, p.errf(start, "unknown function %s()", name)
		}
		return segment{kind: segFunc, fn: name, fragment: "." + name + "()"}, nil
	}
	return segment{kind: segName, name: name, fragment: "['" + name + "']"}, nil
}

// bracket parses [...] at p.pos.
func (p *parser) bracket() (segment, error) {
	open := p.pos
	p.pos++ // [
	p.skipSpace()
	if p.eof() {
		return segment{}, p.errf(open, "unclosed '['")
	}
	switch c := p.peek(); {
	case c == '?':
		return p.filterSeg(open)
	case c == '*':
		p.pos++
		p.skipSpace()
		if p.peek() != ']' {
			return segment{}, p.errf(p.pos, "expected ']' after '*'")
		}
		p.pos++
		return segment{kind: segWildcard, fragment: "[*]"}, nil
	case c == '\'' || c == '"':
		var names []string
		for {
			p.skipSpace()
			if q := p.peek(); q != '\'' && q != '"' {
				return segment{}, p.errf(p.pos, "expected a quoted name")
			}
			name, err := p.quoted()
			if err != nil {
				return segment{}, err
			}
			names = append(names, name)
			p.skipSpace()
			if p.peek() == ',' {
				p.pos++
				continue
			}
			if p.peek() != ']' {
				return segment{}, p.errf(p.pos, "expected ',' or ']' after a name")
			}
			p.pos++
			break
		}
		if len(names) == 1 {
			return segment{kind: segName, name: names[0], fragment: "['" + names[0] + "']"}, nil
		}
		frag := "['" + strings.Join(names, "','") + "']"
		return segment{kind: segNames, names: names, fragment: frag}, nil
	case c == '-' || c == ':' || (c >= '0' && c <= '9'):
		return p.indexSeg(open)
	default:
		return segment{}, p.errf(p.pos, "unexpected %q in brackets", c)
	}
}

// quoted reads a '...' or "..." name. As in the Jayway version AWS runs, a
// backslash only keeps the next character from ending the name: it stays in
// the name (recorded: $['Test\""Name"'] selects the key Test\""Name").
func (p *parser) quoted() (string, error) {
	q := p.peek()
	start := p.pos
	p.pos++
	for !p.eof() {
		c := p.peek()
		if c == '\\' && p.pos+1 < len(p.src) {
			p.pos += 2
			continue
		}
		if c == q {
			p.pos++
			return p.src[start+1 : p.pos-1], nil
		}
		p.pos++
	}
	return "", p.errf(start, "unterminated quoted name")
}

func (p *parser) int() (int, bool) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	for !p.eof() && p.peek() >= '0' && p.peek() <= '9' {
		p.pos++
	}
	if p.pos == start || (p.pos == start+1 && p.src[start] == '-') {
		p.pos = start
		return 0, false
	}
	n, err := strconv.Atoi(p.src[start:p.pos])
	if err != nil || n > 1<<31 || n < -(1<<31) {
		p.pos = start
		return 0, false
	}
	return n, true
}

func (p *parser) indexSeg(open int) (segment, error) {
	// slice?
	save := p.pos
	first, hasFirst := p.int()
	p.skipSpace()
	if p.peek() == ':' {
		sg := segment{kind: segSlice, from: first, hasFrom: hasFirst, step: 1}
		p.pos++
		p.skipSpace()
		sg.to, sg.hasTo = p.int()
		p.skipSpace()
		if p.peek() == ':' {
			p.pos++
			p.skipSpace()
			if st, ok := p.int(); ok {
				if st == 0 {
					return segment{}, p.errf(p.pos, "slice step must not be 0")
				}
				sg.step = st
			}
			p.skipSpace()
		}
		if p.peek() != ']' {
			return segment{}, p.errf(p.pos, "expected ']' to close the slice")
		}
		p.pos++
		sg.fragment = p.src[open:p.pos]
		return sg, nil
	}
	if !hasFirst {
		p.pos = save
		return segment{}, p.errf(p.pos, "expected an index")
	}
	idx := []int{first}
	for {
		p.skipSpace()
		if p.peek() == ']' {
			p.pos++
			break
		}
		if p.peek() != ',' {
			return segment{}, p.errf(p.pos, "expected ',' or ']' after an index")
		}
		p.pos++
		p.skipSpace()
		n, ok := p.int()
		if !ok {
			return segment{}, p.errf(p.pos, "expected an index")
		}
		idx = append(idx, n)
	}
	if len(idx) == 1 {
		return segment{kind: segIndex, index: idx[0], fragment: "[" + strconv.Itoa(idx[0]) + "]"}, nil
	}
	parts := make([]string, len(idx))
	for i, n := range idx {
		parts[i] = strconv.Itoa(n)
	}
	return segment{kind: segIndexes, indexes: idx, fragment: "[" + strings.Join(parts, ",") + "]"}, nil
}

func (p *parser) filterSeg(open int) (segment, error) {
	p.pos++ // ?
	p.skipSpace()
	if p.peek() != '(' {
		return segment{}, p.errf(p.pos, "expected '(' after '[?'")
	}
	p.pos++
	e, err := p.orExpr()
	if err != nil {
		return segment{}, err
	}
	p.skipSpace()
	if p.peek() != ')' {
		return segment{}, p.errf(p.pos, "expected ')' to close the filter")
	}
	p.pos++
	p.skipSpace()
	if p.peek() != ']' {
		return segment{}, p.errf(p.pos, "expected ']' to close the filter")
	}
	p.pos++
	return segment{kind: segFilter, filter: e, fragment: "[?]"}, nil
}
