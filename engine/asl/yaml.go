package asl

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxYAMLNodes bounds alias expansion ("billion laughs").
const maxYAMLNodes = 200_000

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

func parseYAMLSource(data []byte) (src *Source, diags Diagnostics) {
	src = &Source{Format: "yaml", Size: len(data)}
	defer func() {
		// The YAML library has panicked on hostile input in the past; a
		// definition must never take the process down.
		if r := recover(); r != nil {
			src.Root = nil
			diags = Diagnostics{{Code: CodeInvalidJSONDescription, Severity: SeverityError,
				Message: "invalid YAML: " + sprintf("%v", r), Path: "/", Line: 1, Column: 1}}
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 1
		if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		return src, Diagnostics{{Code: CodeInvalidJSONDescription, Severity: SeverityError,
			Message: "invalid YAML: " + msg, Path: "/", Line: line, Column: 1}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return src, Diagnostics{{Code: CodeSchemaValidationFailed, Severity: SeverityError,
			Message: "Definition must be a valid JSON object", Path: "/", Line: 1, Column: 1}}
	}
	c := yamlConverter{lineOffsets: lineOffsets(data)}
	root, err := c.convert(doc.Content[0], 0)
	if err != nil {
		return src, Diagnostics{*err}
	}
	src.Root = root
	return src, nil
}

func lineOffsets(data []byte) []int {
	offs := []int{0}
	for i, c := range data {
		if c == '\n' {
			offs = append(offs, i+1)
		}
	}
	return offs
}

type yamlConverter struct {
	lineOffsets []int
	nodes       int
}

func (c *yamlConverter) pos(n *yaml.Node) Pos {
	p := Pos{Line: n.Line, Column: n.Column}
	if n.Line >= 1 && n.Line <= len(c.lineOffsets) {
		// yaml counts columns in characters; the offset is approximate for
		// non-ASCII lines, which only matters to editors.
		p.Offset = c.lineOffsets[n.Line-1] + max(n.Column-1, 0)
	}
	return p
}

func (c *yamlConverter) fail(n *yaml.Node, msg string) *Diagnostic {
	p := c.pos(n)
	return &Diagnostic{Code: CodeInvalidJSONDescription, Severity: SeverityError,
		Message: "invalid YAML: " + msg, Path: "/", Line: p.Line, Column: p.Column}
}

func (c *yamlConverter) convert(n *yaml.Node, depth int) (*Node, *Diagnostic) {
	c.nodes++
	if c.nodes > maxYAMLNodes {
		return nil, c.fail(n, "document too large after expanding aliases")
	}
	if depth > maxNesting {
		return nil, c.fail(n, sprintf("nesting deeper than %d levels", maxNesting))
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return &Node{Kind: KindNull, Pos: c.pos(n)}, nil
		}
		return c.convert(n.Content[0], depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, c.fail(n, "unknown alias")
		}
		return c.convert(n.Alias, depth+1)
	case yaml.MappingNode:
		out := &Node{Kind: KindObject, Pos: c.pos(n)}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, c.fail(k, "mapping keys must be strings")
			}
			val, err := c.convert(v, depth+1)
			if err != nil {
				return nil, err
			}
			out.Members = append(out.Members, &Member{Key: k.Value, KeyPos: c.pos(k), Value: val})
		}
		return out, nil
	case yaml.SequenceNode:
		out := &Node{Kind: KindArray, Pos: c.pos(n)}
		for _, e := range n.Content {
			v, err := c.convert(e, depth+1)
			if err != nil {
				return nil, err
			}
			out.Elems = append(out.Elems, v)
		}
		return out, nil
	case yaml.ScalarNode:
		return c.scalar(n)
	}
	return nil, c.fail(n, "unsupported YAML node")
}

func (c *yamlConverter) scalar(n *yaml.Node) (*Node, *Diagnostic) {
	p := c.pos(n)
	switch n.ShortTag() {
	case "!!null":
		return &Node{Kind: KindNull, Pos: p}, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, c.fail(n, err.Error())
		}
		return &Node{Kind: KindBool, Pos: p, Bool: b}, nil
	case "!!int", "!!float":
		text, err := yamlNumber(n.Value)
		if err != nil {
			return nil, c.fail(n, err.Error())
		}
		return &Node{Kind: KindNumber, Pos: p, Text: text}, nil
	default:
		return &Node{Kind: KindString, Pos: p, Text: n.Value}, nil
	}
}

var jsonNumberRe = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// yamlNumber turns a YAML number literal into JSON number text, keeping the
// text when it already is one so exact values survive.
func yamlNumber(s string) (string, error) {
	t := strings.ReplaceAll(s, "_", "")
	t = strings.TrimPrefix(t, "+")
	if jsonNumberRe.MatchString(t) {
		return t, nil
	}
	if i, err := strconv.ParseInt(t, 0, 64); err == nil {
		return strconv.FormatInt(i, 10), nil
	}
	if strings.HasPrefix(t, "0o") || strings.HasPrefix(t, "-0o") {
		if i, err := strconv.ParseInt(strings.Replace(t, "0o", "0", 1), 8, 64); err == nil {
			return strconv.FormatInt(i, 10), nil
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", errors.New("number " + strconv.Quote(s) + " has no JSON equivalent")
	}
	return strconv.FormatFloat(f, 'g', -1, 64), nil
}
