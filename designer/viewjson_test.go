package designer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"stepwise/designer"
	"stepwise/engine/asl"
)

// stdJSON is what echo's c.JSON writes for v: encoding/json's Encoder (HTML
// escaping on), without the trailing newline.
func stdJSON(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func checkViewJSON(t testing.TB, v *designer.View) {
	t.Helper()
	got, err := v.AppendJSON([]byte("prefix"))
	if err != nil {
		t.Fatalf("AppendJSON: %v", err)
	}
	want := append([]byte("prefix"), stdJSON(t, v)...)
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		lo := max(0, i-80)
		t.Fatalf("AppendJSON differs from encoding/json at byte %d:\n got …%s\nwant …%s", i, got[lo:min(len(got), i+80)], want[lo:min(len(want), i+80)])
	}
}

// TestViewAppendJSON compares AppendJSON with encoding/json on the views of
// a random editing session (nested containers, positions, collapsed
// containers, diagnostics, undo and copy) and on hand-made edge cases.
func TestViewAppendJSON(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ed := designer.NewEditor(designer.NewMemStore(), nil)
	v, err := ed.Create(ctx, "m<&>", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	checkViewJSON(t, v)
	r := rand.New(rand.NewPCG(7, 8))
	extra := []designer.Op{
		{Op: "set", State: "E", Pointer: "/Comment", Value: json.RawMessage(`"<b>&amp;</b> \u2028\u2029 \u0001\t\"é\\"`)},
		{Op: "set", State: "E", Pointer: "/ResultPath", Value: json.RawMessage(`"$$.bad"`)},
		{Op: "viewport", Viewport: &designer.Viewport{X: -1.5e-7, Y: 1e21, Zoom: 0.333}},
		{Op: "move", Positions: map[string]designer.Point{"E": {X: 123456789.125, Y: -0.000001}}},
		{Op: "copy", States: []string{"E"}},
		{Op: "undo"},
		{Op: "redo"},
	}
	for i := 0; i < 80; i++ {
		op := randomOp(r, v.Doc)
		if i < len(extra) {
			op = extra[i]
		}
		nv, err := ed.Apply(ctx, v.ID, 0, op)
		if err != nil {
			continue
		}
		checkViewJSON(t, nv)
		if nv.Graph != nil {
			v = nv
		}
	}
	for _, c := range []*designer.View{
		{},
		{Graph: &designer.Graph{}, Diagnostics: asl.Diagnostics{}, Layout: designer.Layout{Positions: map[string]designer.Point{}, Collapsed: map[string]bool{}}},
		{ID: "x", SameASL: true, Clipboard: "{\"a\":1}", Layout: designer.Layout{Collapsed: map[string]bool{"b": false, "a": true}}},
		{Graph: &designer.Graph{Nodes: []designer.Node{{Name: "\xff\xfe bad utf8", Messages: []string{}, Ports: nil}}}},
	} {
		checkViewJSON(t, c)
	}
}

func TestViewAppendJSONRejectsNaN(t *testing.T) {
	t.Parallel()
	v := &designer.View{Layout: designer.Layout{Positions: map[string]designer.Point{"A": {X: math.NaN()}}}}
	if _, err := v.AppendJSON(nil); err == nil {
		t.Fatal("AppendJSON encoded NaN")
	}
	if _, err := json.Marshal(v); err == nil {
		t.Fatal("encoding/json encoded NaN (the two should agree)")
	}
}

func FuzzViewAppendJSON(f *testing.F) {
	f.Add("A", "<&>", 1.5, -2e-7, int64(3), true)
	f.Add("\u2028", "\xff", 1e21, 0.0, int64(-1), false)
	f.Fuzz(func(t *testing.T, a, b string, x, y float64, n int64, flag bool) {
		if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
			return
		}
		p := designer.Point{X: x, Y: y}
		v := &designer.View{
			ID: a, Machine: b, Version: n, CanUndo: flag, CanRedo: !flag, ASL: a + b, SameASL: flag, Clipboard: b,
			Graph: &designer.Graph{
				Nodes:      []designer.Node{{Path: a, Name: b, Type: a, Container: b, Comment: a, Start: flag, End: !flag, Ports: []string{a, b}, Problem: b, Messages: []string{a}}},
				Edges:      []designer.Edge{{From: a, To: b, Kind: a, Index: int(n), Port: b, Label: a, Container: b}},
				Containers: []designer.Container{{ID: a, State: b, Kind: a, Index: int(n), StartAt: b, Parent: a, Collapsed: flag}},
			},
			Diagnostics: asl.Diagnostics{{Code: a, Severity: b, Message: a, Path: b, Line: int(n), Column: 2, State: a, Field: b}},
			Layout: designer.Layout{Positions: map[string]designer.Point{a: p, b: {X: y, Y: x}}, Collapsed: map[string]bool{a: flag, b: true},
				Viewport: &designer.Viewport{X: x, Y: y, Zoom: x * y}},
		}
		if math.IsInf(x*y, 0) || math.IsNaN(x*y) {
			v.Layout.Viewport.Zoom = 1
		}
		checkViewJSON(t, v)
	})
}
