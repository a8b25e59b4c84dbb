// Package jsonv holds JSON values as the engine passes them between states:
// objects keep their key order and numbers keep their exact text, because
// AWS Step Functions prints objects in the order it built them (States.Format,
// States.JsonToString) and never rounds a number it only passes through.
//
// A value is one of: nil (JSON null), bool, string, json.Number, []any and
// *Object. Values are treated as immutable once built: code that changes a
// value copies the containers it changes (see Object.Clone).
//
// The package depends on the standard library only, so that engine/asl,
// engine/jsonata and the engine can all share it.
package jsonv

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
)

// Member is one key/value pair of an Object.
type Member struct {
	Key   string
	Value any
}

// indexThreshold is the size from which an Object keeps a key index; below it a
// linear scan is faster than a map lookup.
const indexThreshold = 12

// Object is a JSON object that keeps the order of its keys. The zero value is
// an empty object ready to use.
type Object struct {
	members []Member
	index   map[string]int
}

// NewObject returns an empty object with room for n members.
func NewObject(n int) *Object {
	return &Object{members: make([]Member, 0, n)}
}

// ObjectOf builds an object from alternating keys and values; it is meant for
// tests and small literals. It panics when a key is not a string.
func ObjectOf(kv ...any) *Object {
	o := NewObject(len(kv) / 2)
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

// Len returns the number of members.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.members)
}

// Members returns the members in order. The caller must not modify the slice.
func (o *Object) Members() []Member {
	if o == nil {
		return nil
	}
	return o.members
}

// Keys returns the keys in order.
func (o *Object) Keys() []string {
	keys := make([]string, len(o.Members()))
	for i, m := range o.Members() {
		keys[i] = m.Key
	}
	return keys
}

func (o *Object) find(key string) int {
	if o == nil {
		return -1
	}
	if o.index != nil {
		if i, ok := o.index[key]; ok {
			return i
		}
		return -1
	}
	for i := range o.members {
		if o.members[i].Key == key {
			return i
		}
	}
	return -1
}

// Get returns the value under key and whether the key is present.
func (o *Object) Get(key string) (any, bool) {
	i := o.find(key)
	if i < 0 {
		return nil, false
	}
	return o.members[i].Value, true
}

// Has reports whether key is present.
func (o *Object) Has(key string) bool { return o.find(key) >= 0 }

// Set sets key to value. An existing key keeps its position; a new key is
// appended.
func (o *Object) Set(key string, value any) {
	if i := o.find(key); i >= 0 {
		o.members[i].Value = value
		return
	}
	o.members = append(o.members, Member{Key: key, Value: value})
	if o.index != nil {
		o.index[key] = len(o.members) - 1
	} else if len(o.members) > indexThreshold {
		o.reindex()
	}
}

// Delete removes key, keeping the order of the others.
func (o *Object) Delete(key string) {
	i := o.find(key)
	if i < 0 {
		return
	}
	o.members = append(o.members[:i], o.members[i+1:]...)
	if o.index != nil {
		o.reindex()
	}
}

func (o *Object) reindex() {
	if len(o.members) <= indexThreshold {
		o.index = nil
		return
	}
	o.index = make(map[string]int, len(o.members))
	for i, m := range o.members {
		o.index[m.Key] = i
	}
}

// Clone returns a shallow copy: a new object with the same members, whose own
// member list can be changed without touching o.
func (o *Object) Clone() *Object {
	c := &Object{members: make([]Member, len(o.Members()), len(o.Members())+1)}
	copy(c.members, o.Members())
	if o != nil && o.index != nil {
		c.reindex()
	}
	return c
}

// MarshalJSON encodes the object compactly, in key order.
func (o *Object) MarshalJSON() ([]byte, error) {
	return Append(nil, o), nil
}

// TypeName names the JSON type of v as AWS does in its error messages:
// "null", "boolean", "string", "number", "array" or "object".
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number, float64, int, int64:
		return "number"
	case []any:
		return "array"
	case *Object:
		return "object"
	default:
		return "unknown"
	}
}

// Float returns the value of a number as float64; ok is false for anything
// that is not a number.
func Float(v any) (f float64, ok bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil || isRangeErr(err)
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

func isRangeErr(err error) bool { return errors.Is(err, strconv.ErrRange) }

// Int returns the value of an integral number; ok is false for non-numbers
// and for numbers with a fractional part or out of int64 range.
func Int(v any) (i int64, ok bool) {
	switch n := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i, true
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
			return 0, false
		}
		return int64(f), true
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1<<62 {
			return 0, false
		}
		return int64(n), true
	}
	return 0, false
}

// Number makes a json.Number from an int64.
func Number(i int64) json.Number { return json.Number(strconv.FormatInt(i, 10)) }

// FloatNumber makes a json.Number from a float64, written as an integer when
// it is integral (as Java and JavaScript print such doubles in JSON) and in the
// shortest form that reads back exactly otherwise.
func FloatNumber(f float64) json.Number {
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}
