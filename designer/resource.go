package designer

import (
	"encoding/json"
	"strings"

	"stepwise/engine/asl"
	"stepwise/engine/jsonv"
)

// TaskResource is the Task resource picker's model: what kind of resource
// the state calls and the fields of its Parameters (JSONPath) or Arguments
// (JSONata) that kind needs.
type TaskResource struct {
	Kind      string // http, lambda, states, activity, other
	Resource  string
	Container string // Parameters or Arguments
	Fields    []ParamField
}

// ParamField is one field a resource needs in the state's parameters.
type ParamField struct {
	Key         string
	Text        string
	Placeholder string
	JSON        bool // the text is JSON (Payload, Input)
}

// ResourcePresets are the resources the picker offers, value and label.
var ResourcePresets = [][2]string{
	{"arn:aws:states:::http:invoke", "HTTP endpoint"},
	{"arn:aws:states:::lambda:invoke", "Function"},
	{"arn:aws:states:::states:startExecution", "State machine (start only)"},
	{"arn:aws:states:::states:startExecution.sync", "State machine (wait; output as text)"},
	{"arn:aws:states:::states:startExecution.sync:2", "State machine (wait; output as JSON)"},
}

var resourceFields = map[string][]ParamField{
	"http":   {{Key: "ApiEndpoint", Placeholder: "https://example.com/path"}, {Key: "Method", Placeholder: "GET"}},
	"lambda": {{Key: "FunctionName", Placeholder: "name or ARN"}, {Key: "Payload", Placeholder: `{"input.$": "$"}`, JSON: true}},
	"states": {{Key: "StateMachineArn", Placeholder: "arn:aws:states:…:stateMachine:name"}, {Key: "Input", Placeholder: `{"x.$": "$.x"}`, JSON: true}},
}

// resourceKind classifies a Task resource.
func resourceKind(res string) string {
	switch {
	case strings.HasPrefix(res, "arn:aws:states:::http:invoke"):
		return "http"
	case strings.HasPrefix(res, "arn:aws:states:::lambda:invoke"):
		return "lambda"
	case strings.HasPrefix(res, "arn:aws:states:::states:startExecution"):
		return "states"
	case strings.Contains(res, ":activity:"):
		return "activity"
	}
	return "other"
}

// taskResource builds the picker's model of a Task state.
func taskResource(s *stateRef, jsonata bool) *TaskResource {
	res := str(s.obj, "Resource")
	tr := &TaskResource{Kind: resourceKind(res), Resource: res, Container: "Parameters"}
	if jsonata {
		tr.Container = "Arguments"
	}
	params, _ := s.obj.Get(tr.Container)
	po, _ := params.(*jsonv.Object)
	for _, f := range resourceFields[tr.Kind] {
		if po != nil {
			if v, ok := po.Get(f.Key); ok {
				f.Text = textOf(v)
				if f.JSON {
					f.Text = jsonv.String(v)
				}
			} else if v, ok := po.Get(f.Key + ".$"); ok && !jsonata {
				f.Text = textOf(v)
			}
		}
		tr.Fields = append(tr.Fields, f)
	}
	return tr
}

// ParamOp sets one field of a Task's Parameters (JSONPath) or Arguments
// (JSONata) from the resource picker: JSON for Payload and Input, a path
// (key.$) for JSONPath text starting with $, text otherwise; empty text
// removes the field.
func (d *Document) ParamOp(state, key, text string) (Op, error) {
	s, err := d.state(state)
	if err != nil {
		return Op{}, err
	}
	if s.typ != "Task" {
		return Op{}, opErr("%q is a %s state, not a Task", state, s.typ)
	}
	fields := resourceFields[resourceKind(str(s.obj, "Resource"))]
	var f *ParamField
	for i := range fields {
		if fields[i].Key == key {
			f = &fields[i]
		}
	}
	if f == nil {
		return Op{}, opErr("the resource of %q takes no field %q", state, key)
	}
	jsonata := d.language() == asl.JSONata
	if q, ok := s.obj.Get("QueryLanguage"); ok {
		jsonata = q == asl.JSONata
	}
	container := "Parameters"
	if jsonata {
		container = "Arguments"
	}
	po := jsonv.NewObject(0)
	if v, ok := s.obj.Get(container); ok {
		o, ok := v.(*jsonv.Object)
		if !ok {
			return Op{}, opErr("%s of %q is not an object; fix it in its JSON box", container, state)
		}
		po = o.Clone()
	}
	t := strings.TrimSpace(text)
	var val any = t
	name := key
	switch {
	case t == "":
	case f.JSON:
		v, err := jsonv.DecodeString(t)
		if err != nil {
			return Op{}, opErr("%s is not valid JSON: %v", key, err)
		}
		val = v
	case !jsonata && strings.HasPrefix(t, "$"):
		name = key + ".$"
	}
	if po.Has(key) || po.Has(key+".$") {
		// Keep the field's place when it changes form.
		nu := jsonv.NewObject(po.Len())
		for _, m := range po.Members() {
			if m.Key == key || m.Key == key+".$" {
				if t != "" {
					nu.Set(name, val)
				}
				continue
			}
			nu.Set(m.Key, m.Value)
		}
		po = nu
	} else if t != "" {
		po.Set(name, val)
	}
	op := Op{Op: OpSet, State: state, Pointer: "/" + container}
	if po.Len() == 0 {
		op.Delete = true
		return op, nil
	}
	op.Value = json.RawMessage(jsonv.Marshal(po))
	return op, nil
}
