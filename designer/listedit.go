package designer

import (
	"encoding/json"
	"slices"
	"strings"

	"stepwise/engine/asl"
	"stepwise/engine/jsonv"
)

// List edit actions.
const (
	ListSet      = "set"      // Key = Value on the object at Path ("" Value deletes it)
	ListAdd      = "add"      // append a new element to the array at Path (Value: its Next)
	ListRemove   = "remove"   // remove the element at Path
	ListUp       = "up"       // move the element at Path one place up
	ListDown     = "down"     // move the element at Path one place down
	ListOperator = "operator" // change the comparison operator of the rule at Path to Value
	ListKind     = "kind"     // turn the rule at Path into Value: comparison, And, Or, Not, Condition
)

// ListEdit is one change a structured editor makes to a list field of a
// state: Choices, Retry or Catch.
type ListEdit struct {
	State  string `json:"state"`
	Field  string `json:"field"`
	Path   string `json:"path"` // JSON pointer inside the field: "/0", "/0/And/1"; "" is the list
	Action string `json:"action"`
	Key    string `json:"key"`
	Value  string `json:"value"`
}

var listFields = map[string]bool{"Choices": true, "Retry": true, "Catch": true}

var listNumberKeys = map[string]bool{"IntervalSeconds": true, "MaxAttempts": true, "BackoffRate": true, "MaxDelaySeconds": true}

// ListOp turns a structured editor's change into the operation that sets the
// whole list field to its new value.
func (d *Document) ListOp(e ListEdit) (Op, error) {
	if !listFields[e.Field] {
		return Op{}, opErr("the structured editor cannot edit the field %q", e.Field)
	}
	s, err := d.state(e.State)
	if err != nil {
		return Op{}, err
	}
	jsonata := d.language() == asl.JSONata
	if q, ok := s.obj.Get("QueryLanguage"); ok {
		jsonata = q == asl.JSONata
	}
	var list any = []any{}
	if v, ok := s.obj.Get(e.Field); ok {
		if _, isArr := v.([]any); !isArr {
			return Op{}, opErr("%s of %q is not a list; fix it in the JSON box", e.Field, e.State)
		}
		list = v
	}
	addr, err := parsePointer(list, e.Path)
	if err != nil {
		return Op{}, opErr("%s of %q: %v", e.Field, e.State, err)
	}
	nl, err := applyListEdit(list, addr, e, jsonata)
	if err != nil {
		return Op{}, opErr("%s of %q: %v", e.Field, e.State, err)
	}
	op := Op{Op: OpSet, State: e.State, Pointer: "/" + e.Field}
	if a, _ := nl.([]any); len(a) == 0 && e.Field != "Choices" {
		op.Delete = true
		return op, nil
	}
	op.Value = json.RawMessage(jsonv.Marshal(nl))
	return op, nil
}

func applyListEdit(list any, addr []any, e ListEdit, jsonata bool) (any, error) {
	switch e.Action {
	case ListAdd:
		return updateIn(list, addr, func(old any, present bool) (any, bool, error) {
			a, ok := old.([]any)
			if !ok {
				return nil, false, opErr("%s is not a list", e.Path)
			}
			return append(slices.Clone(a), newListElement(e.Field, len(addr) == 0, e.Value, jsonata)), false, nil
		})
	case ListRemove, ListUp, ListDown:
		if len(addr) == 0 {
			return nil, opErr("no element given")
		}
		i, ok := addr[len(addr)-1].(int)
		if !ok {
			return nil, opErr("%s is not a list element", e.Path)
		}
		return updateIn(list, addr[:len(addr)-1], func(old any, _ bool) (any, bool, error) {
			a, _ := old.([]any)
			if i >= len(a) {
				return nil, false, opErr("there is no element %s", e.Path)
			}
			a = slices.Clone(a)
			switch e.Action {
			case ListRemove:
				a = slices.Delete(a, i, i+1)
			case ListUp:
				if i > 0 {
					a[i-1], a[i] = a[i], a[i-1]
				}
			case ListDown:
				if i+1 < len(a) {
					a[i+1], a[i] = a[i], a[i+1]
				}
			}
			return a, false, nil
		})
	case ListSet, ListOperator, ListKind:
		if len(addr) == 0 {
			return nil, opErr("no element given")
		}
		return updateIn(list, addr, func(old any, _ bool) (any, bool, error) {
			o, ok := old.(*jsonv.Object)
			if !ok {
				return nil, false, opErr("%s is not an object", e.Path)
			}
			o = o.Clone()
			var err error
			switch e.Action {
			case ListSet:
				err = setListKey(o, e.Key, e.Value)
			case ListOperator:
				o, err = setOperator(o, e.Value)
			case ListKind:
				o, err = setRuleKind(o, e.Value)
			}
			if err != nil {
				return nil, false, err
			}
			return nextLast(o), false, nil
		})
	}
	return nil, opErr("unknown action %q", e.Action)
}

func newListElement(field string, top bool, next string, jsonata bool) any {
	o := jsonv.NewObject(0)
	switch field {
	case "Choices":
		if jsonata {
			o.Set("Condition", "{% true %}")
		} else {
			o.Set("Variable", "$.value")
			o.Set("StringEquals", "")
		}
	case "Retry", "Catch":
		o.Set("ErrorEquals", []any{"States.ALL"})
	}
	if top && next != "" && field != "Retry" {
		o.Set("Next", next)
	}
	return o
}

// setListKey sets one member from its form text: numbers for the retrier's
// numbers, a list for ErrorEquals, JSON (or else a string) for Assign and
// Output, the operand typed by the rule's operator, text otherwise.
func setListKey(o *jsonv.Object, key, text string) error {
	t := strings.TrimSpace(text)
	switch {
	case key == "" || strings.ContainsAny(key, "/~"):
		return opErr("no field given")
	case key == "Operand":
		op := ruleOperator(o)
		if op == "" {
			return opErr("the rule has no comparison operator")
		}
		v, err := operandValue(op, t)
		if err != nil {
			return err
		}
		o.Set(op, v)
		return nil
	case t == "":
		o.Delete(key)
	case listNumberKeys[key]:
		v, err := jsonv.DecodeString(t)
		if _, ok := v.(json.Number); err != nil || !ok {
			return opErr("%s must be a number, not %q", key, t)
		}
		o.Set(key, v)
	case key == "ErrorEquals":
		var names []any
		for _, n := range strings.FieldsFunc(t, func(r rune) bool { return r == ',' || r == '\n' }) {
			if n = strings.TrimSpace(n); n != "" && !slices.Contains(names, any(n)) {
				names = append(names, n)
			}
		}
		o.Set(key, names)
	case key == "Assign" || key == "Output":
		v, err := jsonv.DecodeString(t)
		if err != nil {
			if key == "Assign" {
				return opErr("Assign is not valid JSON: %v", err)
			}
			v = t
		}
		o.Set(key, v)
	default:
		o.Set(key, t)
	}
	return nil
}

// ruleOperator is the comparison operator member of a rule, "" if none.
func ruleOperator(o *jsonv.Object) string {
	ops := asl.ComparisonOperators()
	for _, m := range o.Members() {
		if _, ok := slices.BinarySearch(ops, m.Key); ok {
			return m.Key
		}
	}
	return ""
}

// operandValue types a comparison operand by its operator.
func operandValue(op, t string) (any, error) {
	switch {
	case strings.HasSuffix(op, "Path"):
		return t, nil
	case strings.HasPrefix(op, "Is"), strings.HasPrefix(op, "Boolean"):
		switch t {
		case "true", "":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, opErr("%s takes true or false, not %q", op, t)
	case strings.HasPrefix(op, "Numeric"):
		v, err := jsonv.DecodeString(t)
		if _, ok := v.(json.Number); err != nil || !ok {
			return nil, opErr("%s takes a number, not %q", op, t)
		}
		return v, nil
	}
	return t, nil
}

func setOperator(o *jsonv.Object, op string) (*jsonv.Object, error) {
	if _, ok := slices.BinarySearch(asl.ComparisonOperators(), op); !ok {
		return nil, opErr("%q is not a comparison operator", op)
	}
	old := ruleOperator(o)
	var text string
	if old != "" {
		v, _ := o.Get(old)
		if s, ok := v.(string); ok {
			text = s
		} else {
			text = jsonv.String(v)
		}
	}
	v, err := operandValue(op, text)
	if err != nil {
		v, _ = operandValue(op, "")
		if v == nil {
			v = json.Number("0")
		}
	}
	nu := jsonv.NewObject(0)
	for _, m := range o.Members() {
		if m.Key == old {
			nu.Set(op, v)
			continue
		}
		nu.Set(m.Key, m.Value)
	}
	if old == "" {
		nu.Set(op, v)
	}
	return nu, nil
}

// setRuleKind turns a rule into a comparison, an And/Or of its comparisons,
// a Not of it, or a JSONata Condition; Next, Comment, Assign and Output stay.
func setRuleKind(o *jsonv.Object, kind string) (*jsonv.Object, error) {
	keep := jsonv.NewObject(0)
	body := jsonv.NewObject(0)
	for _, m := range o.Members() {
		switch m.Key {
		case "Next", "Comment", "Assign", "Output":
			keep.Set(m.Key, m.Value)
		default:
			body.Set(m.Key, m.Value)
		}
	}
	first := func() *jsonv.Object { // a comparison inside the rule, or a new one
		if c, ok := body.Get("Not"); ok {
			if co, ok := c.(*jsonv.Object); ok {
				return co
			}
		}
		for _, k := range []string{"And", "Or"} {
			if c, ok := body.Get(k); ok {
				if a, ok := c.([]any); ok && len(a) > 0 {
					if co, ok := a[0].(*jsonv.Object); ok {
						return co
					}
				}
			}
		}
		if body.Has("Variable") {
			return body
		}
		return newListElement("Choices", false, "", false).(*jsonv.Object)
	}
	nu := jsonv.NewObject(0)
	switch kind {
	case "comparison":
		nu = first().Clone()
	case "And", "Or":
		var kids []any
		if c, ok := body.Get("And"); ok {
			kids, _ = c.([]any)
		} else if c, ok := body.Get("Or"); ok {
			kids, _ = c.([]any)
		}
		if len(kids) == 0 {
			kids = []any{first(), newListElement("Choices", false, "", false)}
		}
		nu.Set(kind, slices.Clone(kids))
	case "Not":
		nu.Set("Not", first())
	case "Condition":
		nu.Set("Condition", "{% true %}")
	default:
		return nil, opErr("%q is not a kind of rule", kind)
	}
	for _, m := range keep.Members() {
		nu.Set(m.Key, m.Value)
	}
	return nu, nil
}

// nextLast moves Next to the end of a rule or catcher, where the form shows
// it, so that fields set later still come before it.
func nextLast(o *jsonv.Object) *jsonv.Object {
	n, ok := o.Get("Next")
	if !ok {
		return o
	}
	o = o.Clone()
	o.Delete("Next")
	o.Set("Next", n)
	return o
}
