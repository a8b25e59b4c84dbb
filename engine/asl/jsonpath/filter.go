package jsonpath

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"stepwise/engine/jsonv"
)

// expr is a compiled filter expression ([?(...)]).
type expr struct {
	op    string // "||", "&&", "!", "exists", or a relational operator
	left  *expr  // for "||", "&&", "!"
	right *expr
	a, b  operand // for relational operators; a only for "exists"
}

type operandKind uint8

const (
	opLiteral  operandKind = iota
	opRelative             // @...
	opAbsolute             // $...
	opRegex
)

type operand struct {
	kind  operandKind
	value any   // literal
	path  *Path // for @ and $ paths (root is the current item or the document)
	re    *regexp.Regexp
}

// undefined marks a path operand that matched nothing.
type undefinedT struct{}

var undefined = undefinedT{}

func (p *parser) orExpr() (*expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxFilterDepth {
		return nil, p.errf(p.pos, "filter nested deeper than %d levels", maxFilterDepth)
	}
	l, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.src[p.pos:], "||") {
			return l, nil
		}
		p.pos += 2
		r, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		l = &expr{op: "||", left: l, right: r}
	}
}

func (p *parser) andExpr() (*expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.src[p.pos:], "&&") {
			return l, nil
		}
		p.pos += 2
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &expr{op: "&&", left: l, right: r}
	}
}

func (p *parser) unary() (*expr, error) {
	p.skipSpace()
	switch p.peek() {
	case '!':
		if !strings.HasPrefix(p.src[p.pos:], "!=") {
			p.pos++
			p.depth++
			defer func() { p.depth-- }()
			if p.depth > maxFilterDepth {
				return nil, p.errf(p.pos, "filter nested deeper than %d levels", maxFilterDepth)
			}
			e, err := p.unary()
			if err != nil {
				return nil, err
			}
			return &expr{op: "!", left: e}, nil
		}
	case '(':
		p.pos++
		e, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ')' {
			return nil, p.errf(p.pos, "expected ')'")
		}
		p.pos++
		return e, nil
	}
	return p.relation()
}

var relOps = []string{"===", "!==", "==", "!=", "<=", ">=", "=~", "<", ">"}
var wordOps = []string{"subsetof", "contains", "noneof", "anyof", "empty", "size", "nin", "in"}

func (p *parser) relation() (*expr, error) {
	start := p.pos
	a, err := p.operand()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	op := ""
	for _, o := range relOps {
		if strings.HasPrefix(p.src[p.pos:], o) {
			op = o
			break
		}
	}
	if op == "" {
		for _, o := range wordOps {
			if strings.HasPrefix(p.src[p.pos:], o) {
				end := p.pos + len(o)
				if end < len(p.src) && isIdentChar(p.src[end]) {
					continue
				}
				op = o
				break
			}
		}
	}
	if op == "" {
		if a.kind != opRelative && a.kind != opAbsolute {
			return nil, p.errf(start, "expected a comparison operator after a literal")
		}
		return &expr{op: "exists", a: a}, nil
	}
	p.pos += len(op)
	switch op {
	case "===":
		op = "=="
	case "!==":
		op = "!="
	}
	b, err := p.operand()
	if err != nil {
		return nil, err
	}
	return &expr{op: op, a: a, b: b}, nil
}

func (p *parser) operand() (operand, error) {
	p.skipSpace()
	if p.eof() {
		return operand{}, p.errf(p.pos, "unexpected end of filter")
	}
	start := p.pos
	switch c := p.peek(); {
	case c == '@' || c == '$':
		p.pos++
		segs, err := p.segments(true)
		if err != nil {
			return operand{}, err
		}
		path := &Path{text: p.src[start:p.pos], segs: segs, definite: true}
		var norm strings.Builder
		norm.WriteByte(c)
		for _, sg := range segs {
			switch sg.kind {
			case segName, segIndex, segFunc:
			default:
				path.definite = false
			}
			norm.WriteString(sg.fragment)
		}
		path.norm = norm.String()
		kind := opRelative
		if c == '$' {
			kind = opAbsolute
		}
		return operand{kind: kind, path: path}, nil
	case c == '\'' || c == '"':
		s, err := p.quoted()
		if err != nil {
			return operand{}, err
		}
		// Unlike bracket names, Jayway unescapes string literals in filters.
		return operand{value: unescape(s)}, nil
	case c == '/':
		return p.regex()
	case c == '-' || (c >= '0' && c <= '9'):
		for !p.eof() && strings.IndexByte("-+0123456789.eE", p.peek()) >= 0 {
			p.pos++
		}
		text := p.src[start:p.pos]
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			return operand{}, p.errf(start, "invalid number %q", text)
		}
		v, err := jsonv.DecodeString(text)
		if err != nil {
			// Jayway accepts forms JSON does not (e.g. "01", "1."); keep the float.
			f, _ := strconv.ParseFloat(text, 64)
			v = jsonv.FloatNumber(f)
		}
		return operand{value: v}, nil
	case strings.HasPrefix(p.src[p.pos:], "true"):
		p.pos += 4
		return operand{value: true}, nil
	case strings.HasPrefix(p.src[p.pos:], "false"):
		p.pos += 5
		return operand{value: false}, nil
	case strings.HasPrefix(p.src[p.pos:], "null"):
		p.pos += 4
		return operand{value: nil}, nil
	case c == '[':
		v, err := p.arrayLiteral()
		if err != nil {
			return operand{}, err
		}
		return operand{value: v}, nil
	case c == '{':
		end, err := p.balancedEnd('{', '}')
		if err != nil {
			return operand{}, err
		}
		v, derr := jsonv.DecodeString(p.src[start:end])
		if derr != nil {
			return operand{}, p.errf(start, "invalid JSON object in filter: %v", derr)
		}
		p.pos = end
		return operand{value: v}, nil
	default:
		return operand{}, p.errf(start, "unexpected %q in filter", c)
	}
}

func (p *parser) arrayLiteral() ([]any, error) {
	p.pos++ // [
	out := []any{}
	p.skipSpace()
	if p.peek() == ']' {
		p.pos++
		return out, nil
	}
	for {
		o, err := p.operand()
		if err != nil {
			return nil, err
		}
		if o.kind != opLiteral {
			return nil, p.errf(p.pos, "array literals in filters may hold only literal values")
		}
		out = append(out, o.value)
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return out, nil
		default:
			return nil, p.errf(p.pos, "expected ',' or ']' in array literal")
		}
	}
}

func (p *parser) balancedEnd(open, closeCh byte) (int, error) {
	depth := 0
	var quote byte
	for i := p.pos; i < len(p.src); i++ {
		c := p.src[i]
		if quote != 0 {
			switch c {
			case '\\':
				i++
			case quote:
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'':
			quote = c
		case open:
			depth++
		case closeCh:
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		}
	}
	return 0, p.errf(p.pos, "unbalanced %q", open)
}

func (p *parser) regex() (operand, error) {
	start := p.pos
	p.pos++ // /
	var b strings.Builder
	for {
		if p.eof() {
			return operand{}, p.errf(start, "unterminated regular expression")
		}
		c := p.peek()
		if c == '\\' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '/' {
			b.WriteByte('/')
			p.pos += 2
			continue
		}
		if c == '\\' && p.pos+1 < len(p.src) {
			b.WriteString(p.src[p.pos : p.pos+2])
			p.pos += 2
			continue
		}
		if c == '/' {
			p.pos++
			break
		}
		b.WriteByte(c)
		p.pos++
	}
	flags := ""
	for !p.eof() && strings.IndexByte("imsxu", p.peek()) >= 0 {
		if c := p.peek(); c != 'x' && c != 'u' && !strings.ContainsRune(flags, rune(c)) {
			flags += string(c)
		}
		p.pos++
	}
	src := b.String()
	if flags != "" {
		src = "(?" + flags + ")" + src
	}
	// Jayway matches the whole input (Matcher.matches).
	re, err := regexp.Compile(`^(?:` + src + `)$`)
	if err != nil {
		return operand{}, p.errf(start, "invalid regular expression: %v", err)
	}
	return operand{kind: opRegex, re: re}, nil
}

// eval evaluates the filter against one candidate item.
func (e *expr) eval(item, root any) bool {
	switch e.op {
	case "||":
		return e.left.eval(item, root) || e.right.eval(item, root)
	case "&&":
		return e.left.eval(item, root) && e.right.eval(item, root)
	case "!":
		return !e.left.eval(item, root)
	case "exists":
		v := e.a.resolve(item, root)
		return v != undefined
	}
	a := e.a.resolve(item, root)
	b := e.b.resolve(item, root)
	switch e.op {
	case "==":
		return filterEqual(a, b)
	case "!=":
		return !filterEqual(a, b)
	case "<", "<=", ">", ">=":
		c, ok := filterCompare(a, b)
		if !ok {
			return false
		}
		switch e.op {
		case "<":
			return c < 0
		case "<=":
			return c <= 0
		case ">":
			return c > 0
		default:
			return c >= 0
		}
	case "=~":
		var re *regexp.Regexp
		var in any
		switch {
		case e.b.kind == opRegex:
			re, in = e.b.re, a
		case e.a.kind == opRegex:
			re, in = e.a.re, b
		default:
			return false
		}
		switch s := in.(type) {
		case string:
			return re.MatchString(s)
		case json.Number:
			return re.MatchString(string(s))
		case bool:
			return re.MatchString(strconv.FormatBool(s))
		}
		return false
	case "in":
		return containsValue(b, a)
	case "nin":
		if a == undefined {
			return true
		}
		arr, ok := b.([]any)
		return ok && !containsValue(arr, a)
	case "subsetof":
		la, ok1 := a.([]any)
		ra, ok2 := b.([]any)
		if !ok1 || !ok2 {
			return false
		}
		for _, x := range la {
			if !containsValue(ra, x) {
				return false
			}
		}
		return true
	case "anyof", "noneof":
		la, ok1 := a.([]any)
		ra, ok2 := b.([]any)
		if !ok1 || !ok2 {
			return false
		}
		found := false
		for _, x := range la {
			if containsValue(ra, x) {
				found = true
				break
			}
		}
		if e.op == "anyof" {
			return found
		}
		return !found
	case "size":
		n, ok := jsonv.Int(b)
		if !ok {
			return false
		}
		switch x := a.(type) {
		case string:
			return int64(utf8.RuneCountInString(x)) == n
		case []any:
			return int64(len(x)) == n
		}
		return false
	case "empty":
		want, ok := b.(bool)
		if !ok {
			return false
		}
		switch x := a.(type) {
		case string:
			return (x == "") == want
		case []any:
			return (len(x) == 0) == want
		}
		return false
	case "contains":
		switch x := a.(type) {
		case string:
			s, ok := b.(string)
			return ok && strings.Contains(x, s)
		case []any:
			return containsValue(x, b)
		}
		return false
	}
	return false
}

func containsValue(arr any, v any) bool {
	xs, ok := arr.([]any)
	if !ok || v == undefined {
		return false
	}
	for _, x := range xs {
		if filterEqual(v, x) {
			return true
		}
	}
	return false
}

// resolve evaluates an operand; a path that matches nothing is undefined.
func (o *operand) resolve(item, root any) any {
	switch o.kind {
	case opLiteral:
		return o.value
	case opRegex:
		return undefined
	}
	doc := item
	if o.kind == opAbsolute {
		doc = root
	}
	if o.path.definite {
		v, ok := o.path.lookup(doc)
		if !ok {
			return undefined
		}
		return v
	}
	return o.path.collect(doc, root)
}

// filterEqual follows Jayway's value-node equality: a number equals a string
// holding the same number when the number is on the left, and a string equals
// a number's text when the string is on the left.
func filterEqual(a, b any) bool {
	if a == undefined || b == undefined {
		return false
	}
	an, aNum := a.(json.Number)
	bn, bNum := b.(json.Number)
	as, aStr := a.(string)
	bs, bStr := b.(string)
	switch {
	case aNum && bNum:
		return jsonv.CompareNumbers(an, bn) == 0
	case aNum && bStr:
		v, err := jsonv.DecodeString(strings.TrimSpace(bs))
		n, ok := v.(json.Number)
		return err == nil && ok && jsonv.CompareNumbers(an, n) == 0
	case aStr && bNum:
		return as == string(bn)
	}
	return jsonv.Equal(a, b)
}

func filterCompare(a, b any) (int, bool) {
	switch x := a.(type) {
	case json.Number:
		if y, ok := b.(json.Number); ok {
			return jsonv.CompareNumbers(x, y), true
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	}
	return 0, false
}

// unescape resolves Java-style backslash escapes in a filter string literal.
func unescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch n := s[i]; n {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if i+4 < len(s) {
				if r, err := strconv.ParseUint(s[i+1:i+5], 16, 32); err == nil {
					b.WriteRune(rune(r))
					i += 4
					continue
				}
			}
			b.WriteByte(n)
		default:
			b.WriteByte(n)
		}
	}
	return b.String()
}
