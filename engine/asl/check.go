package asl

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"stepwise/engine/asl/intrinsic"
	"stepwise/engine/asl/jsonpath"
	"stepwise/engine/jsonata"
)

// checkState runs the per-state semantic checks: paths, payload templates,
// JSONata expressions, error names, resources and Map labels.
func (b *builder) checkState(s *State) {
	if s.Type == "" {
		return
	}
	if s.Language == JSONata {
		b.checkJSONata(s)
	} else {
		b.checkJSONPath(s)
	}
	for i, r := range s.Retry {
		b.errorNames(s, r.ErrorEquals, r.Pointer, sprintf("Retry[%d]", i), true)
	}
	for i, c := range s.Catch {
		b.errorNames(s, c.ErrorEquals, c.Pointer, sprintf("Catch[%d]", i), false)
	}
	switch s.Type {
	case TypeTask:
		b.checkResource(s)
		b.checkTimeouts(s)
	case TypeMap:
		b.checkMap(s)
	case TypeChoice:
		if !s.Has("Default") && len(s.Choices) > 0 {
			b.add(CodeNoDefault, SeverityWarning, s.Pointer, s.Pos, s.Name, "Default",
				sprintf("Choice state %q has no 'Default': input that matches no rule fails the execution with States.NoChoiceMatched", s.Name))
		}
	}
}

// ---- JSONPath mode ----

func (b *builder) checkJSONPath(s *State) {
	n := s.Node
	for _, f := range []string{"InputPath", "OutputPath"} {
		if m := n.Get(f); m != nil && m.Value.Kind == KindString {
			b.path(s, m, false)
		}
	}
	for _, f := range []string{"ResultPath", "ItemsPath", "SecondsPath", "TimestampPath", "TimeoutSecondsPath",
		"HeartbeatSecondsPath", "MaxConcurrencyPath", "ToleratedFailurePercentagePath", "ToleratedFailureCountPath"} {
		if m := n.Get(f); m != nil && m.Value.Kind == KindString {
			b.path(s, m, true)
		}
	}
	for _, f := range []string{"ErrorPath", "CausePath"} {
		if m := n.Get(f); m != nil && m.Value.Kind == KindString {
			if intrinsic.IsCall(m.Value.Text) {
				b.intrinsicCall(s, join(s.Pointer, f), m.Value, f)
			} else {
				b.path(s, m, true)
			}
		}
	}
	for _, f := range []string{"Parameters", "ResultSelector", "ItemSelector", "Credentials", "Assign", "ItemReader", "ItemBatcher", "ResultWriter"} {
		if m := n.Get(f); m != nil {
			b.payload(s, m.Value, join(s.Pointer, f), f)
		}
	}
	if s.Type == TypePass {
		if m := n.Get("Result"); m != nil {
			b.staticResult(s, m.Value, join(s.Pointer, "Result"), "Result")
		}
	}
	if s.Type == TypeFail {
		for _, f := range []string{"Error", "Cause"} {
			if m := n.Get(f); m != nil && m.Value.Kind == KindString && looksLikePath(m.Value.Text) {
				b.add(CodeNoPath, SeverityWarning, join(s.Pointer, f), m.Value.Pos, s.Name, f,
					sprintf("The value of '%s' looks like a path but is used literally; use '%sPath' to read it from the input", f, f))
			}
		}
	}
	for i, c := range s.Catch {
		if m := c.node(s).Get("ResultPath"); m != nil && m.Value.Kind == KindString {
			b.pathAt(s, m.Value, c.Pointer, "ResultPath", sprintf("Catch[%d]", i), true)
		}
		if m := c.node(s).Get("Assign"); m != nil {
			b.payload(s, m.Value, join(c.Pointer, "Assign"), sprintf("Catch[%d].Assign", i))
		}
	}
	for i, r := range s.Choices {
		b.checkRule(s, r, sprintf("Choices[%d]", i))
	}
}

// node returns the catcher's source object.
func (c *Catcher) node(s *State) *Node {
	return nodeAt(s.Node, strings.TrimPrefix(c.Pointer, s.Pointer+"/"))
}

// nodeAt follows a relative JSON pointer from n.
func nodeAt(n *Node, rel string) *Node {
	if rel == "" {
		return n
	}
	return n.At("/" + rel)
}

func (b *builder) checkRule(s *State, r *ChoiceRule, field string) {
	n := nodeAt(s.Node, strings.TrimPrefix(r.Pointer, s.Pointer+"/"))
	if n == nil {
		return
	}
	if m := n.Get("Variable"); m != nil && m.Value.Kind == KindString {
		b.pathAt(s, m.Value, r.Pointer, "Variable", field, true)
	}
	if r.IsPathOperator() {
		if m := n.Get(r.Operator); m != nil && m.Value.Kind == KindString {
			b.pathAt(s, m.Value, r.Pointer, r.Operator, field, true)
		}
	}
	if r.Operator == "StringMatches" {
		if p, ok := r.Operand.(string); ok && strings.HasSuffix(p, `\`) && !strings.HasSuffix(p, `\\`) {
			b.schema(join(r.Pointer, r.Operator), n.Pos, s.Name, field+".StringMatches",
				"The pattern of 'StringMatches' ends with an unfinished escape")
		}
	}
	if m := n.Get("Assign"); m != nil {
		b.payload(s, m.Value, join(r.Pointer, "Assign"), field+".Assign")
	}
	for i, sub := range r.And {
		b.checkRule(s, sub, sprintf("%s.And[%d]", field, i))
	}
	for i, sub := range r.Or {
		b.checkRule(s, sub, sprintf("%s.Or[%d]", field, i))
	}
	if r.Not != nil {
		b.checkRule(s, r.Not, field+".Not")
	}
}

func (b *builder) path(s *State, m *Member, reference bool) {
	b.pathAt(s, m.Value, s.Pointer, m.Key, "", reference)
}

// pathAt checks the syntax of the path v at the field key of the object at
// base (owner names that object in messages, "" for the state itself);
// reference paths allow only names and indexes (no filters, wildcards or
// slices). ResultPath may not name the context object or a variable. The
// pointer and field name are built only for a diagnostic.
func (b *builder) pathAt(s *State, v *Node, base, key, owner string, reference bool) {
	text := v.Text
	pv := b.parsePath(text, reference)
	field := func() string {
		if owner == "" {
			return key
		}
		return owner + "." + key
	}
	if pv.err != nil {
		kind := "JSONPath"
		if reference {
			kind = "reference path"
		}
		b.schema(join(base, key), v.Pos, s.Name, field(), "The value for the field '%s' must be a valid %s: %s", lastField(key), kind, pathErr(pv.err))
		return
	}
	if lastField(key) == "ResultPath" && pv.root != jsonpath.RootInput {
		b.schema(join(base, key), v.Pos, s.Name, field(), "The value for the field 'ResultPath' must start with '$.' (not a variable or the context object): %q", text)
	}
}

// pathKey names a cached parse: the text and how it was parsed ('p' a
// JSONPath, 'r' a reference path, 'i' an intrinsic call).
type pathKey struct {
	text string
	mode byte
}

// pathVerdict is the outcome of parsing a path or an intrinsic call.
type pathVerdict struct {
	err  error
	root jsonpath.Root
}

// parsePath parses a JSONPath or reference path, once per distinct text
// in a document (definitions repeat "$", "$.x" and the like).
func (b *builder) parsePath(text string, reference bool) pathVerdict {
	k := pathKey{text, 'p'}
	if reference {
		k.mode = 'r'
	}
	if v, ok := b.paths[k]; ok {
		return v
	}
	var p *jsonpath.Path
	var v pathVerdict
	if reference {
		p, v.err = jsonpath.ParseReference(text)
	} else {
		p, v.err = jsonpath.Parse(text)
	}
	if v.err == nil {
		v.root = p.Root()
	}
	b.remember(k, v)
	return v
}

// parseIntrinsic parses an intrinsic function call, once per distinct text.
func (b *builder) parseIntrinsic(text string) error {
	k := pathKey{text, 'i'}
	if v, ok := b.paths[k]; ok {
		return v.err
	}
	_, err := intrinsic.Parse(text)
	b.remember(k, pathVerdict{err: err})
	return err
}

func (b *builder) remember(k pathKey, v pathVerdict) {
	if b.paths == nil {
		b.paths = map[pathKey]pathVerdict{}
	}
	b.paths[k] = v
}

func pathErr(err error) string {
	var se *jsonpath.SyntaxError
	if errors.As(err, &se) {
		return se.Error()
	}
	return err.Error()
}

// looksLikePath reports whether a literal string looks like a JSONPath or an
// intrinsic call, for the NO_DOLLAR and NO_PATH warnings.
func looksLikePath(v string) bool {
	return strings.HasPrefix(v, "$.") || strings.HasPrefix(v, "$[") || strings.HasPrefix(v, "$$.") || v == "$" || intrinsic.IsCall(v)
}

// payload checks a JSONPath payload template: values of ".$" fields must be
// paths or intrinsic calls; a ".$" field may not clash with a plain one.
// ptr and field name n; those of its members are built only when needed.
func (b *builder) payload(s *State, n *Node, ptr, field string) {
	switch n.Kind {
	case KindArray:
		for i, e := range n.Elems {
			if e.Kind == KindArray || e.Kind == KindObject {
				b.payload(s, e, join(ptr, strconv.Itoa(i)), sprintf("%s[%d]", field, i))
			}
		}
	case KindObject:
		ms := b.members(n)
		var seen map[string]bool
		if len(ms) > smallObject {
			seen = make(map[string]bool, len(ms))
		}
		for i, m := range ms {
			name := strings.TrimSuffix(m.Key, ".$")
			clash := false
			if seen != nil {
				clash = seen[name]
				seen[name] = true
			} else {
				for _, o := range ms[:i] {
					if strings.TrimSuffix(o.Key, ".$") == name {
						clash = true
						break
					}
				}
			}
			if clash {
				b.schema(join(ptr, m.Key), m.KeyPos, s.Name, field+"."+m.Key, "The field '%s' clashes with another field named '%s' once '.$' is removed", m.Key, name)
			}
			if !strings.HasSuffix(m.Key, ".$") {
				switch m.Value.Kind {
				case KindString:
					if looksLikePath(m.Value.Text) {
						ff := field + "." + m.Key
						b.add(CodeNoDollar, SeverityWarning, join(ptr, m.Key), m.Value.Pos, s.Name, ff,
							sprintf("The value of '%s' looks like a path or intrinsic function but is used literally; name the field '%s.$' to evaluate it", m.Key, m.Key))
					}
				case KindArray, KindObject:
					b.payload(s, m.Value, join(ptr, m.Key), field+"."+m.Key)
				}
				continue
			}
			b.dynamicValue(s, m, ptr, field)
		}
	}
}

// dynamicValue checks the value of a ".$" field m of the object at ptr
// (named field in messages).
func (b *builder) dynamicValue(s *State, m *Member, ptr, field string) {
	bad := func(detail string) {
		b.schema(join(ptr, m.Key), m.Value.Pos, s.Name, field+"."+m.Key,
			"The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call%s", m.Key, detail)
	}
	if m.Value.Kind != KindString {
		bad(sprintf(", not %s", describe(m.Value)))
		return
	}
	v := m.Value.Text
	if v != strings.TrimSpace(v) {
		bad(": leading or trailing blanks")
		return
	}
	if intrinsic.IsCall(v) {
		if err := b.parseIntrinsic(v); err != nil {
			bad(": " + err.Error())
		} else if esc := badIntrinsicEscape(v); esc != "" {
			bad(sprintf(": the escape %q is not allowed in an intrinsic function string (only \\', \\{, \\} and \\\\ are)", esc))
		}
		return
	}
	if pv := b.parsePath(v, false); pv.err != nil {
		bad(": " + pathErr(pv.err))
	}
}

// badIntrinsicEscape returns the first backslash escape inside a quoted
// string of an intrinsic call that AWS rejects (it allows \', \{, \} and
// \\ only), or "".
func badIntrinsicEscape(call string) string {
	in := false
	for i := 0; i < len(call); i++ {
		c := call[i]
		switch {
		case !in && c == '\'':
			in = true
		case in && c == '\\':
			if i+1 >= len(call) {
				return "\\"
			}
			if !strings.ContainsRune(`'{}\`, rune(call[i+1])) {
				return call[i : i+2]
			}
			i++
		case in && c == '\'':
			in = false
		}
	}
	return ""
}

func (b *builder) intrinsicCall(s *State, ptr string, v *Node, field string) {
	if err := b.parseIntrinsic(v.Text); err != nil {
		b.schema(ptr, v.Pos, s.Name, field, "The value for the field '%s' must be a valid intrinsic function call: %s", field, err.Error())
	}
}

// staticResult warns about ".$" fields in a Pass state's Result, which AWS
// never evaluates.
func (b *builder) staticResult(s *State, n *Node, ptr, field string) {
	switch n.Kind {
	case KindArray:
		for i, e := range n.Elems {
			if e.Kind == KindArray || e.Kind == KindObject {
				b.staticResult(s, e, join(ptr, strconv.Itoa(i)), sprintf("%s[%d]", field, i))
			}
		}
	case KindObject:
		for _, m := range b.members(n) {
			if strings.HasSuffix(m.Key, ".$") {
				b.add(CodePassResultIsStatic, SeverityWarning, join(ptr, m.Key), m.KeyPos, s.Name, field+"."+m.Key,
					sprintf("'Result' is static: the field '%s' is not evaluated as a path; use 'Parameters' to build the output from the input", m.Key))
			}
			if m.Value.Kind == KindArray || m.Value.Kind == KindObject {
				b.staticResult(s, m.Value, join(ptr, m.Key), field+"."+m.Key)
			}
		}
	}
}

// ---- JSONata mode ----

// jsonataFields are the state fields whose strings are JSONata templates.
var jsonataFields = []string{"Arguments", "Output", "Assign", "Items", "ItemSelector", "TimeoutSeconds", "HeartbeatSeconds",
	"Seconds", "Timestamp", "MaxConcurrency", "ToleratedFailurePercentage", "ToleratedFailureCount", "Error", "Cause",
	"ItemReader", "ItemBatcher", "ResultWriter", "Credentials", "Choices", "Catch"}

func (b *builder) checkJSONata(s *State) {
	for _, f := range jsonataFields {
		if m := s.Node.Get(f); m != nil {
			b.templates(s, m.Value, join(s.Pointer, f), f, f == "Choices" || f == "Catch")
		}
	}
}

// templates checks every JSONata "{% %}" string inside n. Inside Choices and
// Catch only the evaluated fields count (not Next or Comment).
func (b *builder) templates(s *State, n *Node, ptr, field string, structural bool) {
	switch n.Kind {
	case KindString:
		b.template(s, n, ptr, field)
	case KindArray:
		for i, e := range n.Elems {
			b.templates(s, e, join(ptr, strconv.Itoa(i)), sprintf("%s[%d]", field, i), structural)
		}
	case KindObject:
		for _, m := range b.members(n) {
			if structural && (m.Key == "Next" || m.Key == "Comment" || m.Key == "ErrorEquals") {
				continue
			}
			b.templates(s, m.Value, join(ptr, m.Key), field+"."+m.Key, structural && m.Key != "Output" && m.Key != "Assign")
		}
	}
}

var templateRe = regexp.MustCompile(`(?s)^\{% \S.*\s%\}$`)

// template checks one string of a JSONata field.
func (b *builder) template(s *State, n *Node, ptr, field string) {
	v := n.Text
	if !strings.HasPrefix(v, "{%") && !strings.HasSuffix(v, "%}") {
		if strings.HasPrefix(v, "$.") || strings.HasPrefix(v, "$$.") || intrinsic.IsCall(v) {
			b.add(CodeJSONPathInJSONata, SeverityWarning, ptr, n.Pos, s.Name, field,
				sprintf("The value of '%s' looks like JSONPath but this state uses JSONata, so it is a literal string; write '{%% expression %%}' to evaluate it", lastField(field)))
		}
		return
	}
	if !IsTemplate(v) || !templateRe.MatchString(v) {
		b.schema(ptr, n.Pos, s.Name, field,
			"The value for the field '%s' must be a JSONata expression written '{%% expression %%}' (one space after '{%%', a blank before '%%}')", lastField(field))
		return
	}
	if _, err := jsonata.Compile(TemplateExpr(v)); err != nil {
		b.schema(ptr, n.Pos, s.Name, field, "The JSONata expression in the field '%s' does not compile: %s", lastField(field), err.Error())
	}
}

// ---- error names, resources, timeouts, Map ----

func (b *builder) errorNames(s *State, names []string, ptr, field string, retry bool) {
	fptr := join(ptr, "ErrorEquals")
	list := nodeAt(s.Node, strings.TrimPrefix(fptr, s.Pointer+"/"))
	pos := s.Pos
	if list != nil {
		pos = list.Pos
	}
	for i, name := range names {
		if list != nil && i < len(list.Elems) {
			pos = list.Elems[i].Pos
		}
		switch {
		case name == "States.ALL" && len(names) > 1:
			b.schema(fptr, pos, s.Name, field+".ErrorEquals", "'States.ALL' must appear alone in 'ErrorEquals'")
		case strings.HasPrefix(name, "States.") && !IsKnownErrorName(name):
			b.schema(join(fptr, strconv.Itoa(i)), pos, s.Name, field+".ErrorEquals",
				"%q is not an error name Step Functions defines; names starting with 'States.' are reserved", name)
		case retry && name == "States.DataLimitExceeded":
			b.add(CodeRetryOnTerminal, SeverityWarning, join(fptr, strconv.Itoa(i)), pos, s.Name, field+".ErrorEquals",
				"'States.DataLimitExceeded' is terminal: retrying cannot make the payload smaller")
		case retry && name == "States.Runtime":
			b.add(CodeRetryOnRuntime, SeverityWarning, join(fptr, strconv.Itoa(i)), pos, s.Name, field+".ErrorEquals",
				"Retrying on 'States.Runtime' repeats a failure that will not go away (a path or expression that cannot be evaluated)")
		}
	}
	// States.ALL must be in the last retrier or catcher.
	if list != nil {
		pos = list.Pos
	}
	if len(names) == 1 && names[0] == "States.ALL" {
		list := len(s.Catch)
		last := s.Catch != nil && ptr == s.Catch[len(s.Catch)-1].Pointer
		if retry {
			list = len(s.Retry)
			last = s.Retry != nil && ptr == s.Retry[len(s.Retry)-1].Pointer
		}
		if list > 0 && !last {
			b.schema(fptr, pos, s.Name, field+".ErrorEquals", "A %s with 'States.ALL' must be the last one", map[bool]string{true: "retrier", false: "catcher"}[retry])
		}
	}
}

var (
	placeholderRe = regexp.MustCompile(`^\$\{[^{}]+\}$`)
	uriRe         = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:\S+$`)
	arnRe         = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|\d*):(.+)$`)
	lambdaArnRe   = regexp.MustCompile(`^function:[A-Za-z0-9_-]+(:(\$LATEST|[A-Za-z0-9_-]+))?$`)
	iamStarGlob   = regexp.MustCompile(`^[A-Za-z0-9+=,.@_/-]*\*?$`)
	expressSync   = regexp.MustCompile(`\.sync(:\d+)?$`)
	expressToken  = regexp.MustCompile(`\.waitForTaskToken$`)
)

// problem is a diagnostic without its place.
type problem struct{ code, severity, msg string }

// checkResource reports what is wrong with a Task's Resource. The verdict
// depends on the string only, so it is worked out once per distinct
// resource of the document.
func (b *builder) checkResource(s *State) {
	m := s.Node.Get("Resource")
	if m == nil || m.Value.Kind != KindString {
		return
	}
	r := m.Value.Text
	probs, ok := b.resources[r]
	if !ok {
		probs = resourceProblems(r, strings.EqualFold(b.opts.Type, "EXPRESS"))
		if b.resources == nil {
			b.resources = map[string][]problem{}
		}
		b.resources[r] = probs
	}
	if len(probs) == 0 {
		return
	}
	ptr := join(s.Pointer, "Resource")
	for _, p := range probs {
		b.add(p.code, p.severity, ptr, m.Value.Pos, s.Name, "Resource", p.msg)
	}
}

// resourceProblems checks a Task's Resource string.
func resourceProblems(r string, express bool) []problem {
	var out []problem
	bad := func(format string, args ...any) {
		out = append(out, problem{CodeInvalidResource, SeverityError, sprintf(format, args...)})
	}
	if placeholderRe.MatchString(r) {
		return append(out, problem{CodeInvalidResource, SeverityWarning,
			sprintf("The Resource %q is a template placeholder; it must be substituted with an ARN before the definition is deployed", r)})
	}
	if !uriRe.MatchString(r) {
		bad("The value for the field 'Resource' must be a URI such as an ARN, not %q", r)
		return out
	}
	if strings.HasPrefix(r, "arn:") {
		p := arnRe.FindStringSubmatch(r)
		if p == nil || p[5] == "" {
			bad("The value for the field 'Resource' is not a valid ARN: %q", r)
			return out
		}
		switch p[2] {
		case "lambda":
			if strings.HasPrefix(p[5], "function:") && !lambdaArnRe.MatchString(p[5]) {
				bad("The Lambda function ARN %q has an invalid function name, version or alias", r)
			}
		case "iam":
			if i := strings.Index(p[5], "/"); i < 0 && strings.Contains(p[5], "*") {
				bad("The ARN %q has a wildcard in its resource type", r)
			} else if i >= 0 && !iamStarGlob.MatchString(p[5][i+1:]) {
				bad("The ARN %q has an invalid resource name", r)
			}
		}
	}
	if express {
		switch {
		case expressSync.MatchString(r):
			out = append(out, problem{CodeSchemaValidationFailed, SeverityError, "Express state machine does not support '.sync' service integration"})
		case expressToken.MatchString(r):
			out = append(out, problem{CodeSchemaValidationFailed, SeverityError, "Express state machine does not support '.waitForTaskToken' service integration"})
		}
	}
	return out
}

func (b *builder) checkTimeouts(s *State) {
	waits := expressToken.MatchString(s.Resource) || strings.Contains(s.Resource, ":activity:")
	if waits && !s.Has("TimeoutSeconds") && !s.Has("TimeoutSecondsPath") && !s.Has("HeartbeatSeconds") && !s.Has("HeartbeatSecondsPath") {
		b.add(CodeTimeoutMissing, SeverityWarning, s.Pointer, s.Pos, s.Name, "TimeoutSeconds",
			sprintf("Task %q waits for a worker or callback but has no 'TimeoutSeconds' or 'HeartbeatSeconds': a lost callback keeps the execution waiting for up to a year", s.Name))
	}
	t, ok1 := numberOf(s.TimeoutSeconds)
	h, ok2 := numberOf(s.HeartbeatSeconds)
	if ok1 && ok2 && h >= t {
		b.schema(join(s.Pointer, "HeartbeatSeconds"), s.FieldPos("HeartbeatSeconds"), s.Name, "HeartbeatSeconds",
			"'HeartbeatSeconds' (%d) must be smaller than 'TimeoutSeconds' (%d)", h, t)
	}
}

func numberOf(v any) (int64, bool) {
	if n, ok := v.(interface{ Int64() (int64, error) }); ok {
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// MaxLabelLength is the longest Map Label AWS accepts.
const MaxLabelLength = 40

// labelForbidden lists the characters AWS rejects in a Map Label besides
// whitespace and control characters.
const labelForbidden = "<>{}[]?*\"#%\\^|~`$&,;:/"

// CheckLabel returns why a Map Label is invalid, or "".
func CheckLabel(label string) string {
	if label == "" {
		return "Label cannot be empty"
	}
	if n := utf8.RuneCountInString(label); n > MaxLabelLength {
		return sprintf("Label cannot exceed %d characters (it has %d)", MaxLabelLength, n)
	}
	for _, r := range label {
		if r <= 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0xa0 || r == utf8.RuneError ||
			strings.ContainsRune(labelForbidden, r) || isUnicodeSpace(r) {
			return sprintf("Label contains invalid character: %q", r)
		}
	}
	return ""
}

func isUnicodeSpace(r rune) bool {
	switch r {
	case 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0x180e, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200b
}

// distributedOnly are the Map fields that only a DISTRIBUTED processor uses.
var distributedOnly = []string{"ItemReader", "ItemBatcher", "ResultWriter", "ToleratedFailurePercentage",
	"ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath", "Label"}

func (b *builder) checkMap(s *State) {
	if s.ItemProcessor != nil && s.ProcessorMode != ModeDistributed {
		for _, f := range distributedOnly {
			if m := s.Node.Get(f); m != nil {
				b.add(CodeDistributedOnly, SeverityWarning, join(s.Pointer, f), m.KeyPos, s.Name, f,
					sprintf("'%s' only takes effect in a DISTRIBUTED Map; this Map's processor runs INLINE", f))
			}
		}
	}
	if m := s.Node.Get("Label"); m != nil && m.Value.Kind == KindString {
		if why := CheckLabel(m.Value.Text); why != "" {
			b.schema(join(s.Pointer, "Label"), m.Value.Pos, s.Name, "Label", "%s", why)
		}
	}
	pairs := func(field string, n *Node, fields ...string) {
		if n == nil || n.Kind != KindObject {
			return
		}
		for i := 0; i+1 < len(fields); i += 2 {
			if n.Get(fields[i]) != nil && n.Get(fields[i+1]) != nil {
				b.schema(join(join(s.Pointer, field), fields[i+1]), n.Get(fields[i+1]).KeyPos, s.Name, field+"."+fields[i+1],
					"The fields '%s' and '%s' are mutually exclusive", fields[i], fields[i+1])
			}
		}
	}
	if m := s.Node.Get("ItemBatcher"); m != nil {
		pairs("ItemBatcher", m.Value, "MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath")
	}
	if m := s.Node.Get("ItemReader"); m != nil && m.Value.Kind == KindObject {
		if rc := m.Value.Get("ReaderConfig"); rc != nil {
			pairs("ItemReader/ReaderConfig", rc.Value, "MaxItems", "MaxItemsPath")
		}
	}
}
