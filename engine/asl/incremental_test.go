package asl_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"stepwise/engine/asl"
	"stepwise/engine/jsonv"
	"stepwise/internal/conformance"
)

// chooser picks numbers for the edit generator: a seeded random source in
// the tests, the fuzzer's bytes in FuzzParseValueFrom.
type chooser interface {
	intn(n int) int
}

type randChooser struct{ r *rand.Rand }

func (c randChooser) intn(n int) int { return c.r.IntN(n) }

// byteChooser reads choices from fuzz input; once it runs out it answers 0.
type byteChooser struct{ data []byte }

func (c *byteChooser) intn(n int) int {
	if n <= 1 || len(c.data) == 0 {
		return 0
	}
	v := int(c.data[0])
	c.data = c.data[1:]
	if n > 256 && len(c.data) > 0 {
		v = v<<8 | int(c.data[0])
		c.data = c.data[1:]
	}
	return v % n
}

// stateAddr names a state: the address of its machine's object from the
// root, and its name.
type stateAddr struct {
	machine []any
	name    string
}

// statesOf lists every state of the definition, nested ones included.
func statesOf(root *jsonv.Object) []stateAddr {
	var out []stateAddr
	var walk func(m *jsonv.Object, addr []any, depth int)
	walk = func(m *jsonv.Object, addr []any, depth int) {
		if depth > 8 {
			return
		}
		sv, _ := m.Get("States")
		so, ok := sv.(*jsonv.Object)
		if !ok {
			return
		}
		for _, mem := range so.Members() {
			out = append(out, stateAddr{addr, mem.Key})
			st, ok := mem.Value.(*jsonv.Object)
			if !ok {
				continue
			}
			sa := append(append([]any{}, addr...), "States", mem.Key)
			if bs, ok := st.Get("Branches"); ok {
				if arr, ok := bs.([]any); ok {
					for i, b := range arr {
						if bo, ok := b.(*jsonv.Object); ok {
							walk(bo, append(append(append([]any{}, sa...), "Branches"), i), depth+1)
						}
					}
				}
			}
			for _, k := range []string{"ItemProcessor", "Iterator"} {
				if p, ok := st.Get(k); ok {
					if po, ok := p.(*jsonv.Object); ok {
						walk(po, append(append([]any{}, sa...), k), depth+1)
					}
				}
			}
		}
	}
	walk(root, nil, 0)
	return out
}

// update returns v with the value at addr replaced by fn(old), copying the
// containers on the way and sharing everything else, as the designer does.
func update(v any, addr []any, fn func(old any) any) any {
	if len(addr) == 0 {
		return fn(v)
	}
	switch x := v.(type) {
	case *jsonv.Object:
		k, _ := addr[0].(string)
		old, _ := x.Get(k)
		c := x.Clone()
		c.Set(k, update(old, addr[1:], fn))
		return c
	case []any:
		i, _ := addr[0].(int)
		if i < 0 || i >= len(x) {
			return v
		}
		c := append([]any(nil), x...)
		c[i] = update(x[i], addr[1:], fn)
		return c
	}
	return v
}

func addrOf(s stateAddr) []any { return append(append([]any{}, s.machine...), "States", s.name) }

// editState applies fn to the state's object (a fresh copy to change).
func editState(root *jsonv.Object, s stateAddr, fn func(o *jsonv.Object)) *jsonv.Object {
	return update(root, addrOf(s), func(old any) any {
		o, ok := old.(*jsonv.Object)
		if !ok {
			o = jsonv.NewObject(1)
		} else {
			o = o.Clone()
		}
		fn(o)
		return o
	}).(*jsonv.Object)
}

// editStates applies fn to a machine's States object (a fresh copy).
func editStates(root *jsonv.Object, machine []any, fn func(o *jsonv.Object) *jsonv.Object) *jsonv.Object {
	return update(root, append(append([]any{}, machine...), "States"), func(old any) any {
		o, ok := old.(*jsonv.Object)
		if !ok {
			o = jsonv.NewObject(1)
		}
		return fn(o)
	}).(*jsonv.Object)
}

var fieldPool = []string{"Type", "Next", "End", "Comment", "QueryLanguage", "Resource", "Parameters", "ResultPath",
	"InputPath", "OutputPath", "ResultSelector", "Result", "Arguments", "Output", "Assign", "Retry", "Catch",
	"Choices", "Default", "Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Error", "Cause", "ErrorPath",
	"CausePath", "Branches", "ItemProcessor", "Iterator", "ItemsPath", "Items", "ItemSelector", "MaxConcurrency",
	"ToleratedFailurePercentage", "ToleratedFailureCount", "ItemReader", "ItemBatcher", "ResultWriter", "Label",
	"TimeoutSeconds", "HeartbeatSeconds", "TimeoutSecondsPath", "Credentials", "Bogus", "Payload.$"}

var typePool = []string{"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map", "Nope", ""}

// valuePool returns a value for a field: strings that are and are not
// paths, templates and ARNs, numbers, objects and arrays shaped like ASL's.
func valuePool(c chooser, names []string) any {
	name := "Missing"
	if len(names) > 0 && c.intn(4) > 0 {
		name = names[c.intn(len(names))]
	}
	mini := func() *jsonv.Object {
		return jsonv.ObjectOf("StartAt", "In"+name, "States", jsonv.ObjectOf(
			"In"+name, jsonv.ObjectOf("Type", "Pass", "Next", name),
			"Out"+name, jsonv.ObjectOf("Type", "Succeed")))
	}
	switch c.intn(40) {
	case 0:
		return "$"
	case 1:
		return "$.x.y[0]"
	case 2:
		return "$$.Execution.Id"
	case 3:
		return "$[?(@.a > 1)]"
	case 4:
		return "States.Format('{}', $.a)"
	case 5:
		return "States.Nope("
	case 6:
		return "{% $x + 1 %}"
	case 7:
		return "{%bad%}"
	case 8:
		return "arn:aws:states:::lambda:invoke"
	case 9:
		return "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
	case 10:
		return "arn:aws:states:us-east-1:123456789012:activity:x"
	case 11:
		return "not a uri"
	case 12:
		return name
	case 13:
		return "JSONata"
	case 14:
		return "JSONPath"
	case 15:
		return "é ü \u2028 \"quoted\" \\"
	case 16:
		return ""
	case 17:
		return json.Number("0")
	case 18:
		return json.Number("5")
	case 19:
		return json.Number("-1.5e3")
	case 20:
		return json.Number("100000000")
	case 21:
		return true
	case 22:
		return false
	case 23:
		return nil
	case 24:
		return []any{"States.ALL"}
	case 25:
		return []any{jsonv.ObjectOf("ErrorEquals", []any{"States.ALL"}, "Next", name)}
	case 26:
		return []any{jsonv.ObjectOf("ErrorEquals", []any{"States.Runtime", "States.ALL"}, "MaxAttempts", json.Number("2"))}
	case 27:
		return []any{}
	case 28:
		return jsonv.ObjectOf("a.$", "$.x", "b", "$.y", "c.$", "States.Array(1)")
	case 29:
		return jsonv.ObjectOf("RoleArn", "arn:aws:iam::123456789012:role/x", "Extra", json.Number("1"))
	case 30:
		return mini()
	case 31:
		p := mini()
		p.Set("ProcessorConfig", jsonv.ObjectOf("Mode", "DISTRIBUTED", "ExecutionType", "EXPRESS"))
		return p
	case 32:
		return []any{mini(), mini()}
	case 33:
		return []any{jsonv.ObjectOf("Variable", "$.v", "StringEquals", "x", "Next", name),
			jsonv.ObjectOf("Condition", "{% true %}", "Next", name),
			jsonv.ObjectOf("Not", jsonv.ObjectOf("Variable", "$.v", "IsNull", true), "Next", name)}
	case 34:
		return jsonv.ObjectOf("x", []any{json.Number("1"), "$.y", jsonv.ObjectOf("z.$", "$")})
	case 35:
		return "2024-01-02T03:04:05Z"
	case 36:
		return "{% $states.input %}"
	case 37:
		return "label with space"
	case 38:
		return jsonv.ObjectOf("Resource", "arn:aws:states:::s3:getObject", "ReaderConfig", jsonv.ObjectOf("MaxItems", json.Number("1"), "MaxItemsPath", "$.m"))
	}
	return "S" + fmt.Sprint(c.intn(10))
}

// edit applies one random edit to root, sharing untouched subtrees, and
// says what it did.
func edit(c chooser, root *jsonv.Object) (*jsonv.Object, string) {
	states := statesOf(root)
	names := make([]string, len(states))
	for i, s := range states {
		names[i] = s.name
	}
	pick := func() (stateAddr, bool) {
		if len(states) == 0 {
			return stateAddr{}, false
		}
		return states[c.intn(len(states))], true
	}
	op := c.intn(19)
	s, ok := pick()
	if !ok && op < 14 {
		op = 14 + c.intn(5)
	}
	switch op {
	case 0, 1, 2: // set a field
		f := fieldPool[c.intn(len(fieldPool))]
		v := valuePool(c, names)
		return editState(root, s, func(o *jsonv.Object) { o.Set(f, v) }), fmt.Sprintf("set %s.%s", s.name, f)
	case 3: // change an existing field's value
		return editState(root, s, func(o *jsonv.Object) {
			if o.Len() > 0 {
				o.Set(o.Members()[c.intn(o.Len())].Key, valuePool(c, names))
			}
		}), "change a field of " + s.name
	case 4, 5: // remove a field
		return editState(root, s, func(o *jsonv.Object) {
			if o.Len() > 0 {
				o.Delete(o.Members()[c.intn(o.Len())].Key)
			}
		}), "remove a field of " + s.name
	case 6: // change Next
		return editState(root, s, func(o *jsonv.Object) {
			if len(names) > 0 && c.intn(5) > 0 {
				o.Set("Next", names[c.intn(len(names))])
			} else {
				o.Set("Next", "Nowhere")
			}
		}), "next of " + s.name
	case 7: // change Type
		t := typePool[c.intn(len(typePool))]
		return editState(root, s, func(o *jsonv.Object) { o.Set("Type", t) }), "type of " + s.name + " to " + t
	case 8: // per-state QueryLanguage
		v := []any{"JSONata", "JSONPath", "Bad", nil}[c.intn(4)]
		return editState(root, s, func(o *jsonv.Object) {
			if v == nil {
				o.Delete("QueryLanguage")
			} else {
				o.Set("QueryLanguage", v)
			}
		}), "language of " + s.name
	case 9: // rename a state, keeping its object
		nu := []string{"Renamed", s.name + "2", "", strings.Repeat("n", 81), "a/b~c"}[c.intn(5)]
		if len(names) > 0 && c.intn(4) == 0 {
			nu = names[c.intn(len(names))]
		}
		return editStates(root, s.machine, func(o *jsonv.Object) *jsonv.Object {
			n := jsonv.NewObject(o.Len())
			for _, m := range o.Members() {
				k := m.Key
				if k == s.name {
					k = nu
				}
				n.Set(k, m.Value)
			}
			return n
		}), "rename " + s.name + " to " + nu
	case 10: // remove a state
		return editStates(root, s.machine, func(o *jsonv.Object) *jsonv.Object {
			o = o.Clone()
			o.Delete(s.name)
			return o
		}), "remove " + s.name
	case 11: // the state's value becomes something else entirely
		v := []any{"text", json.Number("1"), []any{}, nil, jsonv.NewObject(0)}[c.intn(5)]
		return editStates(root, s.machine, func(o *jsonv.Object) *jsonv.Object {
			o = o.Clone()
			o.Set(s.name, v)
			return o
		}), "replace " + s.name
	case 12: // another state shares this state's very object
		t, _ := pick()
		return editStates(root, t.machine, func(o *jsonv.Object) *jsonv.Object {
			sv, _ := getAt(root, addrOf(s))
			o = o.Clone()
			o.Set(t.name, sv)
			return o
		}), "alias " + t.name + " to " + s.name
	case 13: // swap two states' places
		return editStates(root, s.machine, func(o *jsonv.Object) *jsonv.Object {
			ms := o.Members()
			if len(ms) < 2 {
				return o
			}
			i, j := c.intn(len(ms)), c.intn(len(ms))
			n := jsonv.NewObject(len(ms))
			for k := range ms {
				switch k {
				case i:
					n.Set(ms[j].Key, ms[j].Value)
				case j:
					n.Set(ms[i].Key, ms[i].Value)
				default:
					n.Set(ms[k].Key, ms[k].Value)
				}
			}
			return n
		}), "swap states"
	case 14: // add a state
		var machine []any
		if ok && c.intn(2) == 0 {
			machine = s.machine
		}
		nu := fmt.Sprintf("Added%d", c.intn(1000))
		st := jsonv.ObjectOf("Type", typePool[c.intn(3)], "End", true)
		if len(names) > 0 && c.intn(2) == 0 {
			st = jsonv.ObjectOf("Type", "Pass", "Next", names[c.intn(len(names))])
		}
		return editStates(root, machine, func(o *jsonv.Object) *jsonv.Object {
			o = o.Clone()
			o.Set(nu, st)
			return o
		}), "add " + nu
	case 15: // top-level QueryLanguage
		v := []any{"JSONata", "JSONPath", "Bad", nil, json.Number("1")}[c.intn(5)]
		r := root.Clone()
		if v == nil {
			r.Delete("QueryLanguage")
		} else {
			r.Set("QueryLanguage", v)
		}
		return r, fmt.Sprintf("top language %v", v)
	case 16: // a top-level field
		f := []string{"StartAt", "Comment", "TimeoutSeconds", "Version", "Bogus"}[c.intn(5)]
		r := root.Clone()
		r.Set(f, valuePool(c, names))
		return r, "top " + f
	case 17: // the same text decoded again: equal objects, none shared
		v, err := jsonv.Decode(jsonv.Marshal(root))
		if o, ok := v.(*jsonv.Object); ok && err == nil {
			return o, "decode again"
		}
		return root, "decode again (failed)"
	default: // nothing changes but the root's object
		return root.Clone(), "copy root"
	}
}

func getAt(v any, addr []any) (any, bool) {
	for _, a := range addr {
		switch x := v.(type) {
		case *jsonv.Object:
			k, _ := a.(string)
			var ok bool
			if v, ok = x.Get(k); !ok {
				return nil, false
			}
		case []any:
			i, _ := a.(int)
			if i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// checkSame validates v incrementally from prev and from scratch and fails
// when the texts or diagnostics differ.
func checkSame(t testing.TB, prev *asl.Analysis, v any, opts asl.Options, what string) *asl.Analysis {
	t.Helper()
	a, err := compare(prev, v, opts)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return a
}

// compare is checkSame's comparison; it may run on any goroutine.
func compare(prev *asl.Analysis, v any, opts asl.Options) (*asl.Analysis, error) {
	text, diags, a := asl.ParseValueFrom(prev, nil, v, opts)
	wantText, _, wantDiags := asl.ParseValueBuffer(nil, v, opts)
	if !bytes.Equal(text, wantText) {
		return nil, fmt.Errorf("text differs\n got %s\nwant %s", text, wantText)
	}
	if !reflect.DeepEqual(diags, wantDiags) {
		return nil, fmt.Errorf("diagnostics differ\n got %s\nwant %s\ndefinition %s", fmtDiags(diags), fmtDiags(wantDiags), wantText)
	}
	if a == nil {
		return nil, fmt.Errorf("no analysis")
	}
	return a, nil
}

func fmtDiags(ds asl.Diagnostics) string {
	if ds == nil {
		return "<nil>"
	}
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "\n  %d:%d %s %s %s [%s|%s] %s", d.Line, d.Column, d.Severity, d.Code, d.Path, d.State, d.Field, d.Message)
	}
	return b.String()
}

// editChain applies n random edits to root, checking each step; now and
// then it derives from an earlier step instead of the last (the same
// Analysis used twice), or from no Analysis at all.
func editChain(t testing.TB, c chooser, root *jsonv.Object, opts asl.Options, n int) {
	t.Helper()
	type step struct {
		root *jsonv.Object
		a    *asl.Analysis
	}
	a := checkSame(t, nil, root, opts, "initial")
	hist := []step{{root, a}}
	var log []string
	for i := 0; i < n; i++ {
		from := hist[len(hist)-1]
		switch c.intn(10) {
		case 0:
			from = hist[c.intn(len(hist))]
		case 1:
			from.a = nil
		}
		nr, what := edit(c, from.root)
		log = append(log, what)
		a := checkSame(t, from.a, nr, opts, strings.Join(log, "; "))
		hist = append(hist, step{nr, a})
	}
}

// decodeRoot reads a definition (JSON, or YAML as the corpus sometimes
// has) into jsonv values; false when it is not an object.
func decodeRoot(t testing.TB, data []byte) (*jsonv.Object, bool) {
	t.Helper()
	v, err := jsonv.Decode(data)
	if err != nil {
		src, diags := asl.ParseSource(data)
		if diags.HasErrors() || src.Root == nil {
			return nil, false
		}
		v = src.Root.Value()
	}
	o, ok := v.(*jsonv.Object)
	return o, ok
}

func TestParseValueFromCases(t *testing.T) {
	t.Parallel()
	dir := conformance.Require(t, "cases")
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases in %s (err %v)", dir, err)
	}
	steps := 12
	if testing.Short() {
		steps = 3
	}
	for i, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Definition json.RawMessage `json:"definition"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		root, ok := decodeRoot(t, c.Definition)
		if !ok {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			editChain(t, randChooser{rand.New(rand.NewPCG(uint64(i), 1))}, root, asl.Options{}, steps)
		})
	}
}

func TestParseValueFromValidationCorpus(t *testing.T) {
	t.Parallel()
	dir := conformance.Require(t, "validation")
	steps := 12
	if testing.Short() {
		steps = 3
	}
	for _, sub := range []string{"valid", "invalid"} {
		files, err := filepath.Glob(filepath.Join(dir, sub, "*.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no fixtures in %s/%s (err %v)", dir, sub, err)
		}
		for i, f := range files {
			e := readEntry(t, f)
			root, ok := decodeRoot(t, e.text())
			if !ok {
				continue
			}
			opts := asl.Options{Type: e.Type}
			t.Run(sub+"/"+filepath.Base(f), func(t *testing.T) {
				editChain(t, randChooser{rand.New(rand.NewPCG(uint64(i), 2))}, root, opts, steps)
			})
		}
	}
}

func TestParseValueFromLarge(t *testing.T) {
	t.Parallel()
	root, ok := decodeRoot(t, bigDesignerDefinition(500))
	if !ok {
		t.Fatal("generated definition does not decode")
	}
	for seed := range uint64(4) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			opts := asl.Options{}
			if seed == 3 {
				opts.Type = "EXPRESS"
			}
			editChain(t, randChooser{rand.New(rand.NewPCG(seed, 3))}, root, opts, 40)
		})
	}
}

// TestParseValueFromNested edits inside Parallel branches and Map
// processors, nested two deep.
func TestParseValueFromNested(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"P","States":{
"P":{"Type":"Parallel","Branches":[
  {"StartAt":"A","States":{"A":{"Type":"Pass","Next":"M"},
     "M":{"Type":"Map","ItemProcessor":{"StartAt":"X","States":{"X":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}},"End":true}}},
  {"StartAt":"B","States":{"B":{"Type":"Choice","Choices":[{"Variable":"$.a","IsPresent":true,"Next":"C"}],"Default":"Z"},"C":{"Type":"Succeed"}}}],
 "Catch":[{"ErrorEquals":["States.ALL"],"Next":"F"}],"Next":"D"},
"D":{"Type":"Map","QueryLanguage":"JSONata","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"Y","States":{"Y":{"Type":"Pass","QueryLanguage":"JSONPath","End":true}}},"Label":"bad label","Next":"F"},
"F":{"Type":"Fail","Error":"$.e"}}}`
	root, ok := decodeRoot(t, []byte(def))
	if !ok {
		t.Fatal("definition does not decode")
	}
	for seed := range uint64(8) {
		editChain(t, randChooser{rand.New(rand.NewPCG(seed, 4))}, root, asl.Options{}, 60)
	}
}

// TestParseValueFromReuses checks that one field edit of the 500-state
// workflow analyses one state again, not all of them.
func TestParseValueFromReuses(t *testing.T) {
	t.Parallel()
	root, ok := decodeRoot(t, bigDesignerDefinition(500))
	if !ok {
		t.Fatal("generated definition does not decode")
	}
	_, _, a := asl.ParseValueFrom(nil, nil, root, asl.Options{})
	if got := asl.AnalysedStates(a); got != 500 {
		t.Fatalf("first analysis analysed %d states, want 500", got)
	}
	nr := editState(root, stateAddr{name: "S10"}, func(o *jsonv.Object) { o.Set("Comment", "edited") })
	_, _, a2 := asl.ParseValueFrom(a, nil, nr, asl.Options{})
	if got := asl.AnalysedStates(a2); got != 1 {
		t.Fatalf("after one edit %d states were analysed again, want 1", got)
	}
	// Another machine type changes what a Task's resource may be: nothing
	// is reused.
	_, _, a3 := asl.ParseValueFrom(a2, nil, nr, asl.Options{Type: "EXPRESS"})
	if got := asl.AnalysedStates(a3); got != 500 {
		t.Fatalf("with another machine type %d states were analysed, want 500", got)
	}
}

func FuzzParseValueFrom(f *testing.F) {
	f.Add(byte(0), []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17})
	f.Add(byte(1), []byte{9, 3, 0, 12, 5, 6, 7, 7, 200, 3, 13, 1, 1})
	f.Add(byte(2), []byte{15, 0, 8, 1, 2, 30, 31, 32, 33, 11, 12})
	f.Add(byte(3), []byte("fuzzing the incremental validator"))
	seeds := []string{
		`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["States.ALL"]}],"End":true}}}`,
		`{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Condition":"{% $x %}","Next":"D"}],"Default":"D"},"D":{"Type":"Succeed","Output":"{% 1 %}"}}}`,
		`{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}}],"Next":"M"},"M":{"Type":"Map","ItemProcessor":{"StartAt":"Y","States":{"Y":{"Type":"Wait","Seconds":1,"End":true}}},"End":true}}}`,
		string(bigDesignerDefinition(30)),
	}
	roots := make([]*jsonv.Object, len(seeds))
	for i, s := range seeds {
		v, err := jsonv.DecodeString(s)
		if err != nil {
			f.Fatal(err)
		}
		roots[i] = v.(*jsonv.Object)
	}
	f.Fuzz(func(t *testing.T, which byte, data []byte) {
		c := &byteChooser{data: data}
		opts := asl.Options{}
		if which&0x80 != 0 {
			opts.Type = "EXPRESS"
		}
		editChain(t, c, roots[int(which&0x7f)%len(roots)], opts, min(len(data)/2, 40))
	})
}

// TestParseValueFromShared derives many definitions from one Analysis at
// once (the designer shares documents between requests).
func TestParseValueFromShared(t *testing.T) {
	t.Parallel()
	root, ok := decodeRoot(t, bigDesignerDefinition(60))
	if !ok {
		t.Fatal("generated definition does not decode")
	}
	a := checkSame(t, nil, root, asl.Options{}, "initial")
	done := make(chan struct{})
	for g := range uint64(4) {
		go func() {
			defer func() { done <- struct{}{} }()
			c := randChooser{rand.New(rand.NewPCG(g, 5))}
			for range 10 {
				nr, what := edit(c, root)
				if _, err := compare(a, nr, asl.Options{}); err != nil {
					t.Errorf("%s: %v", what, err)
					return
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}

// TestParseValueFromTypedNil checks that states whose value is a nil
// *jsonv.Object (encoded as {}) are never taken for one analysed before.
func TestParseValueFromTypedNil(t *testing.T) {
	t.Parallel()
	var none *jsonv.Object
	first := jsonv.ObjectOf("StartAt", "A", "States", jsonv.ObjectOf("A", "text"))
	a := checkSame(t, nil, first, asl.Options{}, "string state")
	second := jsonv.ObjectOf("StartAt", "A", "States", jsonv.ObjectOf("A", none))
	a = checkSame(t, a, second, asl.Options{}, "nil object state")
	third := jsonv.ObjectOf("StartAt", "A", "States", jsonv.ObjectOf("A", []any{}))
	checkSame(t, a, third, asl.Options{}, "array state")
	checkSame(t, nil, none, asl.Options{}, "nil root")
	checkSame(t, nil, jsonv.ObjectOf("States", none), asl.Options{}, "nil States")
	checkSame(t, nil, []any{json.Number("1")}, asl.Options{}, "array root")
	checkSame(t, nil, jsonv.ObjectOf("StartAt", "A", "States", jsonv.ObjectOf("A\xff", jsonv.NewObject(0), "A\xfe", jsonv.NewObject(0))), asl.Options{}, "keys that read the same")
	checkSame(t, nil, jsonv.ObjectOf("StartAt", "A", "States", jsonv.ObjectOf("A", jsonv.ObjectOf("Type", "Pass", "End", true, "Parameters", jsonv.ObjectOf("a\xff", json.Number("1"), "a\xfe", json.Number("2"))))), asl.Options{}, "keys in a state that read the same")
	checkSame(t, nil, jsonv.ObjectOf("StartAt", "A", "States", jsonv.ObjectOf("A", jsonv.ObjectOf("Type", "Pass", "End", true, "Result", json.Number("01")))), asl.Options{}, "odd number literal")
}

// TestParseValueFromReusesNested checks that an edit inside a Map's
// processor analyses the Map and the edited state again, not the Map's
// other states.
func TestParseValueFromReusesNested(t *testing.T) {
	t.Parallel()
	inner, ok := decodeRoot(t, bigDesignerDefinition(100))
	if !ok {
		t.Fatal("generated definition does not decode")
	}
	inner.Delete("Comment")
	root := jsonv.ObjectOf("StartAt", "Before", "States", jsonv.ObjectOf(
		"Before", jsonv.ObjectOf("Type", "Pass", "Next", "M"),
		"M", jsonv.ObjectOf("Type", "Map", "ItemProcessor", inner, "Next", "P"),
		"P", jsonv.ObjectOf("Type", "Parallel", "Branches", []any{
			jsonv.ObjectOf("StartAt", "B1", "States", jsonv.ObjectOf("B1", jsonv.ObjectOf("Type", "Pass", "End", true))),
			jsonv.ObjectOf("StartAt", "B2", "States", jsonv.ObjectOf("B2", jsonv.ObjectOf("Type", "Pass", "End", true)))},
			"End", true)))
	a := checkSame(t, nil, root, asl.Options{}, "initial")
	if got := asl.AnalysedStates(a); got != 105 {
		t.Fatalf("first analysis analysed %d states, want 105", got)
	}
	addr := stateAddr{machine: []any{"States", "M", "ItemProcessor"}, name: "S50"}
	nr := editState(root, addr, func(o *jsonv.Object) { o.Set("Comment", "edited") })
	a2 := checkSame(t, a, nr, asl.Options{}, "edit S50")
	if got := asl.AnalysedStates(a2); got != 2 {
		t.Fatalf("after an edit inside the Map %d states were analysed again, want 2", got)
	}
	// Now with an error inside, so that positions must move.
	nr2 := editState(nr, addr, func(o *jsonv.Object) { o.Set("Next", "Nowhere") })
	nr2 = editState(nr2, stateAddr{name: "Before"}, func(o *jsonv.Object) { o.Set("Comment", "longer text before everything") })
	a3 := checkSame(t, a2, nr2, asl.Options{}, "break S50")
	if got := asl.AnalysedStates(a3); got != 3 {
		t.Fatalf("after two edits %d states were analysed again, want 3", got)
	}
	nr3 := editState(nr2, stateAddr{machine: []any{"States", "P", "Branches", 1}, name: "B2"}, func(o *jsonv.Object) { o.Set("Next", "S3") })
	checkSame(t, a3, nr3, asl.Options{}, "leave a branch")
	// A top-level language makes every state's context another.
	nr4 := nr3.Clone()
	nr4.Set("QueryLanguage", "JSONata")
	a5 := checkSame(t, a3, nr4, asl.Options{}, "JSONata")
	if got := asl.AnalysedStates(a5); got != 105 {
		t.Fatalf("after a language change %d states were analysed, want 105", got)
	}
}

// TestParseValueFromEqualObjects checks that a definition decoded again
// from its text (the code view replaces the whole definition) reuses the
// analyses of the states whose text did not change.
func TestParseValueFromEqualObjects(t *testing.T) {
	t.Parallel()
	text := bigDesignerDefinition(200)
	root, ok := decodeRoot(t, text)
	if !ok {
		t.Fatal("generated definition does not decode")
	}
	a := checkSame(t, nil, root, asl.Options{}, "initial")
	again, _ := decodeRoot(t, text)
	a = checkSame(t, a, again, asl.Options{}, "decoded again")
	if got := asl.AnalysedStates(a); got != 0 {
		t.Fatalf("the same text decoded again analysed %d states, want 0", got)
	}
	edited, _ := decodeRoot(t, bytes.Replace(text, []byte(`"FunctionName":"f100"`), []byte(`"FunctionName":"g100"`), 1))
	a = checkSame(t, a, edited, asl.Options{}, "one state edited")
	if got := asl.AnalysedStates(a); got != 1 {
		t.Fatalf("one state's text changed and %d states were analysed, want 1", got)
	}
	// The objects of the last decoding are now the ones remembered.
	nr := editState(edited, stateAddr{name: "S7"}, func(o *jsonv.Object) { o.Set("Comment", "x") })
	a = checkSame(t, a, nr, asl.Options{}, "op edit")
	if got := asl.AnalysedStates(a); got != 1 {
		t.Fatalf("after an edit %d states were analysed, want 1", got)
	}
}

// TestParseValueFromTransitionsAcross edits a Parallel state whose branch
// states are reused, while transitions cross the branch's border both ways
// (their messages name the state's container and the branch).
func TestParseValueFromTransitionsAcross(t *testing.T) {
	t.Parallel()
	root, ok := decodeRoot(t, []byte(`{"StartAt":"A","States":{
"A":{"Type":"Pass","Next":"Inner"},
"P":{"Type":"Parallel","Branches":[{"StartAt":"Inner","States":{"Inner":{"Type":"Pass","Next":"A"}}},
  {"StartAt":"Other","States":{"Other":{"Type":"Pass","Next":"Inner"}}}],"End":true}}}`))
	if !ok {
		t.Fatal("definition does not decode")
	}
	a := checkSame(t, nil, root, asl.Options{}, "initial")
	for i, c := range []string{"one", "a longer comment", ""} {
		root = editState(root, stateAddr{name: "P"}, func(o *jsonv.Object) { o.Set("Comment", c) })
		a = checkSame(t, a, root, asl.Options{}, fmt.Sprintf("edit %d", i))
		if got := asl.AnalysedStates(a); got != 1 {
			t.Fatalf("edit %d analysed %d states, want 1 (the Parallel)", i, got)
		}
		root = editState(root, stateAddr{name: "A"}, func(o *jsonv.Object) { o.Set("Comment", c+c) })
		a = checkSame(t, a, root, asl.Options{}, fmt.Sprintf("edit A %d", i))
	}
}
