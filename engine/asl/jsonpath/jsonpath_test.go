package jsonpath_test

import (
	"errors"
	"strings"
	"testing"

	"stepwise/engine/asl/jsonpath"
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

const doc = `{
  "a": {"b": [1, 2, {"c": 3}], "n": null, "s": "str"},
  "items": [
    {"x": 1, "y": "a", "tags": ["red"]},
    {"x": 5, "y": "b", "tags": ["red", "blue"]},
    {"y": "c", "tags": []},
    {"x": "5", "y": "d"}
  ],
  "key with space": 7,
  "dot.key": 8,
  "Test\\\"\"Name\"": "esc",
  "num": 10,
  "arr": [0, 1, 2, 3, 4, 5],
  "q": ["it's", "tab\there", "x"]
}`

func TestGet(t *testing.T) {
	t.Parallel()
	d := mustDecode(t, doc)
	tests := []struct {
		path     string
		want     string // compact JSON
		definite bool
	}{
		{"$", jsonv.String(d), true},
		{"$.a.s", `"str"`, true},
		{"$['a']['s']", `"str"`, true},
		{`$["a"]["s"]`, `"str"`, true},
		{"$.a.b[0]", `1`, true},
		{"$.a.b[2].c", `3`, true},
		{"$.a.b[-1]", `{"c":3}`, true},
		{"$.a.b[-3]", `1`, true},
		{"$.a.n", `null`, true},
		{"$['key with space']", `7`, true},
		{"$['dot.key']", `8`, true},
		{`$['Test\""Name"']`, `"esc"`, true},
		{"$.arr.length()", `6`, true},
		{"$.a.length()", `3`, true},
		{"$.a.s.length()", `3`, true},
		{"$.items[*].y", `["a","b","c","d"]`, false},
		{"$.items.*.y", `["a","b","c","d"]`, false},
		{"$.a.*", `[[1,2,{"c":3}],null,"str"]`, false},
		{"$.arr[1:3]", `[1,2]`, false},
		{"$.arr[:2]", `[0,1]`, false},
		{"$.arr[4:]", `[4,5]`, false},
		{"$.arr[-2:]", `[4,5]`, false},
		{"$.arr[::2]", `[0,2,4]`, false},
		{"$.arr[::-2]", `[5,3,1]`, false},
		{"$.arr[10:]", `[]`, false},
		{"$.arr[0,2,9]", `[0,2]`, false},
		{"$['num','a']", `[{"num":10,"a":{"b":[1,2,{"c":3}],"n":null,"s":"str"}}]`, false},
		{"$['num','nope'].x", `[]`, false},
		{"$..c", `[3]`, false},
		{"$..x", `[1,5,"5"]`, false},
		{"$..tags[0]", `["red","red"]`, false},
		{"$.a..*", `[[1,2,{"c":3}],null,"str",1,2,{"c":3},3]`, false},
		{"$.items[?(@.x > 1)].y", `["b"]`, false},
		{"$.items[?(@.x >= 1)].y", `["a","b"]`, false},
		{"$.items[?(@.x < 5)].y", `["a"]`, false},
		{"$.items[?(@.x <= 5)].y", `["a","b"]`, false},
		// Jayway compares a number and a numeric string as equal.
		{"$.items[?(@.x == 5)].y", `["b","d"]`, false},
		{"$.items[?(@.x == '5')].y", `["b","d"]`, false},
		{"$.items[?(@.x === 1)].y", `["a"]`, false},
		// A missing field is unequal to everything.
		{"$.items[?(@.x != 5)].y", `["a","c"]`, false},
		{"$.items[?(@.x)].y", `["a","b","d"]`, false},
		{"$.items[?(!@.x)].y", `["c"]`, false},
		{"$.items[?(@.x > 1 && @.y == 'b')].y", `["b"]`, false},
		{"$.items[?(@.x == 1 || @.y == 'c')].y", `["a","c"]`, false},
		{"$.items[?((@.x == 1 || @.y == 'c') && @.tags)].y", `["a","c"]`, false},
		{"$.items[?(@.y =~ /[ab]/)].y", `["a","b"]`, false},
		{"$.items[?(@.y =~ /A/i)].y", `["a"]`, false},
		{"$.items[?(@.y in ['a', 'c'])].y", `["a","c"]`, false},
		{"$.items[?(@.y nin ['a', 'c'])].y", `["b","d"]`, false},
		{"$.items[?(@.tags contains 'blue')].y", `["b"]`, false},
		{"$.items[?(@.tags size 2)].y", `["b"]`, false},
		{"$.items[?(@.tags empty true)].y", `["c"]`, false},
		{"$.items[?(@.tags subsetof ['red', 'green'])].y", `["a","c"]`, false},
		{"$.items[?(@.tags anyof ['blue'])].y", `["b"]`, false},
		{"$.items[?(@.tags noneof ['blue'])].y", `["a","c"]`, false},
		{"$.items[?(@.x == $.num / 2)].y", ``, false}, // syntax error checked below
		{"$.items[?(@.x < $.num)].y", `["a","b"]`, false},
		{"$.items[?(@.y > 'b')].y", `["c","d"]`, false},
		{"$..[?(@.c)]", `[{"c":3}]`, false},
		{"$.a[?(@.s == 'str')].s", `["str"]`, false},
		{"$.items[*].x.length()", `3`, false},
		{"$.arr[?(@ > 3)]", `[4,5]`, false},
		{"$.arr[?(@ in [1, 3])]", `[1,3]`, false},
		{"$.items[?(@.y in $.a.b)].y", `[]`, false},
		{"$.items[?(@.x in $.arr)].y", `["a","b","d"]`, false}, // Jayway: "5" equals 5
		{"$.items[?(@.tags[0] == 'red')].y", `["a","b"]`, false},
		{"$.items[?(@.tags.length() == 2)].y", `["b"]`, false},
		{"$.items[?(@['y'] == \"c\")].x", `[]`, false},
		{"$.items[?(@.y == \"c\")].y", `["c"]`, false},
		{`$.q[?(@ == 'it\'s')]`, `["it's"]`, false},
		{`$.q[?(@ == "tab\there")]`, `["tab\there"]`, false},
		{"$.arr.sum()", `15`, true},
		{"$.arr.max()", `5`, true},
		{"$.arr.min()", `0`, true},
		{"$.arr.avg()", `2.5`, true},
		{"$.a.keys()", `["b","n","s"]`, true},
		{"$.arr.first()", `0`, true},
		{"$.arr.last()", `5`, true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			p, err := jsonpath.Parse(tt.path)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Parse(%q) succeeded, want a syntax error", tt.path)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.path, err)
			}
			if p.IsDefinite() != tt.definite {
				t.Errorf("IsDefinite = %v, want %v", p.IsDefinite(), tt.definite)
			}
			if p.String() != tt.path {
				t.Errorf("String() = %q", p.String())
			}
			got, err := p.Get(d)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if g := jsonv.String(got); g != tt.want {
				t.Errorf("Get = %s, want %s", g, tt.want)
			}
		})
	}
}

func TestGetNotFound(t *testing.T) {
	t.Parallel()
	d := mustDecode(t, doc)
	tests := []struct{ path, norm, msg string }{
		{"$.NoSuchInputPath", "$['NoSuchInputPath']", "No results for path: $['NoSuchInputPath']"},
		{"$.a.nope", "$['a']['nope']", "No results for path: $['a']['nope']"},
		{"$.nope.x", "$['nope']['x']", "Missing property in path $['nope']"},
		{"$.a.b[7]", "$['a']['b'][7]", "No results for path: $['a']['b'][7]"},
		{"$.a.b[7].c", "$['a']['b'][7]['c']", "No results for path: $['a']['b'][7]['c']"},
		{"$.a.s.x", "$['a']['s']['x']", "Expected to find an object with property ['x'] in path $['a']['s'] but found 'java.lang.String'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'."},
		{"$.a.n.x", "$['a']['n']['x']", "Expected to find an object with property ['x'] in path $['a']['n'] but found 'null'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'."},
		{"$.num[0]", "$['num'][0]", "Filter: [0] can only be applied to arrays. Current context is: 10"},
		{"$.a.n[0]", "$['a']['n'][0]", "The path $['a']['n'] is null"},
		{"$.num.length()", "$['num'].length()", "Invalid function call length() on number"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			p, err := jsonpath.Parse(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if p.Normalized() != tt.norm {
				t.Errorf("Normalized = %q, want %q", p.Normalized(), tt.norm)
			}
			_, err = p.Get(d)
			var nf *jsonpath.NotFoundError
			if !errors.As(err, &nf) {
				t.Fatalf("Get error = %v, want *NotFoundError", err)
			}
			if nf.Error() != tt.msg {
				t.Errorf("Error() = %q\nwant      %q", nf.Error(), tt.msg)
			}
			if nf.Path != tt.path || nf.Normalized != tt.norm {
				t.Errorf("NotFoundError = %+v", nf)
			}
		})
	}
}

func TestRoots(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path     string
		root     jsonpath.Root
		variable string
		norm     string
	}{
		{"$", jsonpath.RootInput, "", "$"},
		{"$.a", jsonpath.RootInput, "", "$['a']"},
		{"$$", jsonpath.RootContext, "", "$$"},
		{"$$.Execution.Input", jsonpath.RootContext, "", "$$['Execution']['Input']"},
		{"$myVar", jsonpath.RootVariable, "myVar", "$myVar"},
		{"$my_var2.a[0]", jsonpath.RootVariable, "my_var2", "$my_var2['a'][0]"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			p, err := jsonpath.Parse(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if p.Root() != tt.root || p.Variable() != tt.variable || p.Normalized() != tt.norm {
				t.Errorf("got root %v var %q norm %q", p.Root(), p.Variable(), p.Normalized())
			}
			if p.IsRoot() != (tt.norm == tt.path) {
				t.Errorf("IsRoot = %v", p.IsRoot())
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path   string
		column int
		msg    string
	}{
		{"", 1, "empty"},
		{"a.b", 1, "must start with '$'"},
		{"$.", 3, "must not end with '.'"},
		{"$..", 4, "must not end with '..'"},
		{"$.a b", 4, "bracket notation"},
		{"$[", 2, "unclosed"},
		{"$['a'", 6, "expected ',' or ']'"},
		{"$['a", 3, "unterminated"},
		{"$[abc]", 3, "unexpected"},
		{"$.a[1:2:0]", 10, "step must not be 0"},
		{"$.a[?(@.x >)]", 12, "unexpected ')'"},
		{"$.a[?(@.x == 1]", 15, "expected ')'"},
		{"$.a[?(@.x =~ /(/)]", 14, "regular expression"},
		{"$.a.nofunc()", 5, "unknown function"},
		{"$.a.length().b", 13, "last part"},
		{"$x y", 3, "expected '.' or '['"},
		{"$.a[1,x]", 7, "expected an index"},
		{"$.a[?(1)]", 7, "comparison operator"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			_, err := jsonpath.Parse(tt.path)
			var se *jsonpath.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, want *SyntaxError", tt.path, err)
			}
			if se.Offset+1 != tt.column || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("got column %d msg %q, want column %d msg containing %q", se.Offset+1, se.Msg, tt.column, tt.msg)
			}
			if !strings.Contains(se.Error(), tt.path) {
				t.Errorf("Error() %q does not name the path", se.Error())
			}
		})
	}
}

func TestParseReference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path    string
		problem string // "" when valid
		offset  int
	}{
		{"$", "", 0},
		{"$.a.b", "", 0},
		{"$['a'][0].c", "", 0},
		{"$$.Execution", "", 0},
		{"$.a[-1]", "negative index", 3},
		{"$.a[*]", "wildcard", 3},
		{"$.a.*", "wildcard", 3},
		{"$..a", "deep scan", 1},
		{"$.a[?(@.x)]", "filter", 3},
		{"$.a[1:2]", "slice", 3},
		{"$['a','b']", "union", 1},
		{"$.a[0,1]", "union", 3},
		{"$.a.length()", "function", 3},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			p, err := jsonpath.ParseReference(tt.path)
			if tt.problem == "" {
				if err != nil || !p.IsDefinite() {
					t.Fatalf("ParseReference(%q) = %v", tt.path, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.problem) {
				t.Fatalf("ParseReference(%q) = %v, want an error about %s", tt.path, err, tt.problem)
			}
			var se *jsonpath.SyntaxError
			if !errors.As(err, &se) || se.Offset != tt.offset {
				t.Errorf("error offset = %d, want %d", se.Offset, tt.offset)
			}
		})
	}
}

func TestSet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		doc, path, value, want string
		errMsg                 string
	}{
		{`{"a":1}`, "$", `"x"`, `"x"`, ""},
		{`{"a":1}`, "$.b", `2`, `{"a":1,"b":2}`, ""},
		{`{"a":1,"b":0}`, "$.a", `2`, `{"a":2,"b":0}`, ""},
		{`{"a":1}`, "$.x.y.z", `true`, `{"a":1,"x":{"y":{"z":true}}}`, ""},
		{`{"a":{"k":1}}`, "$.a.m", `2`, `{"a":{"k":1,"m":2}}`, ""},
		{`{"a":[1,{"b":2}]}`, "$.a[1].c", `3`, `{"a":[1,{"b":2,"c":3}]}`, ""},
		{`{"a":[1,2]}`, "$.a[0]", `9`, `{"a":[9,2]}`, ""},
		{`{"a":null}`, "$.a.b", `1`, `{"a":{"b":1}}`, ""},
		// AWS's text, as reported in aws/aws-cdk#29473.
		{`"{\"min_size\":1}"`, "$.partitioned", `1`, ``, `Unable to apply ReferencePath $.partitioned to input "{\"min_size\":1}"`},
		{`{"a":"s"}`, "$.a.b", `1`, ``, `Unable to apply ReferencePath $.a.b to input {"a":"s"}`},
		{`{"a":[1]}`, "$.a[3]", `1`, ``, `Unable to apply ReferencePath $.a[3] to input {"a":[1]}`},
		{`{"a":{}}`, "$.a[0]", `1`, ``, `Unable to apply ReferencePath $.a[0] to input {"a":{}}`},
		{`[1,2]`, "$.a", `1`, ``, `Unable to apply ReferencePath $.a to input [1,2]`},
	}
	for _, tt := range tests {
		t.Run(tt.doc+tt.path, func(t *testing.T) {
			t.Parallel()
			d := mustDecode(t, tt.doc)
			before := jsonv.String(d)
			p, err := jsonpath.ParseReference(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := jsonpath.Set(d, p, mustDecode(t, tt.value))
			if tt.errMsg != "" {
				var se *jsonpath.SetError
				if !errors.As(err, &se) || se.Error() != tt.errMsg {
					t.Fatalf("Set error = %v, want %q", err, tt.errMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g := jsonv.String(got); g != tt.want {
				t.Errorf("Set = %s, want %s", g, tt.want)
			}
			if after := jsonv.String(d); after != before {
				t.Errorf("Set modified its input: %s became %s", before, after)
			}
		})
	}
}

func TestSetSharesUntouchedValues(t *testing.T) {
	t.Parallel()
	d := mustDecode(t, `{"big":{"x":[1,2,3]},"a":{}}`).(*jsonv.Object)
	p, _ := jsonpath.ParseReference("$.a.b")
	out, err := jsonpath.Set(d, p, "v")
	if err != nil {
		t.Fatal(err)
	}
	oldBig, _ := d.Get("big")
	newBig, _ := out.(*jsonv.Object).Get("big")
	if oldBig.(*jsonv.Object) != newBig.(*jsonv.Object) {
		t.Error("Set copied a sibling it did not change")
	}
}

func TestSetRejectsIndefinitePath(t *testing.T) {
	t.Parallel()
	p, err := jsonpath.Parse("$.a[*]")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jsonpath.Set(mustDecode(t, `{"a":[1]}`), p, 1); err == nil {
		t.Fatal("Set with a wildcard path succeeded")
	}
}

func TestGetDoesNotAllocate(t *testing.T) {
	d := mustDecode(t, `{"a":{"b":{"c":[1,2,3]}}}`)
	for _, s := range []string{"$.a.b", "$.a.b.c[1]", "$['a']['b']"} {
		p, err := jsonpath.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := p.Get(d); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("Get(%s) allocates %v times", s, allocs)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"$", "$.a.b", "$['a'][0]", "$..x", "$.a[?(@.x > 1 && @.y == 'a')]", "$.a[1:3:2]",
		"$$.Execution.Input", "$v.a", "$.a.length()", "$.a[?(@.t =~ /x.*/i)]", "$['a','b']", "$.a[-1]",
		"$.a[?(@.x in [1,'b',{\"c\":1}])]", "$.a[?(!(@.x))]"} {
		f.Add(s, `{"a":[{"x":2,"y":"a","t":"xy"}],"b":1}`)
	}
	f.Fuzz(func(t *testing.T, s, docText string) {
		p, err := jsonpath.Parse(s)
		if err != nil {
			var se *jsonpath.SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(s) {
				t.Fatalf("Parse(%q) error %v is not a SyntaxError with a valid offset", s, err)
			}
			return
		}
		if p.String() != s {
			t.Fatalf("String() = %q, want %q", p.String(), s)
		}
		d, err := jsonv.DecodeString(docText)
		if err != nil {
			return
		}
		before := jsonv.String(d)
		v, err := p.Get(d)
		if err == nil && !p.IsDefinite() {
			if _, ok := v.([]any); !ok && !strings.HasSuffix(s, ")") {
				t.Fatalf("indefinite %q returned %T", s, v)
			}
		}
		if ref, err := jsonpath.ParseReference(s); err == nil {
			_, _ = jsonpath.Set(d, ref, "x")
		}
		if jsonv.String(d) != before {
			t.Fatal("evaluation modified the document")
		}
	})
}

func FuzzParseReference(f *testing.F) {
	for _, s := range []string{"$", "$.a.b", "$['a'][0]", "$$.x", "$v.a[2]", "$.a[*]", "$..a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := jsonpath.ParseReference(s)
		if err != nil {
			return
		}
		if !p.IsDefinite() {
			t.Fatalf("reference path %q is not definite", s)
		}
		d := jsonv.ObjectOf("a", jsonv.ObjectOf("b", []any{"x"}))
		out, err := jsonpath.Set(d, p, "v")
		if err != nil {
			return
		}
		got, err := p.Get(out)
		if err != nil || got != "v" {
			t.Fatalf("after Set(%q), Get = %v, %v", s, got, err)
		}
	})
}

func BenchmarkGetSimple(b *testing.B) {
	d := mustDecode(b, `{"a":{"b":{"c":1},"d":[1,2,3]},"e":"f"}`)
	p, err := jsonpath.Parse("$.a.b")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Get(d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetFilter(b *testing.B) {
	d := mustDecode(b, doc)
	p, err := jsonpath.Parse("$.items[?(@.x > 1 && @.y == 'b')].y")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Get(d); err != nil {
			b.Fatal(err)
		}
	}
}

func TestIndefiniteEvaluationIsBounded(t *testing.T) {
	t.Parallel()
	// A chain 300 levels deep: $..*..*..*..* would take about 300^4/24
	// steps.
	var d any = "leaf"
	for range 300 {
		d = []any{d}
	}
	p, err := jsonpath.Parse("$..*..*..*..*")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Get(d)
	var nf *jsonpath.NotFoundError
	if !errors.As(err, &nf) || !strings.Contains(nf.Error(), "exceeded") {
		t.Fatalf("Get = %v, want a step-limit error", err)
	}
	small, _ := jsonpath.Parse("$..*")
	got, err := small.Get(d)
	if err != nil || len(got.([]any)) != 300 {
		t.Fatalf("$..* = %v, %v; want the 300 nested values", got, err)
	}
}
