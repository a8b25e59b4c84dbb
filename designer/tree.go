package designer

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"stepwise/engine/jsonv"
)

// A tree address is a list of steps from the document root: a string is an
// object key, an int an array index. Every change copies the containers on
// the way down, so earlier documents (undo snapshots) stay untouched.

func getIn(v any, addr []any) (any, bool) {
	for _, step := range addr {
		switch k := step.(type) {
		case string:
			o, ok := v.(*jsonv.Object)
			if !ok {
				return nil, false
			}
			if v, ok = o.Get(k); !ok {
				return nil, false
			}
		case int:
			a, ok := v.([]any)
			if !ok || k < 0 || k >= len(a) {
				return nil, false
			}
			v = a[k]
		default:
			return nil, false
		}
	}
	return v, true
}

func getObj(v any, addr []any) *jsonv.Object {
	x, _ := getIn(v, addr)
	o, _ := x.(*jsonv.Object)
	return o
}

// updateIn replaces the value at addr by fn(old, present); fn returning
// remove=true deletes it (object key or array element).
func updateIn(v any, addr []any, fn func(old any, present bool) (nv any, remove bool, err error)) (any, error) {
	if len(addr) == 0 {
		nv, remove, err := fn(v, true)
		if err != nil {
			return nil, err
		}
		if remove {
			return nil, fmt.Errorf("cannot remove the document root")
		}
		return nv, nil
	}
	switch k := addr[0].(type) {
	case string:
		o, ok := v.(*jsonv.Object)
		if !ok {
			return nil, fmt.Errorf("%s is a %s, not an object", addrString(nil), jsonv.TypeName(v))
		}
		old, present := o.Get(k)
		var nv any
		remove := false
		if len(addr) == 1 {
			var err error
			if nv, remove, err = fn(old, present); err != nil {
				return nil, err
			}
		} else {
			if !present {
				return nil, fmt.Errorf("no member %q", k)
			}
			var err error
			if nv, err = updateIn(old, addr[1:], fn); err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
		}
		c := o.Clone()
		if remove {
			c.Delete(k)
		} else {
			c.Set(k, nv)
		}
		return c, nil
	case int:
		a, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("a %s is not an array", jsonv.TypeName(v))
		}
		if k < 0 || k > len(a) || (k == len(a) && len(addr) > 1) {
			return nil, fmt.Errorf("index %d is out of range (length %d)", k, len(a))
		}
		var old any
		if k < len(a) {
			old = a[k]
		}
		var nv any
		remove := false
		if len(addr) == 1 {
			var err error
			if nv, remove, err = fn(old, k < len(a)); err != nil {
				return nil, err
			}
		} else {
			var err error
			if nv, err = updateIn(old, addr[1:], fn); err != nil {
				return nil, fmt.Errorf("[%d]: %w", k, err)
			}
		}
		c := make([]any, 0, len(a)+1)
		c = append(c, a[:k]...)
		if !remove {
			c = append(c, nv)
		}
		if k < len(a) {
			c = append(c, a[k+1:]...)
		}
		return c, nil
	}
	return nil, fmt.Errorf("bad address step %v", addr[0])
}

func setIn(v any, addr []any, val any) (any, error) {
	return updateIn(v, addr, func(any, bool) (any, bool, error) { return val, false, nil })
}

func deleteIn(v any, addr []any) (any, error) {
	return updateIn(v, addr, func(_ any, present bool) (any, bool, error) { return nil, true, nil })
}

// renameKey returns a copy of o with key old renamed to nu, in place.
func renameKey(o *jsonv.Object, old, nu string) *jsonv.Object {
	c := jsonv.NewObject(o.Len())
	for _, m := range o.Members() {
		k := m.Key
		if k == old {
			k = nu
		}
		c.Set(k, m.Value)
	}
	return c
}

func addrString(addr []any) string {
	var b strings.Builder
	for _, s := range addr {
		b.WriteByte('/')
		switch k := s.(type) {
		case string:
			b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(k))
		case int:
			b.WriteString(strconv.Itoa(k))
		}
	}
	return b.String()
}

// parsePointer turns an RFC 6901 JSON pointer into an address; tokens that
// are decimal numbers become indexes when the value they step into is an
// array.
func parsePointer(root any, ptr string) ([]any, error) {
	if ptr == "" || ptr == "/" {
		return nil, nil
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, fmt.Errorf("pointer %q must start with /", ptr)
	}
	var addr []any
	cur := root
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		if a, ok := cur.([]any); ok {
			i, err := strconv.Atoi(tok)
			if tok == "-" {
				i, err = len(a), nil
			}
			if err != nil || i < 0 || i > len(a) {
				return nil, fmt.Errorf("pointer %q: %q is not an index of an array of %d", ptr, tok, len(a))
			}
			addr = append(addr, i)
			if i < len(a) {
				cur = a[i]
			} else {
				cur = nil
			}
			continue
		}
		addr = append(addr, tok)
		if o, ok := cur.(*jsonv.Object); ok {
			cur, _ = o.Get(tok)
		} else {
			cur = nil
		}
	}
	return addr, nil
}

func str(o *jsonv.Object, key string) string {
	v, _ := o.Get(key)
	s, _ := v.(string)
	return s
}

func arr(o *jsonv.Object, key string) []any {
	v, _ := o.Get(key)
	a, _ := v.([]any)
	return a
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
