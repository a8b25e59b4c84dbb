package server

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Deltas of draft views for the designer's socket (designer_socket.go): an
// answer is sent as what changed since the last view sent on that socket.
// The page rebuilds the view (expandView in static/src/designer/designer.ts).

// sentView is a draft view as the socket last sent it, split once: its
// top-level fields, and the items of its diagnostics and of each of its
// graph's arrays (by "graph/<name>").
type sentView struct {
	fields map[string][]byte
	arrays map[string][][]byte
	asl    *string // the ASL text, unquoted when first needed
}

// shrinkView returns a draft view (an edit's answer) as a delta against
// prev, the last view sent on the socket, and the view to remember.
// A 500-state draft's view is some 200 KB (the ASL, the graph, the
// diagnostics); an edit changes a few lines of it, and moving 200 KB
// through the browser's network process and JSON parser cost more than the
// edit. The delta is under "$delta": fields equal to prev's are named in
// "same"; the ASL text is a splice ("p" UTF-16 units kept from the start,
// "s" from the end, "t" between them); the diagnostics and each of the
// graph's arrays, when their length did not change, are their changed items
// ("n" length, "i" indexes, "v" items). A body that is not a view (no
// "version") passes unchanged and is not remembered. The views are our own
// JSON, split by a scanner rather than decoded (decoding them took longer
// than the edit).
func shrinkView(prev *sentView, body []byte) ([]byte, *sentView) {
	fields, ok := splitObject(body)
	if !ok || fields["version"] == nil {
		return body, nil
	}
	cur := &sentView{fields: fields, arrays: map[string][][]byte{}}
	if prev == nil {
		return body, cur
	}
	// A layout-only answer ("sameAsl") has no ASL, graph or diagnostics
	// (null or left out): the page keeps its own, and so does the
	// remembered view.
	sameASL := string(fields["sameAsl"]) == "true"
	for _, k := range []string{"asl", "graph", "diagnostics"} {
		if _, ok := fields[k]; (!ok || sameASL) && prev.fields[k] != nil {
			fields[k] = prev.fields[k]
			if k == "asl" {
				cur.asl = prev.asl
			}
			for ak, av := range prev.arrays {
				if ak == k || strings.HasPrefix(ak, k+"/") {
					cur.arrays[ak] = av
				}
			}
		}
	}
	out := make([]byte, 0, 4096)
	out = append(out, '{')
	member := func(k string, v []byte) {
		if len(out) > 1 {
			out = append(out, ',')
		}
		q, _ := json.Marshal(k) // a JSON string, whatever the key holds
		out = append(out, q...)
		out = append(out, ':')
		out = append(out, v...)
	}
	delta := map[string]any{}
	var same []string
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := fields[k]
		p, ok := prev.fields[k]
		switch {
		case !ok || len(v) < 64 || string(p) == "null":
			member(k, v)
		case bytes.Equal(p, v):
			same = append(same, k)
		case k == "asl":
			a, errA := prev.text()
			b, errB := cur.text()
			if errA != nil || errB != nil {
				member(k, v)
				continue
			}
			ps, ss, mid := splice(a, b)
			delta[k] = map[string]any{"p": ps, "s": ss, "t": mid}
		case k == "diagnostics":
			if d, ok := arrayDelta(prev.items(k, p), cur.items(k, v)); ok {
				delta[k] = d
			} else {
				member(k, v)
			}
		case k == "graph":
			cg, ok := splitObject(v)
			if !ok {
				member(k, v)
				continue
			}
			var pg map[string][]byte // prev's graph, split only if an array of it is not remembered
			g := map[string]any{}
			for gk, gv := range cg {
				ak := "graph/" + gk
				if _, remembered := prev.arrays[ak]; !remembered && pg == nil {
					pg, _ = splitObject(p)
				}
				if d, ok := arrayDelta(prev.items(ak, pg[gk]), cur.items(ak, gv)); ok {
					g[gk] = d
				} else {
					g[gk] = json.RawMessage(gv)
				}
			}
			delta[k] = g
		default:
			member(k, v)
		}
	}
	slices.Sort(same)
	delta["same"] = same
	d, err := json.Marshal(delta)
	if err != nil {
		return body, cur
	}
	member("$delta", d)
	return append(out, '}'), cur
}

// text returns the view's ASL text, unquoted once.
func (v *sentView) text() (string, error) {
	if v.asl == nil {
		var s string
		if err := json.Unmarshal(v.fields["asl"], &s); err != nil {
			return "", err
		}
		v.asl = &s
	}
	return *v.asl, nil
}

// items returns the items of the array raw (remembered under key), or nil
// when raw is not an array.
func (v *sentView) items(key string, raw []byte) [][]byte {
	if it, ok := v.arrays[key]; ok {
		return it
	}
	it, ok := splitArray(raw)
	if !ok {
		return nil
	}
	v.arrays[key] = it
	return it
}

// arrayDelta is b as the items that differ from a's, when both are arrays
// of one length.
func arrayDelta(a, b [][]byte) (map[string]any, bool) {
	if a == nil || b == nil || len(a) != len(b) {
		return nil, false
	}
	idx := []int{}
	vals := []json.RawMessage{}
	for i := range b {
		if !bytes.Equal(a[i], b[i]) {
			idx = append(idx, i)
			vals = append(vals, b[i])
		}
	}
	if len(idx) > len(b)/2 {
		return nil, false
	}
	return map[string]any{"n": len(b), "i": idx, "v": vals}, true
}

// splitObject splits a JSON object into its members' raw values; ok is
// false when b is not an object.
func splitObject(b []byte) (map[string][]byte, bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	out := map[string][]byte{}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return out, true
	}
	for i < len(b) {
		if b[i] != '"' {
			return nil, false
		}
		end := skipValue(b, i)
		if end < 0 {
			return nil, false
		}
		key := string(b[i+1 : end-1])
		if bytes.IndexByte(b[i:end], '\\') >= 0 || !utf8.ValidString(key) {
			if json.Unmarshal(b[i:end], &key) != nil {
				return nil, false
			}
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return nil, false
		}
		i = skipSpace(b, i+1)
		end = skipValue(b, i)
		if end < 0 {
			return nil, false
		}
		out[key] = b[i:end]
		i = skipSpace(b, end)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return out, true
		}
		return nil, false
	}
	return nil, false
}

// splitArray splits a JSON array into its items' raw values; ok is false
// when b is not an array.
func splitArray(b []byte) ([][]byte, bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return nil, false
	}
	out := [][]byte{}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return out, true
	}
	for i < len(b) {
		end := skipValue(b, i)
		if end < 0 {
			return nil, false
		}
		out = append(out, b[i:end])
		i = skipSpace(b, end)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == ']' {
			return out, true
		}
		return nil, false
	}
	return nil, false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value starting at i, or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return -1
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e := skipValue(b, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	default:
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\r' && b[j] != '\t' {
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
}

// splice finds what b changes in a: the lengths, in UTF-16 code units (as
// JavaScript counts), of the common start and end, and b's text between.
func splice(a, b string) (prefix, suffix int, mid string) {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	for n > 0 && n < len(b) && !utf8.RuneStart(b[n]) {
		n--
	}
	for n > 0 && n < len(a) && !utf8.RuneStart(a[n]) {
		n--
	}
	m := 0
	for m < len(a)-n && m < len(b)-n && a[len(a)-1-m] == b[len(b)-1-m] {
		m++
	}
	for m > 0 && (!utf8.RuneStart(b[len(b)-m]) || !utf8.RuneStart(a[len(a)-m])) {
		m--
	}
	return utf16Len(a[:n]), utf16Len(a[len(a)-m:]), b[n : len(b)-m]
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
