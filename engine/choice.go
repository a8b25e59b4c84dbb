package engine

import (
	"encoding/json"
	"strings"
	"time"

	"stepwise/engine/asl"
	"stepwise/engine/asl/jsonpath"
	"stepwise/engine/asl/payload"
	"stepwise/engine/jsonv"
)

// choiceProg is a compiled Choice rule.
type choiceProg struct {
	variable *jsonpath.Path
	op       string // operator without the "Path" suffix
	isPath   bool
	operand  any
	opPath   *jsonpath.Path
	opTime   time.Time
	opTimeOK bool
	and, or  []*choiceProg
	not      *choiceProg
	next     *stateProg
	assign   *payload.Template
}

func compileChoice(s *asl.State, r *asl.ChoiceRule) (*choiceProg, error) {
	cp := &choiceProg{}
	switch {
	case len(r.And) > 0:
		for _, c := range r.And {
			sub, err := compileChoice(s, c)
			if err != nil {
				return nil, err
			}
			cp.and = append(cp.and, sub)
		}
		return cp, nil
	case len(r.Or) > 0:
		for _, c := range r.Or {
			sub, err := compileChoice(s, c)
			if err != nil {
				return nil, err
			}
			cp.or = append(cp.or, sub)
		}
		return cp, nil
	case r.Not != nil:
		sub, err := compileChoice(s, r.Not)
		if err != nil {
			return nil, err
		}
		cp.not = sub
		return cp, nil
	}
	var err error
	if cp.variable, err = jsonpath.Parse(r.Variable); err != nil {
		return nil, compileError(s, "Choices.Variable", err)
	}
	cp.op = r.Operator
	if r.IsPathOperator() {
		cp.isPath = true
		cp.op = strings.TrimSuffix(r.Operator, "Path")
		str, _ := r.Operand.(string)
		if cp.opPath, err = jsonpath.Parse(str); err != nil {
			return nil, compileError(s, "Choices."+r.Operator, err)
		}
		return cp, nil
	}
	cp.operand = r.Operand
	if strings.HasPrefix(cp.op, "Timestamp") {
		if str, ok := r.Operand.(string); ok {
			if t, err := parseTimestamp(str); err == nil {
				cp.opTime, cp.opTimeOK = t, true
			}
		}
	}
	return cp, nil
}

// eval evaluates the rule against the input. A type mismatch between the
// variable and the operand is "no match", as in AWS.
func (c *choiceProg) eval(input any, get func(*jsonpath.Path, any) (any, bool)) bool {
	switch {
	case c.and != nil:
		for _, r := range c.and {
			if !r.eval(input, get) {
				return false
			}
		}
		return true
	case c.or != nil:
		for _, r := range c.or {
			if r.eval(input, get) {
				return true
			}
		}
		return false
	case c.not != nil:
		return !c.not.eval(input, get)
	}
	v, present := get(c.variable, input)
	if c.op == "IsPresent" {
		b, _ := c.operand.(bool)
		return present == b
	}
	if !present {
		return false
	}
	if strings.HasPrefix(c.op, "Is") {
		b, _ := c.operand.(bool)
		var is bool
		switch c.op {
		case "IsNull":
			is = v == nil
		case "IsBoolean":
			_, is = v.(bool)
		case "IsNumeric":
			_, is = v.(json.Number)
		case "IsString":
			_, is = v.(string)
		case "IsTimestamp":
			if s, ok := v.(string); ok {
				_, err := parseTimestamp(s)
				is = err == nil
			}
		}
		return is == b
	}
	operand := c.operand
	opTime, opTimeOK := c.opTime, c.opTimeOK
	if c.isPath {
		var ok bool
		operand, ok = get(c.opPath, input)
		if !ok {
			return false
		}
		if s, isStr := operand.(string); isStr && strings.HasPrefix(c.op, "Timestamp") {
			t, err := parseTimestamp(s)
			opTime, opTimeOK = t, err == nil
		}
	}
	switch {
	case strings.HasPrefix(c.op, "String"):
		a, ok1 := v.(string)
		b, ok2 := operand.(string)
		if !ok1 || !ok2 {
			return false
		}
		if c.op == "StringMatches" {
			return stringMatches(a, b)
		}
		return compareOp(c.op[len("String"):], strings.Compare(a, b))
	case strings.HasPrefix(c.op, "Numeric"):
		a, ok1 := v.(json.Number)
		b, ok2 := operand.(json.Number)
		if !ok1 || !ok2 {
			return false
		}
		return compareOp(c.op[len("Numeric"):], compareNumbers(a, b))
	case c.op == "BooleanEquals":
		a, ok1 := v.(bool)
		b, ok2 := operand.(bool)
		return ok1 && ok2 && a == b
	case strings.HasPrefix(c.op, "Timestamp"):
		s, ok := v.(string)
		if !ok || !opTimeOK {
			return false
		}
		t, err := parseTimestamp(s)
		if err != nil {
			return false
		}
		return compareOp(c.op[len("Timestamp"):], t.Compare(opTime))
	}
	return false
}

func compareOp(op string, cmp int) bool {
	switch op {
	case "Equals":
		return cmp == 0
	case "LessThan":
		return cmp < 0
	case "GreaterThan":
		return cmp > 0
	case "LessThanEquals":
		return cmp <= 0
	case "GreaterThanEquals":
		return cmp >= 0
	}
	return false
}

// stringMatches implements StringMatches: "*" matches any run of characters,
// "\*" a literal star and "\\" a backslash.
func stringMatches(s, pattern string) bool {
	type tok struct {
		star bool
		c    rune
	}
	var toks []tok
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		switch {
		case rs[i] == '\\' && i+1 < len(rs):
			i++
			toks = append(toks, tok{c: rs[i]})
		case rs[i] == '*':
			toks = append(toks, tok{star: true})
		default:
			toks = append(toks, tok{c: rs[i]})
		}
	}
	str := []rune(s)
	// Classic wildcard matching with backtracking on the last star.
	si, ti, starTi, starSi := 0, 0, -1, 0
	for si < len(str) {
		switch {
		case ti < len(toks) && !toks[ti].star && toks[ti].c == str[si]:
			si++
			ti++
		case ti < len(toks) && toks[ti].star:
			starTi, starSi = ti, si
			ti++
		case starTi >= 0:
			starSi++
			si = starSi
			ti = starTi + 1
		default:
			return false
		}
	}
	for ti < len(toks) && toks[ti].star {
		ti++
	}
	return ti == len(toks)
}

// compareNumbers compares two JSON numbers exactly, with a fast path for
// integers that fit in 64 bits (the common case in loops and counters).
func compareNumbers(a, b json.Number) int {
	if x, ok := smallInt(string(a)); ok {
		if y, ok := smallInt(string(b)); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	return jsonv.CompareNumbers(a, b)
}

// smallInt parses a plain integer of at most 18 digits without allocating.
func smallInt(s string) (int64, bool) {
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
