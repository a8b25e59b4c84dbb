package jsonpath

import (
	"fmt"

	"stepwise/engine/jsonv"
)

// SetError reports a ResultPath that cannot be applied to the document, e.g.
// because a step of the path meets a string. AWS fails the state with
// States.ResultPathMatchFailure.
type SetError struct {
	Path string // the reference path as written
	Msg  string
}

func (e *SetError) Error() string { return e.Msg }

// Set returns a copy of doc with value placed at p, with ResultPath semantics:
// "$" replaces the whole document; missing objects along the path are
// created; an index must name an existing array element. doc itself is never
// modified: every container on the way is copied, the rest is shared.
func Set(doc any, p *Path, value any) (any, error) {
	if p == nil || len(p.segs) == 0 {
		return value, nil
	}
	for _, sg := range p.segs {
		if sg.kind != segName && sg.kind != segIndex {
			return nil, &SetError{Path: p.text, Msg: fmt.Sprintf("Unable to apply ReferencePath %s: it is not a reference path", p.text)}
		}
	}
	out, ok := setAt(doc, p, 0, value)
	if !ok {
		// AWS's text (seen in a States.ResultPathMatchFailure cause).
		return nil, &SetError{Path: p.text, Msg: fmt.Sprintf("Unable to apply ReferencePath %s to input %s", p.text, jsonv.String(doc))}
	}
	return out, nil
}

func setAt(cur any, p *Path, i int, value any) (any, bool) {
	if i == len(p.segs) {
		return value, true
	}
	sg := &p.segs[i]
	switch sg.kind {
	case segName:
		var o *jsonv.Object
		switch x := cur.(type) {
		case *jsonv.Object:
			o = x.Clone()
		case nil:
			// A missing (or null) step becomes a new object.
			o = jsonv.NewObject(1)
		default:
			return nil, false
		}
		child, _ := o.Get(sg.name)
		v, ok := setAt(child, p, i+1, value)
		if !ok {
			return nil, false
		}
		o.Set(sg.name, v)
		return o, true
	case segIndex:
		arr, ok := cur.([]any)
		idx := sg.index
		if ok && idx < 0 {
			idx += len(arr)
		}
		if !ok || idx < 0 || idx >= len(arr) {
			return nil, false
		}
		v, ok := setAt(arr[idx], p, i+1, value)
		if !ok {
			return nil, false
		}
		c := make([]any, len(arr))
		copy(c, arr)
		c[idx] = v
		return c, true
	}
	return nil, false
}
