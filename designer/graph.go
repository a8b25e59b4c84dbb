package designer

import (
	"fmt"
	"strconv"
	"strings"

	"stepwise/engine/asl"
	"stepwise/engine/jsonv"
)

// Edge kinds.
const (
	EdgeNext    = "next"
	EdgeDefault = "default"
	EdgeChoice  = "choice"
	EdgeCatch   = "catch"
	EdgeStart   = "start"
)

// Graph is the diagram derived from a document: one node per state,
// containers for Parallel branches and Map processors, and the edges.
type Graph struct {
	Nodes      []Node      `json:"nodes"`
	Edges      []Edge      `json:"edges"`
	Containers []Container `json:"containers"`
}

// Node is one state.
type Node struct {
	// Path identifies the state in the diagram: its name, prefixed by its
	// container's id inside a Parallel branch or Map processor ("P/0/A").
	Path string `json:"path"`
	Name string `json:"name"`
	Type string `json:"type"`
	// Container is the id of the container that holds it, "" at the top.
	Container string `json:"container"`
	Comment   string `json:"comment,omitempty"`
	// Start marks the StartAt state of its container; End a terminal state.
	Start bool `json:"start,omitempty"`
	End   bool `json:"end,omitempty"`
	// Ports are the output ports: "next", "default", "choice-<i>", "catch-<i>".
	Ports []string `json:"ports"`
	// Problem is "error", "warning" or "" after validation.
	Problem string `json:"problem,omitempty"`
	// Messages are the validation messages about this state.
	Messages []string `json:"messages,omitempty"`
}

// Container is a Parallel branch or a Map processor.
type Container struct {
	ID string `json:"id"`
	// State is the path of the Parallel or Map state that owns it.
	State string `json:"state"`
	// Kind is "branch" or "processor".
	Kind    string `json:"kind"`
	Index   int    `json:"index"`
	StartAt string `json:"startAt"`
	// Parent is the id of the container the owner sits in ("" at top).
	Parent    string `json:"parent"`
	Collapsed bool   `json:"collapsed,omitempty"`
}

// Edge is one transition.
type Edge struct {
	// From and To are state paths; From is "" for a start edge, whose
	// Container names the scope.
	From string `json:"from"`
	To   string `json:"to"`
	// Kind is next, default, choice, catch or start; Index the rule or
	// catcher index.
	Kind      string `json:"kind"`
	Index     int    `json:"index"`
	Port      string `json:"port"`
	Label     string `json:"label,omitempty"`
	Container string `json:"container"`
}

// Graph derives the diagram. diags (may be nil) mark states with problems.
func (d *Document) Graph(diags asl.Diagnostics) *Graph {
	ix := d.index()
	g := &Graph{Nodes: make([]Node, 0, len(ix.states)), Containers: []Container{},
		Edges: make([]Edge, 0, len(ix.states)+len(ix.states)/8+len(ix.order)+8)}
	// The nodes' port lists share one array (each capped at its own end).
	ports := make([]string, 0, 2*len(ix.states)+8)
	byState := map[string][]asl.Diagnostic{}
	for _, dg := range diags {
		if dg.State != "" {
			byState[dg.State] = append(byState[dg.State], dg)
		}
	}
	for _, m := range ix.order {
		if m.owner != nil {
			g.Containers = append(g.Containers, Container{
				ID: m.id, State: m.owner.path, Kind: m.kind, Index: m.index,
				StartAt: str(m.obj, "StartAt"), Parent: m.owner.machine.id, Collapsed: d.layout.Collapsed[m.id],
			})
		}
		local := make(map[string]*stateRef, len(m.states))
		for _, s := range m.states {
			local[s.name] = s
		}
		startAt := str(m.obj, "StartAt")
		if t := local[startAt]; t != nil {
			g.Edges = append(g.Edges, Edge{To: t.path, Kind: EdgeStart, Port: "start", Container: m.id})
		}
		for _, s := range m.states {
			n := Node{Path: s.path, Name: s.name, Type: s.typ, Container: m.id, Comment: str(s.obj, "Comment"),
				Start: s.name == startAt}
			first := len(ports)
			if end, _ := s.obj.Get("End"); end == true || s.typ == asl.TypeSucceed || s.typ == asl.TypeFail {
				n.End = true
			}
			for _, dg := range byState[s.name] {
				if dg.IsError() {
					n.Problem = "error"
				} else if n.Problem == "" {
					n.Problem = "warning"
				}
				n.Messages = append(n.Messages, dg.Message)
			}
			edge := func(target, kind string, i int, port, label string) {
				if t := local[target]; t != nil {
					g.Edges = append(g.Edges, Edge{From: s.path, To: t.path, Kind: kind, Index: i, Port: port, Label: label, Container: m.id})
				}
			}
			switch s.typ {
			case asl.TypeChoice:
				for i, r := range arr(s.obj, "Choices") {
					port := "choice-" + strconv.Itoa(i)
					ports = append(ports, port)
					if ro, ok := r.(*jsonv.Object); ok {
						edge(str(ro, "Next"), EdgeChoice, i, port, RuleSummary(ro))
					}
				}
				ports = append(ports, "default")
				edge(str(s.obj, "Default"), EdgeDefault, 0, "default", "Default")
			case asl.TypeSucceed, asl.TypeFail:
			default:
				ports = append(ports, "next")
				edge(str(s.obj, "Next"), EdgeNext, 0, "next", "")
			}
			for i, c := range arr(s.obj, "Catch") {
				port := "catch-" + strconv.Itoa(i)
				ports = append(ports, port)
				if co, ok := c.(*jsonv.Object); ok {
					edge(str(co, "Next"), EdgeCatch, i, port, errorNames(co))
				}
			}
			if len(ports) == first && cap(ports) == first {
				ports = make([]string, 0, 16) // Ports is [] (not null) with no ports
			}
			n.Ports = ports[first:len(ports):len(ports)]
			g.Nodes = append(g.Nodes, n)
		}
	}
	return g
}

func errorNames(c *jsonv.Object) string {
	var names []string
	for _, e := range arr(c, "ErrorEquals") {
		if s, ok := e.(string); ok {
			names = append(names, s)
		}
	}
	return strings.Join(names, ", ")
}

var operatorSymbols = map[string]string{
	"Equals": "==", "GreaterThan": ">", "GreaterThanEquals": ">=", "LessThan": "<", "LessThanEquals": "<=",
	"Matches": "matches",
}

// RuleSummary describes a Choice rule in a few words for an edge label:
// "$.x == 5", "$.a > 1 and $.b is present", or the JSONata condition.
func RuleSummary(r *jsonv.Object) string {
	s := ruleSummary(r, 0)
	if len([]rune(s)) > 60 {
		s = string([]rune(s)[:59]) + "…"
	}
	return s
}

func ruleSummary(r *jsonv.Object, depth int) string {
	if depth > 8 {
		return "…"
	}
	if c, ok := r.Get("Condition"); ok {
		if s, ok := c.(string); ok {
			return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "{%"), "%}"))
		}
		return jsonv.String(c)
	}
	join := func(key, word string) (string, bool) {
		v, ok := r.Get(key)
		if !ok {
			return "", false
		}
		var parts []string
		for _, e := range asArray(v) {
			if eo, ok := e.(*jsonv.Object); ok {
				parts = append(parts, ruleSummary(eo, depth+1))
			}
		}
		return "(" + strings.Join(parts, " "+word+" ") + ")", true
	}
	if s, ok := join("And", "and"); ok {
		return s
	}
	if s, ok := join("Or", "or"); ok {
		return s
	}
	if n, ok := r.Get("Not"); ok {
		if no, ok := n.(*jsonv.Object); ok {
			return "not " + ruleSummary(no, depth+1)
		}
	}
	variable := str(r, "Variable")
	for _, m := range r.Members() {
		op := m.Key
		switch op {
		case "Variable", "Next", "Comment", "Assign", "Output":
			continue
		}
		if strings.HasPrefix(op, "Is") {
			word := strings.ToLower(strings.TrimPrefix(op, "Is"))
			if m.Value == false {
				return variable + " is not " + word
			}
			return variable + " is " + word
		}
		path := strings.HasSuffix(op, "Path")
		base := strings.TrimSuffix(op, "Path")
		for _, prefix := range []string{"String", "Numeric", "Boolean", "Timestamp"} {
			if rest, ok := strings.CutPrefix(base, prefix); ok {
				if sym, ok := operatorSymbols[rest]; ok {
					operand := jsonv.String(m.Value)
					if path {
						operand, _ = m.Value.(string)
					}
					return fmt.Sprintf("%s %s %s", variable, sym, operand)
				}
			}
		}
	}
	return variable
}

func asArray(v any) []any {
	a, _ := v.([]any)
	return a
}
