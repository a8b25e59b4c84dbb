package intrinsic

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"

	"stepwise/engine/jsonv"
)

// typ is the JSON type a parameter accepts or a function returns.
type typ uint8

const (
	tAny typ = iota
	tString
	tNumber
	tBool
	tArray
	tObject
)

func (t typ) article() string {
	switch t {
	case tString:
		return "a string"
	case tNumber:
		return "a number"
	case tBool:
		return "a boolean"
	case tArray:
		return "an array"
	case tObject:
		return "an object"
	}
	return "a value"
}

func (t typ) accepts(v any) bool {
	switch t {
	case tString:
		_, ok := v.(string)
		return ok
	case tNumber:
		return jsonv.TypeName(v) == "number"
	case tBool:
		_, ok := v.(bool)
		return ok
	case tArray:
		_, ok := v.([]any)
		return ok
	case tObject:
		_, ok := v.(*jsonv.Object)
		return ok
	}
	return true
}

// function describes one States.* function.
type function struct {
	name     string
	min, max int   // max < 0: no limit
	params   []typ // the last one repeats for variadic functions
	ret      typ
	eval     func(c *Call, args []any) (any, error)
}

func (f *function) param(i int) typ {
	if len(f.params) == 0 {
		return tAny
	}
	if i < len(f.params) {
		return f.params[i]
	}
	return f.params[len(f.params)-1]
}

// check validates arity and the types of literal and nested-call arguments.
func (f *function) check(c *Call) error {
	n := len(c.Args)
	switch {
	case f.max >= 0 && f.min == f.max && n != f.min:
		return fmt.Errorf("%s takes %s, but got %d", f.name, plural(f.min, "argument"), n)
	case n < f.min:
		return fmt.Errorf("%s takes at least %s, but got %d", f.name, plural(f.min, "argument"), n)
	case f.max >= 0 && n > f.max:
		return fmt.Errorf("%s takes at most %s, but got %d", f.name, plural(f.max, "argument"), n)
	}
	for i, a := range c.Args {
		want := f.param(i)
		if want == tAny {
			continue
		}
		var got typ
		var gotName string
		switch a.Kind {
		case ArgPath:
			continue
		case ArgCall:
			got = a.Call.fn.ret
			if got == tAny {
				continue
			}
			gotName = "the result of " + a.Call.Name
		case ArgString:
			got, gotName = tString, "a string"
		case ArgNumber:
			got, gotName = tNumber, "a number"
		case ArgBool:
			got, gotName = tBool, "a boolean"
		case ArgNull:
			gotName = "null"
			got = 255
		}
		if got != want {
			return fmt.Errorf("the %s argument of %s must be %s, but is %s", ordinal(i), f.name, want.article(), gotName)
		}
	}
	if f.name == "States.JsonMerge" && c.Args[2].Kind == ArgBool && c.Args[2].Value == true {
		return fmt.Errorf("States.JsonMerge supports only a shallow merge: its third argument must be false")
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// functions is the immutable table of the 18 intrinsic functions.
var functions = map[string]*function{}

func init() {
	for _, f := range []*function{
		{name: "States.Format", min: 1, max: -1, params: []typ{tString, tAny}, ret: tString, eval: evalFormat},
		{name: "States.StringToJson", min: 1, max: 1, params: []typ{tString}, ret: tAny, eval: evalStringToJSON},
		{name: "States.JsonToString", min: 1, max: 1, params: []typ{tAny}, ret: tString, eval: evalJSONToString},
		{name: "States.Array", min: 0, max: -1, ret: tArray, eval: evalArray},
		{name: "States.ArrayPartition", min: 2, max: 2, params: []typ{tArray, tNumber}, ret: tArray, eval: evalArrayPartition},
		{name: "States.ArrayContains", min: 2, max: 2, params: []typ{tArray, tAny}, ret: tBool, eval: evalArrayContains},
		{name: "States.ArrayRange", min: 3, max: 3, params: []typ{tNumber, tNumber, tNumber}, ret: tArray, eval: evalArrayRange},
		{name: "States.ArrayGetItem", min: 2, max: 2, params: []typ{tArray, tNumber}, ret: tAny, eval: evalArrayGetItem},
		{name: "States.ArrayLength", min: 1, max: 1, params: []typ{tArray}, ret: tNumber, eval: evalArrayLength},
		{name: "States.ArrayUnique", min: 1, max: 1, params: []typ{tArray}, ret: tArray, eval: evalArrayUnique},
		{name: "States.Base64Encode", min: 1, max: 1, params: []typ{tString}, ret: tString, eval: evalBase64Encode},
		{name: "States.Base64Decode", min: 1, max: 1, params: []typ{tString}, ret: tString, eval: evalBase64Decode},
		{name: "States.Hash", min: 2, max: 2, params: []typ{tAny, tString}, ret: tString, eval: evalHash},
		{name: "States.JsonMerge", min: 3, max: 3, params: []typ{tObject, tObject, tBool}, ret: tObject, eval: evalJSONMerge},
		{name: "States.MathRandom", min: 2, max: 3, params: []typ{tNumber, tNumber, tNumber}, ret: tNumber, eval: evalMathRandom},
		{name: "States.MathAdd", min: 2, max: 2, params: []typ{tNumber, tNumber}, ret: tNumber, eval: evalMathAdd},
		{name: "States.StringSplit", min: 2, max: 2, params: []typ{tString, tString}, ret: tArray, eval: evalStringSplit},
		{name: "States.UUID", min: 0, max: 0, ret: tString, eval: evalUUID},
	} {
		functions[f.name] = f
	}
}

// Names returns the names of all intrinsic functions.
func Names() []string {
	out := make([]string, 0, len(functions))
	for n := range functions {
		out = append(out, n)
	}
	return out
}

// maxStringLen is AWS's limit on the input of the encoding functions.
const maxStringLen = 10000

// maxRange is the most elements States.ArrayRange may produce.
const maxRange = 1000

func evalFormat(c *Call, args []any) (any, error) {
	tmpl := args[0].(string)
	if c.Args[0].Kind == ArgString {
		tmpl = c.Args[0].Raw
	}
	var b strings.Builder
	next := 1
	for i := 0; i < len(tmpl); i++ {
		ch := tmpl[i]
		switch {
		case ch == '\\' && i+1 < len(tmpl):
			i++
			b.WriteByte(tmpl[i])
		case ch == '{' && i+1 < len(tmpl) && tmpl[i+1] == '}':
			if next >= len(args) {
				return nil, c.fail("the format string has more placeholders {} than there are arguments (%d)", len(args)-1)
			}
			writeJava(&b, args[next])
			next++
			i++
		default:
			b.WriteByte(ch)
		}
	}
	if next != len(args) {
		return nil, c.fail("the format string has %d placeholders {} but %d arguments follow it", next-1, len(args)-1)
	}
	return b.String(), nil
}

// writeJava prints v as Java's toString of the decoded value would: strings
// bare, objects as {k=v, k2=v2}, arrays as [a, b].
func writeJava(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		b.WriteString(x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJava(b, e)
		}
		b.WriteByte(']')
	case *jsonv.Object:
		b.WriteByte('{')
		for i, m := range x.Members() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(m.Key)
			b.WriteByte('=')
			writeJava(b, m.Value)
		}
		b.WriteByte('}')
	default:
		b.Write(jsonv.Marshal(v))
	}
}

func evalStringToJSON(c *Call, args []any) (any, error) {
	s := strings.TrimSpace(args[0].(string))
	if s == "" {
		return nil, nil
	}
	v, err := jsonv.DecodeString(s)
	if err != nil {
		return nil, c.fail("the string %s is not valid JSON: %v", jsonv.String(args[0]), err)
	}
	return normalizeNumbers(v), nil
}

// normalizeNumbers rewrites integers as Jackson reads them ("-0" is 0).
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if x == "-0" {
			return json.Number("0")
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	case *jsonv.Object:
		for _, m := range x.Members() {
			if n, ok := m.Value.(json.Number); ok && n == "-0" {
				x.Set(m.Key, json.Number("0"))
			} else {
				normalizeNumbers(m.Value)
			}
		}
	}
	return v
}

func evalJSONToString(_ *Call, args []any) (any, error) {
	return jsonv.String(args[0]), nil
}

func evalArray(_ *Call, args []any) (any, error) {
	out := make([]any, len(args))
	copy(out, args)
	return out, nil
}

// intArg reads an integral number argument.
func intArg(c *Call, v any, i int) (int64, error) {
	n, ok := jsonv.Int(v)
	if !ok {
		return 0, c.fail("the %s argument must be an integer, but was %s", ordinal(i), jsonv.String(v))
	}
	return n, nil
}

func evalArrayPartition(c *Call, args []any) (any, error) {
	arr := args[0].([]any)
	size, err := intArg(c, args[1], 1)
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, c.fail("the chunk size must be greater than 0, but was %d", size)
	}
	out := make([]any, 0, (int64(len(arr))+size-1)/size)
	for i := 0; i < len(arr); i += int(min(size, int64(len(arr)))) {
		end := min(int64(i)+size, int64(len(arr)))
		chunk := make([]any, end-int64(i))
		copy(chunk, arr[i:end])
		out = append(out, chunk)
	}
	return out, nil
}

func evalArrayContains(_ *Call, args []any) (any, error) {
	for _, e := range args[0].([]any) {
		if jsonv.Equal(e, args[1]) {
			return true, nil
		}
	}
	return false, nil
}

func evalArrayRange(c *Call, args []any) (any, error) {
	var n [3]int64
	for i := range n {
		v, err := intArg(c, args[i], i)
		if err != nil {
			return nil, err
		}
		n[i] = v
	}
	start, end, step := n[0], n[1], n[2]
	if step == 0 {
		return nil, c.fail("the step must not be 0")
	}
	var count int64
	if (step > 0 && start <= end) || (step < 0 && start >= end) {
		count = (end-start)/step + 1
	}
	if count > maxRange {
		return nil, c.fail("the range would have %d elements; at most %d are allowed", count, maxRange)
	}
	out := make([]any, 0, count)
	for i := int64(0); i < count; i++ {
		out = append(out, jsonv.Number(start+i*step))
	}
	return out, nil
}

func evalArrayGetItem(c *Call, args []any) (any, error) {
	arr := args[0].([]any)
	idx, err := intArg(c, args[1], 1)
	if err != nil {
		return nil, err
	}
	if idx < 0 || idx >= int64(len(arr)) {
		return nil, c.fail("the index %d is out of bounds for an array of length %d", idx, len(arr))
	}
	return arr[idx], nil
}

func evalArrayLength(_ *Call, args []any) (any, error) {
	return jsonv.Number(int64(len(args[0].([]any)))), nil
}

func evalArrayUnique(_ *Call, args []any) (any, error) {
	arr := args[0].([]any)
	out := make([]any, 0, len(arr))
next:
	for _, e := range arr {
		for _, o := range out {
			if jsonv.Equal(e, o) {
				continue next
			}
		}
		out = append(out, e)
	}
	return out, nil
}

func checkLen(c *Call, s string) error {
	if n := utf8.RuneCountInString(s); n > maxStringLen {
		return c.fail("the input has %d characters; at most %d are allowed", n, maxStringLen)
	}
	return nil
}

func evalBase64Encode(c *Call, args []any) (any, error) {
	s := args[0].(string)
	if err := checkLen(c, s); err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func evalBase64Decode(c *Call, args []any) (any, error) {
	s := args[0].(string)
	if err := checkLen(c, s); err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, c.fail("the input is not valid base64: %v", err)
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	}
	return string(b), nil
}

func evalHash(c *Call, args []any) (any, error) {
	var data string
	switch x := args[0].(type) {
	case string:
		data = x
	case nil:
		return nil, c.fail("the first argument must not be null")
	default:
		data = jsonv.String(x)
	}
	if err := checkLen(c, data); err != nil {
		return nil, err
	}
	var h hash.Hash
	switch args[1].(string) {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, c.fail("the hash algorithm %s is not supported; use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512", jsonv.String(args[1]))
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func evalJSONMerge(c *Call, args []any) (any, error) {
	if args[2].(bool) {
		return nil, c.fail("deep merge is not supported: the third argument must be false")
	}
	a, b := args[0].(*jsonv.Object), args[1].(*jsonv.Object)
	m := newJavaHashMap(a.Len() + b.Len())
	for _, mem := range a.Members() {
		m.put(mem.Key, mem.Value)
	}
	for _, mem := range b.Members() {
		m.put(mem.Key, mem.Value)
	}
	return m.object(), nil
}

// roundHalfUp is Java's Math.round: the nearest integer, ties toward +∞.
func roundHalfUp(v any) (int64, bool) {
	if n, ok := jsonv.Int(v); ok {
		return n, true
	}
	f, ok := jsonv.Float(v)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<62 {
		return 0, false
	}
	return int64(math.Floor(f + 0.5)), true
}

func evalMathAdd(c *Call, args []any) (any, error) {
	a, ok1 := roundHalfUp(args[0])
	b, ok2 := roundHalfUp(args[1])
	if !ok1 || !ok2 {
		return nil, c.fail("the arguments %s and %s are out of range", jsonv.String(args[0]), jsonv.String(args[1]))
	}
	sum := a + b
	if (a > 0 && b > 0 && sum < 0) || (a < 0 && b < 0 && sum >= 0) {
		return nil, c.fail("the sum of %d and %d overflows", a, b)
	}
	return jsonv.Number(sum), nil
}

func evalMathRandom(c *Call, args []any) (any, error) {
	start, ok1 := roundHalfUp(args[0])
	end, ok2 := roundHalfUp(args[1])
	if !ok1 || !ok2 || start < math.MinInt32 || end > math.MaxInt32 {
		return nil, c.fail("the start and end must be integers between %d and %d", math.MinInt32, math.MaxInt32)
	}
	if end < start {
		return nil, c.fail("the start %d must not be greater than the end %d", start, end)
	}
	span := end - start + 1
	if len(args) == 3 {
		seed, ok := roundHalfUp(args[2])
		if !ok {
			return nil, c.fail("the seed %s is not an integer", jsonv.String(args[2]))
		}
		r := newJavaRandom(seed)
		if span > math.MaxInt32 {
			return jsonv.Number(start + int64(uint64(r.nextLong())%uint64(span))), nil
		}
		return jsonv.Number(start + int64(r.nextInt(int32(span)))), nil
	}
	return jsonv.Number(start + mrand.Int64N(span)), nil
}

// evalStringSplit splits like java.util.StringTokenizer: every character of
// the second argument is a delimiter and empty tokens are dropped.
func evalStringSplit(_ *Call, args []any) (any, error) {
	s, delims := args[0].(string), args[1].(string)
	fields := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) })
	out := make([]any, len(fields))
	for i, f := range fields {
		out[i] = f
	}
	return out, nil
}

func evalUUID(c *Call, _ []any) (any, error) {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		return nil, c.fail("cannot read random bytes: %v", err)
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}
