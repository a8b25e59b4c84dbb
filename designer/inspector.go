package designer

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"stepwise/engine/asl"
	"stepwise/engine/jsonv"
)

// Field kinds: how the inspector edits a field and how its text becomes a
// JSON value.
const (
	KindString = "string"
	KindNumber = "number"
	KindJSON   = "json"
)

// Inspector is the inspector's model of one state: its fields as the form
// shows them, with the validation messages under each.
type Inspector struct {
	State    string
	Type     string
	Language string
	Comment  string
	Fields   []Field
	// Messages are the state's problems no field owns.
	Messages []string
}

// Field is one editable field of a state.
type Field struct {
	Name    string
	Pointer string // relative to the state: "/InputPath"
	Kind    string
	Text    string // the value as the form shows it ("" when unset)
	Set     bool
	Help    string
	Rows    int
	Message []string
}

// Fields edited on the canvas (transitions, containers) or elsewhere.
var canvasFields = map[string]bool{"Type": true, "Next": true, "End": true, "Default": true, "Branches": true,
	"ItemProcessor": true, "Iterator": true, "Comment": true, "QueryLanguage": true}

var numberFields = map[string]bool{"TimeoutSeconds": true, "HeartbeatSeconds": true, "Seconds": true,
	"MaxConcurrency": true, "ToleratedFailurePercentage": true, "ToleratedFailureCount": true}

var jsonFields = map[string]bool{"Parameters": true, "ResultSelector": true, "Arguments": true, "Output": true,
	"Assign": true, "Result": true, "Retry": true, "Catch": true, "Choices": true, "ItemSelector": true,
	"ItemReader": true, "ItemBatcher": true, "ResultWriter": true, "Credentials": true, "Items": true}

var fieldHelp = map[string]string{
	"InputPath":      "Selects the part of the input the state works on, e.g. $.order.",
	"Parameters":     "The state's input as JSON. A key ending in .$ takes its value from a path ($.x), the context ($$.Execution.Id) or an intrinsic (States.Format(...)).",
	"ResultSelector": "Shapes the task's result; keys ending in .$ read from the result.",
	"ResultPath":     "Where the result goes in the input: $ replaces it, $.result adds it, null discards it.",
	"OutputPath":     "Selects the part of the output passed to the next state.",
	"Resource":       "An ARN: arn:aws:states:::http:invoke, a function, an activity, arn:aws:states:::states:startExecution.sync, ...",
	"Retry":          "Retriers: ErrorEquals, IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds, JitterStrategy.",
	"Catch":          "Catchers: ErrorEquals, Next, ResultPath.",
	"Choices":        "Rules: a comparison (Variable + operator) or And/Or/Not, each with Next.",
	"Arguments":      "JSONata: the task's arguments; {% expressions %} are evaluated.",
	"Output":         "JSONata: the state's output; {% expressions %} are evaluated.",
	"Assign":         "Variables to set, by name.",
	"Seconds":        "Wait this many seconds.",
	"Timestamp":      "Wait until this time (RFC 3339).",
}

// Inspect returns the inspector model of the named state; diags (the
// document's) place messages under their fields.
func (d *Document) Inspect(name string, diags asl.Diagnostics) (*Inspector, error) {
	s, err := d.state(name)
	if err != nil {
		return nil, err
	}
	lang := d.language()
	if ql, ok := s.obj.Get("QueryLanguage"); ok {
		if q, ok := ql.(string); ok {
			lang = q
		}
	}
	in := &Inspector{State: s.name, Type: s.typ, Language: lang, Comment: str(s.obj, "Comment")}
	base := statePointer(s)
	byField := map[string][]string{}
	for _, dg := range diags {
		if dg.State != name {
			continue
		}
		rest := strings.TrimPrefix(dg.Path, base)
		f := strings.SplitN(strings.TrimPrefix(rest, "/"), "/", 2)[0]
		if rest == dg.Path || f == "" {
			in.Messages = append(in.Messages, dg.Message)
			continue
		}
		byField[f] = append(byField[f], dg.Message)
	}
	used := map[string]bool{}
	for _, f := range asl.Fields(s.typ, lang) {
		if canvasFields[f] {
			continue
		}
		fd := Field{Name: f, Pointer: "/" + f, Kind: KindString, Help: fieldHelp[f], Message: byField[f], Rows: 1}
		used[f] = true
		switch {
		case numberFields[f]:
			fd.Kind = KindNumber
		case jsonFields[f]:
			fd.Kind = KindJSON
			fd.Rows = 4
		}
		if v, ok := s.obj.Get(f); ok {
			fd.Set = true
			switch x := v.(type) {
			case string:
				if fd.Kind == KindJSON {
					fd.Text = jsonv.String(x)
				} else {
					fd.Text = x
				}
			default:
				if fd.Kind == KindString {
					fd.Kind = KindJSON
				}
				fd.Text = string(indent(nil, x, 0))
			}
			if fd.Kind == KindJSON {
				fd.Rows = min(max(strings.Count(fd.Text, "\n")+1, 3), 16)
			}
		}
		if f == "Retry" {
			if sched := RetrySchedule(s.obj); sched != "" {
				fd.Help += " " + sched
			}
		}
		in.Fields = append(in.Fields, fd)
	}
	for _, f := range slices.Sorted(maps.Keys(byField)) {
		if !used[f] {
			in.Messages = append(in.Messages, byField[f]...)
		}
	}
	return in, nil
}

// statePointer is the JSON pointer of a state in the definition.
func statePointer(s *stateRef) string {
	var b strings.Builder
	for _, a := range s.addr {
		b.WriteByte('/')
		switch x := a.(type) {
		case string:
			b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(x))
		case int:
			b.WriteString(strconv.Itoa(x))
		}
	}
	return b.String()
}

// FieldOp turns a form field's text into the operation that sets it: empty
// text deletes the field; a number or JSON field must parse.
func FieldOp(state, field, kind, text string) (Op, error) {
	if field == "" || strings.ContainsAny(field, "/~") || canvasFields[field] && field != "Comment" {
		return Op{}, opErr("the inspector cannot edit the field %q", field)
	}
	op := Op{Op: OpSet, State: state, Pointer: "/" + field}
	t := strings.TrimSpace(text)
	if t == "" {
		op.Delete = true
		return op, nil
	}
	switch kind {
	case KindNumber:
		v, err := jsonv.DecodeString(t)
		if _, ok := v.(json.Number); err != nil || !ok {
			return Op{}, opErr("%s must be a number, not %q", field, t)
		}
		op.Value = json.RawMessage(t)
	case KindJSON:
		if _, err := jsonv.DecodeString(t); err != nil {
			return Op{}, opErr("%s is not valid JSON: %v", field, err)
		}
		op.Value = json.RawMessage(t)
	default:
		op.Value = jsonv.Marshal(text)
	}
	return op, nil
}

// RetrySchedule describes the waits the state's retriers produce, e.g.
// "States.TaskFailed: retries after 1s, 2s, 4s."
func RetrySchedule(state *jsonv.Object) string {
	var parts []string
	for _, r := range arr(state, "Retry") {
		ro, ok := r.(*jsonv.Object)
		if !ok {
			continue
		}
		num := func(k string, def float64) float64 {
			v, ok := ro.Get(k)
			if !ok {
				return def
			}
			f, ok := jsonv.Float(v)
			if !ok {
				return def
			}
			return f
		}
		interval, attempts, rate, maxDelay := num("IntervalSeconds", 1), num("MaxAttempts", 3), num("BackoffRate", 2), num("MaxDelaySeconds", 0)
		var names []string
		for _, e := range arr(ro, "ErrorEquals") {
			if s, ok := e.(string); ok {
				names = append(names, s)
			}
		}
		if attempts <= 0 {
			parts = append(parts, strings.Join(names, ", ")+": not retried.")
			continue
		}
		var waits []string
		w := interval
		for i := 0; i < int(min(attempts, 8)); i++ {
			d := w
			if maxDelay > 0 && d > maxDelay {
				d = maxDelay
			}
			waits = append(waits, strconv.FormatFloat(d, 'g', 4, 64)+"s")
			w *= rate
		}
		if attempts > 8 {
			waits = append(waits, "…")
		}
		parts = append(parts, fmt.Sprintf("%s: retries after %s.", strings.Join(names, ", "), strings.Join(waits, ", ")))
	}
	return strings.Join(parts, " ")
}

// StateJSON returns the named state's definition as JSON, with the query
// language it runs in when that is the machine's and not its own.
func (d *Document) StateJSON(name string) (string, error) {
	s, err := d.state(name)
	if err != nil {
		return "", err
	}
	o := s.obj
	if !o.Has("QueryLanguage") && d.language() == asl.JSONata {
		o = o.Clone()
		o.Set("QueryLanguage", asl.JSONata)
	}
	return jsonv.String(o), nil
}
