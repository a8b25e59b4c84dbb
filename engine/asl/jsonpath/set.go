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
	return setAt(doc, p, 0, value)
}

func setAt(cur any, p *Path, i int, value any) (any, error) {
	if i == len(p.segs) {
		return value, nil
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
			return nil, p.setError(i, cur)
		}
		child, _ := o.Get(sg.name)
		v, err := setAt(child, p, i+1, value)
		if err != nil {
			return nil, err
		}
		o.Set(sg.name, v)
		return o, nil
	case segIndex:
		arr, ok := cur.([]any)
		idx := sg.index
		if ok && idx < 0 {
			idx += len(arr)
		}
		if !ok || idx < 0 || idx >= len(arr) {
			return nil, p.setError(i, cur)
		}
		v, err := setAt(arr[idx], p, i+1, value)
		if err != nil {
			return nil, err
		}
		c := make([]any, len(arr))
		copy(c, arr)
		c[idx] = v
		return c, nil
	}
	return nil, p.setError(i, cur)
}

func (p *Path) setError(i int, cur any) error {
	return &SetError{Path: p.text, Msg: fmt.Sprintf("Unable to apply step \"%s\" of ReferencePath %s to input %s",
		p.segs[i].fragment, p.text, jsonv.String(cur))}
}
