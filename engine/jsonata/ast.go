package jsonata

func (p *parser) seekParent(n *node, s *slot) (*slot, error) {
	switch n.typ {
	case "name", "wildcard":
		s.level--
		if s.level == 0 {
			if n.ancestor == nil {
				n.ancestor = s
			} else {
				p.ancestry[s.index].slot.label = n.ancestor.label
				n.ancestor = s
			}
			n.tuple = true
		}
	case "parent":
		s.level++
	case "block":
		if len(n.exprs) > 0 {
			n.tuple = true
			return p.seekParent(n.exprs[len(n.exprs)-1], s)
		}
	case "path":
		n.tuple = true
		index := len(n.steps) - 1
		var err error
		s, err = p.seekParent(n.steps[index], s)
		if err != nil {
			return nil, err
		}
		index--
		for s.level > 0 && index >= 0 {
			if s, err = p.seekParent(n.steps[index], s); err != nil {
				return nil, err
			}
			index--
		}
	default:
		return nil, errTok("S0217", n.pos, n.typ)
	}
	return s, nil
}

func pushAncestry(result, value *node) {
	if value.hasSeeking || value.typ == "parent" {
		slots := value.seeking
		if value.typ == "parent" {
			slots = append(slots, value.slot)
		}
		result.seeking = append(result.seeking, slots...)
		result.hasSeeking = true
	}
}

func (p *parser) resolveAncestry(path *node) error {
	index := len(path.steps) - 1
	last := path.steps[index]
	slots := last.seeking
	if last.typ == "parent" {
		slots = append(slots, last.slot)
	}
	for _, s := range slots {
		index = len(path.steps) - 2
		for s.level > 0 {
			if index < 0 {
				path.seeking = append(path.seeking, s)
				path.hasSeeking = true
				break
			}
			step := path.steps[index]
			index--
			for index >= 0 && step.focus != "" && path.steps[index].focus != "" {
				step = path.steps[index]
				index--
			}
			var err error
			if s, err = p.seekParent(step, s); err != nil {
				return err
			}
		}
	}
	return nil
}

func tailCallOptimize(e *node) *node {
	switch {
	case e.typ == "function" && len(e.predicate) == 0:
		return &node{typ: "lambda", thunk: true, pos: e.pos, body: e}
	case e.typ == "condition":
		e.then = tailCallOptimize(e.then)
		if e.els != nil {
			e.els = tailCallOptimize(e.els)
		}
	case e.typ == "block":
		if n := len(e.exprs); n > 0 {
			e.exprs[n-1] = tailCallOptimize(e.exprs[n-1])
		}
	}
	return e
}

func (p *parser) processAST(expr *node) (*node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxParseDepth*2 {
		return nil, errTok("S0201", expr.pos, "(nesting too deep)")
	}
	if expr.processed != nil {
		// shared by the ?: and ?? rewrites: process once
		return expr.processed, nil
	}
	var result *node
	var err error
	defer func() {
		if result != nil && (expr.typ == "condition" || expr.shared) {
			expr.processed = result
		}
	}()
	switch expr.typ {
	case "binary":
		op, _ := expr.value.(string)
		switch op {
		case ".":
			lstep, err := p.processAST(expr.lhs)
			if err != nil {
				return nil, err
			}
			if lstep.typ == "path" {
				result = lstep
			} else {
				result = &node{typ: "path", steps: []*node{lstep}}
			}
			if lstep.typ == "parent" {
				result.seeking = []*slot{lstep.slot}
				result.hasSeeking = true
			}
			rest, err := p.processAST(expr.rhs)
			if err != nil {
				return nil, err
			}
			if rest.typ == "function" && rest.procedure.typ == "path" && len(rest.procedure.steps) == 1 &&
				rest.procedure.steps[0].typ == "name" && result.steps[len(result.steps)-1].typ == "function" {
				result.steps[len(result.steps)-1].nextFunc, _ = rest.procedure.steps[0].value.(string)
			}
			if rest.typ == "path" {
				result.steps = append(result.steps, rest.steps...)
			} else {
				if rest.predicate != nil {
					rest.stages = rest.predicate
					rest.predicate = nil
				}
				result.steps = append(result.steps, rest)
			}
			for _, step := range result.steps {
				if step.typ == "number" || step.typ == "value" {
					return nil, &Error{Code: "S0213", Position: step.pos, Value: step.value}
				}
				if step.typ == "string" {
					step.typ = "name"
				}
			}
			for _, step := range result.steps {
				if step.keepArray {
					result.keepSingle = true
					break
				}
			}
			first := result.steps[0]
			if first.typ == "unary" && first.value == "[" {
				first.consarray = true
			}
			last := result.steps[len(result.steps)-1]
			if last.typ == "unary" && last.value == "[" {
				last.consarray = true
			}
			if err := p.resolveAncestry(result); err != nil {
				return nil, err
			}
		case "[":
			result, err = p.processAST(expr.lhs)
			if err != nil {
				return nil, err
			}
			step := result
			isStages := false
			if result.typ == "path" {
				step = result.steps[len(result.steps)-1]
				isStages = true
			}
			if step.group != nil {
				return nil, errTok("S0209", expr.pos, "")
			}
			pred, err := p.processAST(expr.rhs)
			if err != nil {
				return nil, err
			}
			if pred.hasSeeking {
				for _, s := range pred.seeking {
					if s.level == 1 {
						if _, err := p.seekParent(step, s); err != nil {
							return nil, err
						}
					} else {
						s.level--
					}
				}
				pushAncestry(step, pred)
			}
			st := stage{typ: "filter", expr: pred, pos: expr.pos}
			if isStages {
				step.stages = append(step.stages, st)
			} else {
				step.predicate = append(step.predicate, st)
			}
		case "{":
			result, err = p.processAST(expr.lhs)
			if err != nil {
				return nil, err
			}
			if result.group != nil {
				return nil, errTok("S0210", expr.pos, "")
			}
			g := &groupSpec{pos: expr.pos}
			for _, pair := range expr.pairs {
				k, err := p.processAST(pair[0])
				if err != nil {
					return nil, err
				}
				v, err := p.processAST(pair[1])
				if err != nil {
					return nil, err
				}
				g.pairs = append(g.pairs, [2]*node{k, v})
			}
			result.group = g
		case "^":
			result, err = p.processAST(expr.lhs)
			if err != nil {
				return nil, err
			}
			if result.typ != "path" {
				result = &node{typ: "path", steps: []*node{result}}
			}
			sortStep := &node{typ: "sort", pos: expr.pos}
			for _, t := range expr.terms {
				e, err := p.processAST(t.expr)
				if err != nil {
					return nil, err
				}
				pushAncestry(sortStep, e)
				sortStep.terms = append(sortStep.terms, sortTerm{descending: t.descending, expr: e})
			}
			result.steps = append(result.steps, sortStep)
			if err := p.resolveAncestry(result); err != nil {
				return nil, err
			}
		case ":=":
			result = &node{typ: "bind", value: expr.value, pos: expr.pos}
			if result.lhs, err = p.processAST(expr.lhs); err != nil {
				return nil, err
			}
			if result.rhs, err = p.processAST(expr.rhs); err != nil {
				return nil, err
			}
			pushAncestry(result, result.rhs)
		case "@":
			result, err = p.processAST(expr.lhs)
			if err != nil {
				return nil, err
			}
			step := result
			if result.typ == "path" {
				step = result.steps[len(result.steps)-1]
			}
			if step.stages != nil || step.predicate != nil {
				return nil, errTok("S0215", expr.pos, "")
			}
			if step.typ == "sort" {
				return nil, errTok("S0216", expr.pos, "")
			}
			if expr.keepArray {
				step.keepArray = true
			}
			step.focus, _ = expr.rhs.value.(string)
			step.tuple = true
		case "#":
			result, err = p.processAST(expr.lhs)
			if err != nil {
				return nil, err
			}
			step := result
			if result.typ == "path" {
				step = result.steps[len(result.steps)-1]
			} else {
				result = &node{typ: "path", steps: []*node{result}}
				if step.predicate != nil {
					step.stages = step.predicate
					step.predicate = nil
				}
			}
			name, _ := expr.rhs.value.(string)
			if step.stages == nil {
				step.index = name
			} else {
				step.stages = append(step.stages, stage{typ: "index", value: name, pos: expr.pos})
			}
			step.tuple = true
		case "~>":
			result = &node{typ: "apply", value: expr.value, pos: expr.pos}
			if result.lhs, err = p.processAST(expr.lhs); err != nil {
				return nil, err
			}
			if result.rhs, err = p.processAST(expr.rhs); err != nil {
				return nil, err
			}
			result.keepArray = result.lhs.keepArray || result.rhs.keepArray
		default:
			result = &node{typ: expr.typ, value: expr.value, pos: expr.pos}
			if result.lhs, err = p.processAST(expr.lhs); err != nil {
				return nil, err
			}
			if result.rhs, err = p.processAST(expr.rhs); err != nil {
				return nil, err
			}
			pushAncestry(result, result.lhs)
			pushAncestry(result, result.rhs)
		}
	case "unary":
		result = &node{typ: "unary", value: expr.value, pos: expr.pos}
		switch expr.value {
		case "[":
			for _, item := range expr.exprs {
				v, err := p.processAST(item)
				if err != nil {
					return nil, err
				}
				pushAncestry(result, v)
				result.exprs = append(result.exprs, v)
			}
		case "{":
			for _, pair := range expr.pairs {
				k, err := p.processAST(pair[0])
				if err != nil {
					return nil, err
				}
				pushAncestry(result, k)
				v, err := p.processAST(pair[1])
				if err != nil {
					return nil, err
				}
				pushAncestry(result, v)
				result.pairs = append(result.pairs, [2]*node{k, v})
			}
		default:
			e, err := p.processAST(expr.lhs)
			if err != nil {
				return nil, err
			}
			if expr.value == "-" && e.typ == "number" {
				result = e
				result.value = -e.value.(float64)
			} else {
				result.lhs = e
				pushAncestry(result, e)
			}
		}
	case "function", "partial":
		result = &node{typ: expr.typ, name: expr.name, value: expr.value, pos: expr.pos}
		for _, a := range expr.args {
			an, err := p.processAST(a)
			if err != nil {
				return nil, err
			}
			pushAncestry(result, an)
			result.args = append(result.args, an)
		}
		if result.procedure, err = p.processAST(expr.procedure); err != nil {
			return nil, err
		}
	case "lambda":
		result = &node{typ: "lambda", args: expr.args, sig: expr.sig, pos: expr.pos}
		body, err := p.processAST(expr.body)
		if err != nil {
			return nil, err
		}
		result.body = tailCallOptimize(body)
	case "condition":
		result = &node{typ: "condition", pos: expr.pos, hasElse: expr.hasElse}
		if result.condition, err = p.processAST(expr.condition); err != nil {
			return nil, err
		}
		pushAncestry(result, result.condition)
		if result.then, err = p.processAST(expr.then); err != nil {
			return nil, err
		}
		pushAncestry(result, result.then)
		if expr.els != nil {
			if result.els, err = p.processAST(expr.els); err != nil {
				return nil, err
			}
			pushAncestry(result, result.els)
		}
	case "transform":
		result = &node{typ: "transform", pos: expr.pos}
		if result.pattern, err = p.processAST(expr.pattern); err != nil {
			return nil, err
		}
		if result.update, err = p.processAST(expr.update); err != nil {
			return nil, err
		}
		if expr.del != nil {
			if result.del, err = p.processAST(expr.del); err != nil {
				return nil, err
			}
		}
	case "block":
		result = &node{typ: "block", pos: expr.pos}
		for _, item := range expr.exprs {
			part, err := p.processAST(item)
			if err != nil {
				return nil, err
			}
			pushAncestry(result, part)
			if part.consarray || (part.typ == "path" && part.steps[0].consarray) {
				result.consarray = true
			}
			result.exprs = append(result.exprs, part)
		}
	case "name":
		result = &node{typ: "path", steps: []*node{expr}}
		if expr.keepArray {
			result.keepSingle = true
		}
	case "parent":
		result = &node{typ: "parent", pos: expr.pos, slot: &slot{label: "!" + itoa(p.ancestorLabel), level: 1, index: p.ancestorIndex}}
		p.ancestorLabel++
		p.ancestorIndex++
		p.ancestry = append(p.ancestry, result)
	case "string", "number", "value", "wildcard", "descendant", "variable", "regex":
		result = expr
	case "operator":
		switch expr.value {
		case "and", "or", "in":
			expr.typ = "name"
			result, err = p.processAST(expr)
			if err != nil {
				return nil, err
			}
		case "?":
			result = expr
		default:
			return nil, errTok("S0201", expr.pos, tokenText(expr.value))
		}
	default:
		code := "S0206"
		if expr.id == "(end)" {
			code = "S0207"
		}
		return nil, errTok(code, expr.pos, tokenText(expr.value))
	}
	if expr.keepArray {
		result.keepArray = true
	}
	return result, nil
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}
