package jsonpath

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"stepwise/engine/jsonv"
)

// NotFoundError reports a definite path that matched nothing. Its Error() is
// Jayway's message, e.g. "No results for path: $['a']"; AWS prefixes it with
// "Invalid path '$.a' : " in InputPath/OutputPath failures.
type NotFoundError struct {
	Path       string // the path as written
	Normalized string // Jayway's normalized path, e.g. $['a']['b']
	Msg        string // Jayway's message
}

func (e *NotFoundError) Error() string { return e.Msg }

// jaywayProvider is the JsonProvider class name Jayway prints in some messages.
const jaywayProvider = "com.jayway.jsonpath.spi.json.JacksonJsonProvider"

// Get evaluates the path against doc (the input, the context object or the
// variable's value, according to Root). A definite path returns its value or a
// *NotFoundError; an indefinite path returns a []any of its matches (possibly
// empty), in document order, or the result of its trailing function.
func (p *Path) Get(doc any) (any, error) {
	if p.definite {
		v, fail, ok := p.walkDefinite(doc)
		if ok {
			return v, nil
		}
		return nil, p.notFound(doc, fail)
	}
	segs := p.segs
	if n := len(segs); n > 0 && segs[n-1].kind == segFunc {
		out := &matches{vals: []any{}}
		walk(segs[:n-1], doc, doc, out)
		if out.exhausted() {
			return nil, p.tooExpensive()
		}
		v, err := applyFunc(segs[n-1].fn, out.vals)
		if err != nil {
			return nil, &NotFoundError{Path: p.text, Normalized: p.norm, Msg: err.Error()}
		}
		return v, nil
	}
	out := &matches{vals: []any{}}
	walk(segs, doc, doc, out)
	if out.exhausted() {
		return nil, p.tooExpensive()
	}
	return out.vals, nil
}

// maxSteps bounds the work of one indefinite evaluation, so that a path such
// as $..*..*..* cannot run for hours on a large document.
const maxSteps = 1 << 20

// matches collects the results of an indefinite path and counts the steps.
type matches struct {
	vals  []any
	steps int
}

func (m *matches) exhausted() bool { return m.steps > maxSteps }

func (p *Path) tooExpensive() error {
	return &NotFoundError{Path: p.text, Normalized: p.norm,
		Msg: fmt.Sprintf("Evaluation of path %s exceeded %d steps", p.norm, maxSteps)}
}

// lookup evaluates a definite path and reports whether it matched.
func (p *Path) lookup(doc any) (any, bool) {
	v, _, ok := p.walkDefinite(doc)
	return v, ok
}

// collect evaluates any path into the list of its matches.
func (p *Path) collect(doc, root any) any {
	segs := p.segs
	if n := len(segs); n > 0 && segs[n-1].kind == segFunc {
		out := &matches{vals: []any{}}
		walk(segs[:n-1], doc, root, out)
		if out.exhausted() {
			return undefined
		}
		v, err := applyFunc(segs[n-1].fn, out.vals)
		if err != nil {
			return undefined
		}
		return v
	}
	out := &matches{vals: []any{}}
	walk(segs, doc, root, out)
	if out.exhausted() {
		return undefined
	}
	return out.vals
}

// walkDefinite follows a definite path; on failure it returns the index of
// the segment that failed. It does not allocate.
func (p *Path) walkDefinite(doc any) (any, int, bool) {
	cur := doc
	for i := range p.segs {
		sg := &p.segs[i]
		switch sg.kind {
		case segName:
			o, ok := cur.(*jsonv.Object)
			if !ok {
				return nil, i, false
			}
			v, ok := o.Get(sg.name)
			if !ok {
				return nil, i, false
			}
			cur = v
		case segIndex:
			arr, ok := cur.([]any)
			if !ok {
				return nil, i, false
			}
			idx := sg.index
			if idx < 0 {
				idx += len(arr)
			}
			if idx < 0 || idx >= len(arr) {
				return nil, i, false
			}
			cur = arr[idx]
		case segFunc:
			v, err := applyFunc(sg.fn, cur)
			if err != nil {
				return nil, i, false
			}
			cur = v
		}
	}
	return cur, -1, true
}

// prefix is the normalized path up to and including segment i.
func (p *Path) prefix(i int) string {
	var b strings.Builder
	b.WriteString(p.text[:rootLen(p)])
	for j := 0; j <= i && j < len(p.segs); j++ {
		b.WriteString(p.segs[j].fragment)
	}
	return b.String()
}

// notFound rebuilds Jayway's message for a definite path that failed at
// segment fail.
func (p *Path) notFound(doc any, fail int) error {
	e := &NotFoundError{Path: p.text, Normalized: p.norm}
	// Find the value the failing segment was applied to.
	cur := doc
	for i := 0; i < fail; i++ {
		sg := &p.segs[i]
		switch sg.kind {
		case segName:
			cur, _ = cur.(*jsonv.Object).Get(sg.name)
		case segIndex:
			arr := cur.([]any)
			idx := sg.index
			if idx < 0 {
				idx += len(arr)
			}
			cur = arr[idx]
		}
	}
	sg := &p.segs[fail]
	last := fail == len(p.segs)-1
	switch sg.kind {
	case segName:
		if o, ok := cur.(*jsonv.Object); ok {
			_ = o
			if last {
				e.Msg = "No results for path: " + p.norm
			} else {
				e.Msg = "Missing property in path " + p.prefix(fail)
			}
			return e
		}
		e.Msg = fmt.Sprintf("Expected to find an object with property %s in path %s but found '%s'. This is not a json object according to the JsonProvider: '%s'.",
			sg.fragment, p.prefix(fail-1), javaClass(cur), jaywayProvider)
	case segIndex:
		if _, ok := cur.([]any); ok {
			e.Msg = "No results for path: " + p.norm
			return e
		}
		if cur == nil {
			e.Msg = "The path " + p.prefix(fail-1) + " is null"
			return e
		}
		var rest strings.Builder
		for _, s := range p.segs[fail:] {
			rest.WriteString(s.fragment)
		}
		e.Msg = fmt.Sprintf("Filter: %s can only be applied to arrays. Current context is: %s", rest.String(), jsonv.String(cur))
	case segFunc:
		_, err := applyFunc(sg.fn, cur)
		e.Msg = err.Error()
	}
	return e
}

// javaClass names the Java class Jayway's Jackson provider would hold for v.
func javaClass(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "java.lang.Boolean"
	case string:
		return "java.lang.String"
	case json.Number:
		if i, ok := jsonv.Int(x); ok && !strings.ContainsAny(string(x), ".eE") {
			if i >= math.MinInt32 && i <= math.MaxInt32 {
				return "java.lang.Integer"
			}
			return "java.lang.Long"
		}
		return "java.lang.Double"
	case []any:
		return "java.util.ArrayList"
	case *jsonv.Object:
		return "java.util.LinkedHashMap"
	}
	return "java.lang.Object"
}

// walk applies segs to cur and appends every match to out.
func walk(segs []segment, cur, root any, out *matches) {
	out.steps++
	if out.steps > maxSteps {
		return
	}
	if len(segs) == 0 {
		out.vals = append(out.vals, cur)
		return
	}
	sg := &segs[0]
	rest := segs[1:]
	switch sg.kind {
	case segName:
		if o, ok := cur.(*jsonv.Object); ok {
			if v, ok := o.Get(sg.name); ok {
				walk(rest, v, root, out)
			}
		}
	case segIndex:
		if arr, ok := cur.([]any); ok {
			idx := sg.index
			if idx < 0 {
				idx += len(arr)
			}
			if idx >= 0 && idx < len(arr) {
				walk(rest, arr[idx], root, out)
			}
		}
	case segNames:
		o, ok := cur.(*jsonv.Object)
		if !ok {
			return
		}
		if len(rest) == 0 {
			// Jayway merges a trailing multi-name selection into one object.
			m := jsonv.NewObject(len(sg.names))
			for _, n := range sg.names {
				if v, ok := o.Get(n); ok {
					m.Set(n, v)
				}
			}
			out.vals = append(out.vals, m)
			return
		}
		for _, n := range sg.names {
			if v, ok := o.Get(n); ok {
				walk(rest, v, root, out)
			}
		}
	case segIndexes:
		if arr, ok := cur.([]any); ok {
			for _, idx := range sg.indexes {
				if idx < 0 {
					idx += len(arr)
				}
				if idx >= 0 && idx < len(arr) {
					walk(rest, arr[idx], root, out)
				}
			}
		}
	case segSlice:
		if arr, ok := cur.([]any); ok {
			for _, idx := range sliceIndexes(sg, len(arr)) {
				walk(rest, arr[idx], root, out)
			}
		}
	case segWildcard:
		switch x := cur.(type) {
		case *jsonv.Object:
			for _, m := range x.Members() {
				walk(rest, m.Value, root, out)
			}
		case []any:
			for _, e := range x {
				walk(rest, e, root, out)
			}
		}
	case segDescend:
		if len(rest) == 0 {
			return
		}
		descend(rest, cur, root, out, 0)
	case segFilter:
		switch x := cur.(type) {
		case []any:
			for _, e := range x {
				if sg.filter.eval(e, root) {
					walk(rest, e, root, out)
				}
			}
		case *jsonv.Object:
			if sg.filter.eval(x, root) {
				walk(rest, x, root, out)
			}
		}
	case segFunc:
		if v, err := applyFunc(sg.fn, cur); err == nil {
			out.vals = append(out.vals, v)
		}
	}
}

// maxDescend bounds deep scans on hostile documents.
const maxDescend = 10000

// descend applies segs (whose first segment follows "..") to cur and to every
// value below it, in document order (pre-order), as Jayway's scan does.
func descend(segs []segment, cur, root any, out *matches, depth int) {
	out.steps++
	if depth > maxDescend || out.steps > maxSteps {
		return
	}
	if segs[0].kind == segFilter {
		// Jayway tests the filter against every node itself.
		if _, isArr := cur.([]any); !isArr && segs[0].filter.eval(cur, root) {
			walk(segs[1:], cur, root, out)
		}
	} else {
		walk(segs, cur, root, out)
	}
	switch x := cur.(type) {
	case *jsonv.Object:
		for _, m := range x.Members() {
			descend(segs, m.Value, root, out, depth+1)
		}
	case []any:
		for _, e := range x {
			descend(segs, e, root, out, depth+1)
		}
	}
}

// sliceIndexes resolves [from:to:step] against an array of length n with
// Python's (and Jayway's, for positive steps) clamping rules.
func sliceIndexes(sg *segment, n int) []int {
	step := sg.step
	if step == 0 {
		step = 1
	}
	var from, to int
	if step > 0 {
		from, to = 0, n
	} else {
		from, to = n-1, -1
	}
	clamp := func(i, lo, hi int) int {
		if i < 0 {
			i += n
		}
		return max(lo, min(i, hi))
	}
	if sg.hasFrom {
		if step > 0 {
			from = clamp(sg.from, 0, n)
		} else {
			from = clamp(sg.from, -1, n-1)
		}
	}
	if sg.hasTo {
		if step > 0 {
			to = clamp(sg.to, 0, n)
		} else {
			to = clamp(sg.to, -1, n-1)
		}
	}
	var idx []int
	if step > 0 {
		for i := from; i < to; i += step {
			idx = append(idx, i)
		}
	} else {
		for i := from; i > to; i += step {
			idx = append(idx, i)
		}
	}
	return idx
}

// applyFunc implements Jayway's path functions.
func applyFunc(fn string, v any) (any, error) {
	switch fn {
	case "length", "size":
		switch x := v.(type) {
		case []any:
			return jsonv.Number(int64(len(x))), nil
		case *jsonv.Object:
			return jsonv.Number(int64(x.Len())), nil
		case string:
			return jsonv.Number(int64(utf8.RuneCountInString(x))), nil
		}
		return nil, jaywayErrorf("Invalid function call length() on %s", jsonv.TypeName(v))
	case "keys":
		o, ok := v.(*jsonv.Object)
		if !ok {
			return nil, jaywayErrorf("Invalid function call keys() on %s", jsonv.TypeName(v))
		}
		keys := make([]any, 0, o.Len())
		for _, m := range o.Members() {
			keys = append(keys, m.Key)
		}
		return keys, nil
	case "first", "last":
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 {
			return nil, jaywayErrorf("Invalid function call %s() on %s", fn, jsonv.TypeName(v))
		}
		if fn == "first" {
			return arr[0], nil
		}
		return arr[len(arr)-1], nil
	case "min", "max", "avg", "sum", "stddev":
		arr, ok := v.([]any)
		if !ok {
			return nil, jaywayErrorf("Invalid function call %s() on %s", fn, jsonv.TypeName(v))
		}
		var nums []float64
		for _, e := range arr {
			if f, ok := e.(json.Number); ok {
				x, _ := jsonv.Float(f)
				nums = append(nums, x)
			}
		}
		if len(nums) == 0 {
			return nil, jaywayErrorf("Aggregation function attempted to calculate value using empty array")
		}
		var r float64
		switch fn {
		case "min":
			r = nums[0]
			for _, x := range nums {
				r = min(r, x)
			}
		case "max":
			r = nums[0]
			for _, x := range nums {
				r = max(r, x)
			}
		case "sum":
			for _, x := range nums {
				r += x
			}
		case "avg":
			for _, x := range nums {
				r += x
			}
			r /= float64(len(nums))
		case "stddev":
			var sum, sq float64
			for _, x := range nums {
				sum += x
				sq += x * x
			}
			n := float64(len(nums))
			r = math.Sqrt(sq/n - (sum/n)*(sum/n))
		}
		if math.IsNaN(r) || math.IsInf(r, 0) {
			return nil, jaywayErrorf("Aggregation function %s() overflowed", fn)
		}
		return jsonv.FloatNumber(r), nil
	}
	return nil, fmt.Errorf("unknown function %s()", fn)
}

// jaywayError carries one of Jayway's messages, which start with a capital.
type jaywayError struct{ msg string }

func (e *jaywayError) Error() string { return e.msg }

func jaywayErrorf(format string, args ...any) error {
	return &jaywayError{msg: fmt.Sprintf(format, args...)}
}
