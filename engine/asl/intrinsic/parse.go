package intrinsic

import (
	"encoding/json"
	"fmt"
	"strings"

	"stepwise/engine/asl/jsonpath"
	"stepwise/engine/jsonv"
)

// ArgKind says what an argument of a call is.
type ArgKind uint8

const (
	// ArgString is a quoted string literal.
	ArgString ArgKind = iota
	// ArgNumber is a number literal.
	ArgNumber
	// ArgBool is true or false.
	ArgBool
	// ArgNull is null.
	ArgNull
	// ArgPath is a JSONPath ($..., $$..., $var...).
	ArgPath
	// ArgCall is a nested intrinsic call.
	ArgCall
)

// Arg is one argument of a call.
type Arg struct {
	Kind ArgKind
	// Value is the literal's value (string, json.Number, bool or nil).
	Value any
	// Raw is the text of a string literal between its quotes, escapes kept;
	// States.Format reads its template from it so that \{ and \} stay literal.
	Raw  string
	Path *jsonpath.Path
	Call *Call
}

// Call is a compiled intrinsic function call. It is immutable and safe for
// concurrent use.
type Call struct {
	// Name is the function's name, e.g. "States.Format".
	Name string
	Args []Arg
	fn   *function
	text string
}

// String returns the call as it was written.
func (c *Call) String() string { return c.text }

// ParseError reports an intrinsic call that cannot be compiled.
type ParseError struct {
	Text   string // the whole expression
	Offset int    // byte offset of the problem
	Msg    string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("invalid intrinsic function call %q at column %d: %s", e.Text, e.Offset+1, e.Msg)
}

// maxNesting is how deep calls may nest; AWS documents up to 10 nested calls.
const maxNesting = 10

// maxLen bounds the text of one call.
const maxLen = 1 << 16

// IsCall reports whether s looks like an intrinsic call ("States.Xxx(" after
// trimming blanks), as opposed to a path.
func IsCall(s string) bool {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "States.") {
		return false
	}
	rest := s[len("States."):]
	i := 0
	for i < len(rest) && isIdentChar(rest[i]) {
		i++
	}
	return i > 0 && i < len(rest) && rest[i] == '('
}

func isIdentChar(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// Parse compiles an intrinsic call: nested calls, string literals with
// escapes ('it\'s', \{ \} for States.Format), numbers, null, true, false and
// paths ($.x, $$.x, $var.x). It checks the function name, the number of
// arguments and the type of literal and nested-call arguments.
func Parse(s string) (*Call, error) {
	p := &parser{src: s}
	if len(s) > maxLen {
		return nil, p.errf(0, "expression longer than %d bytes", maxLen)
	}
	p.skipSpace()
	c, err := p.call(1)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(s) {
		return nil, p.errf(p.pos, "unexpected %q after the call", s[p.pos:])
	}
	return c, nil
}

type parser struct {
	src string
	pos int
}

func (p *parser) errf(off int, format string, args ...any) error {
	return &ParseError{Text: p.src, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *parser) call(depth int) (*Call, error) {
	if depth > maxNesting {
		return nil, p.errf(p.pos, "intrinsic functions nested deeper than %d levels", maxNesting)
	}
	start := p.pos
	for p.pos < len(p.src) && (isIdentChar(p.src[p.pos]) || p.src[p.pos] == '.') {
		p.pos++
	}
	name := p.src[start:p.pos]
	if name == "" {
		return nil, p.errf(start, "expected an intrinsic function name")
	}
	fn := functions[name]
	if fn == nil {
		return nil, p.errf(start, "unknown intrinsic function %q", name)
	}
	p.skipSpace()
	if p.peek() != '(' {
		return nil, p.errf(p.pos, "expected '(' after %s", name)
	}
	p.pos++
	c := &Call{Name: name, fn: fn}
	p.skipSpace()
	if p.peek() == ')' {
		p.pos++
	} else {
		for {
			p.skipSpace()
			a, err := p.arg(depth)
			if err != nil {
				return nil, err
			}
			c.Args = append(c.Args, a)
			p.skipSpace()
			if p.peek() == ',' {
				p.pos++
				continue
			}
			if p.peek() == ')' {
				p.pos++
				break
			}
			if p.pos >= len(p.src) {
				return nil, p.errf(p.pos, "missing ')' to close %s", name)
			}
			return nil, p.errf(p.pos, "expected ',' or ')' in the arguments of %s", name)
		}
	}
	c.text = p.src[start:p.pos]
	if err := fn.check(c); err != nil {
		return nil, p.errf(start, "%v", err)
	}
	return c, nil
}

func (p *parser) arg(depth int) (Arg, error) {
	start := p.pos
	c := p.peek()
	switch {
	case c == '\'':
		return p.stringLit()
	case c == '$':
		return p.pathArg()
	case c == '-' || (c >= '0' && c <= '9'):
		for p.pos < len(p.src) && strings.IndexByte("-+0123456789.eE", p.src[p.pos]) >= 0 {
			p.pos++
		}
		text := p.src[start:p.pos]
		v, err := jsonv.DecodeString(text)
		n, ok := v.(json.Number)
		if err != nil || !ok {
			return Arg{}, p.errf(start, "invalid number %q", text)
		}
		return Arg{Kind: ArgNumber, Value: n}, nil
	case strings.HasPrefix(p.src[p.pos:], "States."):
		sub, err := p.call(depth + 1)
		if err != nil {
			return Arg{}, err
		}
		return Arg{Kind: ArgCall, Call: sub}, nil
	}
	word := p.word()
	switch word {
	case "true":
		return Arg{Kind: ArgBool, Value: true}, nil
	case "false":
		return Arg{Kind: ArgBool, Value: false}, nil
	case "null":
		return Arg{Kind: ArgNull}, nil
	case "":
		return Arg{}, p.errf(start, "expected an argument")
	}
	p.pos = start
	return Arg{}, p.errf(start, "unexpected %q: an argument is a 'string', a number, true, false, null, a path or a States.* call", word)
}

func (p *parser) word() string {
	start := p.pos
	for p.pos < len(p.src) && isIdentChar(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

// stringLit reads '...'. \' \\ \{ \} unescape to the character; AWS
// rejects any other escape (recorded: 'An \"escaped\" quote' is invalid).
func (p *parser) stringLit() (Arg, error) {
	start := p.pos
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case '\\':
			if p.pos+1 >= len(p.src) {
				return Arg{}, p.errf(start, "unterminated string literal")
			}
			n := p.src[p.pos+1]
			switch n {
			case '\'', '\\', '{', '}':
				b.WriteByte(n)
			default:
				return Arg{}, p.errf(p.pos, "illegal escape sequence \\%c in a string literal: only \\' \\{ \\} and \\\\ are allowed", n)
			}
			p.pos += 2
		case '\'':
			raw := p.src[start+1 : p.pos]
			p.pos++
			return Arg{Kind: ArgString, Value: b.String(), Raw: raw}, nil
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return Arg{}, p.errf(start, "unterminated string literal")
}

// pathArg reads a path up to the ',' or ')' that ends it, skipping brackets,
// parentheses and quotes inside it (filters may hold both).
func (p *parser) pathArg() (Arg, error) {
	start := p.pos
	depth := 0
	var quote byte
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if quote != 0 {
			switch c {
			case '\\':
				p.pos++
			case quote:
				quote = 0
			}
			p.pos++
			continue
		}
		switch c {
		case '\'', '"':
			quote = c
		case '[', '(':
			depth++
		case ']':
			depth--
		case ')':
			if depth == 0 {
				goto done
			}
			depth--
		case ',':
			if depth == 0 {
				goto done
			}
		}
		p.pos++
	}
done:
	text := strings.TrimRight(p.src[start:p.pos], " \t\r\n")
	path, err := jsonpath.Parse(text)
	if err != nil {
		return Arg{}, p.errf(start, "%v", err)
	}
	return Arg{Kind: ArgPath, Path: path}, nil
}
