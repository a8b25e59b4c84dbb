package designer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"stepwise/designer"
	"stepwise/engine/jsonv"
)

// randomOp picks an operation that makes sense for doc.
func randomOp(r *rand.Rand, doc *designer.Document) designer.Op {
	g := doc.Graph(nil)
	names := doc.Names()
	pick := func() string {
		if len(names) == 0 {
			return "none"
		}
		return names[r.IntN(len(names))]
	}
	var containers []string
	containers = append(containers, "")
	for _, c := range g.Containers {
		containers = append(containers, c.ID)
	}
	types := []string{"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}
	ports := []string{"next", "default", "choice-0", "choice-1", "catch-0", "catch-1", "start"}
	switch r.IntN(14) {
	case 0, 1:
		return designer.Op{Op: "add", Type: types[r.IntN(len(types))], Container: containers[r.IntN(len(containers))], Pos: &designer.Point{X: float64(r.IntN(900)), Y: float64(r.IntN(900))}}
	case 2:
		return designer.Op{Op: "insert", Type: types[r.IntN(len(types))], From: pick(), Port: ports[r.IntN(len(ports))], Container: containers[r.IntN(len(containers))]}
	case 3, 4:
		return designer.Op{Op: "connect", From: pick(), Port: ports[r.IntN(len(ports))], To: pick(), Container: containers[r.IntN(len(containers))]}
	case 5:
		return designer.Op{Op: "disconnect", From: pick(), Port: ports[r.IntN(len(ports))]}
	case 6:
		if len(g.Nodes) == 0 {
			return designer.Op{Op: "add", Type: "Pass"}
		}
		n := g.Nodes[r.IntN(len(g.Nodes))]
		return designer.Op{Op: "move", Positions: map[string]designer.Point{n.Path: {X: float64(r.IntN(500)), Y: float64(r.IntN(500))}}}
	case 7:
		return designer.Op{Op: "delete", States: []string{pick()}}
	case 8:
		return designer.Op{Op: "rename", State: pick(), To: fmt.Sprintf("Renamed %d", r.IntN(1000))}
	case 9:
		return designer.Op{Op: "duplicate", States: []string{pick()}}
	case 10:
		return designer.Op{Op: "reparent", States: []string{pick()}, Container: containers[r.IntN(len(containers))]}
	case 11:
		if r.IntN(2) == 0 {
			return designer.Op{Op: "addBranch", State: pick()}
		}
		return designer.Op{Op: "removeBranch", State: pick(), Index: r.IntN(2)}
	case 12:
		return designer.Op{Op: "set", State: pick(), Pointer: "/Comment", Value: json.RawMessage(fmt.Sprintf("%q", fmt.Sprint("note ", r.IntN(100))))}
	default:
		pats := designer.PatternNames()
		return designer.Op{Op: "pattern", Pattern: pats[r.IntN(len(pats))], From: pick(), Port: ports[r.IntN(3)]}
	}
}

// TestUndoRedo applies 50 mixed operations through the editor, then undoes
// each and redoes each, checking every intermediate ASL and layout exactly.
func TestUndoRedo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ed := designer.NewEditor(designer.NewMemStore(), nil)
	v, err := ed.Create(ctx, "", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	type snap struct{ asl, layout string }
	snaps := []snap{{v.ASL, string(designer.MarshalLayout(v.Layout))}}
	applied := 0
	for applied < 50 {
		op := randomOp(r, v.Doc)
		nv, err := ed.Apply(ctx, v.ID, v.Version, op)
		if err != nil {
			var oe *designer.OpError
			if !asOpError(err, &oe) {
				t.Fatalf("op %+v: %v", op, err)
			}
			continue // refused operations change nothing
		}
		v = nv
		applied++
		snaps = append(snaps, snap{v.Doc.Text(), string(designer.MarshalLayout(v.Layout))})
		if _, err := jsonv.DecodeString(v.Doc.Text()); err != nil {
			t.Fatalf("after %+v the ASL is not JSON: %v", op, err)
		}
	}
	if v.CanRedo || !v.CanUndo {
		t.Fatalf("after edits: canUndo %v canRedo %v", v.CanUndo, v.CanRedo)
	}
	for i := len(snaps) - 2; i >= 0; i-- {
		if v, err = ed.Apply(ctx, v.ID, v.Version, designer.Op{Op: "undo"}); err != nil {
			t.Fatalf("undo to %d: %v", i, err)
		}
		if got := (snap{v.Doc.Text(), string(designer.MarshalLayout(v.Layout))}); got != snaps[i] {
			t.Fatalf("undo to step %d:\n got %s\nwant %s", i, got.asl, snaps[i].asl)
		}
	}
	if _, err := ed.Apply(ctx, v.ID, v.Version, designer.Op{Op: "undo"}); err == nil {
		t.Fatal("undo past the first revision succeeded")
	}
	for i := 1; i < len(snaps); i++ {
		if v, err = ed.Apply(ctx, v.ID, v.Version, designer.Op{Op: "redo"}); err != nil {
			t.Fatalf("redo to %d: %v", i, err)
		}
		if got := (snap{v.Doc.Text(), string(designer.MarshalLayout(v.Layout))}); got != snaps[i] {
			t.Fatalf("redo to step %d:\n got %s\nwant %s", i, got.asl, snaps[i].asl)
		}
	}
	// A new edit after undo drops the redo history.
	v, _ = ed.Apply(ctx, v.ID, v.Version, designer.Op{Op: "undo"})
	if v, err = ed.Apply(ctx, v.ID, v.Version, designer.Op{Op: "add", Type: "Pass"}); err != nil {
		t.Fatal(err)
	}
	if v.CanRedo {
		t.Fatal("redo still possible after a new edit")
	}
	// A stale version is a conflict; reopening gives the current view.
	if _, err := ed.Apply(ctx, v.ID, v.Version-1, designer.Op{Op: "add", Type: "Pass"}); !designer.IsConflict(err) {
		t.Fatalf("stale version: %v", err)
	}
	fresh := designer.NewEditor(ed.Store(), nil) // no cache: reads the store
	reopened, err := fresh.Open(ctx, v.ID)
	if err != nil || reopened.ASL != v.Doc.Text() || reopened.Version != v.Version {
		t.Fatalf("reopen: %v", err)
	}
}

func asOpError(err error, target **designer.OpError) bool {
	return errors.As(err, target)
}

func TestCopyOperation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ed := designer.NewEditor(designer.NewMemStore(), nil)
	v, err := ed.Create(ctx, "orders", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	c, err := ed.Apply(ctx, v.ID, v.Version, designer.Op{Op: "copy", States: []string{"E"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != v.Version || c.Clipboard != `{"States":{"E":{"Type":"Pass","Next":"M"}},"Positions":{}}` {
		t.Fatalf("copy: version %d clipboard %s", c.Version, c.Clipboard)
	}
	p, err := ed.Apply(ctx, v.ID, v.Version, designer.Op{Op: "paste", Clipboard: c.Clipboard})
	if err != nil {
		t.Fatal(err)
	}
	if p.Doc.PathOf("E (1)") != "E (1)" {
		t.Fatalf("pasted names: %v", p.Doc.Names())
	}
	d, err := ed.Store().FindDraft(ctx, "orders")
	if err != nil || d.ID != v.ID {
		t.Fatalf("FindDraft: %v %v", d, err)
	}
}

// TestEditorCachedDraftConflict: an editor starts an edit from the draft
// record it remembers; a change made meanwhile through another editor of
// the same store still makes it a version conflict, and the editor then
// reads the current draft.
func TestEditorCachedDraftConflict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := designer.NewMemStore()
	a := designer.NewEditor(store, nil)
	b := designer.NewEditor(store, nil)
	v, err := a.Create(ctx, "", []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Open(ctx, v.ID); err != nil { // b remembers version 1
		t.Fatal(err)
	}
	set := designer.Op{Op: designer.OpSet, State: "A", Pointer: "/Comment", Value: []byte(`"from a"`)}
	if _, err := a.Apply(ctx, v.ID, 1, set); err != nil {
		t.Fatal(err)
	}
	set.Value = []byte(`"from b"`)
	if _, err := b.Apply(ctx, v.ID, 1, set); !designer.IsConflict(err) {
		t.Fatalf("b's edit at version 1 after a's: %v, want a version conflict", err)
	}
	cur, err := b.Apply(ctx, v.ID, 2, set)
	if err != nil || cur.Version != 3 || !strings.Contains(cur.ASL, "from b") {
		t.Fatalf("b's edit at version 2: %v (version %d)", err, cur.Version)
	}
	if _, err := a.Open(ctx, v.ID); err != nil { // a remembers version 3
		t.Fatal(err)
	}
	if err := a.SetMachine(ctx, v.ID, "saved"); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Apply(ctx, v.ID, 3, designer.Op{Op: designer.OpSet, State: "A", Pointer: "/Comment", Value: []byte(`"x"`)}); err != nil || got.Machine != "saved" {
		t.Fatalf("after SetMachine: %v, machine %q", err, got.Machine)
	}
}
