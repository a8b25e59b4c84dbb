package intrinsic_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"stepwise/engine/asl/intrinsic"
	"stepwise/engine/jsonv"
)

func mustDecode(t testing.TB, s string) any {
	t.Helper()
	v, err := jsonv.DecodeString(s)
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func env(t testing.TB, input string) intrinsic.Env {
	return intrinsic.Env{
		Input:   mustDecode(t, input),
		Context: mustDecode(t, `{"Execution":{"Input":{"csv":"a,b"},"Name":"exec"},"State":{"Name":"S"}}`),
		Var: func(n string) (any, bool) {
			switch n {
			case "count":
				return jsonv.Number(3), true
			case "obj":
				return jsonv.ObjectOf("k", "v"), true
			}
			return nil, false
		},
	}
}

func TestIsCall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		want bool
	}{
		{"States.Format('x')", true},
		{"  States.UUID()  ", true},
		{"States.Array ()", false},
		{"States.(", false},
		{"$.States.Format('x')", false},
		{"States.Format", false},
		{"Format('x')", false},
	}
	for _, tt := range tests {
		if got := intrinsic.IsCall(tt.s); got != tt.want {
			t.Errorf("IsCall(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

// TestEval's expected values come from the executions recorded against AWS
// (intrinsic_functions/* in the conformance corpus) wherever one exists.
func TestEval(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr, input, want string
	}{
		// States.Format
		{"States.Format('Formatting argument {}.', $.v)", `{"v":""}`, `"Formatting argument ."`},
		{"States.Format('Formatting argument {}.', $.v)", `{"v":null}`, `"Formatting argument null."`},
		{"States.Format('Formatting argument {}.', $.v)", `{"v":1.1}`, `"Formatting argument 1.1."`},
		{"States.Format('fst={} and snd={}.', $.a, $.b)", `{"a":{"Arg1":1,"Arg2":[]},"b":true}`, `"fst={Arg1=1, Arg2=[]} and snd=true."`},
		{"States.Format('{}', $.v)", `{"v":[1,"two",[3],{"k":null}]}`, `"[1, two, [3], {k=null}]"`},
		{`States.Format('{\} \{} \'q\' \\ {}', 'x')`, `{}`, `"{} {} 'q' \\ x"`},
		{"States.Format($.t, $.v)", `{"t":"hi {}!","v":"you"}`, `"hi you!"`},
		{"States.Format('no placeholders')", `{}`, `"no placeholders"`},
		{"States.Format('{} {}', $count, $$.State.Name)", `{}`, `"3 S"`},
		// States.StringToJson / JsonToString
		{"States.StringToJson($.v)", `{"v":""}`, `null`},
		{"States.StringToJson($.v)", `{"v":" "}`, `null`},
		{"States.StringToJson($.v)", `{"v":"-0"}`, `0`},
		{"States.StringToJson($.v)", `{"v":"1.1"}`, `1.1`},
		{"States.StringToJson($.v)", `{"v":"\"HelloWorld\""}`, `"HelloWorld"`},
		{"States.StringToJson($.v)", `{"v":"{\"Arg1\": 1, \"Arg2\": []}"}`, `{"Arg1":1,"Arg2":[]}`},
		{"States.JsonToString($.v)", `{"v":{"Arg1":1,"Arg2":[]}}`, `"{\"Arg1\":1,\"Arg2\":[]}"`},
		{"States.JsonToString($.v)", `{"v":"HelloWorld"}`, `"\"HelloWorld\""`},
		{"States.JsonToString($.v)", `{"v":null}`, `"null"`},
		{"States.JsonToString($obj)", `{}`, `"{\"k\":\"v\"}"`},
		// States.Array
		{"States.Array()", `{}`, `[]`},
		{"States.Array($.a, 'x', 1, true, null, States.Array(2))", `{"a":{"k":[]}}`, `[{"k":[]},"x",1,true,null,[2]]`},
		// States.ArrayPartition
		{"States.ArrayPartition($.a, 2)", `{"a":[0,1,2,3]}`, `[[0,1],[2,3]]`},
		{"States.ArrayPartition($.a, 3)", `{"a":[0,1,2,3]}`, `[[0,1,2],[3]]`},
		{"States.ArrayPartition($.a, 5)", `{"a":[0,1,2,3]}`, `[[0,1,2,3]]`},
		{"States.ArrayPartition($.a, 1)", `{"a":[]}`, `[]`},
		// States.ArrayContains
		{"States.ArrayContains($.a, $.v)", `{"a":[[1,2,3],2],"v":[1,2,3]}`, `true`},
		{"States.ArrayContains($.a, $.v)", `{"a":[{"1":2,"2":[]}],"v":{"2":[],"1":2}}`, `true`},
		{"States.ArrayContains($.a, $.v)", `{"a":[],"v":null}`, `false`},
		{"States.ArrayContains($.a, false)", `{"a":[true,false]}`, `true`},
		// States.ArrayRange
		{"States.ArrayRange(0, 9, 3)", `{}`, `[0,3,6,9]`},
		{"States.ArrayRange(0, 10, 3)", `{}`, `[0,3,6,9]`},
		{"States.ArrayRange(1, 9, 9)", `{}`, `[1]`},
		{"States.ArrayRange(5, 1, -2)", `{}`, `[5,3,1]`},
		{"States.ArrayRange(5, 1, 2)", `{}`, `[]`},
		{"States.ArrayRange(1, 1000, 1)", `{}`, ""}, // 1000 elements: checked by length below
		// States.ArrayGetItem / ArrayLength / ArrayUnique
		{"States.ArrayGetItem($.a, 5)", `{"a":[1,2,3,4,5,6,7,8,9]}`, `6`},
		{"States.ArrayGetItem(States.StringSplit('a.b.c', '.'), 2)", `{}`, `"c"`},
		{"States.ArrayLength($.a)", `{"a":[1,2,3,4,5,6,7,8,9]}`, `9`},
		{"States.ArrayUnique($.a)", `{"a":[null,null,true,true,1,1,1.0,"x","x",[],[],{"a":1,"b":2},{"b":2,"a":1},{"a":1,"b":1}]}`, `[null,true,1,"x",[],{"a":1,"b":2},{"a":1,"b":1}]`},
		// States.Base64Encode / Decode
		{"States.Base64Encode($.v)", `{"v":"Data to encode"}`, `"RGF0YSB0byBlbmNvZGU="`},
		{"States.Base64Encode('')", `{}`, `""`},
		{"States.Base64Decode($.v)", `{"v":"RGF0YSB0byBlbmNvZGU="}`, `"Data to encode"`},
		// States.Hash
		{"States.Hash($.v, 'MD5')", `{"v":"input data"}`, `"812f45842bc6d66ee14572ce20db8e86"`},
		{"States.Hash($.v, 'SHA-1')", `{"v":"input data"}`, `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{"States.Hash($.v, 'SHA-256')", `{"v":"input data"}`, `"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"`},
		{"States.Hash($.v, 'SHA-384')", `{"v":"input data"}`, `"d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562"`},
		{"States.Hash($.v, 'SHA-512')", `{"v":"input data"}`, `"6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4"`},
		// States.JsonMerge: keys in java.util.HashMap order (recorded and
		// checked against a JVM).
		{"States.JsonMerge($.a, $.b, false)", `{"a":{"a":{"a1":1,"a2":2},"b":2,"d":3},"b":{"a":{"a3":1,"a4":2},"c":3,"d":4}}`, `{"a":{"a3":1,"a4":2},"b":2,"c":3,"d":4}`},
		{`States.JsonMerge(States.StringToJson('{"constant_in_literal": "false"}'), $$.Execution.Input, false)`, `{}`, `{"csv":"a,b","constant_in_literal":"false"}`},
		{"States.JsonMerge($.a, $.b, false)", `{"a":{"zeta":1,"alpha":2},"b":{"b":3,"a":4}}`, `{"zeta":1,"a":4,"b":3,"alpha":2}`},
		{"States.JsonMerge($.a, $.b, false)",
			`{"a":{"zeta":0,"alpha":1,"constant_in_literal":2,"constant_input_field":3,"b":4,"a":5,"Key1":6,"key2":7,"x":8,"y":9},
			  "b":{"z":10,"w":11,"v":12,"u":13,"t":14,"s":15,"r":16,"q":17,"p":18,"élan":19,"😀":20}}`,
			`{"zeta":0,"a":5,"key2":7,"b":4,"constant_in_literal":2,"p":18,"constant_input_field":3,"Key1":6,"q":17,"r":16,"s":15,"t":14,"u":13,"v":12,"alpha":1,"w":11,"x":8,"😀":20,"y":9,"z":10,"élan":19}`},
		// States.MathAdd: each argument rounded half up (Java Math.round).
		{"States.MathAdd($.a, $.b)", `{"a":-9,"b":3}`, `-6`},
		{"States.MathAdd($.a, $.b)", `{"a":1.49,"b":1.5}`, `3`},
		{"States.MathAdd($.a, $.b)", `{"a":1.5,"b":1.51}`, `4`},
		{"States.MathAdd($.a, $.b)", `{"a":-1.5,"b":0}`, `-1`},
		{"States.MathAdd($.a, $.b)", `{"a":-1.51,"b":0}`, `-2`},
		{"States.MathAdd($.a, $.b)", `{"a":-0.5,"b":0.5}`, `1`},
		{"States.MathAdd($.a, $.b)", `{"a":-2.5,"b":0}`, `-2`},
		{"States.MathAdd($.a, $.b)", `{"a":-1.5,"b":-1.51}`, `-3`},
		{"States.MathAdd($count, -1)", `{}`, `2`},
		{"States.MathAdd(States.ArrayLength($.a), 1)", `{"a":[1,2]}`, `3`},
		// States.MathRandom with a seed: java.util.Random (values from a JVM).
		{"States.MathRandom(0, 9, 42)", `{}`, `0`},
		{"States.MathRandom(0, 99, 42)", `{}`, `30`},
		{"States.MathRandom(1, 1000, 0)", `{}`, `361`},
		{"States.MathRandom(0, 36, -7)", `{}`, `27`},
		{"States.MathRandom(5, 5)", `{}`, `5`},
		// States.StringSplit: delimiter characters as a set, empty tokens dropped.
		{"States.StringSplit($.s, $.d)", `{"s":", , ,","d":","}`, `[" "," "]`},
		{"States.StringSplit($.s, $.d)", `{"s":",,,,","d":","}`, `[]`},
		{"States.StringSplit($.s, $.d)", `{"s":"This.is+a,test=string","d":".+,="}`, `["This","is","a","test","string"]`},
		{"States.StringSplit($.s, $.d)", `{"s":"split on T and \nnew line","d":"T\n"}`, `["split on "," and ","new line"]`},
		{"States.StringSplit($$.Execution.Input.csv, ',')", `{}`, `["a","b"]`},
		{"States.StringSplit('Hello\nWorld', '\n')", `{}`, `["Hello","World"]`},
		{"States.StringSplit('it\\'s', '\\'')", `{}`, `["it","s"]`},
		// Paths of every kind, including indefinite ones.
		{"States.Array($.items[*].id)", `{"items":[{"id":1},{"id":2}]}`, `[[1,2]]`},
		{"States.ArrayLength($.items[?(@.id > 1)])", `{"items":[{"id":1},{"id":2}]}`, `1`},
		{"States.Array($)", `{"a":1}`, `[{"a":1}]`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			c, err := intrinsic.Parse(tt.expr)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if c.String() != strings.TrimSpace(tt.expr) {
				t.Errorf("String() = %q", c.String())
			}
			got, err := c.Eval(env(t, tt.input))
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if tt.want == "" {
				if arr, ok := got.([]any); !ok || len(arr) != 1000 {
					t.Fatalf("got %d elements, want 1000", len(arr))
				}
				return
			}
			if g := jsonv.String(got); g != tt.want {
				t.Errorf("Eval = %s\nwant   %s", g, tt.want)
			}
		})
	}
}

func TestEvalErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr, input string
		name, cause string // cause is a regular expression
	}{
		{"States.Format('{} {}', 1)", `{}`, "States.IntrinsicFailure", `States\.Format: the format string has more placeholders`},
		{"States.Format('{}', 1, 2)", `{}`, "States.IntrinsicFailure", `1 placeholders \{\} but 2 arguments`},
		{"States.Format($.t)", `{"t":1}`, "States.IntrinsicFailure", `first argument must be a string, but was number 1`},
		{"States.StringToJson($.v)", `{"v":"{bad"}`, "States.IntrinsicFailure", `not valid JSON`},
		{"States.ArrayPartition($.a, 0)", `{"a":[1]}`, "States.IntrinsicFailure", `chunk size must be greater than 0`},
		{"States.ArrayPartition($.a, 1.5)", `{"a":[1]}`, "States.IntrinsicFailure", `second argument must be an integer`},
		{"States.ArrayPartition($.a, 1)", `{"a":"x"}`, "States.IntrinsicFailure", `first argument must be an array, but was string "x"`},
		{"States.ArrayRange(1, 1001, 1)", `{}`, "States.IntrinsicFailure", `1001 elements; at most 1000`},
		{"States.ArrayRange(1, 5, 0)", `{}`, "States.IntrinsicFailure", `step must not be 0`},
		{"States.ArrayGetItem($.a, 3)", `{"a":[1,2,3]}`, "States.IntrinsicFailure", `index 3 is out of bounds for an array of length 3`},
		{"States.ArrayGetItem($.a, -1)", `{"a":[1,2,3]}`, "States.IntrinsicFailure", `index -1 is out of bounds`},
		{"States.ArrayLength($.a)", `{"a":{}}`, "States.IntrinsicFailure", `must be an array, but was object`},
		{"States.Base64Decode($.v)", `{"v":"%%%"}`, "States.IntrinsicFailure", `not valid base64`},
		{"States.Base64Encode($.v)", `{"v":"` + strings.Repeat("x", 10001) + `"}`, "States.IntrinsicFailure", `10001 characters; at most 10000`},
		{"States.Hash('x', $.alg)", `{"alg":"SHA-3"}`, "States.IntrinsicFailure", `algorithm "SHA-3" is not supported`},
		{"States.JsonMerge($.a, $.b, $.deep)", `{"a":{},"b":{},"deep":true}`, "States.IntrinsicFailure", `deep merge is not supported`},
		{"States.JsonMerge($.a, $.b, false)", `{"a":{},"b":[]}`, "States.IntrinsicFailure", `second argument must be an object`},
		{"States.MathAdd($.a, 1)", `{"a":"1"}`, "States.IntrinsicFailure", `first argument must be a number`},
		{"States.MathAdd($.a, 1)", `{"a":9223372036854775807}`, "States.IntrinsicFailure", `overflows`},
		{"States.MathRandom(5, 1)", `{}`, "States.IntrinsicFailure", `start 5 must not be greater than the end 1`},
		{"States.StringSplit($.s, ',')", `{"s":null}`, "States.IntrinsicFailure", `first argument must be a string, but was null`},
		{"States.Format('{}', $.missing)", `{"a":1}`, "States.Runtime", `^The JSONPath '\$\.missing' could not be found in the input '\{"a":1\}'$`},
		{"States.Format('{}', $nope.x)", `{}`, "States.Runtime", `variable '\$nope'`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			c, err := intrinsic.Parse(tt.expr)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			_, err = c.Eval(env(t, tt.input))
			var ie *intrinsic.Error
			if !errors.As(err, &ie) {
				t.Fatalf("Eval error = %v, want *intrinsic.Error", err)
			}
			if ie.Name != tt.name || !regexp.MustCompile(tt.cause).MatchString(ie.Cause) {
				t.Errorf("got %s %q\nwant %s matching %q", ie.Name, ie.Cause, tt.name, tt.cause)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ expr, msg string }{
		{"States.Nope(1)", `unknown intrinsic function "States.Nope"`},
		{"Foo.Bar()", `unknown intrinsic function "Foo.Bar"`},
		{"States.UUID(1)", `States.UUID takes 0 arguments, but got 1`},
		{"States.Format()", `States.Format takes at least 1 argument, but got 0`},
		{"States.MathRandom(1)", `at least 2 arguments`},
		{"States.MathRandom(1, 2, 3, 4)", `at most 3 arguments`},
		{"States.MathAdd(1, 'a')", `second argument of States.MathAdd must be a number, but is a string`},
		{"States.Format(1)", `first argument of States.Format must be a string, but is a number`},
		{"States.ArrayLength('abc')", `must be an array, but is a string`},
		{"States.ArrayLength(States.Format('x'))", `must be an array, but is the result of States.Format`},
		{"States.StringSplit(null, ',')", `must be a string, but is null`},
		{"States.JsonMerge($.a, $.b, true)", `shallow merge`},
		{"States.JsonMerge($.a, $.b, 'false')", `third argument of States.JsonMerge must be a boolean`},
		{"States.Format('x'", `missing ')'`},
		{"States.Format('x)", `unterminated string literal`},
		{"States.Format('x') extra", `unexpected "extra" after the call`},
		{"States.Format('x' 'y')", `expected ',' or ')'`},
		{"States.Array(foo)", `unexpected "foo"`},
		// Recorded: AWS rejects escapes other than \' \{ \} \\ in literals.
		{`States.Format('He said, \"Hello, {}!\"', 'Test')`, `illegal escape sequence \"`},
		{`States.StringToJson('{"text":"An \"escaped\" quote"}')`, `illegal escape sequence \"`},
		{`States.Format('a\nb')`, `illegal escape sequence \n`},
		{"States.Array(1.)", `invalid number "1."`},
		{"States.Array($.a b)", `bracket notation`},
		{"States.Array($.a,)", `expected an argument`},
		{strings.Repeat("States.Array(", 11) + strings.Repeat(")", 11), `nested deeper than 10 levels`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			_, err := intrinsic.Parse(tt.expr)
			var pe *intrinsic.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) = %v, want *ParseError", tt.expr, err)
			}
			if !strings.Contains(pe.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", pe.Error(), tt.msg)
			}
		})
	}
	if _, err := intrinsic.Parse(strings.Repeat("States.Array(", 10) + strings.Repeat(")", 10)); err != nil {
		t.Errorf("10 nested calls: %v", err)
	}
}

func TestUUID(t *testing.T) {
	t.Parallel()
	c, err := intrinsic.Parse("States.UUID()")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		v, err := c.Eval(intrinsic.Env{})
		if err != nil {
			t.Fatal(err)
		}
		s := v.(string)
		if !re.MatchString(s) || seen[s] {
			t.Fatalf("bad or repeated UUID %q", s)
		}
		seen[s] = true
	}
}

func TestMathRandomUnseededStaysInRange(t *testing.T) {
	t.Parallel()
	c, err := intrinsic.Parse("States.MathRandom($.a, $.b)")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for range 500 {
		v, err := c.Eval(env(t, `{"a":1,"b":3}`))
		if err != nil {
			t.Fatal(err)
		}
		n, _ := jsonv.Int(v)
		if n < 1 || n > 3 {
			t.Fatalf("MathRandom(1, 3) = %d", n)
		}
		seen[n] = true
	}
	if len(seen) != 3 {
		t.Errorf("500 draws hit only %v", seen)
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	if n := len(intrinsic.Names()); n != 18 {
		t.Errorf("%d functions, want 18", n)
	}
}

func FuzzIntrinsicParse(f *testing.F) {
	for _, s := range []string{
		"States.Format('a {} b', $.x)", "States.Array()", "States.MathAdd(1, -2.5)",
		`States.Format('\{\} \'x\'', $$.Execution.Input)`, "States.JsonMerge($.a, $v.b, false)",
		"States.ArrayGetItem(States.StringSplit($.a[?(@.x, 1)], ','), 0)", "States.StringToJson('{\"a\": [1]}')",
		"States.Hash(null, 'MD5')", "States.MathRandom(1, 10, 3)", "States.ArrayRange(1, 5, 2)",
	} {
		f.Add(s, `{"x":1,"a":"a,b","b":{}}`)
	}
	f.Fuzz(func(t *testing.T, s, input string) {
		c, err := intrinsic.Parse(s)
		if err != nil {
			var pe *intrinsic.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error %T is not a ParseError", s, err)
			}
			return
		}
		in, err := jsonv.DecodeString(input)
		if err != nil {
			return
		}
		before := jsonv.String(in)
		_, err = c.Eval(intrinsic.Env{Input: in, Context: in, Var: func(string) (any, bool) { return in, true }})
		if err != nil {
			var ie *intrinsic.Error
			if !errors.As(err, &ie) {
				t.Fatalf("Eval error %T is not an *intrinsic.Error", err)
			}
		}
		if jsonv.String(in) != before {
			t.Fatal("Eval modified its input")
		}
	})
}
