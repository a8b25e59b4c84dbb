package jsonata

func procName(n *node) string {
	if n.typ == "path" && len(n.steps) > 0 {
		s, _ := n.steps[0].value.(string)
		return s
	}
	s, _ := n.value.(string)
	return s
}

func (e *evaluator) evalFunction(n *node, input any, env *frame, applyto any, hasApplyto bool) (any, error) {
	proc, err := e.eval(n.procedure, input, env)
	if err != nil {
		return nil, err
	}
	if proc == nil && n.procedure.typ == "path" {
		if name, ok := n.procedure.steps[0].value.(string); ok {
			if v, ok := e.lookup(env, name); ok && truthy(v) {
				return nil, &Error{Code: "T1005", Position: n.pos, Token: name}
			}
		}
	}
	args := make([]any, 0, len(n.args)+1)
	if hasApplyto {
		args = append(args, applyto)
	}
	for _, a := range n.args {
		v, err := e.eval(a, input, env)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	result, err := e.apply(proc, args, input, env)
	if err != nil {
		if je := asError(err); je != nil {
			if je.Position == 0 {
				je.Position = n.pos
			}
			if je.Token == "" {
				je.Token = procName(n.procedure)
			}
		}
		return nil, err
	}
	return result, nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil, nullT:
		return false
	case bool:
		return x
	case float64:
		return x != 0
	case string:
		return x != ""
	}
	return true
}

func (e *evaluator) apply(proc any, args []any, input any, env *frame) (any, error) {
	result, err := e.applyInner(proc, args, input, env)
	if err != nil {
		return nil, err
	}
	for {
		l, ok := result.(*lambda)
		if !ok || !l.thunk {
			return result, nil
		}
		if err := e.limitErr(); err != nil {
			return nil, err
		}
		call := l.body
		next, err := e.eval(call.procedure, l.input, l.env)
		if err != nil {
			return nil, err
		}
		args := make([]any, len(call.args))
		for i, a := range call.args {
			if args[i], err = e.eval(a, l.input, l.env); err != nil {
				return nil, err
			}
		}
		result, err = e.applyInner(next, args, input, env)
		if err != nil {
			if je := asError(err); je != nil && je.Token == "" {
				je.Token = procName(call.procedure)
				if je.Position == 0 {
					je.Position = call.pos
				}
			}
			return nil, err
		}
	}
}

func (e *evaluator) applyInner(proc any, args []any, input any, env *frame) (any, error) {
	switch p := proc.(type) {
	case *lambda:
		if p.sig != nil {
			v, err := p.sig.validate(args, input)
			if err != nil {
				return nil, err
			}
			args = v
		}
		return e.applyProcedure(p, args)
	case *builtin:
		if p.sig != nil {
			v, err := p.sig.validate(args, input)
			if err != nil {
				if je := asError(err); je != nil && je.Token == "" {
					je.Token = p.name
				}
				return nil, err
			}
			args = v
		}
		r, err := p.impl(e, &call{input: input, env: env}, args)
		if err != nil {
			if je := asError(err); je != nil && je.Token == "" && p.name != "" {
				je.Token = p.name
			}
		}
		return r, err
	case *matcher:
		var str any
		if len(args) > 0 {
			str = args[0]
		}
		s, ok := str.(string)
		if !ok {
			return nil, nil
		}
		return p.exec(s, 0)
	}
	return nil, &Error{Code: "T1006"}
}

func (e *evaluator) applyProcedure(p *lambda, args []any) (any, error) {
	env := newFrame(p.env)
	for i, name := range p.params {
		var v any
		if i < len(args) {
			v = args[i]
		}
		env.bind(name, v)
	}
	if p.native != nil {
		nargs := make([]any, len(p.native.sig.params))
		for i := range nargs {
			nargs[i], _ = env.lookup(nativeParam(i))
		}
		return e.applyInner(p.native, trimTrailingUndefined(nargs), nil, env)
	}
	return e.eval(p.body, p.input, env)
}

func trimTrailingUndefined(a []any) []any {
	for len(a) > 0 && a[len(a)-1] == nil {
		a = a[:len(a)-1]
	}
	return a
}

func nativeParam(i int) string { return "\x00arg" + itoa(i) }

func (e *evaluator) evalPartial(n *node, input any, env *frame) (any, error) {
	args := make([]any, len(n.args))
	placeholder := make([]bool, len(n.args))
	for i, a := range n.args {
		if a.typ == "operator" && a.value == "?" {
			placeholder[i] = true
			continue
		}
		v, err := e.eval(a, input, env)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	proc, err := e.eval(n.procedure, input, env)
	if err != nil {
		return nil, err
	}
	if proc == nil && n.procedure.typ == "path" {
		if name, ok := n.procedure.steps[0].value.(string); ok {
			if v, ok := e.lookup(env, name); ok && truthy(v) {
				return nil, &Error{Code: "T1007", Position: n.pos, Token: name}
			}
		}
	}
	switch p := proc.(type) {
	case *lambda:
		return partialLambda(p, args, placeholder), nil
	case *builtin:
		params := make([]string, 0, 3)
		if p.sig != nil {
			for i := range p.sig.params {
				params = append(params, nativeParam(i))
			}
		}
		l := &lambda{env: newFrame(nil), params: params, native: p}
		return partialLambda(l, args, placeholder), nil
	}
	return nil, &Error{Code: "T1008", Position: n.pos, Token: procName(n.procedure)}
}

func partialLambda(p *lambda, args []any, placeholder []bool) *lambda {
	env := newFrame(p.env)
	var unbound []string
	for i, name := range p.params {
		if i < len(args) && placeholder[i] {
			unbound = append(unbound, name)
			continue
		}
		var v any
		if i < len(args) {
			v = args[i]
		}
		env.bind(name, v)
	}
	return &lambda{input: p.input, env: env, params: unbound, body: p.body, native: p.native}
}

func (e *evaluator) evalApply(n *node, input any, env *frame) (any, error) {
	lhs, err := e.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	if n.rhs.typ == "function" {
		return e.evalFunction(n.rhs, input, env, lhs, true)
	}
	fn, err := e.eval(n.rhs, input, env)
	if err != nil {
		return nil, err
	}
	if !isFunction(fn) {
		return nil, &Error{Code: "T2006", Position: n.pos, Value: fn}
	}
	if isFunction(lhs) {
		f, g := lhs, fn
		return &builtin{name: "", arity: 1, impl: func(e *evaluator, c *call, args []any) (any, error) {
			r, err := e.apply(f, args, nil, c.env)
			if err != nil {
				return nil, err
			}
			return e.apply(g, []any{r}, nil, c.env)
		}}, nil
	}
	return e.apply(fn, []any{lhs}, input, env)
}

// arity is jsonata's getFunctionArity.
func arity(f any) int {
	switch x := f.(type) {
	case *lambda:
		return len(x.params)
	case *builtin:
		return x.arity
	case *matcher:
		return 2
	}
	return 0
}

// hofArgs passes as many of (value, index, array) as the function declares.
func hofArgs(f any, a1, a2, a3 any) []any {
	n := arity(f)
	args := []any{a1}
	if n >= 2 {
		args = append(args, a2)
	}
	if n >= 3 {
		args = append(args, a3)
	}
	return args
}

var transformSig = mustSig("<(oa):o>")

func mustSig(s string) *signature {
	sig, err := parseSignature(s)
	if err != nil {
		panic("jsonata: bad built-in signature " + s)
	}
	return sig
}

func (e *evaluator) evalTransform(n *node, env *frame) any {
	return &builtin{name: "", arity: 1, sig: transformSig, impl: func(e *evaluator, c *call, args []any) (any, error) {
		obj := args[0]
		if obj == nil {
			return nil, nil
		}
		cloneFn, _ := e.lookup(env, "clone")
		if !isFunction(cloneFn) {
			return nil, &Error{Code: "T2013", Position: n.pos}
		}
		result, err := e.apply(cloneFn, []any{obj}, nil, env)
		if err != nil {
			return nil, err
		}
		matches, err := e.eval(n.pattern, result, env)
		if err != nil {
			return nil, err
		}
		if matches == nil {
			return result, nil
		}
		ms, ok := matches.(*seq)
		if !ok {
			ms = newArr([]any{matches})
		}
		for _, match := range ms.items {
			update, err := e.eval(n.update, match, env)
			if err != nil {
				return nil, err
			}
			mo, isObj := match.(*object)
			if update != nil {
				uo, ok := update.(*object)
				if !ok {
					return nil, &Error{Code: "T2011", Position: n.update.pos, Value: update}
				}
				if isObj {
					for _, k := range uo.keys {
						// a copy, so that an update holding the match itself
						// cannot make the object contain itself
						mo.set(k, copyValue(uo.at(k)))
					}
				}
			}
			if n.del != nil {
				dels, err := e.eval(n.del, match, env)
				if err != nil {
					return nil, err
				}
				if dels != nil {
					val := dels
					ds, ok := dels.(*seq)
					if !ok {
						ds = newArr([]any{dels})
					}
					if !isArrayOfStrings(ds) {
						return nil, &Error{Code: "T2012", Position: n.del.pos, Value: val}
					}
					if isObj {
						for _, d := range ds.items {
							mo.del(d.(string))
						}
					}
				}
			}
		}
		return result, nil
	}}
}

// copyValue copies containers, keeping numbers exact.
func copyValue(v any) any {
	switch x := v.(type) {
	case *seq:
		items := make([]any, len(x.items))
		for i, it := range x.items {
			items[i] = copyValue(it)
		}
		c := *x
		c.items = items
		return &c
	case *object:
		o := newObject(len(x.keys))
		for _, k := range x.keys {
			o.set(k, copyValue(x.at(k)))
		}
		return o
	}
	return v
}

// deepClone copies containers so a transform can change the copy in place.
func deepClone(v any) any {
	switch x := v.(type) {
	case *seq:
		items := make([]any, len(x.items))
		for i, it := range x.items {
			items[i] = deepClone(it)
		}
		return &seq{items: items}
	case *object:
		o := newObject(len(x.keys))
		for _, k := range x.keys {
			val := x.at(k)
			if val == nil || isFunction(val) {
				continue
			}
			o.set(k, deepClone(val))
		}
		return o
	case float64:
		return round15(x)
	}
	return v
}
