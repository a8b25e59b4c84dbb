package jsonata

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
)

type tokKind int

const (
	tkOperator tokKind = iota + 1
	tkString
	tkNumber
	tkValue
	tkName
	tkVariable
	tkRegex
)

type token struct {
	kind  tokKind
	value any // string for operator/name/variable/string, float64, bool or nullT, *regexLit
	pos   int
}

// operators maps each operator symbol to its binding power.
var operators = map[string]int{
	".": 75, "[": 80, "]": 0, "{": 70, "}": 0, "(": 80, ")": 0, ",": 0, "@": 80, "#": 80,
	";": 80, ":": 80, "?": 20, "+": 50, "-": 50, "*": 60, "/": 60, "%": 60, "|": 20,
	"=": 40, "<": 40, ">": 40, "^": 40, "**": 60, "..": 20, ":=": 10, "!=": 40, "<=": 40,
	">=": 40, "~>": 40, "and": 30, "or": 25, "in": 40, "&": 50, "!": 0, "~": 0,
	"??": 40, "?:": 40,
}

type lexer struct {
	src []byte
	pos int
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' }

func isOpChar(c byte) bool {
	switch c {
	case '.', '[', ']', '{', '}', '(', ')', ',', '@', '#', ';', ':', '?', '+', '-', '*', '/',
		'%', '|', '=', '<', '>', '^', '&', '!', '~':
		return true
	}
	return false
}

func (l *lexer) tok(kind tokKind, v any) (token, bool, error) {
	return token{kind: kind, value: v, pos: l.pos}, true, nil
}

// next returns the next token, or nil at the end. prefix is true when an
// operator is expected (so '/' is division, not a regex).
func (l *lexer) next(prefix bool) (token, bool, error) {
	src := l.src
	n := len(src)
	for {
		for l.pos < n && isSpace(src[l.pos]) {
			l.pos++
		}
		if l.pos+1 < n && src[l.pos] == '/' && src[l.pos+1] == '*' {
			start := l.pos
			end := strings.Index(string(src[l.pos+2:]), "*/")
			if end < 0 {
				return token{}, false, errTok("S0106", start, "")
			}
			l.pos += 2 + end + 2
			continue
		}
		break
	}
	if l.pos >= n {
		return token{}, false, nil
	}
	c := src[l.pos]
	if !prefix && c == '/' {
		l.pos++
		return l.scanRegex()
	}
	if l.pos+1 < n {
		two := string(src[l.pos : l.pos+2])
		switch two {
		case "..", ":=", "!=", ">=", "<=", "**", "~>", "??", "?:":
			l.pos += 2
			return l.tok(tkOperator, two)
		}
	}
	if isOpChar(c) {
		l.pos++
		return l.tok(tkOperator, string(c))
	}
	if c == '"' || c == '\'' {
		return l.scanString(c)
	}
	if m := matchNumber(src[l.pos:]); m > 0 {
		text := string(src[l.pos : l.pos+m])
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return token{}, false, errTok("S0102", l.pos, text)
		}
		l.pos += m
		return l.tok(tkNumber, f)
	}
	if c == '`' {
		l.pos++
		end := strings.IndexByte(string(src[l.pos:]), '`')
		if end < 0 {
			l.pos = n
			return token{}, false, errTok("S0105", n, "")
		}
		name := string(src[l.pos : l.pos+end])
		l.pos += end + 1
		return l.tok(tkName, name)
	}
	i := l.pos
	for i < n && !isSpace(src[i]) && !isOpChar(src[i]) {
		i++
	}
	if c == '$' {
		name := string(src[l.pos+1 : i])
		l.pos = i
		return l.tok(tkVariable, name)
	}
	name := string(src[l.pos:i])
	l.pos = i
	switch name {
	case "or", "in", "and":
		return l.tok(tkOperator, name)
	case "true":
		return l.tok(tkValue, true)
	case "false":
		return l.tok(tkValue, false)
	case "null":
		return l.tok(tkValue, null)
	}
	if name == "" {
		return token{}, false, nil
	}
	return l.tok(tkName, name)
}

// matchNumber matches -?(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)? and
// returns its length (0 when no match).
func matchNumber(b []byte) int {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i >= len(b) || b[i] < '0' || b[i] > '9' {
		return 0
	}
	if b[i] == '0' {
		i++
	} else {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i+1 < len(b) && b[i] == '.' && b[i+1] >= '0' && b[i+1] <= '9' {
		i++
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		j := i + 1
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if j < len(b) && b[j] >= '0' && b[j] <= '9' {
			for j < len(b) && b[j] >= '0' && b[j] <= '9' {
				j++
			}
			i = j
		}
	}
	return i
}

func (l *lexer) scanString(quote byte) (token, bool, error) {
	src := l.src
	l.pos++
	var b strings.Builder
	for l.pos < len(src) {
		c := src[l.pos]
		switch c {
		case '\\':
			l.pos++
			if l.pos >= len(src) {
				return token{}, false, errTok("S0101", l.pos, "")
			}
			c = src[l.pos]
			switch c {
			case '"', '\\', '/':
				b.WriteByte(c)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := hex4(src, l.pos+1)
				if !ok {
					return token{}, false, errTok("S0104", l.pos, "")
				}
				l.pos += 4
				if utf16.IsSurrogate(r) && r < 0xDC00 && l.pos+6 < len(src) && src[l.pos+1] == '\\' && src[l.pos+2] == 'u' {
					if r2, ok := hex4(src, l.pos+3); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
						r = utf16.DecodeRune(r, r2)
						l.pos += 6
					}
				}
				b.WriteRune(r)
			default:
				return token{}, false, errTok("S0103", l.pos, string(c))
			}
		case quote:
			l.pos++
			return l.tok(tkString, b.String())
		default:
			b.WriteByte(c)
		}
		l.pos++
	}
	return token{}, false, errTok("S0101", l.pos, "")
}

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[at:at+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}

func (l *lexer) scanRegex() (token, bool, error) {
	src := l.src
	start := l.pos
	depth := 0
	for l.pos < len(src) {
		c := src[l.pos]
		if c == '/' && depth == 0 {
			bs := 0
			for l.pos-(bs+1) >= 0 && src[l.pos-(bs+1)] == '\\' {
				bs++
			}
			if bs%2 == 0 {
				pattern := string(src[start:l.pos])
				if pattern == "" {
					return token{}, false, errTok("S0301", l.pos, "")
				}
				l.pos++
				fstart := l.pos
				for l.pos < len(src) && (src[l.pos] == 'i' || src[l.pos] == 'm') {
					l.pos++
				}
				flags := string(src[fstart:l.pos])
				re, err := compileJSRegex(pattern, flags)
				if err != nil {
					return token{}, false, &Error{Code: "S0303", Position: start, Value: pattern}
				}
				return l.tok(tkRegex, re)
			}
		}
		prev := byte(0)
		if l.pos > 0 {
			prev = src[l.pos-1]
		}
		if (c == '(' || c == '[' || c == '{') && prev != '\\' {
			depth++
		}
		if (c == ')' || c == ']' || c == '}') && prev != '\\' {
			depth--
		}
		l.pos++
	}
	return token{}, false, errTok("S0302", l.pos, "")
}
