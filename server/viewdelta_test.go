package server

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf16"
)

// expandView mirrors the page's reading of a shrunk view (designer.ts,
// expandView): it rebuilds the full view from the previous one.
func expandView(t *testing.T, prev map[string]any, body []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	d, ok := v["$delta"].(map[string]any)
	if !ok {
		return v
	}
	delete(v, "$delta")
	for _, k := range d["same"].([]any) {
		v[k.(string)] = prev[k.(string)]
	}
	if a, ok := d["asl"].(map[string]any); ok {
		old := utf16.Encode([]rune(prev["asl"].(string)))
		p, s := int(a["p"].(float64)), int(a["s"].(float64))
		v["asl"] = string(utf16.Decode(old[:p])) + a["t"].(string) + string(utf16.Decode(old[len(old)-s:]))
	}
	patch := func(prev any, p any) any {
		m, ok := p.(map[string]any)
		if !ok {
			return p
		}
		out := append([]any(nil), prev.([]any)...)
		for j, i := range m["i"].([]any) {
			out[int(i.(float64))] = m["v"].([]any)[j]
		}
		return out
	}
	if dg, ok := d["diagnostics"]; ok {
		v["diagnostics"] = patch(prev["diagnostics"], dg)
	}
	if g, ok := d["graph"].(map[string]any); ok {
		pg := prev["graph"].(map[string]any)
		ng := map[string]any{}
		for k, x := range g {
			ng[k] = patch(pg[k], x)
		}
		v["graph"] = ng
	}
	return v
}

func TestShrinkView(t *testing.T) {
	t.Parallel()
	long := func(s string) string {
		for len(s) < 200 {
			s += " and more"
		}
		return s
	}
	node := func(name, comment string) map[string]any {
		return map[string]any{"path": name, "name": name, "type": "Pass", "comment": long(comment)}
	}
	base := map[string]any{
		"version": 1, "id": "d1",
		"asl":         long(`{"Comment":"café ☕ 𝄞 start","States":{}}`),
		"graph":       map[string]any{"nodes": []any{node("A", "a"), node("B", "b"), node("C", "c")}, "edges": []any{map[string]any{"from": "A", "to": "B", "label": long("x")}}, "containers": nil},
		"diagnostics": []any{map[string]any{"message": long("one")}, map[string]any{"message": long("two")}},
		"layout":      map[string]any{"positions": map[string]any{"A": map[string]any{"x": 1, "y": 2}}, "note": long("")},
	}
	clone := func(m map[string]any) map[string]any {
		b, _ := json.Marshal(m)
		var out map[string]any
		_ = json.Unmarshal(b, &out)
		return out
	}
	cases := []struct {
		name   string
		change func(v map[string]any)
	}{
		{"nothing but the version", func(v map[string]any) {}},
		{"one state's comment", func(v map[string]any) {
			v["graph"].(map[string]any)["nodes"].([]any)[1] = node("B", "changed")
			v["asl"] = long(`{"Comment":"café ☕ 𝄞 start","States":{"B":"changed 😀"}}`)
		}},
		{"text around astral characters", func(v map[string]any) {
			v["asl"] = long(`{"Comment":"café ☕ 𝄠 start","States":{}}`)
		}},
		{"a diagnostic less", func(v map[string]any) {
			v["diagnostics"] = v["diagnostics"].([]any)[:1]
		}},
		{"a diagnostic's message", func(v map[string]any) {
			v["diagnostics"].([]any)[0] = map[string]any{"message": long("uno")}
		}},
		{"a state more", func(v map[string]any) {
			g := v["graph"].(map[string]any)
			g["nodes"] = append(g["nodes"].([]any), node("D", "d"))
		}},
		{"an empty list that was null", func(v map[string]any) {
			v["graph"].(map[string]any)["containers"] = []any{}
		}},
		{"a layout-only answer", func(v map[string]any) {
			delete(v, "asl")
			v["graph"] = nil
			v["diagnostics"] = nil
			v["sameAsl"] = true
			v["layout"] = map[string]any{"positions": map[string]any{"A": map[string]any{"x": 5, "y": 2}}, "note": long("")}
		}},
	}
	// The page's first answer may be a layout-only one (no graph): what
	// follows must not be a delta of nothing.
	t.Run("after a layout-only first answer", func(t *testing.T) {
		t.Parallel()
		first, _ := json.Marshal(map[string]any{"version": 1, "graph": nil, "diagnostics": nil, "sameAsl": true, "layout": base["layout"]})
		_, remembered := shrinkView(nil, first)
		next := clone(base)
		next["version"] = 2
		body, _ := json.Marshal(next)
		small, _ := shrinkView(remembered, body)
		var prev map[string]any
		_ = json.Unmarshal(first, &prev)
		if got := expandView(t, prev, small); !reflect.DeepEqual(got, clone(next)) {
			t.Errorf("expanded %v, want %v", got, next)
		}
	})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			first, _ := json.Marshal(base)
			_, remembered := shrinkView(nil, first)
			next := clone(base)
			next["version"] = 2
			tc.change(next)
			body, _ := json.Marshal(next)
			small, _ := shrinkView(remembered, body)
			got := expandView(t, clone(base), small)
			want := clone(next)
			for _, k := range []string{"asl", "graph", "diagnostics"} {
				if _, ok := want[k]; !ok || want["sameAsl"] == true {
					want[k] = clone(base)[k] // the page keeps its own
				}
			}
			if !reflect.DeepEqual(got, want) {
				gb, _ := json.Marshal(got)
				wb, _ := json.Marshal(want)
				t.Errorf("expanded view differs\n got %s\nwant %s\n(sent %s)", gb, wb, small)
			}
			if tc.name == "one state's comment" && len(small) >= len(body)/2 {
				t.Errorf("delta of %d bytes for a %d-byte view", len(small), len(body))
			}
		})
	}
	// A body that is not a view passes unchanged.
	if b, next := shrinkView(nil, []byte(`{"error":"no"}`)); string(b) != `{"error":"no"}` || next != nil {
		t.Errorf("error body: %s %v", b, next)
	}
}

// FuzzSplitJSON: the scanner that splits views never panics, and on valid
// JSON it finds the members and items encoding/json finds.
func FuzzSplitJSON(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":[1,2,{"c":"d\"}"}],"e":null}`, `[1, "x", {"y": [true]}]`, `{}`, `[]`, `{"k\u00e9":"v"}`, `{"a":}`, `[1,,2]`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		obj, okObj := splitObject(b)
		arr, okArr := splitArray(b)
		if !json.Valid(b) {
			return
		}
		var wantObj map[string]json.RawMessage
		if json.Unmarshal(b, &wantObj) == nil && wantObj != nil {
			if !okObj || len(obj) != len(wantObj) {
				// Duplicate keys: encoding/json keeps the last, as the map does.
				if !okObj {
					t.Fatalf("splitObject refused a valid object %q", b)
				}
			}
			for k, v := range wantObj {
				if got, ok := obj[k]; !ok || !jsonEqual(got, v) {
					t.Fatalf("member %q: got %q, want %q", k, got, v)
				}
			}
		}
		var wantArr []json.RawMessage
		if json.Unmarshal(b, &wantArr) == nil && wantArr != nil {
			if !okArr || len(arr) != len(wantArr) {
				t.Fatalf("splitArray(%q) = %d items (%v), want %d", b, len(arr), okArr, len(wantArr))
			}
			for i := range arr {
				if !jsonEqual(arr[i], wantArr[i]) {
					t.Fatalf("item %d: got %q, want %q", i, arr[i], wantArr[i])
				}
			}
		}
	})
}

func jsonEqual(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	decode := func(raw []byte) (any, error) {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		var v any
		return v, d.Decode(&v)
	}
	x, errX := decode(a)
	y, errY := decode(b)
	return errX == nil && errY == nil && reflect.DeepEqual(x, y)
}
