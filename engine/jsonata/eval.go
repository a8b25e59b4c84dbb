package jsonata

import (
	"context"
	"math"
	"time"
)

type frame struct {
	vars   map[string]any
	parent *frame
}

func newFrame(parent *frame) *frame { return &frame{parent: parent} }

func (f *frame) bind(name string, v any) {
	if f.vars == nil {
		f.vars = make(map[string]any, 4)
	}
	f.vars[name] = v
}

func (f *frame) lookup(name string) (any, bool) {
	for fr := f; fr != nil; fr = fr.parent {
		if v, ok := fr.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// lambda is a user-defined function (or a partially applied one) with its
// closure.
type lambda struct {
	input  any
	env    *frame
	params []string
	sig    *signature
	body   *node
	native *builtin // body is a native function (partial application of a built-in)
	thunk  bool
}

// builtin is a native function.
type builtin struct {
	name  string
	sig   *signature
	arity int
	impl  func(e *evaluator, c *call, args []any) (any, error)
}

// call carries what a native function sees of its caller.
type call struct {
	input any
	env   *frame
}

type evaluator struct {
	ctx         context.Context
	deadline    time.Time
	hasDeadline bool
	depth       int
	maxDepth    int
	ticks       int
	nextCheck   int
	opts        *Options
	now         time.Time
	nowSet      bool
	rnd         *randSource
	builtins    map[string]*builtin
}

func (e *evaluator) limitErr() error { return e.work(1) }

// work accounts for n units of work and checks the time limit and the
// context every 1024 units, so both many small steps and a few big ones
// (a ten-million item range) are interrupted promptly.
func (e *evaluator) work(n int) error {
	e.ticks += n
	if e.ticks >= e.nextCheck {
		e.nextCheck = e.ticks + 1024
		if e.hasDeadline && time.Now().After(e.deadline) {
			return &Error{Code: "U1002"}
		}
		if e.ctx != nil && e.ctx.Err() != nil {
			return &Error{Code: "U1003"}
		}
	}
	return nil
}

func (e *evaluator) lookup(env *frame, name string) (any, bool) {
	if v, ok := env.lookup(name); ok {
		return v, true
	}
	if b, ok := e.builtins[name]; ok {
		return b, true
	}
	return nil, false
}

func (e *evaluator) eval(n *node, input any, env *frame) (any, error) {
	e.depth++
	if e.depth > e.maxDepth {
		e.depth--
		return nil, &Error{Code: "U1001", Position: n.pos}
	}
	if err := e.limitErr(); err != nil {
		e.depth--
		return nil, err
	}
	r, err := e.evalInner(n, input, env)
	e.depth--
	if err != nil {
		return nil, err
	}
	if s, ok := r.(*seq); ok && s.sequence && !s.tupleStream {
		if n.keepArray {
			s.keepSingleton = true
		}
		switch len(s.items) {
		case 0:
			return nil, nil
		case 1:
			if !s.keepSingleton {
				return s.items[0], nil
			}
		}
	}
	return r, nil
}

func (e *evaluator) evalInner(n *node, input any, env *frame) (result any, err error) {
	switch n.typ {
	case "path":
		result, err = e.evalPath(n, input, env)
	case "binary":
		result, err = e.evalBinary(n, input, env)
	case "unary":
		result, err = e.evalUnary(n, input, env)
	case "name":
		result = lookupField(input, n.value.(string))
	case "string", "number", "value":
		result = n.value
	case "wildcard":
		result = evalWildcard(input)
	case "descendant":
		result = evalDescendants(input)
	case "parent":
		result, _ = env.lookup(n.slot.label)
	case "condition":
		result, err = e.evalCondition(n, input, env)
	case "block":
		result, err = e.evalBlock(n, input, env)
	case "bind":
		result, err = e.eval(n.rhs, input, env)
		if err == nil {
			env.bind(n.lhs.value.(string), result)
		}
	case "regex":
		result = &matcher{re: n.value.(*regexLit)}
	case "function":
		result, err = e.evalFunction(n, input, env, nil, false)
	case "variable":
		name := n.value.(string)
		if name == "" {
			if s, ok := input.(*seq); ok && s.outerWrapper && len(s.items) > 0 {
				result = s.items[0]
			} else {
				result = input
			}
		} else {
			result, _ = e.lookup(env, name)
		}
	case "lambda":
		params := make([]string, len(n.args))
		for i, a := range n.args {
			params[i], _ = a.value.(string)
		}
		result = &lambda{input: input, env: env, params: params, sig: n.sig, body: n.body, thunk: n.thunk}
	case "partial":
		result, err = e.evalPartial(n, input, env)
	case "apply":
		result, err = e.evalApply(n, input, env)
	case "transform":
		result = e.evalTransform(n, env)
	case "sort":
		// a sort step on its own (only inside paths)
		result, err = e.evalSort(n, input, env)
	default:
		err = errTok("S0206", n.pos, n.typ)
	}
	if err != nil {
		return nil, err
	}
	for _, p := range n.predicate {
		result, err = e.evalFilter(p.expr, result, env)
		if err != nil {
			return nil, err
		}
	}
	if n.typ != "path" && n.group != nil {
		result, err = e.evalGroup(n.group, result, env)
	}
	return result, err
}

func (e *evaluator) evalPath(n *node, input any, env *frame) (any, error) {
	var inputSeq *seq
	if s, ok := input.(*seq); ok && n.steps[0].typ != "variable" {
		inputSeq = s
	} else {
		inputSeq = newSeq(input)
	}
	var resultSeq *seq
	isTuple := false
	var tupleBindings *seq
	for i, step := range n.steps {
		if step.tuple {
			isTuple = true
		}
		var err error
		if i == 0 && step.consarray {
			r, err := e.eval(step, inputSeq, env)
			if err != nil {
				return nil, err
			}
			switch x := r.(type) {
			case *seq:
				resultSeq = x
			case nil:
				resultSeq = nil
			default:
				resultSeq = newSeq(x)
			}
		} else if isTuple {
			tupleBindings, err = e.evalTupleStep(step, inputSeq, tupleBindings, env)
		} else {
			resultSeq, err = e.evalStep(step, inputSeq, env, i == len(n.steps)-1)
		}
		if err != nil {
			return nil, err
		}
		if !isTuple && (resultSeq == nil || len(resultSeq.items) == 0) {
			break
		}
		if step.focus == "" {
			inputSeq = resultSeq
		}
	}
	if isTuple {
		if n.tuple {
			resultSeq = tupleBindings
		} else {
			resultSeq = newSeq()
			if tupleBindings != nil {
				for _, t := range tupleBindings.items {
					resultSeq.items = append(resultSeq.items, asTuple(t)["@"])
				}
			}
		}
	}
	if n.keepSingle {
		if resultSeq != nil && resultSeq.cons && !resultSeq.sequence {
			resultSeq = newSeq(resultSeq)
		}
		if resultSeq == nil {
			resultSeq = newSeq()
		}
		resultSeq.keepSingleton = true
	}
	if n.group != nil {
		var in any = resultSeq
		if isTuple {
			in = tupleBindings
		}
		if in == (*seq)(nil) {
			in = nil
		}
		return e.evalGroup(n.group, in, env)
	}
	if resultSeq == nil {
		return nil, nil
	}
	return resultSeq, nil
}

// asTuple returns v as a tuple, wrapping a plain value as its context.
func asTuple(v any) tuple {
	if t, ok := v.(tuple); ok {
		return t
	}
	return tuple{"@": v}
}

func frameFromTuple(env *frame, t tuple) *frame {
	f := &frame{parent: env, vars: make(map[string]any, len(t))}
	for k, v := range t {
		f.vars[k] = v
	}
	return f
}

func (e *evaluator) evalStep(n *node, input *seq, env *frame, last bool) (*seq, error) {
	if n.typ == "sort" {
		r, err := e.evalSort(n, input, env)
		if err != nil {
			return nil, err
		}
		if n.stages != nil {
			r, err = e.evalStages(n.stages, r, env)
			if err != nil {
				return nil, err
			}
		}
		return asSeq(r), nil
	}
	result := make([]any, 0, len(input.items))
	for _, item := range input.items {
		res, err := e.eval(n, item, env)
		if err != nil {
			return nil, err
		}
		for _, st := range n.stages {
			res, err = e.evalFilter(st.expr, res, env)
			if err != nil {
				return nil, err
			}
		}
		if res != nil {
			result = append(result, res)
		}
	}
	if last && len(result) == 1 {
		if s, ok := result[0].(*seq); ok && !s.sequence {
			return s, nil
		}
	}
	out := newSeq()
	out.items = make([]any, 0, len(result))
	for _, r := range result {
		if s, ok := r.(*seq); ok && !s.cons {
			out.items = append(out.items, s.items...)
		} else {
			out.items = append(out.items, r)
		}
	}
	return out, nil
}

func asSeq(v any) *seq {
	switch x := v.(type) {
	case *seq:
		return x
	case nil:
		return newSeq()
	}
	return newSeq(v)
}

func (e *evaluator) evalStages(stages []stage, input any, env *frame) (any, error) {
	result := input
	for _, st := range stages {
		switch st.typ {
		case "filter":
			r, err := e.evalFilter(st.expr, result, env)
			if err != nil {
				return nil, err
			}
			result = r
		case "index":
			if s, ok := result.(*seq); ok {
				for i, t := range s.items {
					if tt, ok := t.(tuple); ok {
						tt[st.value] = float64(i)
					}
				}
			}
		}
	}
	return result, nil
}

func (e *evaluator) evalTupleStep(n *node, input *seq, bindings *seq, env *frame) (*seq, error) {
	if n.typ == "sort" {
		var result *seq
		if bindings != nil {
			r, err := e.evalSort(n, bindings, env)
			if err != nil {
				return nil, err
			}
			result = asSeq(r)
		} else {
			r, err := e.evalSort(n, input, env)
			if err != nil {
				return nil, err
			}
			sorted := asSeq(r)
			result = newSeq()
			result.tupleStream = true
			for i, v := range sorted.items {
				t := tuple{"@": v}
				if n.index != "" {
					t[n.index] = float64(i)
				}
				result.items = append(result.items, t)
			}
		}
		if n.stages != nil {
			r, err := e.evalStages(n.stages, result, env)
			if err != nil {
				return nil, err
			}
			result = asSeq(r)
		}
		return result, nil
	}
	result := newSeq()
	result.tupleStream = true
	if bindings == nil {
		bindings = newSeq()
		if input != nil {
			for _, item := range input.items {
				bindings.items = append(bindings.items, tuple{"@": item})
			}
		}
	}
	for _, b := range bindings.items {
		bt := asTuple(b)
		stepEnv := frameFromTuple(env, bt)
		res, err := e.eval(n, bt["@"], stepEnv)
		if err != nil {
			return nil, err
		}
		if res == nil {
			continue
		}
		rs, ok := res.(*seq)
		if !ok {
			rs = newArr([]any{res})
		}
		for bb, item := range rs.items {
			t := make(tuple, len(bt)+2)
			for k, v := range bt {
				t[k] = v
			}
			if rs.tupleStream {
				for k, v := range asTuple(item) {
					t[k] = v
				}
			} else {
				if n.focus != "" {
					t[n.focus] = item
					t["@"] = bt["@"]
				} else {
					t["@"] = item
				}
				if n.index != "" {
					t[n.index] = float64(bb)
				}
				if n.ancestor != nil {
					t[n.ancestor.label] = bt["@"]
				}
			}
			result.items = append(result.items, t)
		}
	}
	if n.stages != nil {
		r, err := e.evalStages(n.stages, result, env)
		if err != nil {
			return nil, err
		}
		result = asSeq(r)
	}
	return result, nil
}

func (e *evaluator) evalFilter(pred *node, input any, env *frame) (any, error) {
	results := newSeq()
	in, ok := input.(*seq)
	if ok && in.tupleStream {
		results.tupleStream = true
	}
	if !ok {
		in = newSeq(input)
	}
	if pred.typ == "number" {
		index := int(math.Floor(pred.value.(float64)))
		if index < 0 {
			index = len(in.items) + index
		}
		if index >= 0 && index < len(in.items) {
			item := in.items[index]
			if item != nil {
				if s, ok := item.(*seq); ok {
					return s, nil
				}
				results.items = append(results.items, item)
			}
		}
		return results, nil
	}
	for index, item := range in.items {
		context := item
		fenv := env
		if in.tupleStream {
			t := asTuple(item)
			context = t["@"]
			fenv = frameFromTuple(env, t)
		}
		res, err := e.eval(pred, context, fenv)
		if err != nil {
			return nil, err
		}
		if isNumber(res) {
			res = newArr([]any{res})
		}
		if rs, ok := res.(*seq); ok && isArrayOfNumbers(rs) && len(rs.items) > 0 {
			for _, ir := range rs.items {
				ii := int(math.Floor(ir.(float64)))
				if ii < 0 {
					ii = len(in.items) + ii
				}
				if ii == index {
					results.items = append(results.items, item)
				}
			}
		} else if b, err := toBoolean(res); err != nil {
			return nil, err
		} else if b == true {
			results.items = append(results.items, item)
		}
	}
	return results, nil
}

func (e *evaluator) evalBinary(n *node, input any, env *frame) (any, error) {
	op := n.value.(string)
	lhs, err := e.eval(n.lhs, input, env)
	if err != nil {
		return nil, err
	}
	if op == "and" || op == "or" {
		l := boolize(lhs)
		if op == "and" && !l {
			return false, nil
		}
		if op == "or" && l {
			return true, nil
		}
		rhs, err := e.eval(n.rhs, input, env)
		if err != nil {
			// jsonata-js reports errors of the right side against the operator
			if je := asError(err); je != nil {
				je.Position = n.pos
				je.Token = op
			}
			return nil, err
		}
		return boolize(rhs), nil
	}
	rhs, err := e.eval(n.rhs, input, env)
	if err != nil {
		return nil, err
	}
	var result any
	switch op {
	case "+", "-", "*", "/", "%":
		result, err = numericOp(lhs, rhs, op)
	case "=", "!=":
		if lhs == nil || rhs == nil {
			return false, nil
		}
		eq := deepEqual(lhs, rhs)
		if op == "=" {
			result = eq
		} else {
			result = !eq
		}
	case "<", "<=", ">", ">=":
		result, err = compareOp(lhs, rhs, op)
	case "&":
		var ls, rs string
		if lhs != nil {
			if ls, err = fnString(lhs, false); err != nil {
				break
			}
		}
		if rhs != nil {
			if rs, err = fnString(rhs, false); err != nil {
				break
			}
		}
		if len(ls)+len(rs) > maxStringLen {
			err = newErr("U1004")
			break
		}
		result = ls + rs
	case "..":
		result, err = rangeOp(lhs, rhs)
		if s, ok := result.(*seq); ok && err == nil {
			err = e.work(len(s.items))
		}
	case "in":
		if lhs == nil || rhs == nil {
			return false, nil
		}
		rs, ok := rhs.(*seq)
		if !ok {
			rs = newArr([]any{rhs})
		}
		result = false
		for _, r := range rs.items {
			if strictEqual(r, lhs) {
				result = true
				break
			}
		}
	}
	if err != nil {
		if je := asError(err); je != nil {
			je.Position = n.pos
			je.Token = op
		}
		return nil, err
	}
	return result, nil
}

// strictEqual is JavaScript's === on JSONata values.
func strictEqual(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nullT:
		_, ok := b.(nullT)
		return ok
	}
	return a == b
}

func checkNumeric(v any) (bool, error) {
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) {
		return false, nil
	}
	if math.IsInf(f, 0) {
		return false, errv("D1001", v)
	}
	return true, nil
}

func numericOp(lhs, rhs any, op string) (any, error) {
	if lhs != nil {
		ok, err := checkNumeric(lhs)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errv("T2001", lhs)
		}
	}
	if rhs != nil {
		ok, err := checkNumeric(rhs)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errv("T2002", rhs)
		}
	}
	if lhs == nil || rhs == nil {
		return nil, nil
	}
	l, r := lhs.(float64), rhs.(float64)
	switch op {
	case "+":
		return l + r, nil
	case "-":
		return l - r, nil
	case "*":
		return l * r, nil
	case "/":
		return l / r, nil
	default:
		return math.Mod(l, r), nil
	}
}

func compareOp(lhs, rhs any, op string) (any, error) {
	lt, rt := typeSymbol(lhs), typeSymbol(rhs)
	lc := lt == 'm' || lt == 's' || lt == 'n'
	rc := rt == 'm' || rt == 's' || rt == 'n'
	if !lc || !rc {
		v := lhs
		if lt == 's' || lt == 'n' {
			v = rhs
		}
		return nil, errv("T2010", v)
	}
	if lhs == nil || rhs == nil {
		return nil, nil
	}
	if lt != rt {
		return nil, &Error{Code: "T2009", Value: lhs, Value2: rhs}
	}
	var c int
	if lt == 'n' {
		l, r := lhs.(float64), rhs.(float64)
		switch {
		case l < r:
			c = -1
		case l > r:
			c = 1
		case l == r:
			c = 0
		default:
			return false, nil // NaN
		}
	} else {
		c = compareJSStrings(lhs.(string), rhs.(string))
	}
	switch op {
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	default:
		return c >= 0, nil
	}
}

// compareJSStrings compares by UTF-16 code units, as JavaScript does.
func compareJSStrings(a, b string) int {
	// For strings without surrogate pairs UTF-8 byte order equals code unit
	// order except for characters above U+FFFF versus U+E000..U+FFFF; that
	// difference is rare enough to handle with a slow path.
	ia, ib := 0, 0
	for ia < len(a) && ib < len(b) {
		ra, sa := decodeRune(a[ia:])
		rb, sb := decodeRune(b[ib:])
		if ra != rb {
			ua, ub := utf16First(ra), utf16First(rb)
			if ua != ub {
				if ua < ub {
					return -1
				}
				return 1
			}
			if ra < rb {
				return -1
			}
			return 1
		}
		ia += sa
		ib += sb
	}
	switch {
	case len(a)-ia < len(b)-ib:
		return -1
	case len(a)-ia > len(b)-ib:
		return 1
	}
	return 0
}

func utf16First(r rune) rune {
	if r >= 0x10000 {
		return 0xD800 + ((r - 0x10000) >> 10)
	}
	return r
}

func boolize(v any) bool {
	b, _ := toBoolean(v)
	return b == true
}

func rangeOp(lhs, rhs any) (any, error) {
	if lhs != nil && !isInteger(lhs) {
		return nil, errv("T2003", lhs)
	}
	if rhs != nil && !isInteger(rhs) {
		return nil, errv("T2004", rhs)
	}
	if lhs == nil || rhs == nil {
		return nil, nil
	}
	l, r := lhs.(float64), rhs.(float64)
	if l > r {
		return nil, nil
	}
	size := r - l + 1
	if size > 1e7 {
		return nil, errv("D2014", size)
	}
	items := make([]any, int(size))
	for i := range items {
		items[i] = l + float64(i)
	}
	return &seq{items: items, sequence: true}, nil
}

func isInteger(v any) bool {
	f, ok := v.(float64)
	return ok && !math.IsInf(f, 0) && f == math.Trunc(f)
}

func (e *evaluator) evalUnary(n *node, input any, env *frame) (any, error) {
	switch n.value {
	case "-":
		r, err := e.eval(n.lhs, input, env)
		if err != nil {
			return nil, err
		}
		if r == nil {
			return nil, nil
		}
		ok, err := checkNumeric(r)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &Error{Code: "D1002", Position: n.pos, Token: "-", Value: r}
		}
		return -r.(float64), nil
	case "[":
		result := &seq{items: make([]any, 0, len(n.exprs))}
		for _, item := range n.exprs {
			v, err := e.eval(item, input, env)
			if err != nil {
				return nil, err
			}
			if v == nil {
				continue
			}
			if len(result.items) > maxArrayLen {
				return nil, newErr("U1004")
			}
			if item.value == "[" {
				result.items = append(result.items, v)
			} else if s, ok := v.(*seq); ok {
				result.items = append(result.items, s.items...)
			} else {
				result.items = append(result.items, v)
			}
		}
		if n.consarray {
			result.cons = true
		}
		return result, nil
	case "{":
		return e.evalGroup(&groupSpec{pairs: n.pairs, pos: n.pos}, input, env)
	}
	return nil, nil
}

func lookupField(input any, key string) any {
	switch x := input.(type) {
	case *seq:
		result := newSeq()
		for _, item := range x.items {
			r := lookupField(item, key)
			if r == nil {
				continue
			}
			if s, ok := r.(*seq); ok {
				result.items = append(result.items, s.items...)
			} else {
				result.items = append(result.items, r)
			}
		}
		return result
	case *object:
		v := x.at(key)
		return v
	case tuple:
		v := x[key]
		return v
	}
	return nil
}

func evalWildcard(input any) any {
	results := newSeq()
	if s, ok := input.(*seq); ok && s.outerWrapper && len(s.items) > 0 {
		input = s.items[0]
	}
	if a, ok := input.(*seq); ok {
		for _, v := range a.items {
			if s, ok := v.(*seq); ok {
				results.items = append(results.items, flatten(s, nil)...)
			} else {
				results.items = append(results.items, v)
			}
		}
	}
	if o, ok := input.(*object); ok {
		for _, k := range o.keys {
			v := o.at(k)
			if s, ok := v.(*seq); ok {
				results.items = append(results.items, flatten(s, nil)...)
			} else {
				results.items = append(results.items, v)
			}
		}
	}
	return results
}

func flatten(v any, out []any) []any {
	if s, ok := v.(*seq); ok {
		for _, item := range s.items {
			out = flatten(item, out)
		}
		return out
	}
	return append(out, v)
}

func evalDescendants(input any) any {
	if input == nil {
		return nil
	}
	rs := newSeq()
	recurseDescendants(input, rs)
	if len(rs.items) == 1 {
		return rs.items[0]
	}
	return rs
}

func recurseDescendants(input any, rs *seq) {
	switch x := input.(type) {
	case *seq:
		for _, m := range x.items {
			recurseDescendants(m, rs)
		}
	case *object:
		rs.items = append(rs.items, input)
		for _, k := range x.keys {
			recurseDescendants(x.at(k), rs)
		}
	default:
		rs.items = append(rs.items, input)
	}
}

func (e *evaluator) evalGroup(g *groupSpec, input any, env *frame) (any, error) {
	result := newObject(len(g.pairs))
	type entry struct {
		data      any
		exprIndex int
	}
	groups := map[string]*entry{}
	var order []string
	in, ok := input.(*seq)
	reduce := ok && in.tupleStream
	if !ok {
		in = newSeq(input)
	}
	items := in.items
	if len(items) == 0 {
		items = []any{nil}
	}
	for _, item := range items {
		genv := env
		ctx := item
		if t, ok := item.(tuple); ok && reduce {
			genv = frameFromTuple(env, t)
			ctx = t["@"]
		}
		for pi, pair := range g.pairs {
			k, err := e.eval(pair[0], ctx, genv)
			if err != nil {
				return nil, err
			}
			if k == nil {
				continue
			}
			key, ok := k.(string)
			if !ok {
				return nil, &Error{Code: "T1003", Position: g.pos, Value: k}
			}
			if ent, ok := groups[key]; ok {
				if ent.exprIndex != pi {
					return nil, &Error{Code: "D1009", Position: g.pos, Value: key}
				}
				ent.data = fnAppend(ent.data, item)
			} else {
				groups[key] = &entry{data: item, exprIndex: pi}
				order = append(order, key)
			}
		}
	}
	for _, key := range order {
		ent := groups[key]
		ctx := ent.data
		genv := env
		if reduce {
			t := reduceTupleStream(ent.data)
			ctx = t["@"]
			delete(t, "@")
			genv = frameFromTuple(env, t)
		}
		v, err := e.eval(g.pairs[ent.exprIndex][1], ctx, genv)
		if err != nil {
			return nil, err
		}
		if v != nil {
			result.set(key, v)
		}
	}
	return result, nil
}

func reduceTupleStream(v any) tuple {
	s, ok := v.(*seq)
	if !ok {
		t, ok := v.(tuple)
		if !ok {
			return tuple{"@": v}
		}
		c := make(tuple, len(t))
		for k, x := range t {
			c[k] = x
		}
		return c
	}
	result := tuple{}
	for i, it := range s.items {
		t, ok := it.(tuple)
		if !ok {
			t = tuple{"@": it}
		}
		for k, x := range t {
			if i == 0 {
				result[k] = x
			} else {
				result[k] = fnAppend(result[k], x)
			}
		}
	}
	return result
}

// Size caps keep hostile expressions (repeated doubling) from exhausting
// memory before the time limit can stop them.
const (
	maxStringLen = 1 << 26
	maxArrayLen  = 1 << 25
)

// fnAppend is $append.
func fnAppend(a, b any) any {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	out := newSeq()
	if s, ok := a.(*seq); ok {
		out.items = append(out.items, s.items...)
		out.sequence = s.sequence
		out.keepSingleton = s.keepSingleton
		out.tupleStream = s.tupleStream
		out.outerWrapper = s.outerWrapper
		out.cons = false
	} else {
		out.items = append(out.items, a)
	}
	if s, ok := b.(*seq); ok {
		out.items = append(out.items, s.items...)
	} else {
		out.items = append(out.items, b)
	}
	return out
}

func (e *evaluator) evalCondition(n *node, input any, env *frame) (any, error) {
	c, err := e.eval(n.condition, input, env)
	if err != nil {
		return nil, err
	}
	b, err := toBoolean(c)
	if err != nil {
		return nil, err
	}
	if b == true {
		return e.eval(n.then, input, env)
	}
	if n.els != nil {
		return e.eval(n.els, input, env)
	}
	return nil, nil
}

func (e *evaluator) evalBlock(n *node, input any, env *frame) (any, error) {
	f := newFrame(env)
	var result any
	for _, x := range n.exprs {
		r, err := e.eval(x, input, f)
		if err != nil {
			return nil, err
		}
		result = r
	}
	return result, nil
}

func (e *evaluator) evalSort(n *node, input any, env *frame) (any, error) {
	in := asSeq(input)
	isTuple := in.tupleStream
	var sortErr error
	comparator := func(a, b any) bool {
		if sortErr != nil {
			return false
		}
		comp := 0
		for _, term := range n.terms {
			if comp != 0 {
				break
			}
			ctx, tenv := a, env
			if isTuple {
				ctx = asTuple(a)["@"]
				tenv = frameFromTuple(env, asTuple(a))
			}
			aa, err := e.eval(term.expr, ctx, tenv)
			if err != nil {
				sortErr = err
				return false
			}
			ctx, tenv = b, env
			if isTuple {
				ctx = asTuple(b)["@"]
				tenv = frameFromTuple(env, asTuple(b))
			}
			bb, err := e.eval(term.expr, ctx, tenv)
			if err != nil {
				sortErr = err
				return false
			}
			at, bt := typeSymbol(aa), typeSymbol(bb)
			if at == 'm' {
				if bt == 'm' {
					comp = 0
				} else {
					comp = 1
				}
				continue
			}
			if bt == 'm' {
				comp = -1
				continue
			}
			if at != 's' && at != 'n' || bt != 's' && bt != 'n' {
				v := aa
				if at == 's' || at == 'n' {
					v = bb
				}
				sortErr = &Error{Code: "T2008", Position: n.pos, Value: v}
				return false
			}
			if at != bt {
				sortErr = &Error{Code: "T2007", Position: n.pos, Value: aa, Value2: bb}
				return false
			}
			var c int
			if at == 'n' {
				x, y := aa.(float64), bb.(float64)
				if x < y {
					c = -1
				} else if x > y {
					c = 1
				}
			} else {
				c = compareJSStrings(aa.(string), bb.(string))
			}
			if c == 0 {
				continue
			}
			comp = c
			if term.descending {
				comp = -comp
			}
		}
		return comp == 1
	}
	out := mergeSort(in.items, func(a, b any) (bool, error) {
		r := comparator(a, b)
		return r, sortErr
	})
	if sortErr != nil {
		return nil, sortErr
	}
	if out.err != nil {
		return nil, out.err
	}
	res := newSeq()
	res.items = out.items
	res.tupleStream = in.tupleStream
	return res, nil
}

type sortResult struct {
	items []any
	err   error
}

// mergeSort is jsonata's stable merge sort: swap(a, b) reports whether a must
// come after b.
func mergeSort(items []any, swap func(a, b any) (bool, error)) sortResult {
	if len(items) <= 1 {
		return sortResult{items: append([]any(nil), items...)}
	}
	mid := len(items) / 2
	l := mergeSort(items[:mid], swap)
	if l.err != nil {
		return l
	}
	r := mergeSort(items[mid:], swap)
	if r.err != nil {
		return r
	}
	out := make([]any, 0, len(items))
	i, j := 0, 0
	for i < len(l.items) && j < len(r.items) {
		s, err := swap(l.items[i], r.items[j])
		if err != nil {
			return sortResult{err: err}
		}
		if s {
			out = append(out, r.items[j])
			j++
		} else {
			out = append(out, l.items[i])
			i++
		}
	}
	out = append(out, l.items[i:]...)
	out = append(out, r.items[j:]...)
	return sortResult{items: out}
}
