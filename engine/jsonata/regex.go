package jsonata

import (
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// regexLit is a compiled regular expression literal.
type regexLit struct {
	source string
	flags  string
	re     *regexp.Regexp
}

// matcher is the function value a regex literal evaluates to.
type matcher struct {
	re *regexLit
}

// compileJSRegex translates a JavaScript regular expression to Go's RE2
// syntax where they differ (\uXXXX escapes, \d/\w are ASCII in both, "$" and
// "^" follow the m flag) and compiles it.
func compileJSRegex(pattern, flags string) (*regexLit, error) {
	var b strings.Builder
	prefix := ""
	if strings.Contains(flags, "i") {
		prefix += "i"
	}
	if strings.Contains(flags, "m") {
		prefix += "m"
	}
	if prefix != "" {
		b.WriteString("(?" + prefix + ")")
	}
	inClass := false
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern):
			n := pattern[i+1]
			switch {
			case n == 'u' && i+5 < len(pattern)+0 && isHex4(pattern[i+2:min(i+6, len(pattern))]):
				b.WriteString(`\x{` + pattern[i+2:i+6] + `}`)
				i += 5
			case n == '/':
				b.WriteByte('/')
				i++
			case n == 's' || n == 'S' && !inClass:
				// JavaScript's \s also matches \v and the Unicode spaces
				if n == 's' && inClass {
					b.WriteString(jsSpaces)
				} else if n == 's' {
					b.WriteString("[" + jsSpaces + "]")
				} else {
					b.WriteString("[^" + jsSpaces + "]")
				}
				i++
			case n == 'd' || n == 'D' || n == 'w' || n == 'W' || n == 'S' || n == 'b' || n == 'B':
				b.WriteByte('\\')
				b.WriteByte(n)
				i++
			case n >= '1' && n <= '9' && !inClass:
				// back-references are not supported by RE2
				return nil, errv("S0303", pattern)
			default:
				b.WriteByte('\\')
				b.WriteByte(n)
				i++
			}
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
			if i+1 < len(pattern) && pattern[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(pattern) && pattern[i+1] == ']' {
				// "[]" matches nothing in JS; "[^]" matches anything
				b.WriteString(`\x{0}-\x{10FFFF}`)
			}
		case c == ']' && inClass:
			inClass = false
			b.WriteByte(c)
		case c == '(' && !inClass && strings.HasPrefix(pattern[i:], "(?<") && !strings.HasPrefix(pattern[i:], "(?<=") && !strings.HasPrefix(pattern[i:], "(?<!"):
			b.WriteString("(?P<")
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, err
	}
	return &regexLit{source: pattern, flags: flags, re: re}, nil
}

// jsSpaces is the class body of JavaScript's \s.
const jsSpaces = `\t\n\x{0B}\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}`

func isHex4(s string) bool {
	if len(s) != 4 {
		return false
	}
	for i := 0; i < 4; i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// utf16Index converts a byte offset in s to a UTF-16 code unit offset.
func utf16Index(s string, byteOff int) int {
	n := 0
	for i := 0; i < byteOff && i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		n += utf16.RuneLen(r)
		if utf16.RuneLen(r) < 0 {
			n += 2
		}
		i += size
	}
	return n
}

// exec returns jsonata's match object {match, start, end, groups, next} for
// the first match, or undefined.
func (m *matcher) exec(s string, _ int) (any, error) {
	all := m.re.re.FindAllStringSubmatchIndex(s, -1)
	if len(all) == 0 {
		return nil, nil
	}
	return m.matchObject(s, all, 0), nil
}

func (m *matcher) matchObject(s string, all [][]int, idx int) *object {
	loc := all[idx]
	o := newObject(5)
	o.set("match", s[loc[0]:loc[1]])
	o.set("start", float64(utf16Index(s, loc[0])))
	o.set("end", float64(utf16Index(s, loc[1])))
	groups := newArr(nil)
	for g := 1; g*2 < len(loc); g++ {
		if loc[2*g] < 0 {
			groups.items = append(groups.items, nil)
		} else {
			groups.items = append(groups.items, s[loc[2*g]:loc[2*g+1]])
		}
	}
	o.set("groups", groups)
	o.set("next", &builtin{name: "next", impl: func(e *evaluator, c *call, args []any) (any, error) {
		if loc[1] >= len(s) {
			return nil, nil
		}
		if loc[0] == loc[1] || idx+1 < len(all) && all[idx+1][0] == all[idx+1][1] {
			return nil, &Error{Code: "D1004", Value: m.re.source}
		}
		if idx+1 >= len(all) {
			return nil, nil
		}
		return m.matchObject(s, all, idx+1), nil
	}})
	return o
}
