package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"stepwise/designer"
	"stepwise/engine/sqlite"
)

// draftDoc makes an ASL-like text of n states and its layout, big enough
// that a small edit leaves most bytes shared.
func draftDoc(n int) (asl, layout []byte) {
	var a, l strings.Builder
	a.WriteString(`{"StartAt":"S0","States":{`)
	l.WriteString(`{"positions":{`)
	for i := range n {
		if i > 0 {
			a.WriteByte(',')
			l.WriteByte(',')
		}
		fmt.Fprintf(&a, `"S%d":{"Type":"Pass","Result":{"i":%d},"Next":"S%d"}`, i, i, i+1)
		fmt.Fprintf(&l, `"S%d":{"x":%d,"y":%d}`, i, 40*(i%5), 90*i)
	}
	a.WriteString(`}}`)
	l.WriteString(`}}`)
	return []byte(a.String()), []byte(l.String())
}

// mutate returns b changed the way an edit changes a document: mostly a few
// bytes somewhere, sometimes a new text altogether or nothing.
func mutate(rng *rand.Rand, b []byte) []byte {
	switch k := rng.IntN(20); {
	case k == 0:
		return nil
	case k == 1:
		return []byte{}
	case k == 2:
		a, _ := draftDoc(1 + rng.IntN(60))
		return a
	case k == 3:
		return bytes.Clone(b)
	case len(b) == 0:
		return []byte(fmt.Sprint(rng.Int()))
	}
	out := bytes.Clone(b)
	for range 1 + rng.IntN(3) {
		i := rng.IntN(len(out) + 1)
		j := min(len(out), i+rng.IntN(8))
		ins := []byte(fmt.Sprint(rng.IntN(1000)))
		out = append(out[:i:i], append(ins, out[j:]...)...)
	}
	return out
}

// draftHarness drives a SQLite draft store and the in-memory model with the
// same operations and compares everything they answer.
type draftHarness struct {
	t     *testing.T
	ctx   context.Context
	path  string
	opts  sqlite.Options
	mu    sync.Mutex // guards db for concurrent readers
	db    *sqlite.DB
	model *designer.MemStore
	rng   *rand.Rand
	t0    time.Time
	steps int
	ids   []string
}

func newDraftHarness(t *testing.T, path string, opts sqlite.Options, seed uint64) *draftHarness {
	t.Helper()
	h := &draftHarness{t: t, ctx: context.Background(), path: path, opts: opts, model: designer.NewMemStore(),
		rng: rand.New(rand.NewPCG(seed, 7)), t0: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
	h.open()
	t.Cleanup(func() {
		if h.db != nil {
			if err := h.db.Close(); err != nil {
				t.Error(err)
			}
		}
	})
	return h
}

func (h *draftHarness) open() {
	h.t.Helper()
	db, err := sqlite.Open(h.ctx, h.path, h.opts)
	if err != nil {
		h.t.Fatal(err)
	}
	h.mu.Lock()
	h.db = db
	h.mu.Unlock()
}

func (h *draftHarness) currentDB() *sqlite.DB {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.db
}

// reopen closes and opens the database: the cache starts empty.
func (h *draftHarness) reopen() {
	h.t.Helper()
	if err := h.db.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.open()
}

func (h *draftHarness) now() time.Time {
	h.steps++
	return h.t0.Add(time.Duration(h.steps) * time.Second)
}

func (h *draftHarness) create(id string) {
	h.t.Helper()
	asl, layout := draftDoc(5 + h.rng.IntN(40))
	at := h.now()
	first := designer.Revision{ASL: asl, Layout: layout, At: at}
	for _, s := range []designer.DraftStore{h.db.Drafts(), h.model} {
		d := &designer.Draft{ID: id, Machine: "m-" + id, Created: at, Updated: at}
		if err := s.CreateDraft(h.ctx, d, first); err != nil {
			h.t.Fatalf("create %s: %v", id, err)
		}
	}
	h.ids = append(h.ids, id)
}

// commit applies c to both stores; both must succeed, or fail alike.
func (h *draftHarness) commit(id string, c designer.Commit) {
	h.t.Helper()
	got, errGot := h.db.Drafts().CommitDraft(h.ctx, id, c)
	want, errWant := h.model.CommitDraft(h.ctx, id, c)
	if (errGot == nil) != (errWant == nil) || errors.Is(errGot, designer.ErrVersionConflict) != errors.Is(errWant, designer.ErrVersionConflict) {
		h.t.Fatalf("step %d: commit %s %+v: sqlite %v, model %v", h.steps, id, c, errGot, errWant)
	}
	if errGot == nil {
		h.sameDraft(got, want)
	}
}

func (h *draftHarness) sameDraft(got, want *designer.Draft) {
	h.t.Helper()
	if got.ID != want.ID || got.Machine != want.Machine || got.Version != want.Version || got.Cursor != want.Cursor ||
		got.Tail != want.Tail || got.Head != want.Head || !got.Created.Equal(want.Created) || !got.Updated.Equal(want.Updated) {
		h.t.Fatalf("step %d: draft\n sqlite %+v\n model  %+v", h.steps, got, want)
	}
}

// step does one random operation on a random draft and returns its id.
func (h *draftHarness) step() string {
	h.t.Helper()
	id := h.ids[h.rng.IntN(len(h.ids))]
	d, err := h.model.GetDraft(h.ctx, id)
	if err != nil {
		h.t.Fatal(err)
	}
	keep := int64(5)
	if h.opts.DraftSnapshotEvery == 3 {
		keep = 0 // keep everything
	}
	c := designer.Commit{FromVersion: d.Version, Keep: keep, At: h.now()}
	cur, err := h.model.GetRevision(h.ctx, id, d.Cursor)
	if err != nil {
		h.t.Fatal(err)
	}
	switch k := h.rng.IntN(100); {
	case k < 45:
		c.Append = &designer.Revision{ASL: mutate(h.rng, cur.ASL), Layout: mutate(h.rng, cur.Layout), Op: fmt.Appendf(nil, `{"op":%d}`, k), At: c.At}
		if k%9 == 0 {
			c.Append.Op = nil
		}
	case k < 65:
		c.AmendLayout = mutate(h.rng, cur.Layout)
		if c.AmendLayout == nil {
			c.AmendLayout = []byte{}
		}
	case k < 80:
		c.MoveTo = d.Cursor - 1 - int64(h.rng.IntN(2)) // undo, sometimes past the tail
	case k < 92:
		c.MoveTo = d.Cursor + 1 + int64(h.rng.IntN(2)) // redo, sometimes past the head
	case k < 94:
		c.FromVersion-- // stale
		c.MoveTo = d.Cursor
	case k < 96:
		h.reopen()
		return id
	case k < 97:
		// Deleted and created again under the same id.
		for _, s := range []designer.DraftStore{h.db.Drafts(), h.model} {
			if err := s.DeleteDraft(h.ctx, id); err != nil {
				h.t.Fatal(err)
			}
		}
		h.ids = h.ids[:0]
		for _, other := range []string{"a", "b", "c"} {
			if _, err := h.model.GetDraft(h.ctx, other); err == nil {
				h.ids = append(h.ids, other)
			}
		}
		h.create(id)
		return id
	default:
		c.MoveTo = h.rng.Int64N(d.Head+1-d.Tail) + d.Tail // jump within the history
	}
	h.commit(id, c)
	return id
}

// check compares the drafts (all when ids is empty) and every revision
// around their history.
func (h *draftHarness) check(ids ...string) {
	h.t.Helper()
	all := len(ids) == 0
	if all {
		ids = h.ids
	}
	for _, id := range ids {
		want, err := h.model.GetDraft(h.ctx, id)
		if err != nil {
			h.t.Fatal(err)
		}
		got, err := h.db.Drafts().GetDraft(h.ctx, id)
		if err != nil {
			h.t.Fatalf("step %d: %v", h.steps, err)
		}
		h.sameDraft(got, want)
		for rev := want.Tail - 3; rev <= want.Head+2; rev++ {
			// Between full checks, the revisions near the tail, the
			// cursor and the head.
			near := func(r int64) bool { return rev >= r-2 && rev <= r+2 }
			if all || near(want.Tail) || near(want.Cursor) || near(want.Head) {
				h.sameRevision(id, rev)
			}
		}
	}
}

func (h *draftHarness) sameRevision(id string, rev int64) {
	h.t.Helper()
	want, errWant := h.model.GetRevision(h.ctx, id, rev)
	got, errGot := h.db.Drafts().GetRevision(h.ctx, id, rev)
	if errWant != nil {
		if !errors.Is(errGot, designer.ErrDraftNotFound) {
			h.t.Fatalf("step %d: draft %s revision %d: sqlite %v, want not found", h.steps, id, rev, errGot)
		}
		return
	}
	if errGot != nil {
		h.t.Fatalf("step %d: draft %s revision %d: %v", h.steps, id, rev, errGot)
	}
	if got.Rev != want.Rev || !bytes.Equal(got.ASL, want.ASL) || !bytes.Equal(got.Layout, want.Layout) ||
		!bytes.Equal(got.Op, want.Op) || !got.At.Equal(want.At) {
		h.t.Fatalf("step %d: draft %s revision %d:\n sqlite %d %q %q %q %v\n model  %d %q %q %q %v", h.steps, id, rev,
			got.Rev, got.ASL, got.Layout, got.Op, got.At, want.Rev, want.ASL, want.Layout, want.Op, want.At)
	}
}

// TestDraftDeltasMatchModel runs long random sequences of edits, layout
// amendments, undo, redo, trimming, reopening and re-creation against the
// SQLite store and the in-memory model: every draft and revision must read
// the same, byte for byte, whatever the snapshot interval.
func TestDraftDeltasMatchModel(t *testing.T) {
	t.Parallel()
	steps := 400
	if raceEnabled || testing.Short() {
		steps = 100
	}
	for _, tc := range []struct {
		name  string
		every int
		seed  uint64
	}{
		{"every-4", 4, 1},
		{"every-4-seed-2", 4, 2},
		{"every-1-full-rows", 1, 3},
		{"every-3-keep-all", 3, 5},
		{"default", 0, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newDraftHarness(t, filepath.Join(t.TempDir(), "drafts.db"), sqlite.Options{DraftSnapshotEvery: tc.every, Synchronous: "NORMAL"}, tc.seed)
			for _, id := range []string{"a", "b", "c"} {
				h.create(id)
			}
			for i := range steps {
				id := h.step()
				if i%25 == 0 {
					h.check()
				} else {
					h.check(id)
				}
			}
			h.reopen()
			h.check()
			if err := h.db.IntegrityCheck(h.ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestDraftsWrittenByOldCode: a database whose revisions were all stored
// whole, before the deltas' migration, opens, reads the same and takes new
// revisions as deltas on top.
func TestDraftsWrittenByOldCode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	h := &draftHarness{t: t, ctx: ctx, path: path, opts: sqlite.Options{DraftSnapshotEvery: 4, Synchronous: "NORMAL"}, model: designer.NewMemStore(),
		rng: rand.New(rand.NewPCG(11, 7)), t0: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}

	// The history, made on the model alone.
	for _, id := range []string{"a", "b"} {
		asl, layout := draftDoc(30)
		d := &designer.Draft{ID: id, Machine: "m-" + id, Created: h.t0, Updated: h.t0}
		if err := h.model.CreateDraft(ctx, d, designer.Revision{ASL: asl, Layout: layout, At: h.t0}); err != nil {
			t.Fatal(err)
		}
		h.ids = append(h.ids, id)
	}
	for i := range 40 {
		id := h.ids[i%2]
		d, _ := h.model.GetDraft(ctx, id)
		cur, _ := h.model.GetRevision(ctx, id, d.Cursor)
		c := designer.Commit{FromVersion: d.Version, Keep: 6, At: h.now()}
		if i%7 == 6 {
			c.MoveTo = d.Cursor - 1
		} else {
			c.Append = &designer.Revision{ASL: mutate(h.rng, cur.ASL), Layout: mutate(h.rng, cur.Layout), Op: []byte(`{"op":"x"}`), At: c.At}
		}
		if _, err := h.model.CommitDraft(ctx, id, c); err != nil {
			t.Fatal(err)
		}
	}

	// The same drafts as the code before the deltas stored them: the
	// schema of the migrations before 0500, every kept revision whole.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustExec(`CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`)
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v %v", files, err)
	}
	for _, f := range files {
		if filepath.Base(f) >= "0500" {
			continue
		}
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		mustExec(string(text))
		mustExec(`INSERT INTO migrations (name, applied_at) VALUES (?, 0)`, "migrations/"+filepath.Base(f))
	}
	for _, id := range h.ids {
		d, _ := h.model.GetDraft(ctx, id)
		mustExec(`INSERT INTO drafts (id, machine, version, cursor, tail, head, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, d.Machine, d.Version, d.Cursor, d.Tail, d.Head, d.Created.UnixNano(), d.Updated.UnixNano())
		for rev := d.Tail; rev <= d.Head; rev++ {
			r, err := h.model.GetRevision(ctx, id, rev)
			if err != nil {
				t.Fatal(err)
			}
			mustExec(`INSERT INTO draft_revisions (draft_id, rev, asl, layout, op, at) VALUES (?, ?, ?, ?, ?, ?)`,
				id, rev, r.ASL, r.Layout, r.Op, r.At.UnixNano())
		}
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	h.open()
	defer func() { h.db.Close() }()
	h.check()
	steps := 150
	if raceEnabled {
		steps = 50
	}
	for range steps {
		h.check(h.step())
	}
	h.reopen()
	h.check()
}

// TestDraftDeltasWithConcurrentReaders: readers that rebuild revisions (and
// so fill the shared cache) while edits, undo, redo, trimming and
// re-creation go on never see an error other than a missing revision, and
// leave the store equal to the model.
func TestDraftDeltasWithConcurrentReaders(t *testing.T) {
	t.Parallel()
	h := newDraftHarness(t, filepath.Join(t.TempDir(), "drafts.db"), sqlite.Options{DraftSnapshotEvery: 3, Synchronous: "NORMAL"}, 21)
	for _, id := range []string{"a", "b"} {
		h.create(id)
	}
	steps := 300
	if raceEnabled {
		steps = 80
	}
	done := make(chan struct{})
	errs := make(chan error, 2)
	for r := range 2 {
		go func() {
			rng := rand.New(rand.NewPCG(uint64(r), 99))
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				id := []string{"a", "b"}[rng.IntN(2)]
				// The DB may be reopened meanwhile; a closed one answers
				// with an error that is not about the revision.
				db := h.currentDB()
				if _, err := db.Drafts().GetRevision(h.ctx, id, 1+rng.Int64N(12)); err != nil &&
					!errors.Is(err, designer.ErrDraftNotFound) && !strings.Contains(err.Error(), "closed") {
					errs <- err
					return
				}
			}
		}()
	}
	for range steps {
		h.step()
	}
	close(done)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	h.check()
	h.reopen()
	h.check()
}
