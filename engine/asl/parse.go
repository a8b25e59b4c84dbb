package asl

import (
	"encoding/json"
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// MaxDefinitionSize is AWS's limit on the size of a definition in bytes.
const MaxDefinitionSize = 1 << 20

// MaxStateNameLength is the longest state name AWS accepts.
const MaxStateNameLength = 80

// Options tune ParseWithOptions.
type Options struct {
	// Type is the state machine type, "STANDARD" (default) or "EXPRESS".
	// Express machines may not use .sync or .waitForTaskToken resources.
	Type string
}

// Parse decodes a JSON or YAML definition (detected by content) and
// validates it. It returns the model whenever the document is structurally
// decodable, even when it has errors, together with every error and warning
// sorted by position. The model is nil only when the text is not a JSON or
// YAML object.
func Parse(data []byte) (*StateMachine, Diagnostics) {
	return ParseWithOptions(data, Options{})
}

// ParseWithOptions is Parse with options.
func ParseWithOptions(data []byte, opts Options) (*StateMachine, Diagnostics) {
	src, diags := ParseSource(data)
	var sm *StateMachine
	if src.Root != nil {
		var d Diagnostics
		sm, d = Build(src, opts)
		diags = append(diags, d...)
	}
	diags.Sort()
	return sm, diags
}

// Build turns a source tree into the model and validates it: field presence,
// types and exclusivity, graph rules, names, error names and the syntax of
// paths, intrinsic functions and JSONata expressions.
func Build(src *Source, opts Options) (*StateMachine, Diagnostics) {
	return build(src, opts, nil)
}

// build is Build; with inc, the top level's states come from inc's
// per-state analyses (see incremental.go) instead of being built here.
func build(src *Source, opts Options, inc *incRun) (*StateMachine, Diagnostics) {
	b := &builder{opts: opts, inc: inc}
	if src.Size > MaxDefinitionSize {
		b.add(CodeDefinitionTooLarge, SeverityError, "/", Pos{Line: 1, Column: 1}, "", "",
			sprintf("Definition is %d bytes, more than the %d bytes AWS accepts", src.Size, MaxDefinitionSize))
	}
	root := src.Root
	if root == nil || root.Kind != KindObject {
		p := Pos{Line: 1, Column: 1}
		if root != nil {
			p = root.Pos
		}
		b.add(CodeSchemaValidationFailed, SeverityError, "/", p, "", "", "Definition must be a valid JSON object")
		return nil, b.diags
	}
	// The top level's state count sizes the map of all state names.
	hint := 0
	if m := root.Get("States"); m != nil {
		hint = len(m.Value.Members)
	}
	if inc != nil {
		hint = len(inc.topList.units)
	}
	b.names = make(map[string]*State, hint)
	if inc == nil {
		// The incremental path has checked that no key needed replacing
		// by validUTF8, so jsonv's unique keys stay unique: no duplicates.
		b.duplicates(root, make([]pathToken, 0, 16))
	}
	sm := b.machine(root, "", nil, JSONPath)
	b.top = sm
	b.validate(sm)
	return sm, b.diags
}

type builder struct {
	opts  Options
	diags Diagnostics
	names map[string]*State
	top   *StateMachine
	// topLanguage is the QueryLanguage declared at the top level.
	topLanguage string
	// dups holds the objects that have a duplicate key.
	dups map[*Node]bool
	// states is the slab newState takes states from.
	states []State
	// resources and paths cache verdicts that depend on a string only.
	resources map[string][]problem
	paths     map[pathKey]pathVerdict
	// rec, when set, records where global checks (unique state names,
	// nested graph rules) would run instead of running them: the builder
	// analyses one state on its own (incremental.go).
	rec *recorder
	// inc, when set, supplies states encoded, and maybe analysed, on
	// their own; unit is the state this builder analyses (nil for the
	// top level), pred its analysis before (nil for none), and children
	// collects the analyses of the states nested in it.
	inc      *incRun
	unit     *unit
	pred     *stateMemo
	children []childRef
	mem      Member // the member of the state analysed
}

func (b *builder) add(code, severity, ptr string, pos Pos, state, field, msg string) {
	if ptr == "" {
		ptr = "/"
	}
	b.diags = append(b.diags, Diagnostic{Code: code, Severity: severity, Message: msg, Path: ptr,
		Line: pos.Line, Column: pos.Column, State: state, Field: field})
}

// schema reports a SCHEMA_VALIDATION_FAILED error.
func (b *builder) schema(ptr string, pos Pos, state, field, format string, args ...any) {
	b.add(CodeSchemaValidationFailed, SeverityError, ptr, pos, state, field, sprintf(format, args...))
}

// escapePointer escapes one JSON pointer token.
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func join(ptr, token string) string { return ptr + "/" + escapePointer(token) }

// pathToken is one step of the JSON pointer to a node: an object key or
// an array index.
type pathToken struct {
	key   string
	index int
	isKey bool
}

// pointerOf builds the JSON pointer of a path (only when a diagnostic
// needs it: most nodes never do).
func pointerOf(path []pathToken) string {
	var sb strings.Builder
	for _, t := range path {
		sb.WriteByte('/')
		if t.isKey {
			sb.WriteString(escapePointer(t.key))
		} else {
			sb.WriteString(strconv.Itoa(t.index))
		}
	}
	return sb.String()
}

// smallObject is the member count up to which a linear search for an
// earlier key beats a map.
const smallObject = 12

// firstWithKey returns the first member before i with the same key as
// members[i], or nil.
func firstWithKey(members []*Member, i int) *Member {
	for _, m := range members[:i] {
		if m.Key == members[i].Key {
			return m
		}
	}
	return nil
}

// duplicates reports every duplicate key in the document and remembers the
// objects that have one (for members).
func (b *builder) duplicates(n *Node, path []pathToken) {
	switch n.Kind {
	case KindObject:
		var seen map[string]*Member
		if len(n.Members) > smallObject {
			seen = make(map[string]*Member, len(n.Members))
		}
		for i, m := range n.Members {
			var first *Member
			if seen != nil {
				first = seen[m.Key]
			} else {
				first = firstWithKey(n.Members, i)
			}
			if first != nil {
				if b.dups == nil {
					b.dups = map[*Node]bool{}
				}
				b.dups[n] = true
				code, what := CodeSchemaValidationFailed, "field"
				if k := len(path); k > 0 && path[k-1].isKey && path[k-1].key == "States" {
					code, what = CodeDuplicateStateName, "state name"
				}
				b.add(code, SeverityError, join(pointerOf(path), m.Key), m.KeyPos, "", m.Key,
					sprintf("Duplicate %s %q at %d:%d (first defined at %d:%d)", what, m.Key,
						m.KeyPos.Line, m.KeyPos.Column, first.KeyPos.Line, first.KeyPos.Column))
				continue
			}
			if seen != nil {
				seen[m.Key] = m
			}
			if m.Value.Kind == KindObject || m.Value.Kind == KindArray {
				b.duplicates(m.Value, append(path, pathToken{key: m.Key, isKey: true}))
			}
		}
	case KindArray:
		for i, e := range n.Elems {
			if e.Kind == KindObject || e.Kind == KindArray {
				b.duplicates(e, append(path, pathToken{index: i}))
			}
		}
	}
}

// members returns the object's members, first occurrence of each key only.
// Objects without duplicate keys (duplicates found none) return their own
// member slice, which callers must not modify.
func (b *builder) members(n *Node) []*Member {
	if !b.dups[n] {
		return n.Members
	}
	seen := map[string]bool{}
	out := make([]*Member, 0, len(n.Members))
	for _, m := range n.Members {
		if !seen[m.Key] {
			seen[m.Key] = true
			out = append(out, m)
		}
	}
	return out
}

func describe(n *Node) string {
	if n == nil {
		return "nothing"
	}
	return n.Kind.String()
}

// The fields a machine object may have: a branch, the top level, a Map
// processor. They are immutable.
var (
	machineFields    = map[string]bool{"StartAt": true, "States": true, "Comment": true}
	topMachineFields = map[string]bool{"StartAt": true, "States": true, "Comment": true,
		"Version": true, "TimeoutSeconds": true, "QueryLanguage": true}
	processorFields = map[string]bool{"StartAt": true, "States": true, "Comment": true, "ProcessorConfig": true}
)

// machine builds a state machine (top level, branch or processor) from its
// object node.
func (b *builder) machine(n *Node, ptr string, parent *State, lang string) *StateMachine {
	sm := &StateMachine{Pointer: ptr, Pos: n.Pos, Parent: parent, byName: map[string]*State{}, Node: n}
	where := ptr
	if where == "" {
		where = "/"
	}
	state := ""
	if parent != nil {
		state = parent.Name
	}
	allowed := machineFields
	if parent == nil {
		allowed = topMachineFields
	} else if strings.HasSuffix(ptr, "/ItemProcessor") || strings.HasSuffix(ptr, "/Iterator") {
		allowed = processorFields
	}
	var missing []string
	if n.Get("States") == nil {
		missing = append(missing, "States")
	}
	if n.Get("StartAt") == nil {
		missing = append(missing, "StartAt")
	}
	if len(missing) > 0 {
		b.schema(where, n.Pos, state, "", "These fields are required: [%s]", strings.Join(missing, ", "))
	}
	// The machine's own query language comes first: states inherit it.
	if m := n.Get("QueryLanguage"); m != nil && parent == nil {
		if s, ok := b.str(m, ptr, "", ""); ok {
			if s != JSONPath && s != JSONata {
				b.schema(join(ptr, m.Key), m.Value.Pos, "", "QueryLanguage",
					"The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]")
			} else {
				sm.QueryLanguage = s
				lang = s
				b.topLanguage = s
			}
		}
	}
	for _, m := range b.members(n) {
		fptr := join(ptr, m.Key)
		if !allowed[m.Key] {
			b.schema(fptr, m.KeyPos, state, m.Key, "The field '%s' is not supported by Step Functions", m.Key)
			continue
		}
		switch m.Key {
		case "StartAt":
			sm.StartAt, _ = b.str(m, ptr, state, "")
		case "Comment":
			sm.Comment, _ = b.str(m, ptr, state, "")
		case "Version":
			sm.Version, _ = b.str(m, ptr, state, "")
		case "TimeoutSeconds":
			if v, ok := b.integer(m, ptr, state, "", 0, 99999999); ok {
				sm.TimeoutSeconds = &v
			}
		case "ProcessorConfig":
			// Read by the Map state.
		case "States":
			if m.Value.Kind != KindObject {
				b.schema(fptr, m.Value.Pos, state, "States", "The value for the field 'States' must be an OBJECT, not %s", describe(m.Value))
				continue
			}
			if b.inc != nil {
				if list, ok := b.inc.statesOf(b, m.Value); ok {
					// The states come encoded on their own (and the
					// node has no members).
					b.inc.buildStates(b, sm, list, fptr, m.Value.Pos, state, lang)
					continue
				}
			}
			if len(m.Value.Members) == 0 {
				b.schema(fptr, m.Value.Pos, state, "States", "The field 'States' must have at least one state")
			}
			ms := b.members(m.Value)
			sm.States = make([]*State, 0, len(ms))
			if len(sm.byName) == 0 {
				sm.byName = make(map[string]*State, len(ms))
			}
			for i, sm2 := range ms {
				if st := b.state(b.newState(len(ms)-i), sm, sm2, join(fptr, sm2.Key), lang); st != nil {
					sm.States = append(sm.States, st)
					sm.byName[st.Name] = st
				}
			}
		}
	}
	return sm
}

// str reads a string field; the state and field prefix name it in messages.
func (b *builder) str(m *Member, ptr, state, prefix string) (string, bool) {
	if m.Value.Kind != KindString {
		b.schema(join(ptr, m.Key), m.Value.Pos, state, prefix+m.Key,
			"The value for the field '%s' must be a STRING, not %s", m.Key, describe(m.Value))
		return "", false
	}
	return m.Value.Text, true
}

func (b *builder) boolean(m *Member, ptr, state, prefix string) (bool, bool) {
	if m.Value.Kind != KindBool {
		b.schema(join(ptr, m.Key), m.Value.Pos, state, prefix+m.Key,
			"The value for the field '%s' must be a BOOLEAN, not %s", m.Key, describe(m.Value))
		return false, false
	}
	return m.Value.Bool, true
}

// integer reads an integer field within [lo, hi].
func (b *builder) integer(m *Member, ptr, state, prefix string, lo, hi int64) (int, bool) {
	v, ok := intValue(m.Value)
	if !ok {
		b.schema(join(ptr, m.Key), m.Value.Pos, state, prefix+m.Key,
			"The value for the field '%s' must be an INTEGER, not %s", m.Key, describeNumber(m.Value))
		return 0, false
	}
	if v < lo || v > hi {
		b.schema(join(ptr, m.Key), m.Value.Pos, state, prefix+m.Key,
			"The value for the field '%s' must be between %d and %d, not %d", m.Key, lo, hi, v)
		return 0, false
	}
	return int(v), true
}

func describeNumber(n *Node) string {
	if n.Kind == KindNumber {
		return "the number " + n.Text
	}
	return describe(n)
}

// intValue reads an integral number node (1, 1.0 and 1e0 are integers).
func intValue(n *Node) (int64, bool) {
	if n == nil || n.Kind != KindNumber {
		return 0, false
	}
	if i, err := strconv.ParseInt(n.Text, 10, 64); err == nil {
		return i, true
	}
	r, ok := new(big.Rat).SetString(n.Text)
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	return r.Num().Int64(), true
}

func (b *builder) number(m *Member, ptr, state, prefix string) (float64, bool) {
	if m.Value.Kind != KindNumber {
		b.schema(join(ptr, m.Key), m.Value.Pos, state, prefix+m.Key,
			"The value for the field '%s' must be a NUMBER, not %s", m.Key, describe(m.Value))
		return 0, false
	}
	f, err := strconv.ParseFloat(m.Value.Text, 64)
	if err != nil {
		b.schema(join(ptr, m.Key), m.Value.Pos, state, prefix+m.Key, "The value for the field '%s' is out of range", m.Key)
		return 0, false
	}
	return f, true
}

func (b *builder) object(m *Member, ptr, state, prefix string) bool {
	if m.Value.Kind != KindObject {
		b.schema(join(ptr, m.Key), m.Value.Pos, state, prefix+m.Key,
			"The value for the field '%s' must be an OBJECT, not %s", m.Key, describe(m.Value))
		return false
	}
	return true
}

// optPath reads a field that is a path string or null.
func (b *builder) optPath(m *Member, ptr, state, prefix string) OptPath {
	switch m.Value.Kind {
	case KindNull:
		return OptPath{Present: true, Null: true}
	case KindString:
		return OptPath{Present: true, Path: m.Value.Text}
	}
	b.schema(join(ptr, m.Key), m.Value.Pos, state, prefix+m.Key,
		"The value for the field '%s' must be a STRING or null, not %s", m.Key, describe(m.Value))
	return OptPath{}
}

// IsTemplate reports whether s is a JSONata "{% ... %}" template.
func IsTemplate(s string) bool {
	return len(s) >= 4 && strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}")
}

// TemplateExpr returns the expression inside a "{% ... %}" template.
func TemplateExpr(s string) string {
	return strings.TrimSpace(s[2 : len(s)-2])
}

// intOrTemplate reads a field that is an integer within [lo, hi], or in
// JSONata a "{% %}" template. It returns json.Number, string or nil.
func (b *builder) intOrTemplate(m *Member, ptr string, s *State, lo, hi int64) any {
	if s.Language == JSONata && m.Value.Kind == KindString {
		if !IsTemplate(m.Value.Text) {
			b.schema(join(ptr, m.Key), m.Value.Pos, s.Name, m.Key,
				"The value for the field '%s' must be an INTEGER or a JSONata expression '{%% ... %%}'", m.Key)
			return nil
		}
		return m.Value.Text
	}
	if v, ok := b.integer(m, ptr, s.Name, "", lo, hi); ok {
		return json.Number(strconv.Itoa(v))
	}
	return nil
}

// stateSlab is how many states one allocation holds: a definition of
// hundreds of states would otherwise make as many allocations, and small
// slabs (under 32 KB) recycle memory better than one large one.
const stateSlab = 32

// newState returns a zero State from the builder's slab; want is how many
// more the caller will ask for (a small machine gets a small slab).
func (b *builder) newState(want int) *State {
	if len(b.states) == 0 {
		b.states = make([]State, min(max(want, 1), stateSlab))
	}
	s := &b.states[0]
	b.states = b.states[1:]
	return s
}

// state builds one state, in the zero State s, from its member of a States
// object.
func (b *builder) state(s *State, sm *StateMachine, mem *Member, ptr string, lang string) *State {
	// Field by field: s is zero, and copying a whole State literal costs
	// a write barrier over all of its 900-odd bytes while GC runs.
	s.Name, s.Pointer, s.Pos, s.Machine, s.Node, s.Language = mem.Key, ptr, mem.KeyPos, sm, mem.Value, lang
	if b.rec != nil {
		b.rec.marks = append(b.rec.marks, mark{at: len(b.diags), state: s})
	} else {
		b.register(s, s.Pos)
	}
	b.stateName(s)
	n := mem.Value
	if n.Kind != KindObject {
		b.schema(ptr, n.Pos, s.Name, "", "State %q must be an OBJECT, not %s", s.Name, describe(n))
		s.Node = &Node{Kind: KindObject, Pos: n.Pos}
		return s
	}
	// Type and QueryLanguage first: they decide what else is allowed.
	if m := n.Get("Type"); m == nil {
		b.schema(ptr, mem.KeyPos, s.Name, "", "These fields are required: [Type]")
	} else if t, ok := b.str(m, ptr, s.Name, ""); ok {
		if stateFields[t] == nil {
			b.schema(join(ptr, "Type"), m.Value.Pos, s.Name, "Type",
				"The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map], not %q", t)
		} else {
			s.Type = t
		}
	}
	if m := n.Get("QueryLanguage"); m != nil {
		if q, ok := b.str(m, ptr, s.Name, ""); ok {
			switch {
			case q != JSONPath && q != JSONata:
				b.schema(join(ptr, "QueryLanguage"), m.Value.Pos, s.Name, "QueryLanguage",
					"The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]")
			case q == JSONPath && b.topLanguage == JSONata:
				b.schema(ptr, m.KeyPos, s.Name, "QueryLanguage",
					"'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")
				s.QueryLanguage = q
			default:
				s.QueryLanguage = q
				s.Language = q
			}
		}
	}
	if s.Type == "" {
		return s
	}
	allowed := stateFields[s.Type]
	for _, m := range b.members(n) {
		switch {
		case !allowed[m.Key]:
			b.schema(join(ptr, m.Key), m.KeyPos, s.Name, m.Key,
				"The field '%s' is not supported by Step Functions for %s states", m.Key, s.Type)
			continue
		case s.Language == JSONata && jsonPathOnly[m.Key]:
			b.schema(join(ptr, m.Key), m.KeyPos, s.Name, m.Key,
				"The field '%s' is not supported when the query language is JSONata", m.Key)
			continue
		case s.Language == JSONPath && jsonataOnly[m.Key]:
			b.schema(join(ptr, m.Key), m.KeyPos, s.Name, m.Key,
				"The field '%s' is only supported when the query language is JSONata", m.Key)
			continue
		}
		b.field(s, m, ptr)
	}
	b.required(s, ptr)
	return s
}

// register enters s in the machine-wide table of state names, or reports
// its name as a duplicate at pos (where s's key is).
func (b *builder) register(s *State, pos Pos) {
	if prev, ok := b.names[s.Name]; ok {
		b.add(CodeDuplicateStateName, SeverityError, s.Pointer, pos, s.Name, "",
			sprintf("State name %q is already used at %s (line %d); state names must be unique in the whole state machine",
				s.Name, prev.Pointer, prev.Pos.Line))
	} else {
		b.names[s.Name] = s
	}
}

// field decodes one field of a state.
func (b *builder) field(s *State, m *Member, ptr string) {
	name := s.Name
	switch m.Key {
	case "Type", "QueryLanguage":
	case "Comment":
		s.Comment, _ = b.str(m, ptr, name, "")
	case "Next":
		s.Next, _ = b.str(m, ptr, name, "")
	case "End":
		if v, ok := b.boolean(m, ptr, name, ""); ok {
			s.End = v
			if !v {
				b.schema(join(ptr, m.Key), m.Value.Pos, name, "End", "The field 'End' must be true when present")
			}
		}
	case "InputPath":
		s.InputPath = b.optPath(m, ptr, name, "")
	case "OutputPath":
		s.OutputPath = b.optPath(m, ptr, name, "")
	case "ResultPath":
		s.ResultPath = b.optPath(m, ptr, name, "")
	case "Parameters":
		// AWS takes any JSON value; only objects have ".$" fields.
		if s.Type == TypeMap {
			s.ItemSelector = m.Value.Value()
		}
		s.Parameters = m.Value.Value()
	case "ResultSelector":
		if b.object(m, ptr, name, "") {
			s.ResultSelector = m.Value.Value()
		}
	case "Result":
		s.Result = m.Value.Value()
	case "Arguments":
		if m.Value.Kind == KindObject || (m.Value.Kind == KindString && IsTemplate(m.Value.Text)) {
			s.Arguments = m.Value.Value()
		} else {
			b.schema(join(ptr, m.Key), m.Value.Pos, name, "Arguments",
				"The value for the field 'Arguments' must be an OBJECT or a JSONata expression '{%% ... %%}', not %s", describe(m.Value))
		}
	case "Output":
		s.Output = m.Value.Value()
	case "Assign":
		if b.object(m, ptr, name, "") {
			s.Assign = m.Value.Value()
		}
	case "Resource":
		if m.Value.Kind == KindObject && len(m.Value.Members) == 1 &&
			(m.Value.Members[0].Key == "Ref" || strings.HasPrefix(m.Value.Members[0].Key, "Fn::")) {
			// A CloudFormation intrinsic (Ref, Fn::GetAtt) in a template
			// that has not been deployed yet.
			b.add(CodeInvalidResource, SeverityWarning, join(ptr, m.Key), m.Value.Pos, name, "Resource",
				sprintf("The Resource is a CloudFormation %s; it must be resolved to an ARN before the definition is deployed", m.Value.Members[0].Key))
			return
		}
		s.Resource, _ = b.str(m, ptr, name, "")
	case "TimeoutSeconds":
		s.TimeoutSeconds = b.intOrTemplate(m, ptr, s, 1, 99999999)
	case "HeartbeatSeconds":
		s.HeartbeatSeconds = b.intOrTemplate(m, ptr, s, 1, 99999999)
	case "TimeoutSecondsPath":
		s.TimeoutSecondsPath, _ = b.str(m, ptr, name, "")
	case "HeartbeatSecondsPath":
		s.HeartbeatSecondsPath, _ = b.str(m, ptr, name, "")
	case "Credentials":
		if b.object(m, ptr, name, "") {
			s.Credentials = m.Value.Value()
			// AWS rejects a JSONata Credentials object without RoleArn. Older
			// JSONPath definitions pass other shapes through, so there it is
			// a warning.
			sev := SeverityError
			if s.Language == JSONPath {
				sev = SeverityWarning
			}
			if m.Value.Get("RoleArn") == nil && m.Value.Get("RoleArn.$") == nil {
				b.add(CodeSchemaValidationFailed, sev, join(ptr, m.Key), m.Value.Pos, name, "Credentials", "The field 'RoleArn' is required but was missing")
			}
			for _, c := range b.members(m.Value) {
				if c.Key != "RoleArn" && (c.Key != "RoleArn.$" || s.Language == JSONata) {
					b.add(CodeSchemaValidationFailed, sev, join(join(ptr, m.Key), c.Key), c.KeyPos, name, "Credentials."+c.Key,
						sprintf("The field '%s' is not supported in Credentials", c.Key))
				}
			}
		}
	case "Retry":
		s.Retry = b.retriers(s, m, join(ptr, m.Key))
	case "Catch":
		s.Catch = b.catchers(s, m, join(ptr, m.Key))
	case "Choices":
		if m.Value.Kind != KindArray {
			b.schema(join(ptr, m.Key), m.Value.Pos, name, "Choices", "The value for the field 'Choices' must be an ARRAY, not %s", describe(m.Value))
			return
		}
		if len(m.Value.Elems) == 0 {
			b.schema(join(ptr, m.Key), m.Value.Pos, name, "Choices", "The field 'Choices' must have at least one rule")
		}
		for i, e := range m.Value.Elems {
			if r := b.choiceRule(s, e, join(join(ptr, m.Key), strconv.Itoa(i)), sprintf("Choices[%d]", i), true); r != nil {
				s.Choices = append(s.Choices, r)
			}
		}
	case "Default":
		s.Default, _ = b.str(m, ptr, name, "")
	case "Seconds":
		s.Seconds = b.intOrTemplate(m, ptr, s, 0, 99999999)
	case "Timestamp":
		if ts, ok := b.str(m, ptr, name, ""); ok {
			if (s.Language != JSONata || !IsTemplate(ts)) && !IsTimestamp(ts) {
				b.schema(join(ptr, m.Key), m.Value.Pos, name, "Timestamp", "String does not match RFC3339 timestamp")
			}
			s.Timestamp = ts
		}
	case "SecondsPath":
		s.SecondsPath, _ = b.str(m, ptr, name, "")
	case "TimestampPath":
		s.TimestampPath, _ = b.str(m, ptr, name, "")
	case "Error":
		if v, ok := b.str(m, ptr, name, ""); ok {
			s.Error = v
		}
	case "Cause":
		if v, ok := b.str(m, ptr, name, ""); ok {
			s.Cause = v
		}
	case "ErrorPath":
		s.ErrorPath, _ = b.str(m, ptr, name, "")
	case "CausePath":
		s.CausePath, _ = b.str(m, ptr, name, "")
	case "Branches":
		if m.Value.Kind != KindArray {
			b.schema(join(ptr, m.Key), m.Value.Pos, name, "Branches", "The value for the field 'Branches' must be an ARRAY, not %s", describe(m.Value))
			return
		}
		if len(m.Value.Elems) == 0 {
			b.schema(join(ptr, m.Key), m.Value.Pos, name, "Branches", "The field 'Branches' must have at least one branch")
		}
		for i, e := range m.Value.Elems {
			bptr := join(join(ptr, m.Key), strconv.Itoa(i))
			if e.Kind != KindObject {
				b.schema(bptr, e.Pos, name, sprintf("Branches[%d]", i), "A branch must be an OBJECT, not %s", describe(e))
				continue
			}
			s.Branches = append(s.Branches, b.machine(e, bptr, s, s.Language))
		}
	case "ItemProcessor", "Iterator":
		if !b.object(m, ptr, name, "") {
			return
		}
		if s.ItemProcessor != nil {
			b.schema(join(ptr, m.Key), m.KeyPos, name, m.Key, "The fields 'ItemProcessor' and 'Iterator' are mutually exclusive")
			return
		}
		s.ProcessorMode = ModeInline
		if pc := m.Value.Get("ProcessorConfig"); pc != nil {
			b.processorConfig(s, pc, join(join(ptr, m.Key), "ProcessorConfig"))
		}
		// A distributed Map runs its processor as child executions, each a
		// state machine of its own: the top-level language rule restarts.
		saved := b.topLanguage
		if s.ProcessorMode == ModeDistributed {
			b.topLanguage = ""
		}
		s.ItemProcessor = b.machine(m.Value, join(ptr, m.Key), s, s.Language)
		b.topLanguage = saved
	case "ItemsPath":
		s.ItemsPath = b.optPath(m, ptr, name, "")
		if s.ItemsPath.Null {
			b.schema(join(ptr, m.Key), m.Value.Pos, name, "ItemsPath", "The value for the field 'ItemsPath' must be a STRING, not null")
		}
	case "Items":
		if m.Value.Kind == KindArray || (m.Value.Kind == KindString && IsTemplate(m.Value.Text)) {
			s.Items = m.Value.Value()
		} else {
			b.schema(join(ptr, m.Key), m.Value.Pos, name, "Items",
				"The value for the field 'Items' must be an ARRAY or a JSONata expression '{%% ... %%}', not %s", describe(m.Value))
		}
	case "ItemSelector":
		if m.Value.Kind == KindObject || (s.Language == JSONata && m.Value.Kind == KindString && IsTemplate(m.Value.Text)) {
			s.ItemSelector = m.Value.Value()
		} else {
			b.schema(join(ptr, m.Key), m.Value.Pos, name, "ItemSelector", "The value for the field 'ItemSelector' must be an OBJECT, not %s", describe(m.Value))
		}
	case "MaxConcurrency":
		s.MaxConcurrency = b.intOrTemplate(m, ptr, s, 0, 1<<31-1)
	case "MaxConcurrencyPath":
		s.MaxConcurrencyPath, _ = b.str(m, ptr, name, "")
	case "ToleratedFailurePercentage":
		if s.Language == JSONata && m.Value.Kind == KindString {
			s.ToleratedFailurePercentage = b.intOrTemplate(m, ptr, s, 0, 100)
		} else if f, ok := b.number(m, ptr, name, ""); ok {
			if f < 0 || f > 100 {
				b.schema(join(ptr, m.Key), m.Value.Pos, name, m.Key, "The value for the field '%s' must be between 0 and 100", m.Key)
			}
			s.ToleratedFailurePercentage = json.Number(m.Value.Text)
		}
	case "ToleratedFailurePercentagePath":
		s.ToleratedFailurePercentagePath, _ = b.str(m, ptr, name, "")
	case "ToleratedFailureCount":
		s.ToleratedFailureCount = b.intOrTemplate(m, ptr, s, 0, 1<<31-1)
	case "ToleratedFailureCountPath":
		s.ToleratedFailureCountPath, _ = b.str(m, ptr, name, "")
	case "ItemReader":
		if b.object(m, ptr, name, "") {
			s.ItemReader = m.Value.Value()
			if m.Value.Get("Resource") == nil {
				b.schema(join(ptr, m.Key), m.Value.Pos, name, "ItemReader", "The field 'Resource' is required but was missing")
			}
		}
	case "ItemBatcher":
		if b.object(m, ptr, name, "") {
			s.ItemBatcher = m.Value.Value()
		}
	case "ResultWriter":
		if b.object(m, ptr, name, "") {
			s.ResultWriter = m.Value.Value()
		}
	case "Label":
		s.Label, _ = b.str(m, ptr, name, "")
	}
}

func (b *builder) processorConfig(s *State, pc *Member, ptr string) {
	if !b.object(pc, ptr[:strings.LastIndex(ptr, "/")], s.Name, "ItemProcessor.") {
		return
	}
	for _, m := range b.members(pc.Value) {
		switch m.Key {
		case "Mode":
			if v, ok := b.str(m, ptr, s.Name, "ItemProcessor.ProcessorConfig."); ok {
				if v != ModeInline && v != ModeDistributed {
					b.schema(join(ptr, "Mode"), m.Value.Pos, s.Name, "ItemProcessor.ProcessorConfig.Mode",
						"The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]")
				} else {
					s.ProcessorMode = v
				}
			}
		case "ExecutionType":
			if v, ok := b.str(m, ptr, s.Name, "ItemProcessor.ProcessorConfig."); ok {
				if v != "STANDARD" && v != "EXPRESS" {
					b.schema(join(ptr, "ExecutionType"), m.Value.Pos, s.Name, "ItemProcessor.ProcessorConfig.ExecutionType",
						"The field 'ExecutionType' should have one of these values: [STANDARD, EXPRESS]")
				} else {
					s.ExecutionType = v
				}
			}
		default:
			b.schema(join(ptr, m.Key), m.KeyPos, s.Name, "ItemProcessor.ProcessorConfig."+m.Key,
				"The field '%s' is not supported in ProcessorConfig", m.Key)
		}
	}
}

// required checks presence and exclusivity rules per state type.
func (b *builder) required(s *State, ptr string) {
	need := func(fields ...string) {
		var missing []string
		for _, f := range fields {
			if !s.Has(f) {
				missing = append(missing, f)
			}
		}
		if len(missing) > 0 {
			b.schema(ptr, s.Pos, s.Name, missing[0], "These fields are required: [%s]", strings.Join(missing, ", "))
		}
	}
	exclusive := func(fields ...string) int {
		var present []string
		for _, f := range fields {
			if s.Has(f) {
				present = append(present, f)
			}
		}
		if len(present) > 1 {
			b.schema(join(ptr, present[1]), s.FieldPos(present[1]), s.Name, present[1],
				"The fields [%s] are mutually exclusive", strings.Join(present, ", "))
		}
		return len(present)
	}
	switch s.Type {
	case TypeChoice, TypeSucceed, TypeFail:
	default:
		hasNext, hasEnd := s.Has("Next"), s.Has("End")
		switch {
		case hasNext && hasEnd:
			b.schema(ptr, s.Pos, s.Name, "Next", "The fields 'Next' and 'End' are mutually exclusive")
		case !hasNext && !hasEnd:
			b.add(CodeMissingEndState, SeverityError, ptr, s.Pos, s.Name, "",
				sprintf("State %q must have either 'Next' or 'End': true", s.Name))
		}
	}
	switch s.Type {
	case TypeTask:
		need("Resource")
		exclusive("TimeoutSeconds", "TimeoutSecondsPath")
		exclusive("HeartbeatSeconds", "HeartbeatSecondsPath")
	case TypeChoice:
		need("Choices")
	case TypeWait:
		if exclusive("Seconds", "Timestamp", "SecondsPath", "TimestampPath") == 0 {
			b.schema(ptr, s.Pos, s.Name, "", "A Wait state requires exactly one of [Seconds, Timestamp, SecondsPath, TimestampPath]")
		}
	case TypeFail:
		exclusive("Error", "ErrorPath")
		exclusive("Cause", "CausePath")
	case TypeParallel:
		need("Branches")
	case TypeMap:
		if exclusive("ItemProcessor", "Iterator") == 0 {
			b.schema(ptr, s.Pos, s.Name, "ItemProcessor", "These fields are required: [ItemProcessor]")
		}
		exclusive("ItemSelector", "Parameters")
		exclusive("ItemsPath", "Items", "ItemReader")
		exclusive("MaxConcurrency", "MaxConcurrencyPath")
		exclusive("ToleratedFailurePercentage", "ToleratedFailurePercentagePath")
		exclusive("ToleratedFailureCount", "ToleratedFailureCountPath")
	}
}

// errorEquals reads an ErrorEquals array.
func (b *builder) errorEquals(s *State, n *Node, ptr, field string) []string {
	m := n.Get("ErrorEquals")
	if m == nil {
		b.schema(ptr, n.Pos, s.Name, field, "These fields are required: [ErrorEquals]")
		return nil
	}
	fptr := join(ptr, "ErrorEquals")
	if m.Value.Kind != KindArray {
		b.schema(fptr, m.Value.Pos, s.Name, field+".ErrorEquals", "The value for the field 'ErrorEquals' must be an ARRAY, not %s", describe(m.Value))
		return nil
	}
	if len(m.Value.Elems) == 0 {
		b.schema(fptr, m.Value.Pos, s.Name, field+".ErrorEquals", "The field 'ErrorEquals' must list at least one error name")
	}
	var out []string
	for i, e := range m.Value.Elems {
		if e.Kind != KindString {
			b.schema(join(fptr, strconv.Itoa(i)), e.Pos, s.Name, field+".ErrorEquals",
				"Error names in 'ErrorEquals' must be STRINGs, not %s", describe(e))
			continue
		}
		out = append(out, e.Text)
	}
	return out
}

func (b *builder) retriers(s *State, m *Member, ptr string) []*Retrier {
	if m.Value.Kind != KindArray {
		b.schema(ptr, m.Value.Pos, s.Name, "Retry", "The value for the field 'Retry' must be an ARRAY, not %s", describe(m.Value))
		return nil
	}
	var out []*Retrier
	for i, e := range m.Value.Elems {
		rptr := join(ptr, strconv.Itoa(i))
		field := sprintf("Retry[%d]", i)
		if e.Kind != KindObject {
			b.schema(rptr, e.Pos, s.Name, field, "A retrier must be an OBJECT, not %s", describe(e))
			continue
		}
		r := &Retrier{IntervalSeconds: DefaultIntervalSeconds, MaxAttempts: DefaultMaxAttempts,
			BackoffRate: DefaultBackoffRate, JitterStrategy: "NONE", Pointer: rptr, Pos: e.Pos}
		r.ErrorEquals = b.errorEquals(s, e, rptr, field)
		prefix := field + "."
		for _, f := range b.members(e) {
			switch f.Key {
			case "ErrorEquals":
			case "IntervalSeconds":
				if v, ok := b.integer(f, rptr, s.Name, prefix, 1, 99999999); ok {
					r.IntervalSeconds = v
				}
			case "MaxAttempts":
				if v, ok := b.integer(f, rptr, s.Name, prefix, 0, 99999999); ok {
					r.MaxAttempts = v
				}
			case "BackoffRate":
				if v, ok := b.number(f, rptr, s.Name, prefix); ok {
					if v < 1 {
						b.schema(join(rptr, f.Key), f.Value.Pos, s.Name, prefix+f.Key, "The value for the field 'BackoffRate' must be at least 1.0")
					} else {
						r.BackoffRate = v
					}
				}
			case "MaxDelaySeconds":
				if v, ok := b.integer(f, rptr, s.Name, prefix, 1, 31622400); ok {
					r.MaxDelaySeconds = v
				}
			case "JitterStrategy":
				if v, ok := b.str(f, rptr, s.Name, prefix); ok {
					if v != "FULL" && v != "NONE" {
						b.schema(join(rptr, f.Key), f.Value.Pos, s.Name, prefix+f.Key,
							"The field 'JitterStrategy' should have one of these values: [FULL, NONE]")
					} else {
						r.JitterStrategy = v
					}
				}
			case "Comment":
				r.Comment, _ = b.str(f, rptr, s.Name, prefix)
			default:
				b.schema(join(rptr, f.Key), f.KeyPos, s.Name, prefix+f.Key, "The field '%s' is not supported in a retrier", f.Key)
			}
		}
		out = append(out, r)
	}
	return out
}

func (b *builder) catchers(s *State, m *Member, ptr string) []*Catcher {
	if m.Value.Kind != KindArray {
		b.schema(ptr, m.Value.Pos, s.Name, "Catch", "The value for the field 'Catch' must be an ARRAY, not %s", describe(m.Value))
		return nil
	}
	var out []*Catcher
	for i, e := range m.Value.Elems {
		cptr := join(ptr, strconv.Itoa(i))
		field := sprintf("Catch[%d]", i)
		if e.Kind != KindObject {
			b.schema(cptr, e.Pos, s.Name, field, "A catcher must be an OBJECT, not %s", describe(e))
			continue
		}
		c := &Catcher{Pointer: cptr, Pos: e.Pos}
		c.ErrorEquals = b.errorEquals(s, e, cptr, field)
		if e.Get("Next") == nil {
			b.schema(cptr, e.Pos, s.Name, field+".Next", "These fields are required: [Next]")
		}
		prefix := field + "."
		for _, f := range b.members(e) {
			switch {
			case f.Key == "ErrorEquals":
			case f.Key == "Next":
				c.Next, _ = b.str(f, cptr, s.Name, prefix)
			case f.Key == "ResultPath" && s.Language == JSONPath:
				c.ResultPath = b.optPath(f, cptr, s.Name, prefix)
			case f.Key == "Output" && s.Language == JSONata:
				c.Output = f.Value.Value()
			case f.Key == "Assign":
				if b.object(f, cptr, s.Name, prefix) {
					c.Assign = f.Value.Value()
				}
			case f.Key == "Comment":
				c.Comment, _ = b.str(f, cptr, s.Name, prefix)
			default:
				b.schema(join(cptr, f.Key), f.KeyPos, s.Name, prefix+f.Key,
					"The field '%s' is not supported in a %s catcher", f.Key, s.Language)
			}
		}
		out = append(out, c)
	}
	return out
}

// choiceRule reads a Choice rule; top is true for elements of Choices.
func (b *builder) choiceRule(s *State, n *Node, ptr, field string, top bool) *ChoiceRule {
	if n.Kind != KindObject {
		b.schema(ptr, n.Pos, s.Name, field, "A choice rule must be an OBJECT, not %s", describe(n))
		return nil
	}
	r := &ChoiceRule{Pointer: ptr, Pos: n.Pos}
	prefix := field + "."
	if top && n.Get("Next") == nil {
		b.schema(ptr, n.Pos, s.Name, field+".Next", "These fields are required: [Next]")
	}
	if s.Language == JSONata {
		if n.Get("Condition") == nil {
			b.schema(ptr, n.Pos, s.Name, field+".Condition", "These fields are required: [Condition]")
		}
		for _, f := range b.members(n) {
			switch f.Key {
			case "Condition":
				if f.Value.Kind == KindBool || (f.Value.Kind == KindString && IsTemplate(f.Value.Text)) {
					r.Condition = f.Value.Value()
				} else {
					b.schema(join(ptr, f.Key), f.Value.Pos, s.Name, prefix+f.Key,
						"The value for the field 'Condition' must be a JSONata expression '{%% ... %%}' or a BOOLEAN")
				}
			case "Next":
				r.Next, _ = b.str(f, ptr, s.Name, prefix)
			case "Assign":
				if b.object(f, ptr, s.Name, prefix) {
					r.Assign = f.Value.Value()
				}
			case "Output":
				r.Output = f.Value.Value()
			case "Comment":
				r.Comment, _ = b.str(f, ptr, s.Name, prefix)
			default:
				b.schema(join(ptr, f.Key), f.KeyPos, s.Name, prefix+f.Key, "The field '%s' is not supported in a JSONata choice rule", f.Key)
			}
		}
		return r
	}
	var kinds []string // Variable-comparison, And, Or, Not
	for _, f := range b.members(n) {
		switch f.Key {
		case "Next":
			if !top {
				b.schema(join(ptr, f.Key), f.KeyPos, s.Name, prefix+f.Key, "The field 'Next' is only allowed in top-level choice rules")
			}
			r.Next, _ = b.str(f, ptr, s.Name, prefix)
		case "Comment":
			r.Comment, _ = b.str(f, ptr, s.Name, prefix)
		case "Assign":
			if !top {
				b.schema(join(ptr, f.Key), f.KeyPos, s.Name, prefix+f.Key, "The field 'Assign' is only allowed in top-level choice rules")
			}
			if b.object(f, ptr, s.Name, prefix) {
				r.Assign = f.Value.Value()
			}
		case "Variable":
			r.Variable, _ = b.str(f, ptr, s.Name, prefix)
		case "And", "Or":
			kinds = append(kinds, f.Key)
			if f.Value.Kind != KindArray || len(f.Value.Elems) == 0 {
				b.schema(join(ptr, f.Key), f.Value.Pos, s.Name, prefix+f.Key, "The value for the field '%s' must be a non-empty ARRAY of choice rules", f.Key)
				continue
			}
			var rules []*ChoiceRule
			for i, e := range f.Value.Elems {
				if sub := b.choiceRule(s, e, join(join(ptr, f.Key), strconv.Itoa(i)), sprintf("%s%s[%d]", prefix, f.Key, i), false); sub != nil {
					rules = append(rules, sub)
				}
			}
			if f.Key == "And" {
				r.And = rules
			} else {
				r.Or = rules
			}
		case "Not":
			kinds = append(kinds, f.Key)
			r.Not = b.choiceRule(s, f.Value, join(ptr, f.Key), prefix+"Not", false)
		default:
			want, ok := comparisonOperators[f.Key]
			if !ok {
				b.schema(join(ptr, f.Key), f.KeyPos, s.Name, prefix+f.Key, "The field '%s' is not supported in a choice rule", f.Key)
				continue
			}
			kinds = append(kinds, f.Key)
			r.Operator = f.Key
			r.Operand = f.Value.Value()
			b.operand(s, f, ptr, prefix, want)
		}
	}
	switch {
	case len(kinds) == 0:
		b.schema(ptr, n.Pos, s.Name, field, "A choice rule must have a comparison operator, 'And', 'Or' or 'Not'")
	case len(kinds) > 1:
		sort.Strings(kinds)
		b.schema(ptr, n.Pos, s.Name, field, "A choice rule must have exactly one of a comparison, 'And', 'Or' or 'Not', not [%s]", strings.Join(kinds, ", "))
	case r.Operator != "" && n.Get("Variable") == nil:
		b.schema(ptr, n.Pos, s.Name, field+".Variable", "These fields are required: [Variable]")
	case r.Operator == "" && n.Get("Variable") != nil:
		b.schema(join(ptr, "Variable"), n.Get("Variable").KeyPos, s.Name, prefix+"Variable",
			"The field 'Variable' is not allowed with '%s'", kinds[0])
	}
	return r
}

// operand checks the type of a comparison operand.
func (b *builder) operand(s *State, f *Member, ptr, prefix, want string) {
	v := f.Value
	bad := func(t string) {
		b.schema(join(ptr, f.Key), v.Pos, s.Name, prefix+f.Key, "The value for the field '%s' must be a %s, not %s", f.Key, t, describe(v))
	}
	switch want {
	case "":
		if v.Kind != KindString {
			bad("STRING (a path)")
		}
	case "string":
		if v.Kind != KindString {
			bad("STRING")
		}
	case "number":
		if v.Kind != KindNumber {
			bad("NUMBER")
		}
	case "boolean":
		if v.Kind != KindBool {
			bad("BOOLEAN")
		}
	case "timestamp":
		if v.Kind != KindString {
			bad("STRING (an RFC 3339 timestamp)")
		} else if !IsTimestamp(v.Text) {
			b.schema(join(ptr, f.Key), v.Pos, s.Name, prefix+f.Key, "String does not match RFC3339 timestamp")
		}
	}
}
