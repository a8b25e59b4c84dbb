package jsonata

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"stepwise/engine/jsonv"
)

// nullT is JSON null inside the evaluator; Go nil is JSONata undefined.
type nullT struct{}

var null = nullT{}

// seq is an array. JSONata distinguishes sequences (results of path
// navigation, which collapse to a single value and flatten) from arrays that
// came from the input or an array constructor.
type seq struct {
	items         []any
	sequence      bool
	keepSingleton bool
	cons          bool
	outerWrapper  bool
	tupleStream   bool
}

func newSeq(items ...any) *seq { return &seq{items: items, sequence: true} }

func newArr(items []any) *seq { return &seq{items: items} }

// tuple is one element of a tuple stream: the context value under "@" plus
// the focus, index and ancestor bindings collected along the path.
type tuple map[string]any

// object is a JSON object with JavaScript's key order: keys that are array
// indexes ("0", "17", below 2^32-1) come first in numeric order, the others
// follow in insertion order. Small objects are searched linearly; larger ones
// keep a key index.
type object struct {
	keys  []string
	vals  []any
	index map[string]int
	nIdx  int // how many leading keys are array indexes
}

// arrayIndexKey reports whether k is a canonical array index, which
// JavaScript orders before all other keys.
func arrayIndexKey(k string) (uint64, bool) {
	if k == "" || len(k) > 10 || k[0] < '0' || k[0] > '9' || len(k) > 1 && k[0] == '0' {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, n < 1<<32-1
}

const objectIndexThreshold = 8

func newObject(n int) *object {
	return &object{keys: make([]string, 0, n), vals: make([]any, 0, n)}
}

func (o *object) find(k string) int {
	if o.index != nil {
		if i, ok := o.index[k]; ok {
			return i
		}
		return -1
	}
	for i, key := range o.keys {
		if key == k {
			return i
		}
	}
	return -1
}

// at returns the value under k, or nil (undefined).
func (o *object) at(k string) any {
	if i := o.find(k); i >= 0 {
		return o.vals[i]
	}
	return nil
}

func (o *object) set(k string, v any) {
	if i := o.find(k); i >= 0 {
		o.vals[i] = v
		return
	}
	if n, ok := arrayIndexKey(k); ok {
		pos := o.nIdx
		for i := 0; i < o.nIdx; i++ {
			if m, _ := arrayIndexKey(o.keys[i]); m > n {
				pos = i
				break
			}
		}
		o.nIdx++
		if pos < len(o.keys) {
			o.keys = append(o.keys[:pos], append([]string{k}, o.keys[pos:]...)...)
			o.vals = append(o.vals[:pos], append([]any{v}, o.vals[pos:]...)...)
			if o.index != nil || len(o.keys) > objectIndexThreshold {
				o.reindex()
			}
			return
		}
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	if o.index != nil {
		o.index[k] = len(o.keys) - 1
	} else if len(o.keys) > objectIndexThreshold {
		o.reindex()
	}
}

func (o *object) reindex() {
	if len(o.keys) <= objectIndexThreshold {
		o.index = nil
		return
	}
	o.index = make(map[string]int, len(o.keys))
	for i, k := range o.keys {
		o.index[k] = i
	}
}

func (o *object) del(k string) {
	i := o.find(k)
	if i < 0 {
		return
	}
	if i < o.nIdx {
		o.nIdx--
	}
	o.keys = append(o.keys[:i:i], o.keys[i+1:]...)
	o.vals = append(o.vals[:i:i], o.vals[i+1:]...)
	if o.index != nil {
		o.reindex()
	}
}

func isFunction(v any) bool {
	switch v.(type) {
	case *lambda, *builtin, *matcher:
		return true
	}
	return false
}

// fromJSON converts a jsonv value (or plain Go JSON value) to the internal
// form. Undefined stays nil.
func fromJSON(v any) any {
	switch x := v.(type) {
	case nil:
		return null
	case bool, string:
		return x
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			if f2, ok := jsonv.Float(x); ok {
				return f2
			}
			return f
		}
		return f
	case float64:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = fromJSON(e)
		}
		return newArr(items)
	case *jsonv.Object:
		o := newObject(x.Len())
		for _, m := range x.Members() {
			o.set(m.Key, fromJSON(m.Value))
		}
		return o
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		o := newObject(len(x))
		for _, k := range keys {
			o.set(k, fromJSON(x[k]))
		}
		return o
	case undefinedT:
		return nil
	}
	return v
}

// toJSON converts an internal value to a jsonv value. Functions become an
// error at the top level; inside containers they are dropped, like
// JSON.stringify does.
func toJSON(v any) (any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, false
	case nullT:
		return nil, true
	case bool, string:
		return x, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, true // JSON.stringify writes null
		}
		return json.Number(formatJSNumber(x)), true
	case *seq:
		out := make([]any, 0, len(x.items))
		for _, e := range x.items {
			if isFunction(e) {
				continue
			}
			if j, ok := toJSON(e); ok {
				out = append(out, j)
			} else {
				out = append(out, nil)
			}
		}
		return out, true
	case *object:
		o := jsonv.NewObject(len(x.keys))
		for _, k := range x.keys {
			e := x.at(k)
			if isFunction(e) {
				continue
			}
			if j, ok := toJSON(e); ok {
				o.Set(k, j)
			}
		}
		return o, true
	case tuple:
		return toJSON(x["@"])
	}
	return nil, false
}

// formatJSNumber formats a float64 as JavaScript's Number.prototype.toString.
func formatJSNumber(f float64) string {
	if math.IsNaN(f) {
		return "NaN"
	}
	if math.IsInf(f, 1) {
		return "Infinity"
	}
	if math.IsInf(f, -1) {
		return "-Infinity"
	}
	if f == 0 {
		return "0"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	ei := strings.IndexByte(s, 'e')
	mant, expS := s[:ei], s[ei+1:]
	exp, _ := strconv.Atoi(expS)
	digits := strings.Replace(mant, ".", "", 1)
	k := len(digits)
	n := exp + 1
	var out string
	switch {
	case k <= n && n <= 21:
		out = digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		out = digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		out = "0." + strings.Repeat("0", -n) + digits
	default:
		e := n - 1
		sign := "+"
		if e < 0 {
			sign = "-"
			e = -e
		}
		if k == 1 {
			out = digits + "e" + sign + strconv.Itoa(e)
		} else {
			out = digits[:1] + "." + digits[1:] + "e" + sign + strconv.Itoa(e)
		}
	}
	if neg {
		return "-" + out
	}
	return out
}

// appendJSONString appends s as a JSON string literal. JSON.stringify
// escapes exactly what jsonv does (quote, backslash, control characters).
func appendJSONString(b []byte, s string) []byte { return jsonv.AppendString(b, s) }

// stringify is JSON.stringify with jsonata's replacer: numbers rounded to 15
// significant digits, functions as "".
func stringify(v any, pretty bool) string {
	var b []byte
	b = appendStringify(b, v, pretty, 0)
	return string(b)
}

func round15(f float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if err != nil {
		return f
	}
	return r
}

func appendIndent(b []byte, pretty bool, level int) []byte {
	if !pretty {
		return b
	}
	b = append(b, '\n')
	for i := 0; i < level; i++ {
		b = append(b, ' ', ' ')
	}
	return b
}

func appendStringify(b []byte, v any, pretty bool, level int) []byte {
	switch x := v.(type) {
	case nil, nullT:
		return append(b, "null"...)
	case bool:
		if x {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...)
		}
		if x != math.Trunc(x) || math.Abs(x) >= 1e21 {
			x = round15(x)
		}
		return append(b, formatJSNumber(x)...)
	case string:
		return appendJSONString(b, x)
	case *lambda, *builtin, *matcher:
		return append(b, `""`...)
	case *seq:
		if len(x.items) == 0 {
			return append(b, "[]"...)
		}
		b = append(b, '[')
		for i, e := range x.items {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendIndent(b, pretty, level+1)
			if e == nil {
				b = append(b, "null"...)
			} else {
				b = appendStringify(b, e, pretty, level+1)
			}
		}
		b = appendIndent(b, pretty, level)
		return append(b, ']')
	case *object:
		first := true
		b = append(b, '{')
		for _, k := range x.keys {
			e := x.at(k)
			if e == nil {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendIndent(b, pretty, level+1)
			b = appendJSONString(b, k)
			b = append(b, ':')
			if pretty {
				b = append(b, ' ')
			}
			b = appendStringify(b, e, pretty, level+1)
		}
		if !first {
			b = appendIndent(b, pretty, level)
		}
		return append(b, '}')
	case tuple:
		return appendStringify(b, x["@"], pretty, level)
	}
	return append(b, "null"...)
}

// appendJSON is JSON.stringify without jsonata's number rounding, used for
// values quoted in error messages.
func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...)
		}
		return append(b, formatJSNumber(x)...)
	case *seq:
		b = append(b, '[')
		for i, e := range x.items {
			if i > 0 {
				b = append(b, ',')
			}
			if e == nil || isFunction(e) {
				b = append(b, "null"...)
				continue
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	case *object:
		b = append(b, '{')
		first := true
		for i, k := range x.keys {
			e := x.vals[i]
			if e == nil || isFunction(e) {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSON(b, e)
		}
		return append(b, '}')
	}
	return appendStringify(b, v, false, 0)
}

// firstNonFinite returns the first NaN or infinite number inside v.
func firstNonFinite(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return x
		}
	case *seq:
		for _, e := range x.items {
			if f := firstNonFinite(e); f != nil {
				return f
			}
		}
	case *object:
		for _, e := range x.vals {
			if f := firstNonFinite(e); f != nil {
				return f
			}
		}
	}
	return nil
}

// deepEqual is jsonata's isDeepEqual.
func deepEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case nullT:
		_, ok := b.(nullT)
		return ok
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case *seq:
		y, ok := b.(*seq)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		if len(x.items) != len(y.items) {
			return false
		}
		for i := range x.items {
			if !deepEqual(x.items[i], y.items[i]) {
				return false
			}
		}
		return true
	case *object:
		y, ok := b.(*object)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		if len(x.keys) != len(y.keys) {
			return false
		}
		for i, k := range x.keys {
			j := y.find(k)
			if j < 0 || !deepEqual(x.vals[i], y.vals[j]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// typeSymbol is the signature letter of a value.
func typeSymbol(v any) byte {
	switch v.(type) {
	case nil:
		return 'm'
	case nullT:
		return 'l'
	case string:
		return 's'
	case float64:
		return 'n'
	case bool:
		return 'b'
	case *seq:
		return 'a'
	case *object, tuple:
		return 'o'
	case *lambda, *builtin, *matcher:
		return 'f'
	}
	return 'm'
}

func isNumber(v any) bool {
	f, ok := v.(float64)
	return ok && !math.IsNaN(f)
}

func isArrayOfStrings(v any) bool {
	s, ok := v.(*seq)
	if !ok {
		return false
	}
	for _, e := range s.items {
		if _, ok := e.(string); !ok {
			return false
		}
	}
	return true
}

func isArrayOfNumbers(v any) bool {
	s, ok := v.(*seq)
	if !ok {
		return false
	}
	for _, e := range s.items {
		if !isNumber(e) {
			return false
		}
	}
	return true
}

func decodeRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }
