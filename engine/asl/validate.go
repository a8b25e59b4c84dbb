package asl

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

var timestampRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)

// IsTimestamp reports whether s is an RFC 3339 timestamp as AWS accepts it
// (an uppercase T and a zone, "Z" or an offset).
func IsTimestamp(s string) bool {
	if !timestampRe.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// stateName checks a state name's length.
func (b *builder) stateName(s *State) {
	n := utf8.RuneCountInString(s.Name)
	switch {
	case n == 0:
		b.add(CodeInvalidStateName, SeverityError, s.Pointer, s.Pos, s.Name, "", "State names must not be empty")
	case n > MaxStateNameLength:
		b.add(CodeInvalidStateName, SeverityError, s.Pointer, s.Pos, s.Name, "",
			sprintf("State name %q is %d characters long; the limit is %d", s.Name, n, MaxStateNameLength))
	}
}

// validate runs the checks that need the whole model: graph rules, error
// names, resources, labels and the syntax of paths and expressions.
func (b *builder) validate(sm *StateMachine) {
	if b.rec != nil {
		b.rec.marks = append(b.rec.marks, mark{at: len(b.diags), machine: sm})
	} else {
		b.graph(sm)
	}
	for i, s := range sm.States {
		if sm.memos != nil {
			b.replayCheck(sm.memos[i])
			continue
		}
		b.checkTree(s)
	}
}

// checkTree runs checkState on s and validates its branches and processor.
func (b *builder) checkTree(s *State) {
	b.checkState(s)
	for _, br := range s.Branches {
		b.validate(br)
	}
	if s.ItemProcessor != nil {
		b.validate(s.ItemProcessor)
	}
}

// graph checks StartAt, transition targets, reachability and that a
// terminal state can be reached, within one machine.
func (b *builder) graph(sm *StateMachine) {
	ptr := sm.Pointer
	state := ""
	if sm.Parent != nil {
		state = sm.Parent.Name
	}
	if sm.StartAt != "" && sm.State(sm.StartAt) == nil {
		pos := sm.Pos
		if m := b.nodeOf(sm).Get("StartAt"); m != nil {
			pos = m.Value.Pos
		}
		field := "StartAt"
		if sm.Parent != nil {
			field = b.machineField(sm) + ".StartAt"
		}
		b.add(CodeMissingTransitionTarget, SeverityError, join(ptr, "StartAt"), b.abs(sm.Parent, pos), state, field,
			sprintf("Missing 'StartAt' target: %s", sm.StartAt)+b.elsewhere(sm, sm.StartAt))
	}
	missing := false
	// check reports a missing target of the field at base/key; list and i
	// name a Choices or Catch element ("" for the state's own field). The
	// pointer and field name are built only for a diagnostic.
	check := func(s *State, target, base, key, list string, i int, pos Pos) {
		if target == "" || sm.State(target) != nil {
			return
		}
		missing = true
		field := key
		if list != "" {
			field = sprintf("%s[%d].%s", list, i, key)
		}
		b.add(CodeMissingTransitionTarget, SeverityError, join(base, key), b.abs(s, pos), s.Name, field,
			sprintf("Missing '%s' target: %s", key, target)+b.elsewhere(sm, target))
	}
	for _, s := range sm.States {
		if m := s.Node.Get("Next"); m != nil {
			check(s, s.Next, s.Pointer, "Next", "", 0, m.Value.Pos)
		}
		if m := s.Node.Get("Default"); m != nil {
			check(s, s.Default, s.Pointer, "Default", "", 0, m.Value.Pos)
		}
		for i, c := range s.Choices {
			check(s, c.Next, c.Pointer, "Next", "Choices", i, c.Pos)
		}
		for i, c := range s.Catch {
			check(s, c.Next, c.Pointer, "Next", "Catch", i, c.Pos)
		}
	}
	start := sm.State(sm.StartAt)
	if start == nil {
		return
	}
	reached := make(map[*State]bool, len(sm.States))
	reached[start] = true
	queue := make([]*State, 1, len(sm.States))
	queue[0] = start
	terminal := false
	visit := func(t string) {
		if ts := sm.State(t); ts != nil && !reached[ts] {
			reached[ts] = true
			queue = append(queue, ts)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s.IsTerminal() {
			terminal = true
		}
		// s.Transitions(), without a slice per state.
		if s.Next != "" {
			visit(s.Next)
		}
		for _, c := range s.Choices {
			if c.Next != "" {
				visit(c.Next)
			}
		}
		if s.Default != "" {
			visit(s.Default)
		}
		for _, c := range s.Catch {
			if c.Next != "" {
				visit(c.Next)
			}
		}
	}
	for _, s := range sm.States {
		if !reached[s] {
			b.add(CodeUnreachableState, SeverityError, s.Pointer, b.abs(s, s.Pos), s.Name, "",
				sprintf("State %q is not reachable from %q", s.Name, sm.StartAt))
		}
	}
	// A missing target already explains a machine without an end.
	if !terminal && !missing {
		pos := sm.Pos
		if m := sm.Node.Get("States"); m != nil {
			pos = m.KeyPos
		}
		b.add(CodeMissingEndState, SeverityError, join(ptr, "States"), b.abs(sm.Parent, pos), state, "",
			"No terminal state (End, Succeed or Fail) can be reached from StartAt")
	}
}

// elsewhere explains a missing target that exists in another scope.
func (b *builder) elsewhere(sm *StateMachine, target string) string {
	other, ok := b.names[target]
	if !ok || other.Machine == sm {
		return ""
	}
	if sm.Parent != nil {
		return sprintf(" (state %q is outside this %s; transitions cannot leave a Parallel branch or Map processor)", target, b.machineField(sm))
	}
	return sprintf(" (state %q is inside %s; transitions cannot enter a Parallel branch or Map processor)", target, other.Machine.Parent.Name)
}

func (b *builder) machineField(sm *StateMachine) string {
	i := strings.LastIndex(sm.Pointer, "/")
	last := sm.Pointer[i+1:]
	if strings.Contains(sm.Pointer[:max(i, 0)], "/Branches") && strings.HasSuffix(sm.Pointer[:max(i, 0)], "/Branches") {
		return "Branches[" + last + "]"
	}
	return last
}

func (b *builder) nodeOf(sm *StateMachine) *Node { return sm.Node }

func lastField(field string) string {
	if i := strings.LastIndex(field, "."); i >= 0 {
		return field[i+1:]
	}
	return field
}
