package payload

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"stepwise/engine/asl/intrinsic"
	"stepwise/engine/asl/jsonpath"
	"stepwise/engine/jsonv"
)

type nodeKind uint8

const (
	nodeLiteral nodeKind = iota
	nodeObject
	nodeArray
	nodePath
	nodeCall
)

type member struct {
	key   string // output key (".$" removed)
	field string // key as written, for error messages
	node  node
}

type node struct {
	kind    nodeKind
	value   any // literal
	members []member
	items   []node
	path    *jsonpath.Path
	call    *intrinsic.Call
}

// Template is a compiled payload template. It is immutable and safe for
// concurrent use.
type Template struct {
	root node
}

// CompileError reports a template that cannot be compiled; Field is the key
// path of the offending key, e.g. "Parameters.a.b.$".
type CompileError struct {
	Field string
	Err   error
}

func (e *CompileError) Error() string { return e.Field + ": " + e.Err.Error() }

func (e *CompileError) Unwrap() error { return e.Err }

// Compile compiles a template given as a jsonv value. Errors name the key path
// relative to the template ("a.b.$: ...").
func Compile(v any) (*Template, error) {
	return CompileField("", v)
}

// CompileField is Compile for the template of the named field (e.g.
// "Parameters"), which prefixes the key paths in errors.
func CompileField(field string, v any) (*Template, error) {
	n, err := compile(v, field, 0)
	if err != nil {
		return nil, err
	}
	return &Template{root: n}, nil
}

// maxDepth bounds template nesting.
const maxDepth = 1000

func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func compile(v any, at string, depth int) (node, error) {
	if depth > maxDepth {
		return node{}, &CompileError{Field: at, Err: fmt.Errorf("template nested deeper than %d levels", maxDepth)}
	}
	switch x := v.(type) {
	case *jsonv.Object:
		n := node{kind: nodeObject, members: make([]member, 0, x.Len())}
		dynamic := false
		for _, m := range x.Members() {
			field := joinKey(at, m.Key)
			if strings.HasSuffix(m.Key, ".$") && len(m.Key) > 2 {
				dn, err := compileDynamic(m.Value, field)
				if err != nil {
					return node{}, err
				}
				n.members = append(n.members, member{key: strings.TrimSuffix(m.Key, ".$"), field: m.Key, node: dn})
				dynamic = true
				continue
			}
			cn, err := compile(m.Value, field, depth+1)
			if err != nil {
				return node{}, err
			}
			if cn.kind != nodeLiteral {
				dynamic = true
			}
			n.members = append(n.members, member{key: m.Key, field: m.Key, node: cn})
		}
		if !dynamic {
			return node{kind: nodeLiteral, value: v}, nil
		}
		return n, nil
	case []any:
		n := node{kind: nodeArray, items: make([]node, len(x))}
		dynamic := false
		for i, e := range x {
			cn, err := compile(e, at+"["+strconv.Itoa(i)+"]", depth+1)
			if err != nil {
				return node{}, err
			}
			if cn.kind != nodeLiteral {
				dynamic = true
			}
			n.items[i] = cn
		}
		if !dynamic {
			return node{kind: nodeLiteral, value: v}, nil
		}
		return n, nil
	default:
		return node{kind: nodeLiteral, value: v}, nil
	}
}

func compileDynamic(v any, field string) (node, error) {
	s, ok := v.(string)
	if !ok {
		return node{}, &CompileError{Field: field, Err: fmt.Errorf("the value of a key ending in '.$' must be a string holding a JSONPath or an intrinsic function call, but is %s", jsonv.TypeName(v))}
	}
	if intrinsic.IsCall(s) {
		c, err := intrinsic.Parse(s)
		if err != nil {
			return node{}, &CompileError{Field: field, Err: err}
		}
		return node{kind: nodeCall, call: c}, nil
	}
	if !strings.HasPrefix(s, "$") {
		return node{}, &CompileError{Field: field, Err: fmt.Errorf("the value %q must be a valid JSONPath or a valid intrinsic function call", s)}
	}
	p, err := jsonpath.Parse(s)
	if err != nil {
		return node{}, &CompileError{Field: field, Err: err}
	}
	return node{kind: nodePath, path: p}, nil
}

// EvalError is a failed evaluation: Name is the AWS error the state fails
// with (States.Runtime, States.IntrinsicFailure) and Cause the text after the
// engine's "An error occurred while executing the state ..." prefix.
type EvalError struct {
	Name  string
	Cause string
	Field string // the key as written, e.g. "value.$"
}

func (e *EvalError) Error() string { return e.Name + ": " + e.Cause }

// Eval builds the payload: literal sub-trees are returned as they are (shared,
// not copied), dynamic keys are evaluated against env, key order is kept.
func (t *Template) Eval(env intrinsic.Env) (any, error) {
	return t.root.eval(env, "")
}

// IsStatic reports whether the template has no dynamic keys at all.
func (t *Template) IsStatic() bool { return t.root.kind == nodeLiteral }

func (n *node) eval(env intrinsic.Env, field string) (any, error) {
	switch n.kind {
	case nodeLiteral:
		return n.value, nil
	case nodeObject:
		o := jsonv.NewObject(len(n.members))
		for i := range n.members {
			m := &n.members[i]
			v, err := m.node.eval(env, m.field)
			if err != nil {
				return nil, err
			}
			o.Set(m.key, v)
		}
		return o, nil
	case nodeArray:
		out := make([]any, len(n.items))
		for i := range n.items {
			v, err := n.items[i].eval(env, field)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case nodePath:
		v, err := intrinsic.Resolve(n.path, env)
		if err != nil {
			return nil, evalError(err, field)
		}
		return v, nil
	case nodeCall:
		v, err := n.call.Eval(env)
		if err != nil {
			return nil, evalError(err, field)
		}
		return v, nil
	}
	return nil, nil
}

func evalError(err error, field string) error {
	var ie *intrinsic.Error
	if !errors.As(err, &ie) {
		return &EvalError{Name: intrinsic.ErrRuntime, Cause: err.Error(), Field: field}
	}
	if ie.NotFound != "" && ie.Func == "" && ie.UndefinedVariable == "" {
		return &EvalError{Name: ie.Name, Field: field,
			Cause: fmt.Sprintf("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", ie.NotFound, field, jsonv.String(ie.In))}
	}
	return &EvalError{Name: ie.Name, Cause: ie.Cause, Field: field}
}
