package payload_test

import (
	"errors"
	"strings"
	"testing"

	"stepwise/engine/asl/intrinsic"
	"stepwise/engine/asl/payload"
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

func testEnv(t testing.TB, input string) intrinsic.Env {
	return intrinsic.Env{
		Input:   mustDecode(t, input),
		Context: mustDecode(t, `{"Execution":{"Input":{"orig":true}},"Map":{"Item":{"Index":2,"Value":"v"}}}`),
		Var: func(n string) (any, bool) {
			if n == "answer" {
				return jsonv.Number(42), true
			}
			return nil, false
		},
	}
}

func TestEval(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, tmpl, input, want string
	}{
		{"literal only", `{"a":1,"b":{"c":[1,"x"]}}`, `{}`, `{"a":1,"b":{"c":[1,"x"]}}`},
		{"path", `{"v.$":"$.x"}`, `{"x":{"y":1}}`, `{"v":{"y":1}}`},
		{"root path", `{"all.$":"$"}`, `{"x":1}`, `{"all":{"x":1}}`},
		{"key order kept", `{"z":1,"a.$":"$.x","m":{"k.$":"$.x"},"b":2}`, `{"x":0}`, `{"z":1,"a":0,"m":{"k":0},"b":2}`},
		{"context path", `{"idx.$":"$$.Map.Item.Index","in.$":"$$.Execution.Input"}`, `{}`, `{"idx":2,"in":{"orig":true}}`},
		{"variable", `{"a.$":"$answer"}`, `{}`, `{"a":42}`},
		{"intrinsic", `{"sum.$":"States.MathAdd($.a, $answer)","s.$":"States.Format('{}-{}', $.a, $$.Map.Item.Value)"}`, `{"a":1}`, `{"sum":43,"s":"1-v"}`},
		{"indefinite path", `{"ids.$":"$.items[*].id"}`, `{"items":[{"id":1},{"id":2}]}`, `{"ids":[1,2]}`},
		{"indefinite path no match", `{"ids.$":"$.items[?(@.id > 5)].id"}`, `{"items":[{"id":1}]}`, `{"ids":[]}`},
		{"arrays of templates", `{"list":[{"a.$":"$.x"},3,[{"b.$":"$.x"}]]}`, `{"x":"X"}`, `{"list":[{"a":"X"},3,[{"b":"X"}]]}`},
		{"dollar key alone is literal", `{"$":"$.x"," .$x":"$.x"}`, `{"x":1}`, `{"$":"$.x"," .$x":"$.x"}`},
		{"non-object template", `[1,{"a.$":"$.x"}]`, `{"x":1}`, `[1,{"a":1}]`},
		{"scalar template", `"$.x"`, `{"x":1}`, `"$.x"`},
		{"null value", `{"n.$":"$.n"}`, `{"n":null}`, `{"n":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmpl, err := payload.Compile(mustDecode(t, tt.tmpl))
			if err != nil {
				t.Fatal(err)
			}
			got, err := tmpl.Eval(testEnv(t, tt.input))
			if err != nil {
				t.Fatal(err)
			}
			if g := jsonv.String(got); g != tt.want {
				t.Errorf("Eval = %s\nwant   %s", g, tt.want)
			}
		})
	}
}

func TestLiteralSubtreesAreShared(t *testing.T) {
	t.Parallel()
	def := mustDecode(t, `{"static":{"deep":[1,2]},"d.$":"$.x"}`).(*jsonv.Object)
	tmpl, err := payload.Compile(def)
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.IsStatic() {
		t.Error("IsStatic = true for a template with a dynamic key")
	}
	out, err := tmpl.Eval(testEnv(t, `{"x":1}`))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := def.Get("static")
	got, _ := out.(*jsonv.Object).Get("static")
	if got.(*jsonv.Object) != want.(*jsonv.Object) {
		t.Error("a literal sub-tree was copied instead of shared")
	}
	static, err := payload.Compile(want)
	if err != nil {
		t.Fatal(err)
	}
	if !static.IsStatic() {
		t.Error("IsStatic = false for a literal template")
	}
}

func TestEvalErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, tmpl, input string
		errName, cause    string
	}{
		// Recorded: base_scenarios__test_invalid_jsonpath__INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH.
		{"missing path", `{"value.$":"$.no_such_jsonpath"}`, `{"int-literal": 0}`, "States.Runtime",
			`The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{"int-literal":0}'`},
		{"missing nested path", `{"a":{"deep.$":"$.x.y"}}`, `{"x":{}}`, "States.Runtime",
			`The JSONPath '$.x.y' specified for the field 'deep.$' could not be found in the input '{"x":{}}'`},
		{"missing context path", `{"c.$":"$$.Nope"}`, `{}`, "States.Runtime",
			`The JSONPath '$$.Nope' specified for the field 'c.$' could not be found in the input '{"Execution":{"Input":{"orig":true}},"Map":{"Item":{"Index":2,"Value":"v"}}}'`},
		{"missing path inside intrinsic", `{"f.$":"States.Format('{}', $.gone)"}`, `{"a":1}`, "States.Runtime",
			`The JSONPath '$.gone' specified for the field 'f.$' could not be found in the input '{"a":1}'`},
		{"undefined variable", `{"v.$":"$nope"}`, `{}`, "States.Runtime",
			`The variable '$nope' referenced by the JSONPath '$nope' is not defined`},
		{"intrinsic failure", `{"i.$":"States.ArrayGetItem($.a, 4)"}`, `{"a":[1]}`, "States.IntrinsicFailure",
			`Invalid arguments in States.ArrayGetItem: the index 4 is out of bounds for an array of length 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmpl, err := payload.Compile(mustDecode(t, tt.tmpl))
			if err != nil {
				t.Fatal(err)
			}
			_, err = tmpl.Eval(testEnv(t, tt.input))
			var ee *payload.EvalError
			if !errors.As(err, &ee) {
				t.Fatalf("Eval error = %v, want *EvalError", err)
			}
			if ee.Name != tt.errName || ee.Cause != tt.cause {
				t.Errorf("got %s %q\nwant %s %q", ee.Name, ee.Cause, tt.errName, tt.cause)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tmpl, field, msg string
	}{
		{`{"a":{"b.$":"not a path"}}`, "Parameters.a.b.$", "must be a valid JSONPath or a valid intrinsic function call"},
		{`{"a.$":1}`, "Parameters.a.$", "must be a string"},
		{`{"a.$":"$.x y"}`, "Parameters.a.$", "bracket notation"},
		{`{"l":[{},{"a.$":"States.Nope()"}]}`, "Parameters.l[1].a.$", "unknown intrinsic function"},
		{`{"a.$":"States.MathAdd(1)"}`, "Parameters.a.$", "takes 2 arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.tmpl, func(t *testing.T) {
			t.Parallel()
			_, err := payload.CompileField("Parameters", mustDecode(t, tt.tmpl))
			var ce *payload.CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("Compile error = %v, want *CompileError", err)
			}
			if ce.Field != tt.field || !strings.Contains(ce.Error(), tt.msg) || !strings.HasPrefix(ce.Error(), tt.field+": ") {
				t.Errorf("got %q (field %q), want field %q and %q", ce.Error(), ce.Field, tt.field, tt.msg)
			}
		})
	}
	if _, err := payload.Compile(mustDecode(t, `{"a":{"b.$":1}}`)); err == nil || !strings.HasPrefix(err.Error(), "a.b.$: ") {
		t.Errorf("Compile without a field name: %v", err)
	}
}

func FuzzTemplateCompile(f *testing.F) {
	for _, s := range []string{
		`{"a.$":"$.x","b":[1,{"c.$":"States.Format('{}', $.x)"}]}`,
		`{"a.$":"$$.Execution.Input","v.$":"$var"}`,
		`{"a.$":1}`, `[{"x.$":"$"}]`, `"s"`, `{".$":"$"}`,
		`{"m.$":"States.MathAdd($.x, 1)","n":{"o.$":"$.y[*]"}}`,
	} {
		f.Add(s, `{"x":1,"y":[1,2]}`)
	}
	f.Fuzz(func(t *testing.T, tmplText, input string) {
		v, err := jsonv.DecodeString(tmplText)
		if err != nil {
			return
		}
		tmpl, err := payload.Compile(v)
		if err != nil {
			var ce *payload.CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("Compile error %T is not a CompileError", err)
			}
			return
		}
		in, err := jsonv.DecodeString(input)
		if err != nil {
			return
		}
		before := jsonv.String(v)
		_, err = tmpl.Eval(intrinsic.Env{Input: in, Context: in})
		if err != nil {
			var ee *payload.EvalError
			if !errors.As(err, &ee) || ee.Name == "" || ee.Cause == "" {
				t.Fatalf("Eval error %v is not a complete EvalError", err)
			}
		}
		if jsonv.String(v) != before {
			t.Fatal("Eval modified the template")
		}
	})
}

func BenchmarkTemplateEval(b *testing.B) {
	tmpl, err := payload.Compile(mustDecode(b, `{"id.$":"$.order.id","customer.$":"$.order.customer.name","total.$":"States.MathAdd($.order.total, 1)","static":{"k":"v"}}`))
	if err != nil {
		b.Fatal(err)
	}
	env := intrinsic.Env{Input: mustDecode(b, `{"order":{"id":"o-1","customer":{"name":"Ann"},"total":41}}`)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
}
