package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"stepwise/internal/affix"
	"strings"
	"testing"

	"stepwise/designer"
)

func TestSpliceRoundTrip(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("abcdefghij", 30)
	for _, tc := range []struct{ name, base, target string }{
		{"both empty", "", ""},
		{"from empty", "", "abc"},
		{"to empty", "abc", ""},
		{"same", long, long},
		{"first byte", long, "X" + long[1:]},
		{"last byte", long, long[:len(long)-1] + "X"},
		{"middle", long, long[:100] + "XYZ" + long[103:]},
		{"insert", long, long[:57] + "inserted" + long[57:]},
		{"delete", long, long[:57] + long[90:]},
		{"repeats shorter", "aaaa", "aa"},
		{"repeats longer", "aa", "aaaaa"},
		{"prefix of base", long, long[:77]},
		{"suffix of base", long, long[77:]},
		{"unrelated", "hello", "world!"},
		{"two changes", long, "Q" + long[1:200] + "R" + long[201:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := encodeSplice([]byte(tc.base), []byte(tc.target))
			got, err := applySplice(nil, []byte(tc.base), d)
			if err != nil || string(got) != tc.target {
				t.Fatalf("apply(encode) = %q, %v; want %q", got, err, tc.target)
			}
			if len(d) > len(tc.target)-affix.Prefix(tc.base, tc.target)+1+2*10 {
				t.Fatalf("splice of %d bytes for a %d-byte target", len(d), len(tc.target))
			}
		})
	}
}

func TestSpliceSmallForSmallEdits(t *testing.T) {
	t.Parallel()
	base := bytes.Repeat([]byte(`{"Type":"Pass","Next":"x"},`), 3000)
	target := bytes.Clone(base)
	copy(target[40000:], "Wait")
	if d := encodeSplice(base, target); len(d) > 12 {
		t.Fatalf("a 4-byte edit of %d bytes gives a %d-byte splice", len(base), len(d))
	}
}

func TestApplySpliceRejects(t *testing.T) {
	t.Parallel()
	base := []byte("0123456789")
	for _, tc := range []struct {
		name  string
		delta []byte
		want  string
	}{
		{"empty", nil, "not a splice"},
		{"wrong tag", []byte{0x02, 0, 0}, "not a splice"},
		{"no prefix", []byte{spliceTag}, "prefix"},
		{"truncated prefix", []byte{spliceTag, 0x80}, "prefix"},
		{"overlong prefix", append([]byte{spliceTag}, bytes.Repeat([]byte{0xff}, 11)...), "prefix"},
		{"no suffix", []byte{spliceTag, 3}, "suffix"},
		{"prefix past base", []byte{spliceTag, 11, 0}, "keeps 11+0"},
		{"prefix and suffix past base", []byte{spliceTag, 6, 5}, "keeps 6+5"},
		{"huge suffix", append([]byte{spliceTag, 1}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), "keeps 1+"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := applySplice(nil, base, tc.delta)
			if !errors.Is(err, errSplice) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("applySplice(%x) = %v; want %q", tc.delta, err, tc.want)
			}
		})
	}
}

func TestChainRejects(t *testing.T) {
	t.Parallel()
	snap := revRow{rev: 4, kind: 0, asl: []byte("asl"), layout: []byte("layout")}
	for _, tc := range []struct {
		name string
		rows []revRow
		want string
	}{
		{"starts with a delta", []revRow{{rev: 4, kind: kindASLDelta, asl: encodeSplice(nil, []byte("x"))}}, "draft d revision 4: a chain starts with a delta"},
		{"unknown kind", []revRow{snap, {rev: 5, kind: 8}}, "draft d revision 5: unknown storage kind 8"},
		{"gap", []revRow{snap, {rev: 6}}, "draft d revision 6: follows revision 4"},
		{"bad asl delta", []revRow{snap, {rev: 5, kind: kindASLDelta, asl: []byte{spliceTag, 9, 9}}}, "draft d revision 5: asl: malformed delta"},
		{"bad layout delta", []revRow{snap, {rev: 5, kind: kindLayoutDelta, asl: []byte("a"), layout: []byte("{}")}}, "draft d revision 5: layout: malformed delta"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := chain{id: "d"}
			var err error
			for _, r := range tc.rows {
				if err = c.add(r); err != nil {
					break
				}
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// FuzzDraftDelta feeds the chain decoder a snapshot and a stored row as
// they might come back from a damaged database: it never panics, and an
// error names the draft and the revision. A splice it encodes decodes to
// its target.
func FuzzDraftDelta(f *testing.F) {
	f.Add([]byte(`{"States":{"A":{}}}`), []byte(`{"States":{"B":{}}}`), encodeSplice([]byte(`{"a":1}`), []byte(`{"a":22}`)), int64(kindASLDelta))
	f.Add([]byte(""), []byte("x"), []byte{spliceTag, 0, 0}, int64(kindMask))
	f.Add([]byte("abc"), []byte(""), []byte{spliceTag, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0}, int64(kindLayoutDelta))
	f.Add([]byte("abc"), []byte("abd"), []byte{}, int64(-1))
	f.Fuzz(func(t *testing.T, base, target, stored []byte, kind int64) {
		c := chain{id: "fz"}
		if err := c.add(revRow{rev: 7, asl: base, layout: base}); err != nil {
			t.Fatal(err)
		}
		err := c.add(revRow{rev: 8, kind: kind, asl: stored, layout: stored})
		if err != nil && !strings.Contains(err.Error(), "draft fz revision 8") {
			t.Fatalf("error does not name the draft and revision: %v", err)
		}
		if err == nil {
			asl, layout, prev, ok := c.result()
			if !ok || !bytes.Equal(prev, base) {
				t.Fatalf("previous layout %q, %v; want %q", prev, ok, base)
			}
			if kind&kindASLDelta == 0 && !bytes.Equal(asl, stored) || kind&kindLayoutDelta == 0 && !bytes.Equal(layout, stored) {
				t.Fatal("a whole column came back changed")
			}
		}
		d := encodeSplice(base, target)
		got, err := applySplice(nil, base, d)
		if err != nil || !bytes.Equal(got, target) {
			t.Fatalf("apply(encode(%q, %q)) = %q, %v", base, target, got, err)
		}
	})
}

// TestDraftDamagedRow: a revision whose stored delta is damaged reads as an
// error naming the draft and revision, not as a missing revision or wrong
// bytes; the revisions before it still read.
func TestDraftDamagedRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "d.db"), Options{DraftSnapshotEvery: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := db.Drafts()
	d := &designer.Draft{ID: "dmg"}
	asl := []byte(strings.Repeat(`{"Type":"Pass"},`, 100))
	if err := s.CreateDraft(ctx, d, designer.Revision{ASL: asl, Layout: []byte(`{"positions":{}}`)}); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		asl = append(bytes.Clone(asl), fmt.Sprint(i)...)
		if d, err = s.CommitDraft(ctx, "dmg", designer.Commit{FromVersion: d.Version, Append: &designer.Revision{ASL: asl, Layout: []byte(`{"positions":{}}`)}}); err != nil {
			t.Fatal(err)
		}
	}
	var kind int64
	var stored []byte
	if err := db.r.QueryRow(`SELECT kind, asl FROM draft_revisions WHERE draft_id = 'dmg' AND rev = 3`).Scan(&kind, &stored); err != nil || kind&kindASLDelta == 0 {
		t.Fatalf("revision 3 is not stored as a delta: kind %d, %v", kind, err)
	}
	if _, err := db.w.Exec(`UPDATE draft_revisions SET asl = x'01ffff' WHERE draft_id = 'dmg' AND rev = 3`); err != nil {
		t.Fatal(err)
	}
	for rev := int64(3); rev <= 5; rev++ {
		_, err := s.GetRevision(ctx, "dmg", rev)
		if err == nil || errors.Is(err, designer.ErrDraftNotFound) || !strings.Contains(err.Error(), "draft dmg revision 3: asl: malformed delta") {
			t.Fatalf("revision %d: %v", rev, err)
		}
	}
	if r, err := s.GetRevision(ctx, "dmg", 2); err != nil || !strings.HasSuffix(string(r.ASL), ",0") {
		t.Fatalf("revision 2: %v", err)
	}
	// A missing row in the chain is named too.
	if _, err := db.w.Exec(`UPDATE draft_revisions SET asl = ? WHERE draft_id = 'dmg' AND rev = 3`, stored); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.Exec(`DELETE FROM draft_revisions WHERE draft_id = 'dmg' AND rev = 4`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		rev  int64
		want string
	}{{4, "draft dmg revision 4: not stored"}, {5, "draft dmg revision 5: follows revision 3"}} {
		if _, err := s.GetRevision(ctx, "dmg", tc.rev); err == nil || errors.Is(err, designer.ErrDraftNotFound) || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("revision %d after revision 4 was deleted: %v; want %q", tc.rev, err, tc.want)
		}
	}
	if r, err := s.GetRevision(ctx, "dmg", 3); err != nil || !strings.HasSuffix(string(r.ASL), ",01") {
		t.Fatalf("revision 3 restored: %v", err)
	}
}

// TestDraftCacheFill: a reader's revision goes into the cache only if no
// draft write began since it read the generation before its query, and it
// never waits for a writer.
func TestDraftCacheFill(t *testing.T) {
	t.Parallel()
	rev := func() *cachedRev { return &cachedRev{rev: 3, asl: []byte("a"), layout: []byte("l")} }
	for _, tc := range []struct {
		name  string
		setup func(st *draftState) uint64 // returns the reader's g0
		want  bool
	}{
		{"quiet", func(st *draftState) uint64 { return st.gen.Load() }, true},
		{"write since", func(st *draftState) uint64 {
			g0 := st.gen.Load()
			st.beginWrite()
			st.endWrite()
			return g0
		}, false},
		{"write running at the start", func(st *draftState) uint64 {
			st.beginWrite()
			g0 := st.gen.Load()
			st.endWrite()
			return g0
		}, false},
		{"write running at the end", func(st *draftState) uint64 {
			g0 := st.gen.Load()
			st.beginWrite() // left running: fill must not wait for it
			return g0
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var st draftState
			g0 := tc.setup(&st)
			st.fill(g0, "d", 5, rev())
			if st.gen.Load()%2 == 1 {
				st.endWrite()
			}
			st.mu.Lock()
			defer st.mu.Unlock()
			got := st.lookup("d", 5, 3) != nil
			if got != tc.want {
				t.Fatalf("filled %v, want %v", got, tc.want)
			}
		})
	}
}

// TestDraftEditorReadsNothingBack: in the editor's own flow (edits, moves,
// undo, redo, viewport changes, a restart) no commit reads back the
// revision it follows — the cache has it, filled by the editor's reads
// after a restart or an undo — and the drafts end as with the memory store.
func TestDraftEditorReadsNothingBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "e.db")
	db, err := Open(ctx, path, Options{DraftSnapshotEvery: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	mem := designer.NewEditor(designer.NewMemStore(), nil)
	ed := designer.NewEditor(db.Drafts(), nil)
	v, err := ed.Create(ctx, "m", nil)
	if err != nil {
		t.Fatal(err)
	}
	mv, err := mem.Create(ctx, "m", nil)
	if err != nil {
		t.Fatal(err)
	}
	ops := []designer.Op{
		{Op: "add", Type: "Pass", Pos: &designer.Point{X: 10, Y: 20}},
		{Op: "add", Type: "Wait", Pos: &designer.Point{X: 30, Y: 120}},
		{Op: "viewport", Viewport: &designer.Viewport{X: 1, Y: 2, Zoom: 1.5}},
		{Op: "add", Type: "Succeed", Pos: &designer.Point{X: 50, Y: 220}},
		{Op: "undo"}, {Op: "undo"},
		{Op: "viewport", Viewport: &designer.Viewport{X: 3, Y: 4, Zoom: 2}}, // amends with a redo revision after it
		{Op: "redo"},
		{Op: "add", Type: "Fail", Pos: &designer.Point{X: 70, Y: 320}},
		{Op: "restart"},
		{Op: "add", Type: "Pass", Pos: &designer.Point{X: 90, Y: 420}},
		{Op: "undo"},
		{Op: "add", Type: "Choice", Pos: &designer.Point{X: 110, Y: 520}},
		{Op: "viewport", Viewport: &designer.Viewport{X: 5, Y: 6, Zoom: 0.5}},
	}
	for i, op := range ops {
		if op.Op == "restart" {
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if db, err = Open(ctx, path, Options{DraftSnapshotEvery: 4}); err != nil {
				t.Fatal(err)
			}
			ed = designer.NewEditor(db.Drafts(), nil)
			if v, err = ed.Open(ctx, v.ID); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if v, err = ed.Apply(ctx, v.ID, v.Version, op); err != nil {
			t.Fatalf("op %d %s: %v", i, op.Op, err)
		}
		if mv, err = mem.Apply(ctx, mv.ID, mv.Version, op); err != nil {
			t.Fatalf("op %d %s on the memory store: %v", i, op.Op, err)
		}
		if n := db.drafts.misses.Load(); n != 0 {
			t.Fatalf("op %d %s: %d commits read back their revision", i, op.Op, n)
		}
		got, _, err := ed.Document(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := mem.Document(ctx, mv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(designer.MarshalLayout(got.Layout()), designer.MarshalLayout(want.Layout())) || v.CanUndo != mv.CanUndo || v.CanRedo != mv.CanRedo {
			t.Fatalf("op %d %s: layout or history differs from the memory store's", i, op.Op)
		}
	}
	// Every stored revision, read back from the rows, is the memory
	// store's.
	d, err := db.Drafts().GetDraft(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	md, err := mem.Store().GetDraft(ctx, mv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Tail != md.Tail || d.Head != md.Head || d.Cursor != md.Cursor {
		t.Fatalf("history %d..%d at %d, memory store %d..%d at %d", d.Tail, d.Head, d.Cursor, md.Tail, md.Head, md.Cursor)
	}
	for rev := d.Tail; rev <= d.Head; rev++ {
		r, err := db.Drafts().GetRevision(ctx, v.ID, rev)
		if err != nil {
			t.Fatal(err)
		}
		mr, err := mem.Store().GetRevision(ctx, mv.ID, rev)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(r.ASL, mr.ASL) || !bytes.Equal(r.Layout, mr.Layout) {
			t.Fatalf("revision %d differs:\n %s %s\n %s %s", rev, r.ASL, r.Layout, mr.ASL, mr.Layout)
		}
	}
}

// TestDraftTrimBound: trimming keeps at most every-1 rows before the tail
// (those after the snapshot the first kept revision needs), and the first
// stored row is always a snapshot.
func TestDraftTrimBound(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ every, keep int }{{1, 5}, {4, 5}, {4, 2}, {7, 3}, {32, 10}} {
		t.Run(fmt.Sprintf("every-%d-keep-%d", tc.every, tc.keep), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"), Options{DraftSnapshotEvery: tc.every, Synchronous: "NORMAL"})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			s := db.Drafts()
			asl := []byte(strings.Repeat(`{"Type":"Pass"},`, 50))
			d := &designer.Draft{ID: "t"}
			if err := s.CreateDraft(ctx, d, designer.Revision{ASL: asl}); err != nil {
				t.Fatal(err)
			}
			for i := range 70 {
				asl = append(bytes.Clone(asl[:len(asl)-3]), fmt.Sprintf("%03d", i)...)
				if d, err = s.CommitDraft(ctx, "t", designer.Commit{FromVersion: d.Version, Keep: int64(tc.keep), Append: &designer.Revision{ASL: asl}}); err != nil {
					t.Fatal(err)
				}
				var n, first, firstKind int64
				if err := db.r.QueryRow(`SELECT count(*), min(rev) FROM draft_revisions WHERE draft_id = 't'`).Scan(&n, &first); err != nil {
					t.Fatal(err)
				}
				if err := db.r.QueryRow(`SELECT kind FROM draft_revisions WHERE draft_id = 't' AND rev = ?`, first).Scan(&firstKind); err != nil {
					t.Fatal(err)
				}
				if n > int64(tc.keep+tc.every-1) || first > d.Tail || firstKind != 0 {
					t.Fatalf("after %d commits: %d rows from revision %d (kind %d), tail %d", i+1, n, first, firstKind, d.Tail)
				}
			}
		})
	}
}
