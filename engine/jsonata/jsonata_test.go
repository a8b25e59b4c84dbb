package jsonata_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"stepwise/engine/jsonata"
	"stepwise/engine/jsonv"
	"stepwise/internal/conformance"
)

func mustDecode(t *testing.T, s string) any {
	t.Helper()
	if s == "" {
		return jsonata.Undefined
	}
	v, err := jsonv.DecodeString(s)
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func eval(t *testing.T, expr, input string, opts *jsonata.Options) (string, error) {
	t.Helper()
	x, err := jsonata.Compile(expr)
	if err != nil {
		return "", err
	}
	v, defined, err := x.Eval(context.Background(), mustDecode(t, input), opts)
	if err != nil {
		return "", err
	}
	if !defined {
		return "undefined", nil
	}
	return jsonv.String(v), nil
}

func TestEval(t *testing.T) {
	t.Parallel()
	aws := &jsonata.Options{AWS: true}
	tests := []struct {
		name, expr, input string
		opts              *jsonata.Options
		want              string
	}{
		{"path", "a.b", `{"a":{"b":[1,2]}}`, nil, "[1,2]"},
		{"undefined", "a.c", `{"a":{}}`, nil, "undefined"},
		{"null is not undefined", "a", `{"a":null}`, nil, "null"},
		{"no input", "$", "", nil, "undefined"},
		{"integers print without .0", "1.0 + 2", "", nil, "3"},
		{"big numbers use JS exponents", "1e21 * 10", "", nil, "1e+22"},
		{"small numbers use JS exponents", "1 / 10000000", "", nil, "1e-7"},
		{"fractions keep shortest form", "0.1 + 0.2", "", nil, "0.30000000000000004"},
		{"key order kept", `{"z":1,"a":2}`, "", nil, `{"z":1,"a":2}`},
		{"index-like keys first, as in JavaScript", `{"b":1,"10":2,"2":3,"01":4}`, "", nil, `{"2":3,"10":2,"b":1,"01":4}`},
		{"input objects ordered like JSON.parse", "$", `{"x":1,"3":2}`, nil, `{"3":2,"x":1}`},
		{"bindings", "$x + 1", "", &jsonata.Options{Bindings: map[string]any{"x": jsonv.Number(41)}}, "42"},
		{"block scope", "($a := 1; ($a := 2); $a)", "", nil, "1"},
		{"tail calls", "($f := function($n, $acc){ $n = 0 ? $acc : $f($n - 1, $acc + 1) }; $f(20000, 0))", "", nil, "20000"},
		{"eval in reference mode", `$eval("1 + 1")`, "", nil, "2"},
		{"partition", "$partition([0,1,2], 2)", "", aws, "[[0,1],[2]]"},
		{"partition singleton", "$partition([0], 5)", "", aws, "[[0]]"},
		{"range", "$range(0, 9, 3)", "", aws, "[0,3,6,9]"},
		{"range step past end", "$range(0, 10, 3)", "", aws, "[0,3,6,9]"},
		{"range single unwraps", "$range(1, 9, 9)", "", aws, "1"},
		{"range counts down", "$range(3, 1, -1)", "", aws, "[3,2,1]"},
		{"local $range shadows the AWS one", "($range := function($a){ 'mine' }; $range(1))", "", aws, `"mine"`},
		{"parse", `$parse('{"a":[1,"x"]}')`, "", aws, `{"a":[1,"x"]}`},
		{"parse -0", `$parse("-0")`, "", aws, "0"},
		{"hash sha256", `$hash("abc", "SHA-256")`, "", aws, `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`},
		{"hash md5", `$hash("abc", "MD5")`, "", aws, `"900150983cd24fb0d6963f7d28e17f72"`},
		{"hash sha1", `$hash("abc", "SHA-1")`, "", aws, `"a9993e364706816aba3e25717850c26c9cd0d89d"`},
		{"seeded random is stable", "$random(7) = $random(7)", "", aws, "true"},
		{"now is fixed", "$now()", "", &jsonata.Options{Now: func() time.Time { return time.UnixMilli(1700000000123) }}, `"2023-11-14T22:13:20.123Z"`},
		{"millis", "$millis()", "", &jsonata.Options{Now: func() time.Time { return time.UnixMilli(42) }}, "42"},
		{"transform cannot build a cycle", `$ ~> | $ | {"x": $} |`, `{"a":1}`, nil, `{"a":1,"x":{"a":1}}`},
		{"missing numeric argument", "$range(nothing, 2)", "", aws, "undefined"},
		{"substring without start", `$substring("abc", nothing)`, "", nil, `"abc"`},
		{"regex \\s is JavaScript's", "$contains(\"a\u00a0b\", /a\\sb/)", "", nil, "true"},
		{"regex escaped slash and named group", `$match("2024/05", /(?<y>\d{4})\/(\d+)/).groups`, "", nil, `["2024","05"]`},
		{"regex flags", `$replace("aBc", /b/i, "x")`, "", nil, `"axc"`},
		{"shuffle with injected rand", "$shuffle([1,2,3]) ~> $sort()", "", &jsonata.Options{Rand: func() float64 { return 0.5 }}, "[1,2,3]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := eval(t, tc.expr, tc.input, tc.opts)
			if err != nil {
				t.Fatalf("%s: %v", tc.expr, err)
			}
			if got != tc.want {
				t.Errorf("%s = %s, want %s", tc.expr, got, tc.want)
			}
		})
	}
}

func TestUUID(t *testing.T) {
	t.Parallel()
	got, err := eval(t, "$uuid()", "", &jsonata.Options{AWS: true})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$`).MatchString(got) {
		t.Errorf("$uuid() = %s, want a version-4 UUID", got)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	aws := &jsonata.Options{AWS: true}
	tests := []struct {
		name, expr string
		opts       *jsonata.Options
		code, msg  string
	}{
		{"syntax", "1 +", nil, "S0207", "Unexpected end of expression"},
		{"unknown operator", "[1!2]", nil, "S0204", `Unknown operator: "!"`},
		{"signature", `$sum("a")`, nil, "T0412", `Argument 1 of function "sum" must be an array of "numbers"`},
		{"non-function", "$nothing()", nil, "T1006", "Attempted to invoke a non-function"},
		{"user error", `$error("Too Expensive")`, nil, "D3137", "Too Expensive"},
		{"eval removed in AWS mode", `$eval("1")`, aws, "T1006", "Attempted to invoke a non-function"},
		{"randomSeeded does not exist", `$randomSeeded(1)`, aws, "T1006", "Attempted to invoke a non-function"},
		{"hash algorithm", `$hash("a", "SHA-3")`, aws, "D3151", `The $hash() function does not support the algorithm "SHA-3"`},
		{"partition size", `$partition([1], 0)`, aws, "D3152", "The $partition() function needs a positive integer size; it was given 0"},
		{"look-ahead is not supported by RE2", `$match("a", /a(?=b)/)`, nil, "S0303", `Unsupported regular expression: "a(?=b)"`},
		{"parse bad json", `$parse("{")`, aws, "D3150", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := eval(t, tc.expr, "", tc.opts)
			var je *jsonata.Error
			if !errors.As(err, &je) {
				t.Fatalf("%s: got %v, want a *jsonata.Error", tc.expr, err)
			}
			if je.Code != tc.code {
				t.Errorf("%s: code %s, want %s (%v)", tc.expr, je.Code, tc.code, err)
			}
			if tc.msg != "" && je.Message != tc.msg {
				t.Errorf("%s: message %q, want %q", tc.expr, je.Message, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), tc.code+": ") {
				t.Errorf("Error() = %q, want it to start with the code", err.Error())
			}
		})
	}
}

func TestFunctionResult(t *testing.T) {
	t.Parallel()
	_, err := eval(t, "function($x){$x}", "", nil)
	if !errors.Is(err, jsonata.ErrFunctionResult) {
		t.Fatalf("got %v, want ErrFunctionResult", err)
	}
	// functions inside containers are dropped, as JSON.stringify does
	got, err := eval(t, `{"f": $sum, "a": 1}`, "", nil)
	if err != nil || got != `{"a":1}` {
		t.Fatalf("got %s, %v", got, err)
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	t.Run("depth at the limit passes", func(t *testing.T) {
		t.Parallel()
		// non-tail recursion to depth 20 needs about 60 nested evaluations
		_, err := eval(t, "($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(20))", "", &jsonata.Options{MaxDepth: 200})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("depth past the limit fails", func(t *testing.T) {
		t.Parallel()
		_, err := eval(t, "($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(1000))", "", &jsonata.Options{MaxDepth: 200})
		var je *jsonata.Error
		if !errors.As(err, &je) || je.Code != "U1001" {
			t.Fatalf("got %v, want U1001", err)
		}
	})
	t.Run("default depth stops runaway recursion", func(t *testing.T) {
		t.Parallel()
		_, err := eval(t, "($f := function($n){ 1 + $f($n) }; $f(1))", "", nil)
		var je *jsonata.Error
		if !errors.As(err, &je) || je.Code != "U1001" {
			t.Fatalf("got %v, want U1001", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		start := time.Now()
		_, err := eval(t, "($inf := function(){ $inf() }; $inf())", "", &jsonata.Options{Timeout: 50 * time.Millisecond})
		var je *jsonata.Error
		if !errors.As(err, &je) || je.Code != "U1002" {
			t.Fatalf("got %v, want U1002", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v, want about 50ms", d)
		}
	})
	t.Run("cancellation", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(20 * time.Millisecond); cancel() }()
		x := jsonata.MustCompile("($inf := function(){ $inf() }; $inf())")
		_, _, err := x.Eval(ctx, jsonata.Undefined, nil)
		var je *jsonata.Error
		if !errors.As(err, &je) || je.Code != "U1003" {
			t.Fatalf("got %v, want U1003", err)
		}
	})
	t.Run("range size", func(t *testing.T) {
		t.Parallel()
		_, err := eval(t, "[1..20000000]", "", nil)
		var je *jsonata.Error
		if !errors.As(err, &je) || je.Code != "D2014" {
			t.Fatalf("got %v, want D2014", err)
		}
	})
}

func TestConcurrentEval(t *testing.T) {
	t.Parallel()
	x := jsonata.MustCompile(`Account.Order.Product.{"name": $."Product Name", "total": Price * Quantity}`)
	in := mustDecode(t, `{"Account":{"Order":[{"Product":[{"Product Name":"A","Price":2,"Quantity":3}]}]}}`)
	done := make(chan string, 8)
	for i := 0; i < 8; i++ {
		go func() {
			v, _, err := x.Eval(context.Background(), in, nil)
			if err != nil {
				done <- err.Error()
				return
			}
			done <- jsonv.String(v)
		}()
	}
	for i := 0; i < 8; i++ {
		if got := <-done; got != `{"name":"A","total":6}` {
			t.Errorf("got %s", got)
		}
	}
}

func FuzzCompileEval(f *testing.F) {
	for _, s := range []string{
		"a.b[0]", "$sum(a.b)", `{"x": a.*}`, "**.c", "a@$x#$i.b[$x = 1]", "a^(>b)", "[1..5]",
		"($f := function($n){$n > 0 ? $f($n-1) : 0}; $f(10))", `$match("abc", /b+/i)`,
		"a ~> $map(function($v){$v * 2})", "| a | {'b': 1}, ['c'] |", "a.%.b", `$formatNumber(1234.5, "#,##0.00")`,
		`$fromMillis(0, "[Y0001]-[M01]-[D01] [H01]:[m01]")`, "a ?: 1", "a ?? 2", "$string(1e300*1e300)",
	} {
		f.Add(s)
	}
	if conformance.Dir() != "" {
		// the suite's expressions make good seeds
		for _, c := range loadSuite(f) {
			if c.timeMS == 0 {
				f.Add(c.expr)
			}
		}
	}
	input, err := jsonv.DecodeString(`{"a":{"b":[1,2,{"c":3}],"d":"x"},"e":[{"f":1},{"f":2}]}`)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		watchdog := time.AfterFunc(10*time.Second, func() { panic("hung: " + src) })
		defer watchdog.Stop()
		x, err := jsonata.Compile(src)
		if err != nil {
			var je *jsonata.Error
			if !errors.As(err, &je) {
				t.Fatalf("compile %q: error %v is not a *jsonata.Error", src, err)
			}
			return
		}
		start := time.Now()
		_, _, err = x.Eval(context.Background(), input, &jsonata.Options{MaxDepth: 300, Timeout: 100 * time.Millisecond})
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("%q ran %v, past its 100ms limit", src, d)
		}
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("%q: %v", src, err)
		}
	})
}

// FuzzPictures feeds arbitrary picture strings to the date/time, integer
// and number picture parsers, and arbitrary patterns to the regex
// translator.
func FuzzPictures(f *testing.F) {
	for _, s := range []string{
		"[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]", "[FNn,3-3] [D1o] [MNn] [Y,2]", "[h]:[m] [P]",
		"#,##0.00", "0.00e0", "#%", "#0.###;(#0.###)", "w", "Ww", "I", "a", "#,##0", "1;o", `\d+(\w)?`, "[a-z]+",
	} {
		f.Add(s, 1700000000000.0, "2023-11-14")
	}
	exprs := []string{
		"$formatNumber($n, $p)", "$fromMillis($n, $p)", "$toMillis($s, $p)",
		"$formatInteger($n, $p)", "$parseInteger($s, $p)", "$match($s, $eval('/' & $p & '/'))",
	}
	compiled := make([]*jsonata.Expr, len(exprs))
	for i, src := range exprs {
		compiled[i] = jsonata.MustCompile(src)
	}
	f.Fuzz(func(t *testing.T, pic string, n float64, s string) {
		binds := map[string]any{"p": pic, "n": jsonv.FloatNumber(n), "s": s}
		if math.IsNaN(n) || math.IsInf(n, 0) {
			binds["n"] = jsonv.Number(0)
		}
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("hung: $p=%q $n=%v $s=%q", pic, n, s)) })
		defer watchdog.Stop()
		for i, x := range compiled {
			_, _, err := x.Eval(context.Background(), jsonata.Undefined, &jsonata.Options{Bindings: binds, Timeout: 200 * time.Millisecond})
			if err != nil && strings.Contains(err.Error(), "internal error") {
				t.Fatalf("%s with $p=%q $n=%v $s=%q: %v", exprs[i], pic, n, s, err)
			}
		}
	})
}
