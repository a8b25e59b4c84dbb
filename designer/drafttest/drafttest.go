package drafttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"stepwise/designer"
)

// Run runs the suite; open returns a fresh, empty store.
func Run(t *testing.T, open func(t *testing.T) designer.DraftStore) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ctx := context.Background()
	create := func(t *testing.T, s designer.DraftStore, id, machine string) *designer.Draft {
		t.Helper()
		d := &designer.Draft{ID: id, Machine: machine, Created: t0, Updated: t0}
		if err := s.CreateDraft(ctx, d, designer.Revision{ASL: []byte(`{"v":0}`), Layout: []byte(`{}`), At: t0}); err != nil {
			t.Fatal(err)
		}
		if d.Version != 1 || d.Cursor != 1 || d.Tail != 1 || d.Head != 1 {
			t.Fatalf("created draft %+v", d)
		}
		return d
	}
	appendRev := func(t *testing.T, s designer.DraftStore, d *designer.Draft, n int) *designer.Draft {
		t.Helper()
		nd, err := s.CommitDraft(ctx, d.ID, designer.Commit{FromVersion: d.Version, At: t0.Add(time.Duration(n) * time.Second),
			Append: &designer.Revision{ASL: fmt.Appendf(nil, `{"v":%d}`, n), Layout: fmt.Appendf(nil, `{"n":%d}`, n), Op: []byte(`{"op":"add"}`)}})
		if err != nil {
			t.Fatal(err)
		}
		return nd
	}
	current := func(t *testing.T, s designer.DraftStore, id string) string {
		t.Helper()
		d, err := s.GetDraft(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.GetRevision(ctx, id, d.Cursor)
		if err != nil {
			t.Fatal(err)
		}
		return string(r.ASL) + " " + string(r.Layout)
	}

	t.Run("history", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		d := create(t, s, "d1", "orders")
		for i := 1; i <= 3; i++ {
			d = appendRev(t, s, d, i)
		}
		if d.Cursor != 4 || d.Head != 4 || d.Version != 4 {
			t.Fatalf("after 3 appends: %+v", d)
		}
		if got := current(t, s, "d1"); got != `{"v":3} {"n":3}` {
			t.Fatalf("current %s", got)
		}
		// Undo twice, then a new revision drops the redo history.
		var err error
		for range 2 {
			if d, err = s.CommitDraft(ctx, "d1", designer.Commit{FromVersion: d.Version, MoveTo: d.Cursor - 1}); err != nil {
				t.Fatal(err)
			}
		}
		if got := current(t, s, "d1"); got != `{"v":1} {"n":1}` {
			t.Fatalf("after undo: %s", got)
		}
		d = appendRev(t, s, d, 9)
		if d.Cursor != 3 || d.Head != 3 {
			t.Fatalf("append after undo: %+v", d)
		}
		if _, err := s.GetRevision(ctx, "d1", 4); !errors.Is(err, designer.ErrDraftNotFound) {
			t.Fatalf("redo revision kept: %v", err)
		}
		if _, err := s.CommitDraft(ctx, "d1", designer.Commit{FromVersion: d.Version, MoveTo: 4}); err == nil {
			t.Fatal("moved past the head")
		}
		// Amending changes the layout only.
		if d, err = s.CommitDraft(ctx, "d1", designer.Commit{FromVersion: d.Version, AmendLayout: []byte(`{"z":1}`)}); err != nil {
			t.Fatal(err)
		}
		if got := current(t, s, "d1"); got != `{"v":9} {"z":1}` || d.Cursor != 3 {
			t.Fatalf("after amend: %s %+v", got, d)
		}
	})
	t.Run("conflict", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		d := create(t, s, "d2", "")
		appendRev(t, s, d, 1)
		_, err := s.CommitDraft(ctx, "d2", designer.Commit{FromVersion: d.Version, Append: &designer.Revision{ASL: []byte(`{}`)}})
		if !errors.Is(err, designer.ErrVersionConflict) {
			t.Fatalf("stale commit: %v", err)
		}
		if got := current(t, s, "d2"); got != `{"v":1} {"n":1}` {
			t.Fatalf("stale commit changed the draft: %s", got)
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		d := create(t, s, "d3", "")
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.CommitDraft(ctx, "d3", designer.Commit{FromVersion: d.Version, Append: &designer.Revision{ASL: []byte(`{}`)}})
				if err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				} else if !errors.Is(err, designer.ErrVersionConflict) {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d commits from one version succeeded", wins)
		}
	})
	t.Run("keep", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		d := create(t, s, "d4", "")
		var err error
		for i := 1; i <= 10; i++ {
			if d, err = s.CommitDraft(ctx, "d4", designer.Commit{FromVersion: d.Version, Keep: 4,
				Append: &designer.Revision{ASL: fmt.Appendf(nil, `{"v":%d}`, i)}}); err != nil {
				t.Fatal(err)
			}
		}
		if d.Tail != 8 || d.Head != 11 {
			t.Fatalf("kept revisions %d..%d, want 8..11", d.Tail, d.Head)
		}
		if _, err := s.GetRevision(ctx, "d4", 7); !errors.Is(err, designer.ErrDraftNotFound) {
			t.Fatalf("trimmed revision still there: %v", err)
		}
	})
	t.Run("find-and-delete", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		a := create(t, s, "a", "orders")
		create(t, s, "b", "billing")
		if _, err := s.CommitDraft(ctx, "a", designer.Commit{FromVersion: a.Version, AmendLayout: []byte(`{}`), At: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		d, err := s.FindDraft(ctx, "orders")
		if err != nil || d.ID != "a" || !d.Updated.Equal(t0.Add(time.Hour)) {
			t.Fatalf("FindDraft: %+v %v", d, err)
		}
		if _, err := s.FindDraft(ctx, "nope"); !errors.Is(err, designer.ErrDraftNotFound) {
			t.Fatalf("FindDraft of a missing machine: %v", err)
		}
		if err := s.SetDraftMachine(ctx, "b", "orders2"); err != nil {
			t.Fatal(err)
		}
		if d, err := s.FindDraft(ctx, "orders2"); err != nil || d.ID != "b" {
			t.Fatalf("FindDraft after SetDraftMachine: %+v %v", d, err)
		}
		if err := s.SetDraftMachine(ctx, "zz", "x"); !errors.Is(err, designer.ErrDraftNotFound) {
			t.Fatalf("SetDraftMachine of a missing draft: %v", err)
		}
		if err := s.DeleteDraft(ctx, "a"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetDraft(ctx, "a"); !errors.Is(err, designer.ErrDraftNotFound) {
			t.Fatalf("deleted draft: %v", err)
		}
		if _, err := s.GetRevision(ctx, "a", 1); !errors.Is(err, designer.ErrDraftNotFound) {
			t.Fatalf("deleted draft's revision: %v", err)
		}
	})
}
