package jsonata

// node is one node of the syntax tree. Before processing it is the raw Pratt
// parse tree; processAST turns it into the evaluation tree (paths with steps,
// predicates and stages, tuple-stream flags, parent slots), as jsonata-js does.
type node struct {
	typ   string // binary, unary, name, variable, string, number, value, regex, path, ...
	id    string // parser symbol id (operator text, "(name)", "(literal)", ...)
	value any
	pos   int

	lhs, rhs   *node
	exprs      []*node    // array constructor, block
	pairs      [][2]*node // object constructor (unary {) or group pairs
	steps      []*node
	args       []*node
	procedure  *node
	body       *node
	condition  *node
	then, els  *node
	pattern    *node
	update     *node
	del        *node
	terms      []sortTerm
	group      *groupSpec
	predicate  []stage
	stages     []stage
	sig        *signature
	focus      string
	index      string
	ancestor   *slot
	slot       *slot
	seeking    []*slot
	hasSeeking bool
	nextFunc   string
	keepArray  bool
	keepSingle bool // keepSingletonArray on a path
	consarray  bool
	tuple      bool
	thunk      bool
	hasElse    bool
	isPartial  bool // a "?" placeholder argument
	shared     bool
	processed  *node
	name       string
}

type sortTerm struct {
	descending bool
	expr       *node
}

type groupSpec struct {
	pairs [][2]*node
	pos   int
}

type stage struct {
	typ   string // filter or index
	expr  *node
	value string
	pos   int
}

type slot struct {
	label string
	level int
	index int
}

type parser struct {
	lex lexer
	src string
	cur *node

	ancestorLabel int
	ancestorIndex int
	ancestry      []*node
	depth         int
}

// maxParseDepth bounds the nesting of the parse so hostile input cannot
// exhaust the Go stack.
const maxParseDepth = 500

func parse(src string) (n *node, err error) {
	p := &parser{lex: lexer{src: []byte(src)}, src: src}
	if err := p.advance("", false); err != nil {
		return nil, err
	}
	expr, err := p.expression(0)
	if err != nil {
		return nil, err
	}
	if p.cur.id != "(end)" {
		return nil, errTok("S0201", p.cur.pos, tokenText(p.cur.value))
	}
	expr, err = p.processAST(expr)
	if err != nil {
		return nil, err
	}
	if expr.typ == "parent" || expr.hasSeeking {
		return nil, errTok("S0217", expr.pos, expr.typ)
	}
	return expr, nil
}

func tokenText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case *regexLit:
		return "/" + x.source + "/"
	}
	return stringify(v, false)
}

func (p *parser) advance(id string, infix bool) error {
	if id != "" && p.cur.id != id {
		code := "S0202"
		if p.cur.id == "(end)" {
			code = "S0203"
		}
		return &Error{Code: code, Position: p.cur.pos, Token: tokenText(p.cur.value), Value: id}
	}
	t, ok, err := p.lex.next(infix)
	if err != nil {
		return err
	}
	if !ok {
		p.cur = &node{id: "(end)", typ: "(end)", pos: len(p.src)}
		return nil
	}
	n := &node{value: t.value, pos: t.pos}
	switch t.kind {
	case tkName:
		n.id, n.typ = "(name)", "name"
	case tkVariable:
		n.id, n.typ = "(name)", "variable"
	case tkOperator:
		op := t.value.(string)
		if _, ok := operators[op]; !ok || op == "!" || op == "~" {
			return errTok("S0204", t.pos, op)
		}
		n.id, n.typ = op, "operator"
	case tkString:
		n.id, n.typ = "(literal)", "string"
	case tkNumber:
		n.id, n.typ = "(literal)", "number"
	case tkValue:
		n.id, n.typ = "(literal)", "value"
	case tkRegex:
		n.id, n.typ = "(regex)", "regex"
	}
	p.cur = n
	return nil
}

// lbp is the left binding power of the current symbol: only symbols with an
// infix meaning bind to the left.
func lbp(n *node) int {
	switch n.id {
	case ".", "+", "-", "*", "/", "%", "=", "<", ">", "!=", "<=", ">=", "&", "and", "or", "in",
		"~>", "(", "[", "^", "{", ":=", "@", "#", "?", "??", "?:":
		return operators[n.id]
	}
	return 0
}

func (p *parser) expression(rbp int) (*node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxParseDepth {
		return nil, errTok("S0201", p.cur.pos, "(nesting too deep)")
	}
	t := p.cur
	if err := p.advance("", true); err != nil {
		return nil, err
	}
	left, err := p.nud(t)
	if err != nil {
		return nil, err
	}
	for rbp < lbp(p.cur) {
		t = p.cur
		if err := p.advance("", false); err != nil {
			return nil, err
		}
		left, err = p.led(t, left)
		if err != nil {
			return nil, err
		}
	}
	return left, nil
}

func (p *parser) nud(t *node) (*node, error) {
	switch t.id {
	case "(end)", "(name)", "(literal)", "(regex)", "and", "or", "in":
		return t, nil
	case "-":
		e, err := p.expression(70)
		if err != nil {
			return nil, err
		}
		t.typ = "unary"
		t.lhs = e
		return t, nil
	case "*":
		t.typ = "wildcard"
		return t, nil
	case "**":
		t.typ = "descendant"
		return t, nil
	case "%":
		t.typ = "parent"
		return t, nil
	case "(":
		var exprs []*node
		for p.cur.id != ")" {
			e, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			exprs = append(exprs, e)
			if p.cur.id != ";" {
				break
			}
			if err := p.advance(";", false); err != nil {
				return nil, err
			}
		}
		if err := p.advance(")", true); err != nil {
			return nil, err
		}
		t.typ = "block"
		t.exprs = exprs
		return t, nil
	case "[":
		var items []*node
		if p.cur.id != "]" {
			for {
				item, err := p.expression(0)
				if err != nil {
					return nil, err
				}
				if p.cur.id == ".." {
					r := &node{typ: "binary", value: "..", id: "..", pos: p.cur.pos, lhs: item}
					if err := p.advance("..", false); err != nil {
						return nil, err
					}
					if r.rhs, err = p.expression(0); err != nil {
						return nil, err
					}
					item = r
				}
				items = append(items, item)
				if p.cur.id != "," {
					break
				}
				if err := p.advance(",", false); err != nil {
					return nil, err
				}
			}
		}
		if err := p.advance("]", true); err != nil {
			return nil, err
		}
		t.typ = "unary"
		t.exprs = items
		return t, nil
	case "{":
		return p.objectParser(t, nil)
	case "|":
		t.typ = "transform"
		var err error
		if t.pattern, err = p.expression(0); err != nil {
			return nil, err
		}
		if err := p.advance("|", false); err != nil {
			return nil, err
		}
		if t.update, err = p.expression(0); err != nil {
			return nil, err
		}
		if p.cur.id == "," {
			if err := p.advance(",", false); err != nil {
				return nil, err
			}
			if t.del, err = p.expression(0); err != nil {
				return nil, err
			}
		}
		if err := p.advance("|", false); err != nil {
			return nil, err
		}
		return t, nil
	}
	return nil, errTok("S0211", t.pos, tokenText(t.value))
}

func (p *parser) objectParser(t *node, left *node) (*node, error) {
	var pairs [][2]*node
	if p.cur.id != "}" {
		for {
			k, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			if err := p.advance(":", false); err != nil {
				return nil, err
			}
			v, err := p.expression(0)
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, [2]*node{k, v})
			if p.cur.id != "," {
				break
			}
			if err := p.advance(",", false); err != nil {
				return nil, err
			}
		}
	}
	if err := p.advance("}", true); err != nil {
		return nil, err
	}
	if left == nil {
		t.pairs = pairs
		t.typ = "unary"
	} else {
		t.lhs = left
		t.pairs = pairs
		t.typ = "binary"
	}
	return t, nil
}

func (p *parser) led(t *node, left *node) (*node, error) {
	var err error
	switch t.id {
	case ".", "+", "-", "*", "/", "%", "=", "<", ">", "!=", "<=", ">=", "&", "and", "or", "in", "~>":
		bp := operators[t.id]
		t.lhs = left
		if t.rhs, err = p.expression(bp); err != nil {
			return nil, err
		}
		t.typ = "binary"
		return t, nil
	case "??":
		left.shared = true
		t.typ = "condition"
		t.condition = &node{typ: "function", value: "(", pos: t.pos,
			procedure: &node{typ: "variable", value: "exists", pos: t.pos}, args: []*node{left}}
		t.then = left
		if t.els, err = p.expression(0); err != nil {
			return nil, err
		}
		t.hasElse = true
		return t, nil
	case "?:":
		left.shared = true
		t.typ = "condition"
		t.condition = left
		t.then = left
		if t.els, err = p.expression(0); err != nil {
			return nil, err
		}
		t.hasElse = true
		return t, nil
	case "(":
		t.procedure = left
		t.typ = "function"
		if p.cur.id != ")" {
			for {
				if p.cur.typ == "operator" && p.cur.id == "?" {
					t.typ = "partial"
					p.cur.isPartial = true
					t.args = append(t.args, p.cur)
					if err := p.advance("?", false); err != nil {
						return nil, err
					}
				} else {
					a, err := p.expression(0)
					if err != nil {
						return nil, err
					}
					t.args = append(t.args, a)
				}
				if p.cur.id != "," {
					break
				}
				if err := p.advance(",", false); err != nil {
					return nil, err
				}
			}
		}
		if err := p.advance(")", true); err != nil {
			return nil, err
		}
		if left.typ == "name" && (left.value == "function" || left.value == "\u03BB") {
			for i, a := range t.args {
				if a.typ != "variable" {
					return nil, &Error{Code: "S0208", Position: a.pos, Token: tokenText(a.value), Value: float64(i + 1)}
				}
			}
			t.typ = "lambda"
			if p.cur.id == "<" {
				sigPos := p.cur.pos
				depth := 1
				sig := "<"
				for depth > 0 && p.cur.id != "{" && p.cur.id != "(end)" {
					if err := p.advance("", false); err != nil {
						return nil, err
					}
					tok := p.cur
					switch tok.id {
					case ">":
						depth--
					case "<":
						depth++
					}
					sig += tokenText(tok.value)
				}
				if err := p.advance(">", false); err != nil {
					return nil, err
				}
				s, err := parseSignature(sig)
				if err != nil {
					if e := asError(err); e != nil {
						e.Position += sigPos
					}
					return nil, err
				}
				t.sig = s
			}
			if err := p.advance("{", false); err != nil {
				return nil, err
			}
			if t.body, err = p.expression(0); err != nil {
				return nil, err
			}
			if err := p.advance("}", false); err != nil {
				return nil, err
			}
		}
		return t, nil
	case "[":
		if p.cur.id == "]" {
			step := left
			for step != nil && step.typ == "binary" && step.value == "[" {
				step = step.lhs
			}
			step.keepArray = true
			if err := p.advance("]", false); err != nil {
				return nil, err
			}
			return left, nil
		}
		t.lhs = left
		if t.rhs, err = p.expression(0); err != nil {
			return nil, err
		}
		t.typ = "binary"
		if err := p.advance("]", true); err != nil {
			return nil, err
		}
		return t, nil
	case "^":
		if err := p.advance("(", false); err != nil {
			return nil, err
		}
		var terms []sortTerm
		for {
			term := sortTerm{}
			switch p.cur.id {
			case "<":
				if err := p.advance("<", false); err != nil {
					return nil, err
				}
			case ">":
				term.descending = true
				if err := p.advance(">", false); err != nil {
					return nil, err
				}
			}
			if term.expr, err = p.expression(0); err != nil {
				return nil, err
			}
			terms = append(terms, term)
			if p.cur.id != "," {
				break
			}
			if err := p.advance(",", false); err != nil {
				return nil, err
			}
		}
		if err := p.advance(")", false); err != nil {
			return nil, err
		}
		t.lhs = left
		t.terms = terms
		t.typ = "binary"
		return t, nil
	case "{":
		return p.objectParser(t, left)
	case ":=":
		if left.typ != "variable" {
			return nil, errTok("S0212", left.pos, tokenText(left.value))
		}
		t.lhs = left
		if t.rhs, err = p.expression(operators[":="] - 1); err != nil {
			return nil, err
		}
		t.typ = "binary"
		return t, nil
	case "@", "#":
		t.lhs = left
		if t.rhs, err = p.expression(operators[t.id]); err != nil {
			return nil, err
		}
		if t.rhs.typ != "variable" {
			return nil, errTok("S0214", t.rhs.pos, t.id)
		}
		t.typ = "binary"
		return t, nil
	case "?":
		t.typ = "condition"
		t.condition = left
		if t.then, err = p.expression(0); err != nil {
			return nil, err
		}
		if p.cur.id == ":" {
			if err := p.advance(":", false); err != nil {
				return nil, err
			}
			if t.els, err = p.expression(0); err != nil {
				return nil, err
			}
			t.hasElse = true
		}
		return t, nil
	}
	return nil, errTok("S0201", t.pos, tokenText(t.value))
}
