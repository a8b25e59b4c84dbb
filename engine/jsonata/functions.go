package jsonata

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"stepwise/engine/jsonv"
)

type implFn = func(e *evaluator, c *call, args []any) (any, error)

func def(m map[string]*builtin, name, sig string, ar int, impl implFn) {
	m[name] = &builtin{name: name, sig: mustSig(sig), arity: ar, impl: impl}
}

// stdBuiltins and awsBuiltins are the immutable function tables of the two
// dialects.
var stdBuiltins, awsBuiltins = buildBuiltins()

func buildBuiltins() (map[string]*builtin, map[string]*builtin) {
	m := map[string]*builtin{}
	def(m, "sum", "<a<n>:n>", 1, fnSum)
	def(m, "count", "<a:n>", 1, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return 0.0, nil
		}
		return float64(len(a[0].(*seq).items)), nil
	})
	def(m, "max", "<a<n>:n>", 1, func(e *evaluator, c *call, a []any) (any, error) { return fnMinMax(a[0], true), nil })
	def(m, "min", "<a<n>:n>", 1, func(e *evaluator, c *call, a []any) (any, error) { return fnMinMax(a[0], false), nil })
	def(m, "average", "<a<n>:n>", 1, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil || len(a[0].(*seq).items) == 0 {
			return nil, nil
		}
		s, _ := fnSum(e, c, a)
		return s.(float64) / float64(len(a[0].(*seq).items)), nil
	})
	def(m, "string", "<x-b?:s>", 1, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		pretty, _ := a[1].(bool)
		return fnString(a[0], pretty)
	})
	def(m, "substring", "<s-nn?:s>", 3, fnSubstring)
	def(m, "substringBefore", "<s-s:s>", 2, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		s, chars := a[0].(string), strOf(a[1])
		if i := strings.Index(s, chars); i >= 0 {
			return s[:i], nil
		}
		return s, nil
	})
	def(m, "substringAfter", "<s-s:s>", 2, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		s, chars := a[0].(string), strOf(a[1])
		if i := strings.Index(s, chars); i >= 0 {
			return s[i+len(chars):], nil
		}
		return s, nil
	})
	def(m, "lowercase", "<s-:s>", 1, strFn(strings.ToLower))
	def(m, "uppercase", "<s-:s>", 1, strFn(jsUpper))
	def(m, "length", "<s-:n>", 1, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		return float64(utf8.RuneCountInString(a[0].(string))), nil
	})
	def(m, "trim", "<s-:s>", 1, strFn(func(s string) string {
		var b strings.Builder
		space := false
		for _, r := range s {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				space = true
				continue
			}
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		}
		return b.String()
	}))
	def(m, "pad", "<s-ns?:s>", 3, fnPad)
	def(m, "match", "<s-f<s:o>n?:a<o>>", 3, fnMatch)
	def(m, "contains", "<s-(sf):b>", 2, fnContains)
	def(m, "replace", "<s-(sf)(sf)n?:s>", 4, fnReplace)
	def(m, "split", "<s-(sf)n?:a<s>>", 3, fnSplit)
	def(m, "join", "<a<s>s?:s>", 2, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		sep := strOf(a[1])
		if len(sep)*len(a[0].(*seq).items) > maxStringLen {
			return nil, newErr("U1004")
		}
		parts := make([]string, 0, len(a[0].(*seq).items))
		for _, x := range a[0].(*seq).items {
			parts = append(parts, x.(string))
		}
		return strings.Join(parts, sep), nil
	})
	def(m, "formatNumber", "<n-so?:s>", 3, fnFormatNumber)
	def(m, "formatBase", "<n-n?:s>", 2, fnFormatBase)
	def(m, "formatInteger", "<n-s:s>", 2, fnFormatInteger)
	def(m, "parseInteger", "<s-s:n>", 2, fnParseInteger)
	def(m, "number", "<(nsb)-:n>", 1, fnNumber)
	def(m, "floor", "<n-:n>", 1, numFn(math.Floor))
	def(m, "ceil", "<n-:n>", 1, numFn(math.Ceil))
	def(m, "round", "<n-n?:n>", 2, fnRound)
	def(m, "abs", "<n-:n>", 1, numFn(math.Abs))
	def(m, "sqrt", "<n-:n>", 1, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		f := a[0].(float64)
		if f < 0 {
			return nil, &Error{Code: "D3060", Value: f, Index: 1}
		}
		return math.Sqrt(f), nil
	})
	def(m, "power", "<n-n:n>", 2, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		exp, _ := a[1].(float64)
		if a[1] == nil {
			exp = math.NaN()
		}
		r := math.Pow(a[0].(float64), exp)
		if math.IsInf(r, 0) || math.IsNaN(r) {
			return nil, &Error{Code: "D3061", Value: a[0], Exp: a[1], Index: 1}
		}
		return r, nil
	})
	def(m, "random", "<:n>", 0, func(e *evaluator, c *call, a []any) (any, error) { return e.random(), nil })
	def(m, "boolean", "<x-:b>", 1, func(e *evaluator, c *call, a []any) (any, error) { return toBoolean(a[0]) })
	def(m, "not", "<x-:b>", 1, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		b, err := toBoolean(a[0])
		if err != nil {
			return nil, err
		}
		return b != true, nil
	})
	def(m, "map", "<af>", 2, fnMap)
	def(m, "zip", "<a+>", 0, fnZip)
	def(m, "filter", "<af>", 2, fnFilter)
	def(m, "single", "<af?>", 2, fnSingle)
	def(m, "reduce", "<afj?:j>", 3, fnReduce)
	def(m, "sift", "<o-f?:o>", 2, fnSift)
	def(m, "keys", "<x-:a<s>>", 1, func(e *evaluator, c *call, a []any) (any, error) { return fnKeys(a[0]), nil })
	def(m, "lookup", "<x-s:x>", 2, func(e *evaluator, c *call, a []any) (any, error) {
		return lookupField(a[0], strOf(a[1])), nil
	})
	def(m, "append", "<xx:a>", 2, func(e *evaluator, c *call, a []any) (any, error) {
		if s, ok := a[0].(*seq); ok {
			if t, ok := a[1].(*seq); ok && len(s.items)+len(t.items) > maxArrayLen {
				return nil, newErr("U1004")
			}
		}
		return fnAppend(a[0], a[1]), nil
	})
	def(m, "exists", "<x:b>", 1, func(e *evaluator, c *call, a []any) (any, error) { return a[0] != nil, nil })
	def(m, "spread", "<x-:a<o>>", 1, func(e *evaluator, c *call, a []any) (any, error) { return fnSpread(a[0]), nil })
	def(m, "merge", "<a<o>:o>", 1, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		r := newObject(4)
		for _, o := range a[0].(*seq).items {
			if obj, ok := o.(*object); ok {
				for _, k := range obj.keys {
					r.set(k, obj.at(k))
				}
			}
		}
		return r, nil
	})
	def(m, "reverse", "<a:a>", 1, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		s := a[0].(*seq)
		if len(s.items) <= 1 {
			return s, nil
		}
		out := make([]any, len(s.items))
		for i, x := range s.items {
			out[len(out)-1-i] = x
		}
		return newArr(out), nil
	})
	def(m, "each", "<o-f:a>", 2, fnEach)
	def(m, "error", "<s?:x>", 1, func(e *evaluator, c *call, a []any) (any, error) {
		msg, _ := a[0].(string)
		if msg == "" {
			msg = "$error() function evaluated"
		}
		return nil, &Error{Code: "D3137", userMessage: msg}
	})
	def(m, "assert", "<bs?:x>", 2, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] != true {
			msg, _ := a[1].(string)
			if msg == "" {
				msg = "$assert() statement failed"
			}
			return nil, &Error{Code: "D3141", userMessage: msg}
		}
		return nil, nil
	})
	def(m, "type", "<x:s>", 1, func(e *evaluator, c *call, a []any) (any, error) { return fnType(a[0]), nil })
	def(m, "sort", "<af?:a>", 2, fnSort)
	def(m, "shuffle", "<a:a>", 1, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		s := a[0].(*seq)
		if len(s.items) <= 1 {
			return s, nil
		}
		out := append([]any(nil), s.items...)
		for i := len(out) - 1; i > 0; i-- {
			j := int(e.random() * float64(i+1))
			out[i], out[j] = out[j], out[i]
		}
		return newArr(out), nil
	})
	def(m, "distinct", "<x:x>", 1, func(e *evaluator, c *call, a []any) (any, error) {
		s, ok := a[0].(*seq)
		if !ok || len(s.items) <= 1 {
			return a[0], nil
		}
		out := &seq{sequence: s.sequence}
		for _, v := range s.items {
			if err := e.work(len(out.items)); err != nil {
				return nil, err
			}
			found := false
			for _, r := range out.items {
				if deepEqual(v, r) {
					found = true
					break
				}
			}
			if !found {
				out.items = append(out.items, v)
			}
		}
		return out, nil
	})
	def(m, "base64encode", "<s-:s>", 1, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		// Buffer.from(str, "binary") keeps the low byte of each UTF-16 unit
		var b []byte
		for _, u := range utf16.Encode([]rune(a[0].(string))) {
			b = append(b, byte(u))
		}
		return base64.StdEncoding.EncodeToString(b), nil
	})
	def(m, "base64decode", "<s-:s>", 1, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		s := strings.TrimRight(a[0].(string), "=")
		b, err := base64.RawStdEncoding.DecodeString(s)
		if err != nil {
			b, _ = base64.StdEncoding.DecodeString(a[0].(string))
		}
		var sb strings.Builder
		for _, c := range b {
			sb.WriteRune(rune(c))
		}
		return sb.String(), nil
	})
	def(m, "encodeUrlComponent", "<s-:s>", 1, urlFn("encodeUrlComponent", func(s string) (string, bool) { return encodeURI(s, true) }))
	def(m, "encodeUrl", "<s-:s>", 1, urlFn("encodeUrl", func(s string) (string, bool) { return encodeURI(s, false) }))
	def(m, "decodeUrlComponent", "<s-:s>", 1, urlFn("decodeUrlComponent", func(s string) (string, bool) { return decodeURI(s, "") }))
	def(m, "decodeUrl", "<s-:s>", 1, urlFn("decodeUrl", func(s string) (string, bool) { return decodeURI(s, ";/?:@&=+$,#") }))
	def(m, "toMillis", "<s-s?:n>", 2, fnToMillis)
	def(m, "fromMillis", "<n-s?s?:s>", 3, fnFromMillis)
	def(m, "now", "<s?s?:s>", 2, func(e *evaluator, c *call, a []any) (any, error) {
		return fnFromMillis(e, c, []any{float64(e.timestamp().UnixMilli()), a[0], a[1]})
	})
	def(m, "millis", "<:n>", 0, func(e *evaluator, c *call, a []any) (any, error) {
		return float64(e.timestamp().UnixMilli()), nil
	})
	def(m, "clone", "<(oa)-:o>", 1, func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		return deepClone(a[0]), nil
	})
	aws := make(map[string]*builtin, len(m)+8)
	for k, v := range m {
		aws[k] = v
	}
	def(m, "eval", "<sx?:x>", 2, fnEval)
	def(aws, "partition", "<an:a>", 2, fnPartition)
	def(aws, "range", "<nnn?:a>", 3, fnRange)
	def(aws, "hash", "<s-s?:s>", 2, fnHash)
	def(aws, "random", "<n?:n>", 1, fnRandomSeeded)
	def(aws, "uuid", "<:s>", 0, fnUUID)
	def(aws, "parse", "<s-:j>", 1, fnParse)
	return m, aws
}

// upperSpecial holds the one-to-many upper-case mappings JavaScript applies
// (Unicode SpecialCasing) that Go's strings.ToUpper does not.
var upperSpecial = strings.NewReplacer("ß", "SS", "ﬀ", "FF", "ﬁ", "FI", "ﬂ", "FL", "ﬃ", "FFI", "ﬄ", "FFL", "ﬅ", "ST", "ﬆ", "ST", "ŉ", "ʼN")

func jsUpper(s string) string { return strings.ToUpper(upperSpecial.Replace(s)) }

func strOf(v any) string {
	s, _ := v.(string)
	return s
}

func strFn(f func(string) string) implFn {
	return func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		return f(a[0].(string)), nil
	}
}

func numFn(f func(float64) float64) implFn {
	return func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		return f(a[0].(float64)), nil
	}
}

func fnSum(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	total := 0.0
	for _, x := range a[0].(*seq).items {
		total += x.(float64)
	}
	return total, nil
}

func fnMinMax(v any, max bool) any {
	if v == nil || len(v.(*seq).items) == 0 {
		return nil
	}
	items := v.(*seq).items
	r := items[0].(float64)
	for _, x := range items[1:] {
		f := x.(float64)
		if max && f > r || !max && f < r {
			r = f
		}
	}
	return r
}

// fnString is $string.
func fnString(v any, pretty bool) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case *lambda, *builtin, *matcher:
		return "", nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return "", errv("D3001", v)
		}
	case *seq:
		if x.outerWrapper && len(x.items) > 0 {
			v = x.items[0]
		}
	}
	if f := firstNonFinite(v); f != nil {
		return "", errv("D1001", f)
	}
	return stringify(v, pretty), nil
}

func fnSubstring(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	if a[1] == nil {
		// slice(undefined, NaN) in JavaScript
		if a[2] != nil {
			return "", nil
		}
		return a[0], nil
	}
	runes := []rune(a[0].(string))
	n := len(runes)
	start := int(jsInt(a[1].(float64)))
	if n+start < 0 {
		start = 0
	}
	if a[2] != nil {
		length := a[2].(float64)
		if length <= 0 {
			return "", nil
		}
		var end int
		if start >= 0 {
			end = start + int(jsInt(length))
		} else {
			end = n + start + int(jsInt(length))
		}
		return string(slice(runes, start, end)), nil
	}
	return string(slice(runes, start, n)), nil
}

func jsInt(f float64) float64 {
	if math.IsNaN(f) {
		return 0
	}
	if f > 1e15 {
		return 1e15
	}
	if f < -1e15 {
		return -1e15
	}
	return math.Trunc(f)
}

// slice is Array.prototype.slice.
func slice[T any](a []T, start, end int) []T {
	n := len(a)
	if start < 0 {
		start = max(n+start, 0)
	}
	if end < 0 {
		end = max(n+end, 0)
	}
	start = min(start, n)
	end = min(end, n)
	if start >= end {
		return nil
	}
	return a[start:end]
}

func fnPad(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	str := a[0].(string)
	if a[1] == nil {
		return str, nil
	}
	width := int(jsInt(a[1].(float64)))
	ch, _ := a[2].(string)
	if ch == "" {
		ch = " "
	}
	padLen := abs(width) - utf8.RuneCountInString(str)
	if padLen <= 0 {
		return str, nil
	}
	if padLen > maxStringLen {
		return nil, newErr("U1004")
	}
	padding := []rune(strings.Repeat(ch, padLen))[:padLen]
	if width > 0 {
		return str + string(padding), nil
	}
	return string(padding) + str, nil
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// matchInfo is the useful part of a matcher's result object.
type matchInfo struct {
	obj    *object
	match  string
	start  int
	end    int
	groups any
	next   any
}

func (e *evaluator) evalMatcher(fn any, args []any, env *frame) (*matchInfo, error) {
	r, err := e.apply(fn, args, nil, env)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, nil
	}
	o, ok := r.(*object)
	if !ok {
		return nil, &Error{Code: "T1010"}
	}
	start, sok := o.at("start").(float64)
	end, _ := o.at("end").(float64)
	_, gok := o.at("groups").(*seq)
	if !sok && !gok && !isFunction(o.at("next")) {
		return nil, &Error{Code: "T1010"}
	}
	mi := &matchInfo{obj: o, start: int(start), end: int(end), groups: o.at("groups"), next: o.at("next")}
	mi.match, _ = o.at("match").(string)
	return mi, nil
}

func (e *evaluator) nextMatch(mi *matchInfo, env *frame) (*matchInfo, error) {
	if !isFunction(mi.next) {
		return nil, nil
	}
	return e.evalMatcher(mi.next, nil, env)
}

// u16 helps slice strings by UTF-16 code unit offsets, as JavaScript does.
type u16 struct {
	units []uint16
}

func newU16(s string) u16 { return u16{units: utf16.Encode([]rune(s))} }

func (u u16) sub(start, end int) string {
	start = max(0, min(start, len(u.units)))
	end = max(start, min(end, len(u.units)))
	return string(utf16.Decode(u.units[start:end]))
}

func fnContains(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	str := a[0].(string)
	if a[1] == nil {
		return nil, nil
	}
	if tok, ok := a[1].(string); ok {
		return strings.Contains(str, tok), nil
	}
	mi, err := e.evalMatcher(a[1], []any{str}, c.env)
	if err != nil {
		return nil, err
	}
	return mi != nil, nil
}

func fnMatch(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	str := a[0].(string)
	limit, hasLimit := a[2].(float64)
	if hasLimit && limit < 0 {
		return nil, &Error{Code: "D3040", Value: limit, Index: 3}
	}
	result := newSeq()
	if !hasLimit || limit > 0 {
		mi, err := e.evalMatcher(a[1], []any{str}, c.env)
		if err != nil {
			return nil, err
		}
		count := 0.0
		for mi != nil && (!hasLimit || count < limit) {
			o := newObject(3)
			o.set("match", mi.match)
			o.set("index", float64(mi.start))
			o.set("groups", mi.groups)
			result.items = append(result.items, o)
			if mi, err = e.nextMatch(mi, c.env); err != nil {
				return nil, err
			}
			count++
		}
	}
	return result, nil
}

func fnReplace(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	str := a[0].(string)
	if a[1] == "" {
		return nil, &Error{Code: "D3010", Value: "", Index: 2}
	}
	limit, hasLimit := a[3].(float64)
	if hasLimit && limit < 0 {
		return nil, &Error{Code: "D3011", Value: limit, Index: 4}
	}
	if hasLimit && limit == 0 {
		return str, nil
	}
	if pat, ok := a[1].(string); ok {
		rep, ok := a[2].(string)
		if !ok {
			// a function replacement with a string pattern
			rep = ""
		}
		n := -1
		if hasLimit && limit < 1e9 {
			n = int(math.Ceil(limit))
		}
		if len(str)+strings.Count(str, pat)*len(rep) > maxStringLen {
			return nil, newErr("U1004")
		}
		return strings.Replace(str, pat, rep, n), nil
	}
	u := newU16(str)
	var b strings.Builder
	position := 0
	mi, err := e.evalMatcher(a[1], []any{str}, c.env)
	if err != nil {
		return nil, err
	}
	if mi == nil {
		return str, nil
	}
	count := 0.0
	for mi != nil && (!hasLimit || count < limit) {
		b.WriteString(u.sub(position, mi.start))
		var with any
		if rep, ok := a[2].(string); ok {
			with = substituteGroups(rep, mi)
		} else {
			with, err = e.apply(a[2], []any{mi.obj}, nil, c.env)
			if err != nil {
				return nil, err
			}
		}
		ws, ok := with.(string)
		if !ok {
			return nil, errv("D3012", with)
		}
		b.WriteString(ws)
		if b.Len() > maxStringLen {
			return nil, newErr("U1004")
		}
		position = mi.start + len(utf16.Encode([]rune(mi.match)))
		count++
		if mi, err = e.nextMatch(mi, c.env); err != nil {
			return nil, err
		}
	}
	b.WriteString(u.sub(position, len(u.units)))
	return b.String(), nil
}

func substituteGroups(rep string, mi *matchInfo) string {
	var groups []any
	if g, ok := mi.groups.(*seq); ok {
		groups = g.items
	}
	var b strings.Builder
	position := 0
	index := strings.IndexByte(rep, '$')
	for index != -1 && position < len(rep) {
		b.WriteString(rep[position:index])
		position = index + 1
		var dollar byte
		if position < len(rep) {
			dollar = rep[position]
		}
		switch dollar {
		case '$':
			b.WriteByte('$')
			position++
		case '0':
			b.WriteString(mi.match)
			position++
		default:
			maxDigits := 1
			if len(groups) > 0 {
				maxDigits = int(math.Floor(math.Log10(float64(len(groups))))) + 1
			}
			idx, ok := parseLeadingInt(rep[position:min(position+maxDigits, len(rep))])
			if ok && maxDigits > 1 && idx > len(groups) {
				idx, ok = parseLeadingInt(rep[position:min(position+maxDigits-1, len(rep))])
			}
			if ok {
				if len(groups) > 0 && idx-1 >= 0 && idx-1 < len(groups) {
					if s, ok := groups[idx-1].(string); ok {
						b.WriteString(s)
					}
				}
				position += len(strconv.Itoa(idx))
			} else {
				b.WriteByte('$')
			}
		}
		next := strings.IndexByte(rep[min(position, len(rep)):], '$')
		if next < 0 {
			index = -1
		} else {
			index = position + next
		}
	}
	if position < len(rep) {
		b.WriteString(rep[position:])
	}
	return b.String()
}

// parseLeadingInt is parseInt(s, 10): leading digits, NaN (false) if none.
func parseLeadingInt(s string) (int, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, false
	}
	n, _ := strconv.Atoi(s[:i])
	return n, true
}

func fnSplit(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	str := a[0].(string)
	limit, hasLimit := a[2].(float64)
	if hasLimit && limit < 0 {
		return nil, &Error{Code: "D3020", Value: limit, Index: 3}
	}
	result := newArr(nil)
	if hasLimit && limit == 0 {
		return result, nil
	}
	if sep, ok := a[1].(string); ok {
		var parts []string
		if sep == "" {
			// JavaScript splits into UTF-16 units; a Go string cannot hold
			// half a surrogate pair, so characters stay whole here
			for _, r := range str {
				parts = append(parts, string(r))
			}
		} else {
			parts = strings.Split(str, sep)
		}
		if hasLimit && limit < float64(len(parts)) {
			parts = parts[:int(limit)] // String.prototype.split truncates its limit
		}
		for _, p := range parts {
			result.items = append(result.items, p)
		}
		return result, nil
	}
	u := newU16(str)
	mi, err := e.evalMatcher(a[1], []any{str}, c.env)
	if err != nil {
		return nil, err
	}
	if mi == nil {
		result.items = append(result.items, str)
		return result, nil
	}
	start := 0
	count := 0.0
	for mi != nil && (!hasLimit || count < limit) {
		result.items = append(result.items, u.sub(start, mi.start))
		start = mi.end
		if mi, err = e.nextMatch(mi, c.env); err != nil {
			return nil, err
		}
		count++
	}
	if !hasLimit || count < limit {
		result.items = append(result.items, u.sub(start, len(u.units)))
	}
	return result, nil
}

func fnFormatBase(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	v := jsRound(a[0].(float64), 0)
	radix := 10.0
	if a[1] != nil {
		radix = jsRound(a[1].(float64), 0)
	}
	if radix < 2 || radix > 36 {
		return nil, errv("D3100", radix)
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e18 {
		return strconv.FormatInt(int64(v), int(radix)), nil
	}
	return formatJSNumber(v), nil
}

func fnNumber(e *evaluator, c *call, a []any) (any, error) {
	switch x := a[0].(type) {
	case nil:
		return nil, nil
	case float64:
		return x, nil
	case bool:
		if x {
			return 1.0, nil
		}
		return 0.0, nil
	case string:
		if matchNumber([]byte(x)) == len(x) && len(x) > 0 && !strings.HasPrefix(x, "-0") || isPlainDecimal(x) {
			f, err := strconv.ParseFloat(x, 64)
			if err == nil && !math.IsInf(f, 0) {
				return f, nil
			}
		}
		if len(x) > 2 && x[0] == '0' {
			base := 0
			switch x[1] {
			case 'x', 'X':
				base = 16
			case 'o', 'O':
				base = 8
			case 'b', 'B':
				base = 2
			}
			if base != 0 {
				if n, err := strconv.ParseUint(x[2:], base, 64); err == nil {
					return float64(n), nil
				}
			}
		}
	}
	return nil, &Error{Code: "D3030", Value: a[0], Index: 1}
}

// isPlainDecimal matches ^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$.
func isPlainDecimal(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	d := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == d {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		d = i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d = i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	return i == len(s)
}

func fnRound(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	p := 0.0
	if a[1] != nil {
		p = a[1].(float64)
	}
	return jsRound(a[0].(float64), int(p)), nil
}

// jsRound is $round: round half to even at the given decimal precision,
// shifting through the decimal string form as jsonata-js does.
func jsRound(v float64, precision int) float64 {
	arg := v
	if precision != 0 {
		arg = shiftDecimal(v, precision)
	}
	r := math.Floor(arg + 0.5) // Math.round
	diff := r - arg
	if math.Abs(diff) == 0.5 && math.Abs(math.Mod(r, 2)) == 1 {
		r--
	}
	if precision != 0 {
		r = shiftDecimal(r, -precision)
	}
	if r == 0 {
		r = 0
	}
	return r
}

func shiftDecimal(v float64, by int) float64 {
	s := formatJSNumber(v)
	mant, exp := s, 0
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		mant = s[:i]
		exp, _ = strconv.Atoi(s[i+1:])
	}
	f, err := strconv.ParseFloat(mant+"e"+strconv.Itoa(exp+by), 64)
	if err != nil {
		return v * math.Pow(10, float64(by))
	}
	return f
}

// toBoolean is $boolean; it returns nil for undefined.
func toBoolean(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case *seq:
		if len(x.items) == 1 {
			return toBoolean(x.items[0])
		}
		for _, it := range x.items {
			b, err := toBoolean(it)
			if err != nil {
				return nil, err
			}
			if b == true {
				return true, nil
			}
		}
		return false, nil
	case string:
		return x != "", nil
	case float64:
		if math.IsInf(x, 0) {
			return nil, errv("D1001", v)
		}
		return x != 0 && !math.IsNaN(x), nil
	case *object:
		return len(x.keys) > 0, nil
	case tuple:
		return true, nil
	case bool:
		return x, nil
	}
	return false, nil
}

func fnMap(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	arr := a[0].(*seq)
	result := newSeq()
	for i, v := range arr.items {
		r, err := e.apply(a[1], hofArgs(a[1], v, float64(i), arr), nil, c.env)
		if err != nil {
			return nil, err
		}
		if r != nil {
			result.items = append(result.items, r)
		}
	}
	return result, nil
}

func fnFilter(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	arr := a[0].(*seq)
	result := newSeq()
	for i, v := range arr.items {
		r, err := e.apply(a[1], hofArgs(a[1], v, float64(i), arr), nil, c.env)
		if err != nil {
			return nil, err
		}
		if boolize(r) {
			result.items = append(result.items, v)
		}
	}
	return result, nil
}

func fnSingle(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	arr := a[0].(*seq)
	found := false
	var result any
	for i, v := range arr.items {
		ok := true
		if a[1] != nil {
			r, err := e.apply(a[1], hofArgs(a[1], v, float64(i), arr), nil, c.env)
			if err != nil {
				return nil, err
			}
			ok = boolize(r)
		}
		if ok {
			if found {
				return nil, &Error{Code: "D3138", Index: i}
			}
			result = v
			found = true
		}
	}
	if !found {
		return nil, newErr("D3139")
	}
	return result, nil
}

func fnZip(e *evaluator, c *call, a []any) (any, error) {
	result := newArr(nil)
	length := math.MaxInt
	for _, x := range a {
		if s, ok := x.(*seq); ok {
			length = min(length, len(s.items))
		} else {
			length = 0
		}
	}
	if len(a) == 0 {
		length = 0
	}
	for i := 0; i < length; i++ {
		t := make([]any, len(a))
		for j, x := range a {
			t[j] = x.(*seq).items[i]
		}
		result.items = append(result.items, newArr(t))
	}
	return result, nil
}

func fnReduce(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	arr := a[0].(*seq)
	n := arity(a[1])
	if n < 2 {
		return nil, &Error{Code: "D3050", Index: 1}
	}
	var result any
	index := 0
	if a[2] == nil && len(arr.items) > 0 {
		result = arr.items[0]
		index = 1
	} else {
		result = a[2]
	}
	for ; index < len(arr.items); index++ {
		args := []any{result, arr.items[index]}
		if n >= 3 {
			args = append(args, float64(index))
		}
		if n >= 4 {
			args = append(args, arr)
		}
		r, err := e.apply(a[1], args, nil, c.env)
		if err != nil {
			return nil, err
		}
		result = r
	}
	return result, nil
}

func fnSift(e *evaluator, c *call, a []any) (any, error) {
	o, ok := a[0].(*object)
	if !ok {
		return nil, nil
	}
	result := newObject(len(o.keys))
	for _, k := range o.keys {
		v := o.at(k)
		r, err := e.apply(a[1], hofArgs(a[1], v, k, o), nil, c.env)
		if err != nil {
			return nil, err
		}
		if boolize(r) {
			result.set(k, v)
		}
	}
	if len(result.keys) == 0 {
		return nil, nil
	}
	return result, nil
}

func fnEach(e *evaluator, c *call, a []any) (any, error) {
	result := newSeq()
	o, ok := a[0].(*object)
	if !ok {
		return result, nil
	}
	for _, k := range o.keys {
		r, err := e.apply(a[1], hofArgs(a[1], o.at(k), k, o), nil, c.env)
		if err != nil {
			return nil, err
		}
		if r != nil {
			result.items = append(result.items, r)
		}
	}
	return result, nil
}

func fnKeys(v any) any {
	result := newSeq()
	switch x := v.(type) {
	case *seq:
		seen := map[string]bool{}
		for _, item := range x.items {
			for _, k := range fnKeys(item).(*seq).items {
				if !seen[k.(string)] {
					seen[k.(string)] = true
					result.items = append(result.items, k)
				}
			}
		}
	case *object:
		for _, k := range x.keys {
			result.items = append(result.items, k)
		}
	}
	return result
}

func fnSpread(v any) any {
	switch x := v.(type) {
	case *seq:
		var result any = newSeq()
		for _, item := range x.items {
			result = fnAppend(result, fnSpread(item))
		}
		return result
	case *object:
		result := newSeq()
		for _, k := range x.keys {
			o := newObject(1)
			o.set(k, x.at(k))
			result.items = append(result.items, o)
		}
		return result
	}
	return v
}

func fnType(v any) any {
	switch v.(type) {
	case nil:
		return nil
	case nullT:
		return "null"
	case float64:
		return "number"
	case string:
		return "string"
	case bool:
		return "boolean"
	case *seq:
		return "array"
	case *lambda, *builtin, *matcher:
		return "function"
	}
	return "object"
}

func fnSort(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	arr := a[0].(*seq)
	if len(arr.items) <= 1 {
		return arr, nil
	}
	var swap func(x, y any) (bool, error)
	if a[1] == nil {
		if !isArrayOfNumbers(arr) && !isArrayOfStrings(arr) {
			return nil, &Error{Code: "D3070", Index: 1}
		}
		swap = func(x, y any) (bool, error) {
			if err := e.work(1); err != nil {
				return false, err
			}
			if xf, ok := x.(float64); ok {
				return xf > y.(float64), nil
			}
			return compareJSStrings(x.(string), y.(string)) > 0, nil
		}
	} else {
		swap = func(x, y any) (bool, error) {
			r, err := e.apply(a[1], []any{x, y}, nil, c.env)
			if err != nil {
				return false, err
			}
			return truthy(r), nil
		}
	}
	r := mergeSort(arr.items, swap)
	if r.err != nil {
		return nil, r.err
	}
	return newArr(r.items), nil
}

func urlFn(name string, f func(string) (string, bool)) implFn {
	return func(e *evaluator, c *call, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		r, ok := f(a[0].(string))
		if !ok {
			return nil, &Error{Code: "D3140", Value: a[0], FunctionName: name}
		}
		return r, nil
	}
}

// encodeURI is JavaScript's encodeURI (component=false) or
// encodeURIComponent (component=true).
func encodeURI(s string, component bool) (string, bool) {
	const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()"
	const reserved = ";/?:@&=+$,#"
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return "", false
		}
		if r < 0x80 && (strings.IndexByte(unreserved, byte(r)) >= 0 || !component && strings.IndexByte(reserved, byte(r)) >= 0) {
			b.WriteByte(byte(r))
		} else {
			for j := 0; j < size; j++ {
				b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{s[i+j]})))
			}
		}
		i += size
	}
	return b.String(), true
}

// decodeURI is JavaScript's decodeURI (keeping escapes of the reserved set)
// or decodeURIComponent (reserved == "").
func decodeURI(s, reserved string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '%' {
			b.WriteByte(s[i])
			i++
			continue
		}
		start := i
		var bytes []byte
		for i < len(s) && s[i] == '%' {
			if i+3 > len(s) {
				return "", false
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", false
			}
			bytes = append(bytes, byte(v))
			i += 3
			if utf8.FullRune(bytes) {
				break
			}
		}
		if !utf8.Valid(bytes) {
			return "", false
		}
		if len(bytes) == 1 && strings.IndexByte(reserved, bytes[0]) >= 0 {
			b.WriteString(s[start:i])
		} else {
			b.Write(bytes)
		}
	}
	return b.String(), true
}

func fnEval(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	input := c.input
	if a[1] != nil {
		input = a[1]
		if s, ok := input.(*seq); ok && !s.sequence {
			w := newSeq(s)
			w.outerWrapper = true
			input = w
		}
	}
	ast, err := parse(a[0].(string))
	if err != nil {
		msg := err.Error()
		if je := asError(err); je != nil {
			je.populate()
			msg = je.Message
		}
		return nil, &Error{Code: "D3120", Value: msg}
	}
	r, err := e.eval(ast, input, c.env)
	if err != nil {
		je := asError(err)
		if je != nil && (je.Code == "U1001" || je.Code == "U1002" || je.Code == "U1003") {
			return nil, err
		}
		msg := err.Error()
		if je != nil {
			je.populate()
			msg = je.Message
		}
		return nil, &Error{Code: "D3121", Value: msg}
	}
	return r, nil
}

func fnPartition(e *evaluator, c *call, a []any) (any, error) {
	arr, _ := a[0].(*seq)
	size, ok := a[1].(float64)
	if !ok {
		return nil, nil
	}
	if size < 1 || size != math.Trunc(size) {
		return nil, errv("D3152", size)
	}
	result := newArr(nil)
	if arr == nil {
		return result, nil
	}
	n := len(arr.items)
	if size < float64(n) {
		n = int(size)
	}
	for i := 0; i < len(arr.items); i += n {
		result.items = append(result.items, newArr(append([]any(nil), arr.items[i:min(i+n, len(arr.items))]...)))
	}
	return result, nil
}

func fnRange(e *evaluator, c *call, a []any) (any, error) {
	start, ok1 := a[0].(float64)
	end, ok2 := a[1].(float64)
	if !ok1 || !ok2 {
		return nil, nil
	}
	step := 1.0
	if a[2] != nil {
		step = a[2].(float64)
	}
	if step == 0 {
		return nil, newErr("D3153")
	}
	result := newSeq()
	if (end-start)/step > 1e7 {
		return nil, newErr("D3154")
	}
	for v := start; step > 0 && v <= end || step < 0 && v >= end; v += step {
		result.items = append(result.items, v)
	}
	return result, nil
}

func fnHash(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	alg := "SHA-256"
	if a[1] != nil {
		alg = a[1].(string)
	}
	data := []byte(a[0].(string))
	var sum []byte
	switch alg {
	case "MD5":
		h := md5.Sum(data)
		sum = h[:]
	case "SHA-1":
		h := sha1.Sum(data)
		sum = h[:]
	case "SHA-256":
		h := sha256.Sum256(data)
		sum = h[:]
	case "SHA-384":
		h := sha512.Sum384(data)
		sum = h[:]
	case "SHA-512":
		h := sha512.Sum512(data)
		sum = h[:]
	default:
		return nil, errv("D3151", alg)
	}
	return hex.EncodeToString(sum), nil
}

func fnParse(e *evaluator, c *call, a []any) (any, error) {
	if a[0] == nil {
		return nil, nil
	}
	v, err := jsonv.DecodeString(a[0].(string))
	if err != nil {
		return nil, &Error{Code: "D3150", userMessage: err.Error()}
	}
	return fromJSON(v), nil
}
