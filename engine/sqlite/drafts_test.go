package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"stepwise/designer"
	"stepwise/designer/drafttest"
	"stepwise/engine/sqlite"
)

func TestDrafts(t *testing.T) {
	t.Parallel()
	drafttest.Run(t, func(t *testing.T) designer.DraftStore { return openDB(t, sqlite.Options{}).Drafts() })
}

// TestDraftsSurviveReopen: a draft with its history and layout is there
// after the database is closed and opened again (a server restart).
func TestDraftsSurviveReopen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "stepwise.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ed := designer.NewEditor(db.Drafts(), nil)
	v, err := ed.Create(ctx, "orders", nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err = ed.Apply(ctx, v.ID, v.Version, designer.Op{Op: "add", Type: "Wait", Pos: &designer.Point{X: 10, Y: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	ed2 := designer.NewEditor(db2.Drafts(), nil)
	got, err := ed2.Open(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ASL != v.ASL || got.Layout.Positions["Wait"] != (designer.Point{X: 10, Y: 20}) || !got.CanUndo {
		t.Fatalf("after reopen: %+v", got)
	}
	if u, err := ed2.Apply(ctx, v.ID, got.Version, designer.Op{Op: "undo"}); err != nil || len(u.Graph.Nodes) != 0 {
		t.Fatalf("undo after reopen: %v", err)
	}
}
