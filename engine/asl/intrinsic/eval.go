package intrinsic

import (
	"fmt"

	"stepwise/engine/asl/jsonpath"
	"stepwise/engine/jsonv"
)

// Env is what a call can read: the state input ($), the context object ($$)
// and the variables ($name).
type Env struct {
	Input   any
	Context any
	// Var returns the value of a variable; nil means no variables are set.
	Var func(name string) (any, bool)
}

// Error is a failed evaluation, with the AWS error name the state fails with
// and the cause text (without the "An error occurred while executing the
// state ..." prefix the engine adds).
type Error struct {
	Name  string // "States.IntrinsicFailure" or "States.Runtime"
	Cause string
	// Func is the function that failed ("" for a path that was not found).
	Func string
	// NotFound is the path (as written) that matched nothing, and In is the
	// document it was looked up in; payload templates use them to report the
	// field ("The JSONPath '$.x' specified for the field 'k.$' could not be
	// found in the input '...'").
	NotFound string
	In       any
	// UndefinedVariable names the variable of a $name path that is not set.
	UndefinedVariable string
}

func (e *Error) Error() string { return e.Name + ": " + e.Cause }

// Error names used by this package.
const (
	ErrIntrinsicFailure = "States.IntrinsicFailure"
	ErrRuntime          = "States.Runtime"
)

// Resolve evaluates a path against env: the input, the context object or a
// variable, according to the path's root. A definite path that matches
// nothing fails with a States.Runtime *Error carrying NotFound and In.
func Resolve(p *jsonpath.Path, env Env) (any, error) {
	var doc any
	switch p.Root() {
	case jsonpath.RootContext:
		doc = env.Context
	case jsonpath.RootVariable:
		var ok bool
		if env.Var != nil {
			doc, ok = env.Var(p.Variable())
		}
		if !ok {
			return nil, &Error{Name: ErrRuntime, NotFound: p.String(), UndefinedVariable: p.Variable(),
				Cause: fmt.Sprintf("The variable '$%s' referenced by the JSONPath '%s' is not defined", p.Variable(), p.String())}
		}
	default:
		doc = env.Input
	}
	v, err := p.Get(doc)
	if err != nil {
		return nil, &Error{Name: ErrRuntime, NotFound: p.String(), In: doc,
			Cause: fmt.Sprintf("The JSONPath '%s' could not be found in the input '%s'", p.String(), jsonv.String(doc))}
	}
	return v, nil
}

// Eval evaluates the call. Failures are *Error values.
func (c *Call) Eval(env Env) (any, error) {
	var buf [4]any
	args := buf[:0]
	if len(c.Args) > len(buf) {
		args = make([]any, 0, len(c.Args))
	}
	for i := range c.Args {
		a := &c.Args[i]
		switch a.Kind {
		case ArgPath:
			v, err := Resolve(a.Path, env)
			if err != nil {
				return nil, err
			}
			args = append(args, v)
		case ArgCall:
			v, err := a.Call.Eval(env)
			if err != nil {
				return nil, err
			}
			args = append(args, v)
		default:
			args = append(args, a.Value)
		}
	}
	for i, v := range args {
		if t := c.fn.param(i); !t.accepts(v) {
			return nil, c.fail("the %s argument must be %s, but was %s %s", ordinal(i), t.article(), jsonv.TypeName(v), jsonv.String(v))
		}
	}
	return c.fn.eval(c, args)
}

// fail builds a States.IntrinsicFailure for the call.
func (c *Call) fail(format string, args ...any) error {
	return &Error{Name: ErrIntrinsicFailure, Func: c.Name,
		Cause: fmt.Sprintf("Invalid arguments in %s: %s", c.Name, fmt.Sprintf(format, args...))}
}

func ordinal(i int) string {
	switch i {
	case 0:
		return "first"
	case 1:
		return "second"
	case 2:
		return "third"
	}
	return fmt.Sprintf("%dth", i+1)
}
