package designer

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"stepwise/engine/asl"
	"stepwise/engine/jsonv"
)

// Rule is one Choice rule (or a rule nested in And/Or/Not) as the rule
// builder shows it.
type Rule struct {
	Path      string // JSON pointer inside Choices: "/0", "/0/And/1"
	Top       bool   // a top-level rule, with Next
	Kind      string // comparison, And, Or, Not, Condition
	Variable  string
	Operator  string
	Operand   string
	Condition string
	Next      string
	Summary   string
	Children  []Rule
}

// Retrier is one Retry entry as the retry editor shows it.
type Retrier struct {
	Path            string
	ErrorEquals     string // comma-separated
	IntervalSeconds string
	MaxAttempts     string
	BackoffRate     string
	MaxDelaySeconds string
	JitterStrategy  string
	Schedule        string
}

// Catcher is one Catch entry as the catch editor shows it.
type Catcher struct {
	Path        string
	ErrorEquals string
	Next        string
	ResultPath  string
	Output      string
	Assign      string
}

// Lists is what the structured editors of a state show: its Choice rules,
// retriers and catchers, the states its rules and catchers may go to, and
// the names the pickers offer.
type Lists struct {
	Rules      []Rule
	Retriers   []Retrier
	Catchers   []Catcher
	Targets    []string // states in the same machine, other than this one
	Operators  []string
	ErrorNames []string
	// Task is the resource picker's model; nil for other types.
	Task *TaskResource
	// Broken names the list fields that are not lists of objects: only the
	// JSON box edits them.
	Broken map[string]bool
}

// StructuredLists returns the structured editors' model of the named state.
func (d *Document) StructuredLists(name string) (*Lists, error) {
	s, err := d.state(name)
	if err != nil {
		return nil, err
	}
	l := &Lists{Operators: asl.ComparisonOperators(), ErrorNames: slices.Sorted(maps.Keys(asl.KnownErrorNames)), Broken: map[string]bool{}}
	if s.machine != nil {
		for _, o := range s.machine.states {
			if o.name != name {
				l.Targets = append(l.Targets, o.name)
			}
		}
	}
	objects := func(field string) []*jsonv.Object {
		v, ok := s.obj.Get(field)
		if !ok {
			return nil
		}
		a, ok := v.([]any)
		if !ok {
			l.Broken[field] = true
			return nil
		}
		out := make([]*jsonv.Object, 0, len(a))
		for _, e := range a {
			o, ok := e.(*jsonv.Object)
			if !ok {
				l.Broken[field] = true
				return nil
			}
			out = append(out, o)
		}
		return out
	}
	if s.typ == "Task" {
		jsonata := d.language() == asl.JSONata
		if q, ok := s.obj.Get("QueryLanguage"); ok {
			jsonata = q == asl.JSONata
		}
		l.Task = taskResource(s, jsonata)
	}
	for i, r := range objects("Choices") {
		l.Rules = append(l.Rules, ruleView(r, "/"+strconv.Itoa(i), true, 0))
	}
	for i, r := range objects("Retry") {
		one := jsonv.NewObject(1)
		one.Set("Retry", []any{r})
		l.Retriers = append(l.Retriers, Retrier{Path: "/" + strconv.Itoa(i), ErrorEquals: errorList(r),
			IntervalSeconds: text(r, "IntervalSeconds"), MaxAttempts: text(r, "MaxAttempts"), BackoffRate: text(r, "BackoffRate"),
			MaxDelaySeconds: text(r, "MaxDelaySeconds"), JitterStrategy: text(r, "JitterStrategy"), Schedule: RetrySchedule(one)})
	}
	for i, c := range objects("Catch") {
		l.Catchers = append(l.Catchers, Catcher{Path: "/" + strconv.Itoa(i), ErrorEquals: errorList(c), Next: text(c, "Next"),
			ResultPath: text(c, "ResultPath"), Output: text(c, "Output"), Assign: text(c, "Assign")})
	}
	return l, nil
}

func ruleView(r *jsonv.Object, path string, top bool, depth int) Rule {
	v := Rule{Path: path, Top: top, Kind: "comparison", Variable: str(r, "Variable"), Next: str(r, "Next"), Summary: RuleSummary(r)}
	if depth > 8 {
		return v
	}
	if c, ok := r.Get("Condition"); ok {
		v.Kind, v.Condition = "Condition", textOf(c)
		return v
	}
	for _, k := range []string{"And", "Or"} {
		if c, ok := r.Get(k); ok {
			v.Kind = k
			a, _ := c.([]any)
			for i, e := range a {
				if eo, ok := e.(*jsonv.Object); ok {
					v.Children = append(v.Children, ruleView(eo, path+"/"+k+"/"+strconv.Itoa(i), false, depth+1))
				}
			}
			return v
		}
	}
	if n, ok := r.Get("Not"); ok {
		v.Kind = "Not"
		if no, ok := n.(*jsonv.Object); ok {
			v.Children = []Rule{ruleView(no, path+"/Not", false, depth+1)}
		}
		return v
	}
	if op := ruleOperator(r); op != "" {
		v.Operator = op
		v.Operand = text(r, op)
	}
	return v
}

// text is a member as a form shows it: strings as they are, other values as
// JSON, "" when absent.
func text(o *jsonv.Object, key string) string {
	v, ok := o.Get(key)
	if !ok {
		return ""
	}
	return textOf(v)
}

func textOf(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return jsonv.String(v)
}

func errorList(o *jsonv.Object) string {
	var names []string
	for _, e := range arr(o, "ErrorEquals") {
		if s, ok := e.(string); ok {
			names = append(names, s)
		}
	}
	return strings.Join(names, ", ")
}
