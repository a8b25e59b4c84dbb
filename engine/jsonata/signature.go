package jsonata

import (
	"regexp"
	"strings"
)

type sigParam struct {
	regex        string
	typ          string
	array        bool
	context      bool
	contextRegex *regexp.Regexp
	subtype      string
}

// signature is a parsed function signature such as "<s-nn?:s>".
type signature struct {
	definition string
	params     []*sigParam
	regex      *regexp.Regexp
}

var arraySignatureMapping = map[string]string{
	"a": "arrays", "b": "booleans", "f": "functions", "n": "numbers", "o": "objects", "s": "strings",
}

func parseSignature(sig string) (*signature, error) {
	var params []*sigParam
	param := &sigParam{}
	prev := param
	next := func() {
		params = append(params, param)
		prev = param
		param = &sigParam{}
	}
	findClosing := func(start int, open, close byte) int {
		depth := 1
		pos := start
		for pos < len(sig) {
			pos++
			if pos >= len(sig) {
				break
			}
			c := sig[pos]
			if c == close {
				depth--
				if depth == 0 {
					break
				}
			} else if c == open {
				depth++
			}
		}
		return pos
	}
	for pos := 1; pos < len(sig); pos++ {
		c := sig[pos]
		if c == ':' {
			break
		}
		switch c {
		case 's', 'n', 'b', 'l', 'o':
			param.regex = "[" + string(c) + "m]"
			param.typ = string(c)
			next()
		case 'a':
			param.regex = "[asnblfom]"
			param.typ = "a"
			param.array = true
			next()
		case 'f':
			param.regex = "f"
			param.typ = "f"
			next()
		case 'j':
			param.regex = "[asnblom]"
			param.typ = "j"
			next()
		case 'x':
			param.regex = "[asnblfom]"
			param.typ = "x"
			next()
		case '-':
			re, err := regexp.Compile("^" + prev.regex + "$")
			if err != nil || prev.regex == "" {
				return nil, &Error{Code: "S0401", Value: sig, Position: pos}
			}
			prev.context = true
			prev.contextRegex = re
			prev.regex += "?"
		case '?', '+':
			prev.regex += string(c)
		case '(':
			end := findClosing(pos, '(', ')')
			if end >= len(sig) {
				return nil, &Error{Code: "S0401", Value: sig, Position: pos}
			}
			choice := sig[pos+1 : end]
			if strings.Contains(choice, "<") {
				return nil, &Error{Code: "S0402", Value: choice, Position: pos}
			}
			param.regex = "[" + choice + "m]"
			param.typ = "(" + choice + ")"
			pos = end
			next()
		case '<':
			if prev.typ == "a" || prev.typ == "f" {
				end := findClosing(pos, '<', '>')
				if end >= len(sig) {
					return nil, &Error{Code: "S0401", Value: sig, Position: pos}
				}
				prev.subtype = sig[pos+1 : end]
				pos = end
			} else {
				return nil, &Error{Code: "S0401", Value: prev.typ, Position: pos}
			}
		}
	}
	var b strings.Builder
	b.WriteString("^")
	for _, p := range params {
		b.WriteString("(" + p.regex + ")")
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, &Error{Code: "S0401", Value: sig}
	}
	return &signature{definition: sig, params: params, regex: re}, nil
}

// validate checks args against the signature, fills in the context value for
// "-" parameters and wraps single values given for array parameters.
func (s *signature) validate(args []any, context any) ([]any, error) {
	sb := make([]byte, len(args))
	for i, a := range args {
		sb[i] = typeSymbol(a)
	}
	supplied := string(sb)
	m := s.regex.FindStringSubmatch(supplied)
	if m == nil {
		return nil, s.validationError(args, supplied)
	}
	validated := make([]any, 0, len(s.params))
	argIndex := 0
	for i, p := range s.params {
		var arg any
		if argIndex < len(args) {
			arg = args[argIndex]
		}
		match := m[i+1]
		if match == "" {
			if p.context && p.contextRegex != nil {
				ct := string(typeSymbol(context))
				if p.contextRegex.MatchString(ct) {
					validated = append(validated, context)
				} else {
					return nil, &Error{Code: "T0411", Value: context, Index: argIndex + 1}
				}
			} else {
				validated = append(validated, arg)
				argIndex++
			}
			continue
		}
		for j := 0; j < len(match); j++ {
			single := match[j]
			if p.typ == "a" {
				if single == 'm' {
					arg = nil
				} else {
					arg = args[argIndex]
					ok := true
					if p.subtype != "" {
						if single != 'a' && match != p.subtype {
							ok = false
						} else if single == 'a' {
							arr := arg.(*seq)
							if len(arr.items) > 0 {
								it := typeSymbol(arr.items[0])
								if it != p.subtype[0] {
									ok = false
								} else {
									for _, e := range arr.items {
										if typeSymbol(e) != it {
											ok = false
											break
										}
									}
								}
							}
						}
					}
					if !ok {
						return nil, &Error{Code: "T0412", Value: arg, Index: argIndex + 1, Type: arraySignatureMapping[p.subtype]}
					}
					if single != 'a' {
						arg = newArr([]any{arg})
					}
				}
				validated = append(validated, arg)
				argIndex++
			} else {
				if argIndex < len(args) {
					validated = append(validated, args[argIndex])
				} else {
					validated = append(validated, nil)
				}
				argIndex++
			}
		}
	}
	return validated, nil
}

func (s *signature) validationError(args []any, supplied string) error {
	partial := "^"
	goodTo := 0
	for _, p := range s.params {
		partial += p.regex
		re, err := regexp.Compile(partial)
		if err != nil {
			break
		}
		loc := re.FindStringIndex(supplied)
		if loc == nil {
			var v any
			if goodTo < len(args) {
				v = args[goodTo]
			}
			return &Error{Code: "T0410", Value: v, Index: goodTo + 1}
		}
		goodTo = loc[1]
	}
	var v any
	if goodTo < len(args) {
		v = args[goodTo]
	}
	return &Error{Code: "T0410", Value: v, Index: goodTo + 1}
}
