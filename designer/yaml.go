package designer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"stepwise/engine/jsonv"
)

// Formats of an imported or exported definition.
const (
	FormatJSON = "json"
	FormatYAML = "yaml"
)

// maxYAMLDepth bounds nesting (and alias expansion) of imported YAML.
const maxYAMLDepth = 128

// maxYAMLNodes bounds the values an imported YAML document may expand to,
// so aliases cannot blow up memory ("billion laughs").
const maxYAMLNodes = 1 << 20

// DetectFormat guesses whether data is JSON or YAML: JSON starts with '{'
// (after white space and a byte order mark); anything else is YAML.
func DetectFormat(data []byte) string {
	t := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(t) > 0 && t[0] == '{' {
		return FormatJSON
	}
	return FormatYAML
}

// ImportDefinition reads an ASL definition as JSON or YAML (format "" to
// detect it) and returns it as compact JSON in the source's key order.
// CloudFormation `${...}` substitutions are ordinary strings and stay as
// they are.
func ImportDefinition(data []byte, format string) ([]byte, error) {
	v, err := DecodeDefinition(data, format)
	if err != nil {
		return nil, err
	}
	return jsonv.Marshal(v), nil
}

// DecodeDefinition is ImportDefinition returning the jsonv object.
func DecodeDefinition(data []byte, format string) (*jsonv.Object, error) {
	if format == "" {
		format = DetectFormat(data)
	}
	var v any
	switch format {
	case FormatJSON:
		var err error
		if v, err = jsonv.Decode(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))); err != nil {
			return nil, fmt.Errorf("designer: import: the definition is not valid JSON: %w", err)
		}
	case FormatYAML:
		var err error
		if v, err = DecodeYAML(data); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("designer: import: unknown format %q (json or yaml)", format)
	}
	o, ok := v.(*jsonv.Object)
	if !ok {
		return nil, fmt.Errorf("designer: import: the definition must be an object, not %s", jsonv.TypeName(v))
	}
	return o, nil
}

// DecodeYAML reads one YAML document as a jsonv value, keeping key order.
// Anchors and aliases are expanded; tags other than the core schema's are
// refused, naming the line.
func DecodeYAML(data []byte) (any, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("designer: import: the definition is not valid YAML: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("designer: import: line %d: the YAML holds more than one document", extra.Line)
	}
	c := yamlConv{}
	return c.value(&doc, 0)
}

type yamlConv struct{ nodes int }

func (c *yamlConv) value(n *yaml.Node, depth int) (any, error) {
	c.nodes++
	if depth > maxYAMLDepth {
		return nil, fmt.Errorf("designer: import: line %d: YAML nested more than %d levels", n.Line, maxYAMLDepth)
	}
	if c.nodes > maxYAMLNodes {
		return nil, fmt.Errorf("designer: import: line %d: the YAML expands to more than %d values", n.Line, maxYAMLNodes)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, fmt.Errorf("designer: import: the YAML document is empty")
		}
		return c.value(n.Content[0], depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, fmt.Errorf("designer: import: line %d: unknown alias", n.Line)
		}
		return c.value(n.Alias, depth+1)
	case yaml.MappingNode:
		o := jsonv.NewObject(len(n.Content) / 2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				if err := c.merge(o, v, depth); err != nil {
					return nil, err
				}
				continue
			}
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("designer: import: line %d: a key must be a plain value", k.Line)
			}
			val, err := c.value(v, depth+1)
			if err != nil {
				return nil, err
			}
			o.Set(k.Value, val)
		}
		return o, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := c.value(e, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil, fmt.Errorf("designer: import: line %d: unsupported YAML node", n.Line)
}

// merge applies a `<<` merge key: keys already present win.
func (c *yamlConv) merge(o *jsonv.Object, v *yaml.Node, depth int) error {
	srcs := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		srcs = v.Content
	}
	for _, s := range srcs {
		mv, err := c.value(s, depth+1)
		if err != nil {
			return err
		}
		mo, ok := mv.(*jsonv.Object)
		if !ok {
			return fmt.Errorf("designer: import: line %d: a merge key needs a mapping", s.Line)
		}
		for _, m := range mo.Members() {
			if !o.Has(m.Key) {
				o.Set(m.Key, m.Value)
			}
		}
	}
	return nil
}

func scalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!str", "!!binary", "!!timestamp":
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, fmt.Errorf("designer: import: line %d: %w", n.Line, err)
		}
		return b, nil
	case "!!int":
		if isJSONNumber(n.Value) {
			return json.Number(n.Value), nil
		}
		var i int64
		if err := n.Decode(&i); err != nil {
			var u uint64
			if uerr := n.Decode(&u); uerr != nil {
				return nil, fmt.Errorf("designer: import: line %d: %w", n.Line, err)
			}
			return json.Number(strconv.FormatUint(u, 10)), nil
		}
		return json.Number(strconv.FormatInt(i, 10)), nil
	case "!!float":
		if isJSONNumber(n.Value) {
			return json.Number(n.Value), nil
		}
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, fmt.Errorf("designer: import: line %d: %w", n.Line, err)
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("designer: import: line %d: %s is not a JSON number", n.Line, n.Value)
		}
		return jsonv.FloatNumber(f), nil
	}
	return nil, fmt.Errorf("designer: import: line %d: the YAML tag %s has no JSON equivalent (CloudFormation short forms such as !Sub belong outside the definition)", n.Line, n.Tag)
}

// isJSONNumber reports whether s is a number as JSON writes it.
func isJSONNumber(s string) bool {
	v, err := jsonv.DecodeString(s)
	if err != nil {
		return false
	}
	_, ok := v.(json.Number)
	return ok
}

// EncodeYAML writes a jsonv value as block-style YAML with two-space
// indentation, in the value's key order. Strings that YAML would read as
// another type are quoted, so DecodeYAML gives the value back.
func EncodeYAML(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(yamlNode(v)); err != nil {
		return nil, fmt.Errorf("designer: export YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("designer: export YAML: %w", err)
	}
	return buf.Bytes(), nil
}

func yamlNode(v any) *yaml.Node {
	switch x := v.(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(x)}
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(x), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(x)}
	case string:
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: x}
		if strings.Contains(x, "\n") {
			n.Style = yaml.LiteralStyle
		}
		if !yamlSafeString(x) {
			n.Style = yaml.DoubleQuotedStyle
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		width, flow := 0, len(x) > 0
		for _, e := range x {
			c := yamlNode(e)
			n.Content = append(n.Content, c)
			width += len(c.Value) + 2
			if c.Kind != yaml.ScalarNode || c.Style != 0 || strings.ContainsAny(c.Value, ",[]{}#&*!|>'\"%@`:") {
				flow = false
			}
		}
		// Short lists of plain words (ErrorEquals) read best on one line.
		if flow && width <= 60 {
			n.Style = yaml.FlowStyle
		}
		return n
	case *jsonv.Object:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, m := range x.Members() {
			n.Content = append(n.Content, yamlNode(m.Key), yamlNode(m.Value))
		}
		return n
	}
	return yamlNode(jsonv.FromGo(v))
}

// yamlSafeString reports whether the encoder can write s in its own style
// and read the same string back: control characters, tabs, trailing
// spaces in literal blocks and invalid UTF-8 are double-quoted instead.
func yamlSafeString(s string) bool {
	if !strings.Contains(s, "\n") {
		return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f || r == 0xfffd })
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f || r == 0xfffd }) {
		return false
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.HasSuffix(line, " ") || strings.HasPrefix(line, " ") {
			return false
		}
	}
	return !strings.HasSuffix(s, "\n") && !strings.HasPrefix(s, "\n")
}

// ExportDefinition writes the document's ASL as JSON (indented, as the
// code view shows it) or YAML.
func (d *Document) ExportDefinition(format string) ([]byte, error) {
	switch format {
	case FormatJSON:
		return append([]byte(d.Text()), '\n'), nil
	case FormatYAML:
		return EncodeYAML(d.root)
	}
	return nil, fmt.Errorf("designer: export: unknown format %q (json or yaml)", format)
}
