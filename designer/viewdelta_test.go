package designer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"stepwise/designer"
)

// expandDelta mirrors the page's reading of a delta (expandView in
// static/src/designer/designer.ts): it rebuilds the full view from the
// previous one.
func expandDelta(t *testing.T, prev map[string]any, body []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("the delta is not JSON: %v\n%s", err, body)
	}
	d, ok := v["$delta"].(map[string]any)
	delete(v, "$delta")
	if prev != nil {
		for _, k := range []string{"asl", "graph", "diagnostics"} {
			if _, in := v[k]; (!in || v["sameAsl"] == true) && d[k] == nil {
				v[k] = prev[k]
			}
		}
	}
	if !ok {
		return v
	}
	for _, k := range d["same"].([]any) {
		v[k.(string)] = prev[k.(string)]
	}
	if a, ok := d["asl"].(map[string]any); ok {
		old := utf16.Encode([]rune(prev["asl"].(string)))
		p, s := int(a["p"].(float64)), int(a["s"].(float64))
		if p+s > len(old) {
			t.Fatalf("splice keeps %d+%d units of %d", p, s, len(old))
		}
		v["asl"] = string(utf16.Decode(old[:p])) + a["t"].(string) + string(utf16.Decode(old[len(old)-s:]))
	}
	patch := func(prev any, p any) any {
		m, ok := p.(map[string]any)
		if !ok {
			return p
		}
		out := append(make([]any, 0, len(prev.([]any))), prev.([]any)...)
		if n := int(m["n"].(float64)); n != len(out) {
			t.Fatalf("an item delta of %d items for %d", n, len(out))
		}
		for j, i := range m["i"].([]any) {
			out[int(i.(float64))] = m["v"].([]any)[j]
		}
		return out
	}
	if l, ok := d["layout"].(map[string]any); ok {
		all := map[string]any{}
		for k, p := range prev["layout"].(map[string]any)["positions"].(map[string]any) {
			all[k] = p
		}
		for k, p := range l["positions"].(map[string]any) {
			all[k] = p
		}
		for _, k := range l["removed"].([]any) {
			delete(all, k.(string))
		}
		delete(l, "removed")
		l["positions"] = all
		v["layout"] = l
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

func decodeView(t *testing.T, v *designer.View) map[string]any {
	t.Helper()
	b, err := v.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func chain(n int, comment string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"Comment":%q,"StartAt":"S0","States":{`, comment)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		if i == n-1 {
			fmt.Fprintf(&b, `"S%d":{"Type":"Succeed"}`, i)
			continue
		}
		fmt.Fprintf(&b, `"S%d":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"FunctionName":"f%d"},"QueryLanguage":"JSONata","Next":"S%d"}`, i, i, i+1)
	}
	b.WriteString(`}}`)
	return b.String()
}

// TestAppendDeltaJSON applies a sequence of operations to a draft and checks
// that each answer, sent as a delta against the previous one and expanded as
// the page does, is the full view; and that a one-field edit's delta is
// small.
func TestAppendDeltaJSON(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ed := designer.NewEditor(designer.NewMemStore(), nil)
	v, err := ed.Create(ctx, "", []byte(chain(60, "café ☕ 𝄞 start")))
	if err != nil {
		t.Fatal(err)
	}
	set := func(state, ptr, value string) designer.Op {
		return designer.Op{Op: designer.OpSet, State: state, Pointer: ptr, Value: json.RawMessage(value)}
	}
	placed := map[string]designer.Point{}
	for i := 0; i < 60; i++ {
		placed[fmt.Sprintf("S%d", i)] = designer.Point{X: 10, Y: float64(100 * i)}
	}
	steps := []struct {
		name string
		op   designer.Op
		max  int // largest delta expected, in bytes (0: no limit)
	}{
		{"every state placed (layout only)", designer.Op{Op: designer.OpLayout, Positions: placed}, 0},
		{"a comment", set("S10", "/Comment", `"note"`), 1500},
		{"a comment with astral characters", set("S10", "/Comment", `"𝄞 and ☕ and é"`), 1500},
		{"an astral character replaced by another", set("S10", "/Comment", `"𝄠 and ☕ and é"`), 1500},
		{"a comment before other astral text", set("", "/Comment", `"café ☕ 𝄞 stop"`), 1500},
		{"a move (layout only)", designer.Op{Op: designer.OpMove, Positions: map[string]designer.Point{"S3": {X: 10, Y: -0.5}}}, 600},
		{"a negative zero", designer.Op{Op: designer.OpMove, Positions: map[string]designer.Point{"S3": {X: 0, Y: math.Copysign(0, -1)}}}, 600},
		{"a problem (diagnostics change)", set("S20", "/Next", `"Nowhere"`), 0},
		{"the problem fixed", set("S20", "/Next", `"S21"`), 0},
		{"a state added", designer.Op{Op: designer.OpAdd, Type: "Pass", Name: "Extra", Pos: &designer.Point{X: 1, Y: 2}}, 0},
		{"a rename", designer.Op{Op: designer.OpRename, State: "Extra", To: "Renamed ☕"}, 0},
		{"states deleted", designer.Op{Op: designer.OpDelete, States: []string{"Renamed ☕", "S5"}}, 0},
		{"undo", designer.Op{Op: designer.OpUndo}, 0},
		{"redo", designer.Op{Op: designer.OpRedo}, 0},
		{"a viewport", designer.Op{Op: designer.OpViewport, Viewport: &designer.Viewport{X: 1, Y: 2, Zoom: 0.5}}, 0},
		{"a copy (clipboard)", designer.Op{Op: designer.OpCopy, States: []string{"S1"}}, 0},
		{"the whole text replaced", designer.Op{Op: designer.OpReplace, ASL: chain(3, "short")}, 0},
	}
	held := v // what the page holds
	page := decodeView(t, v)
	for _, st := range steps {
		next, err := ed.Apply(ctx, v.ID, v.Version, st.op)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		v = next
		delta, now, err := next.AppendDeltaJSON(nil, held)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got := expandDelta(t, page, delta)
		want := decodeView(t, now)
		if !reflect.DeepEqual(got, want) {
			for k := range want {
				if !reflect.DeepEqual(got[k], want[k]) {
					t.Errorf("%s: field %q differs", st.name, k)
				}
			}
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(want)
			t.Fatalf("%s: the expanded delta differs from the view\n got %.600s\nwant %.600s\ndelta %.600s", st.name, gb, wb, delta)
		}
		if next.SameASL {
			if now.Graph == nil || now.ASL == "" {
				t.Errorf("%s: a layout-only answer's held view lost the graph or the text", st.name)
			}
		}
		if st.max > 0 && len(delta) > st.max {
			t.Errorf("%s: the delta is %d bytes, want at most %d: %.400s", st.name, len(delta), st.max, delta)
		}
		if full, _ := now.AppendJSON(nil); len(delta) >= len(full) && st.max > 0 {
			t.Errorf("%s: the delta (%d bytes) is not smaller than the view (%d)", st.name, len(delta), len(full))
		}
		held, page = now, got
	}
}

// TestAppendDeltaJSONWithoutPrevious: the first answer on a socket is the
// full view.
func TestAppendDeltaJSONWithoutPrevious(t *testing.T) {
	t.Parallel()
	ed := designer.NewEditor(designer.NewMemStore(), nil)
	v, err := ed.Create(context.Background(), "", []byte(chain(4, "x")))
	if err != nil {
		t.Fatal(err)
	}
	got, held, err := v.AppendDeltaJSON(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := v.AppendJSON(nil)
	if string(got) != string(want) || held != v {
		t.Fatalf("without a previous view: %s, want %s", got, want)
	}
}
