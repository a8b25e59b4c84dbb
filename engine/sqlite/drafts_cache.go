package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// DefaultDraftSnapshotEvery is the default Options.DraftSnapshotEvery.
// Committing a snapshot of a 500-state draft (~90 KB) takes about 1.5 times
// as long as a delta, so one in 32 hardly shows; reading the revision just
// before a snapshot applies 31 splices (~0.4 ms, against ~0.1 ms for a
// snapshot; BenchmarkDraftGetRevision).
const DefaultDraftSnapshotEvery = 32

// Bounds of the draft cache: drafts remembered, and revisions per draft.
const (
	draftCacheDrafts = 16
	draftCacheRevs   = 4
)

// draftState is what every Drafts handle of a DB shares: the snapshot
// interval and a cache of recent full revisions, so that a commit can store
// a delta against the cursor revision without reading it back.
//
// Every draft write (create, commit, delete) holds mu from before its
// transaction begins until the cache is updated after it commits, and gen is
// odd meanwhile; so the cache always describes the committed database, and a
// reader that saw the same even gen before and after its query may add what
// it read.
type draftState struct {
	every int // snapshot interval

	mu     sync.Mutex
	gen    atomic.Uint64
	drafts map[string]*cachedDraft
	clock  uint64 // for least-recently-used eviction

	stmtMu sync.Mutex
	stmts  *draftStmts

	// misses counts commits that had to read the revision they follow back
	// from the database (for tests and diagnostics).
	misses atomic.Int64
}

// cachedDraft is what the cache knows of one draft at one version.
type cachedDraft struct {
	version int64
	used    uint64
	revs    []*cachedRev // most recently used last
}

// cachedRev is one revision's full bytes (never changed in place: a change
// replaces the slices) and how it is stored.
type cachedRev struct {
	rev         int64
	kind        int64
	depth       int64 // deltas since the last snapshot at or before rev
	asl, layout []byte
	// prevLayout is the full layout of rev-1, when havePrev.
	prevLayout []byte
	havePrev   bool
}

// beginWrite takes the write lock; endWrite releases it.
func (st *draftState) beginWrite() {
	st.mu.Lock()
	st.gen.Add(1)
}

func (st *draftState) endWrite() {
	st.gen.Add(1)
	st.mu.Unlock()
}

// lookup returns the cached revision rev of draft id if the cache is at
// version; a cache at another version is dropped (the draft changed behind
// it). Call with mu held.
func (st *draftState) lookup(id string, version, rev int64) *cachedRev {
	cd := st.drafts[id]
	if cd == nil {
		return nil
	}
	if cd.version != version {
		delete(st.drafts, id)
		return nil
	}
	st.clock++
	cd.used = st.clock
	for i, r := range cd.revs {
		if r.rev == rev {
			copy(cd.revs[i:], cd.revs[i+1:])
			cd.revs[len(cd.revs)-1] = r
			return r
		}
	}
	return nil
}

// draft returns the cache of draft id at version, creating it (and
// evicting the least recently used draft) when missing or at another
// version. Call with mu held.
func (st *draftState) draft(id string, version int64) *cachedDraft {
	st.clock++
	if cd := st.drafts[id]; cd != nil && cd.version == version {
		cd.used = st.clock
		return cd
	}
	if st.drafts == nil {
		st.drafts = map[string]*cachedDraft{}
	}
	if _, ok := st.drafts[id]; !ok && len(st.drafts) >= draftCacheDrafts {
		var oldest string
		var used uint64
		for k, cd := range st.drafts {
			if oldest == "" || cd.used < used {
				oldest, used = k, cd.used
			}
		}
		delete(st.drafts, oldest)
	}
	cd := &cachedDraft{version: version, used: st.clock}
	st.drafts[id] = cd
	return cd
}

// put adds or replaces revision r. Call with mu held.
func (cd *cachedDraft) put(r *cachedRev) {
	cd.drop(func(o *cachedRev) bool { return o.rev == r.rev })
	if len(cd.revs) >= draftCacheRevs {
		cd.revs = append(cd.revs[:0], cd.revs[1:]...)
	}
	cd.revs = append(cd.revs, r)
}

// get returns revision rev or nil. Call with mu held.
func (cd *cachedDraft) get(rev int64) *cachedRev {
	for _, r := range cd.revs {
		if r.rev == rev {
			return r
		}
	}
	return nil
}

// drop removes the revisions for which gone is true. Call with mu held.
func (cd *cachedDraft) drop(gone func(*cachedRev) bool) {
	out := cd.revs[:0]
	for _, r := range cd.revs {
		if !gone(r) {
			out = append(out, r)
		}
	}
	clear(cd.revs[len(out):])
	cd.revs = out
}

// forget drops what the cache knows of draft id. Call with mu held.
func (st *draftState) forget(id string) { delete(st.drafts, id) }

// fill adds a copy of a revision a reader rebuilt, if no draft write began
// since gen was g0 (even) before the reader's query: then what it read is
// the committed state. It never waits for a writer, and copies nothing when
// it adds nothing.
func (st *draftState) fill(g0 uint64, id string, version int64, r *cachedRev) {
	if g0%2 != 0 || !st.mu.TryLock() {
		return
	}
	defer st.mu.Unlock()
	if st.gen.Load() != g0 {
		return
	}
	cd := st.draft(id, version)
	if have := cd.get(r.rev); have != nil && (have.havePrev || !r.havePrev) {
		return
	}
	c := *r
	c.asl, c.layout = clone(r.asl), clone(r.layout)
	if c.havePrev {
		c.prevLayout = clone(r.prevLayout)
	}
	cd.put(&c)
}

// draftStmts are the draft store's statements, prepared once: on the
// writer (used in transactions through tx.StmtContext) and on the readers.
type draftStmts struct {
	selectDraft, insertRev, dropRedo, trim, updateDraft, chain, amend, redoRow *sql.Stmt
	revision                                                                   *sql.Stmt // on the readers
}

// statements returns the prepared statements, preparing them on first use.
// Call it outside any transaction: preparing needs the writer connection.
func (st *draftState) statements(ctx context.Context, db *DB) (*draftStmts, error) {
	st.stmtMu.Lock()
	defer st.stmtMu.Unlock()
	if st.stmts != nil {
		return st.stmts, nil
	}
	var s draftStmts
	var errs []error
	prep := func(pool *sql.DB, q string) *sql.Stmt {
		p, err := pool.PrepareContext(ctx, q)
		if err != nil {
			errs = append(errs, fmt.Errorf("prepare %q: %w", q, err))
		}
		return p
	}
	s.selectDraft = prep(db.w, `SELECT `+draftColumns+` FROM drafts WHERE id = ?`)
	s.insertRev = prep(db.w, `INSERT INTO draft_revisions (draft_id, rev, asl, layout, op, at, kind) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	s.dropRedo = prep(db.w, `DELETE FROM draft_revisions WHERE draft_id = ? AND rev > ?`)
	// Revisions before the tail are gone for the caller; the rows from the
	// last snapshot at or before it stay for the deltas after it.
	s.trim = prep(db.w, `DELETE FROM draft_revisions WHERE draft_id = ?1
		AND rev < (SELECT max(rev) FROM draft_revisions WHERE draft_id = ?1 AND rev <= ?2 AND kind = 0)`)
	s.updateDraft = prep(db.w, `UPDATE drafts SET version = ?, cursor = ?, tail = ?, head = ?, updated_at = ? WHERE id = ?`)
	s.chain = prep(db.w, chainQuery)
	s.amend = prep(db.w, `UPDATE draft_revisions SET layout = ?, kind = ? WHERE draft_id = ? AND rev = ?`)
	s.redoRow = prep(db.w, `SELECT kind, layout FROM draft_revisions WHERE draft_id = ? AND rev = ?`)
	s.revision = prep(db.r, revisionQuery)
	if len(errs) > 0 {
		s.close()
		return nil, fmt.Errorf("sqlite: drafts: %w", errors.Join(errs...))
	}
	st.stmts = &s
	return st.stmts, nil
}

func (s *draftStmts) close() {
	for _, p := range []*sql.Stmt{s.selectDraft, s.insertRev, s.dropRedo, s.trim, s.updateDraft, s.chain, s.amend, s.redoRow, s.revision} {
		if p != nil {
			_ = p.Close() // closing the pools reports real trouble
		}
	}
}

// close closes the prepared statements (DB.Close).
func (st *draftState) close() {
	st.stmtMu.Lock()
	defer st.stmtMu.Unlock()
	if st.stmts != nil {
		st.stmts.close()
		st.stmts = nil
	}
}
