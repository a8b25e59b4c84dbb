package jsonata

import (
	"context"
	"errors"
	"fmt"
	"time"
)

type undefinedT struct{}

// Undefined is the input value meaning "no input" (JavaScript undefined),
// distinct from JSON null (nil).
var Undefined = undefinedT{}

// ErrFunctionResult is returned (wrapped) by Eval when the expression
// evaluates to a function, which has no JSON form. AWS reports this as
// "returned an unsupported result type".
var ErrFunctionResult = errors.New("jsonata: expression returned a function, which is not a JSON value")

// DefaultMaxDepth is the evaluation depth limit when Options.MaxDepth is 0.
const DefaultMaxDepth = 10000

// Options control one evaluation.
type Options struct {
	// Bindings are variables visible as $name, as jsonv values (or
	// jsonata.Undefined).
	Bindings map[string]any
	// MaxDepth bounds the nesting of evaluation (0 means DefaultMaxDepth);
	// exceeding it fails with code U1001.
	MaxDepth int
	// Timeout bounds the wall-clock time of the evaluation (0 means none);
	// exceeding it fails with code U1002.
	Timeout time.Duration
	// AWS selects Step Functions' dialect: $eval is removed and $partition,
	// $range, $hash, $random(seed), $uuid and $parse are added.
	AWS bool
	// Now supplies the time for $now() and $millis(); nil means time.Now.
	Now func() time.Time
	// Rand supplies random numbers in [0,1) for $random() and $shuffle();
	// nil means a per-evaluation generator seeded from the clock.
	Rand func() float64
}

// Expr is a compiled expression, safe for concurrent use.
type Expr struct {
	src  string
	root *node
}

// Compile parses src. Syntax errors are *Error values with S-codes.
func Compile(src string) (x *Expr, err error) {
	defer func() {
		if r := recover(); r != nil {
			x, err = nil, fmt.Errorf("jsonata: internal error compiling %q: %v", src, r)
		}
	}()
	root, err := parse(src)
	if err != nil {
		var je *Error
		if errors.As(err, &je) {
			je.populate()
			je.Value = exportValue(je.Value)
			return nil, je
		}
		return nil, err
	}
	return &Expr{src: src, root: root}, nil
}

// MustCompile is Compile that panics on error, for expressions known at
// build time.
func MustCompile(src string) *Expr {
	e, err := Compile(src)
	if err != nil {
		panic(err)
	}
	return e
}

// String returns the source text.
func (x *Expr) String() string { return x.src }

// Eval evaluates the expression against input (a jsonv value, or Undefined).
// defined is false when the result is JSONata undefined.
func (x *Expr) Eval(ctx context.Context, input any, opts *Options) (v any, defined bool, err error) {
	if opts == nil {
		opts = &Options{}
	}
	e := newEvaluator(ctx, opts)
	env := newFrame(nil)
	for k, b := range opts.Bindings {
		env.bind(k, fromJSON(b))
	}
	in := fromJSON(input)
	if s, ok := in.(*seq); ok {
		// jsonata-js wraps an array input so that $ and paths see it whole.
		w := newSeq(s)
		w.outerWrapper = true
		in = w
	}
	env.bind("$", in)
	defer func() {
		if r := recover(); r != nil {
			v, defined, err = nil, false, fmt.Errorf("jsonata: internal error evaluating %q: %v", x.src, r)
		}
	}()
	r, err := e.eval(x.root, in, env)
	if err != nil {
		var je *Error
		if errors.As(err, &je) {
			je.populate()
			je.Value = exportValue(je.Value)
			je.Value2 = exportValue(je.Value2)
			return nil, false, je
		}
		return nil, false, err
	}
	if isFunction(r) {
		return nil, false, ErrFunctionResult
	}
	out, ok := toJSON(r)
	return out, ok, nil
}

func exportValue(v any) any {
	if v == nil {
		return nil
	}
	if _, ok := v.(nullT); ok {
		return nil
	}
	if isFunction(v) {
		return ""
	}
	j, _ := toJSON(v)
	return j
}

func newEvaluator(ctx context.Context, opts *Options) *evaluator {
	if ctx == nil {
		ctx = context.Background()
	}
	e := &evaluator{ctx: ctx, opts: opts, maxDepth: opts.MaxDepth}
	if e.maxDepth <= 0 {
		e.maxDepth = DefaultMaxDepth
	}
	if opts.Timeout > 0 {
		e.deadline = time.Now().Add(opts.Timeout)
		e.hasDeadline = true
	}
	if d, ok := ctx.Deadline(); ok && (!e.hasDeadline || d.Before(e.deadline)) {
		e.deadline = d
		e.hasDeadline = true
	}
	if opts.AWS {
		e.builtins = awsBuiltins
	} else {
		e.builtins = stdBuiltins
	}
	return e
}
