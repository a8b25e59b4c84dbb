package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"stepwise/designer"
)

// Drafts is the designer's draft store on the same database file: it uses
// the DB's writer connection for commits and its reader pool for reads.
//
// A revision's ASL and layout are each stored whole or as a splice against
// the revision before it (drafts_delta.go), whole at least every
// Options.DraftSnapshotEvery revisions; reading one rebuilds it from the last
// snapshot. All the Drafts of a DB share a cache of recent full revisions
// (drafts_cache.go), so a commit does not read back the revision it follows.
type Drafts struct{ db *DB }

var _ designer.DraftStore = (*Drafts)(nil)

// Drafts returns the designer draft store of db.
func (db *DB) Drafts() *Drafts { return &Drafts{db: db} }

const draftColumns = `id, machine, version, cursor, tail, head, created_at, updated_at`

func scanDraft(row interface{ Scan(...any) error }) (*designer.Draft, error) {
	var d designer.Draft
	var created, updated int64
	if err := row.Scan(&d.ID, &d.Machine, &d.Version, &d.Cursor, &d.Tail, &d.Head, &created, &updated); err != nil {
		return nil, err
	}
	d.Created, d.Updated = fromNS(created), fromNS(updated)
	return &d, nil
}

// CreateDraft implements designer.DraftStore.
func (s *Drafts) CreateDraft(ctx context.Context, d *designer.Draft, first designer.Revision) error {
	st := &s.db.drafts
	st.beginWrite()
	defer st.endWrite()
	asl, layout := clone(first.ASL), clone(first.Layout)
	tx, done, err := s.db.draftTx(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: create draft %s: %w", d.ID, err)
	}
	defer done()
	if _, err := tx.ExecContext(ctx, `INSERT INTO drafts (`+draftColumns+`) VALUES (?, ?, 1, 1, 1, 1, ?, ?)`,
		d.ID, d.Machine, toNS(d.Created), toNS(d.Updated)); err != nil {
		return fmt.Errorf("sqlite: create draft %s: %w", d.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO draft_revisions (draft_id, rev, asl, layout, op, at, kind) VALUES (?, 1, ?, ?, ?, ?, 0)`,
		d.ID, asl, layout, first.Op, toNS(first.At)); err != nil {
		return fmt.Errorf("sqlite: create draft %s: first revision: %w", d.ID, err)
	}
	if err := tx.Commit(); err != nil {
		st.forget(d.ID)
		return fmt.Errorf("sqlite: create draft %s: commit: %w", d.ID, err)
	}
	d.Version, d.Cursor, d.Tail, d.Head = 1, 1, 1, 1
	st.forget(d.ID)
	st.draft(d.ID, 1).put(&cachedRev{rev: 1, asl: asl, layout: layout})
	return nil
}

// GetDraft implements designer.DraftStore.
func (s *Drafts) GetDraft(ctx context.Context, id string) (*designer.Draft, error) {
	d, err := scanDraft(s.db.r.QueryRowContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: draft %s: %w", id, designer.ErrDraftNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: draft %s: %w", id, err)
	}
	return d, nil
}

// FindDraft implements designer.DraftStore.
func (s *Drafts) FindDraft(ctx context.Context, machine string) (*designer.Draft, error) {
	d, err := scanDraft(s.db.r.QueryRowContext(ctx,
		`SELECT `+draftColumns+` FROM drafts WHERE machine = ? ORDER BY updated_at DESC, id LIMIT 1`, machine))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: draft of %q: %w", machine, designer.ErrDraftNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: draft of %q: %w", machine, err)
	}
	return d, nil
}

// revisionQuery reads, in one statement (so from one read snapshot), the
// draft's version and bounds and the stored rows from the last snapshot at
// or before revision ?2 up to ?2: no row when the draft does not exist, one
// with NULL revision columns when ?2 is outside [tail, head] (or no
// snapshot precedes it).
const revisionQuery = `SELECT d.version, d.tail, d.head, r.rev, r.kind, r.asl, r.layout, r.op, r.at
FROM drafts d LEFT JOIN draft_revisions r ON r.draft_id = d.id AND ?2 BETWEEN d.tail AND d.head
	AND r.rev BETWEEN (SELECT max(rev) FROM draft_revisions WHERE draft_id = ?1 AND rev <= ?2 AND kind = 0) AND ?2
WHERE d.id = ?1
ORDER BY r.rev`

// chainQuery is revisionQuery for the writer, inside its transaction.
const chainQuery = `SELECT rev, kind, asl, layout FROM draft_revisions
WHERE draft_id = ?1
	AND rev BETWEEN (SELECT max(rev) FROM draft_revisions WHERE draft_id = ?1 AND rev <= ?2 AND kind = 0) AND ?2
ORDER BY rev`

// GetRevision implements designer.DraftStore: it reads the rows from the
// last snapshot at or before rev and applies their deltas.
func (s *Drafts) GetRevision(ctx context.Context, id string, rev int64) (*designer.Revision, error) {
	st := &s.db.drafts
	stmts, err := st.statements(ctx, s.db)
	if err != nil {
		return nil, err
	}
	g0 := st.gen.Load()
	rows, err := stmts.revision.QueryContext(ctx, id, rev)
	if err != nil {
		return nil, fmt.Errorf("sqlite: draft %s revision %d: %w", id, rev, err)
	}
	defer rows.Close()
	c := chain{id: id}
	var (
		version, tail, head int64
		at                  sql.NullInt64
		op                  []byte
		found               bool
	)
	for rows.Next() {
		var r revRow
		var rawOp sql.RawBytes
		var rowRev, kind sql.NullInt64
		if err := rows.Scan(&version, &tail, &head, &rowRev, &kind, (*sql.RawBytes)(&r.asl), (*sql.RawBytes)(&r.layout), &rawOp, &at); err != nil {
			return nil, fmt.Errorf("sqlite: draft %s revision %d: %w", id, rev, err)
		}
		found = true
		if !rowRev.Valid {
			break
		}
		r.rev, r.kind = rowRev.Int64, kind.Int64
		if err := c.add(r); err != nil {
			return nil, err
		}
		op = nil
		if rawOp != nil {
			op = clone(rawOp)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: draft %s revision %d: %w", id, rev, err)
	}
	switch {
	case !found || rev < tail || rev > head:
		return nil, fmt.Errorf("sqlite: draft %s revision %d: %w", id, rev, designer.ErrDraftNotFound)
	case c.n == 0:
		return nil, fmt.Errorf("sqlite: draft %s revision %d: no stored snapshot at or before it", id, rev)
	case c.rev != rev:
		return nil, fmt.Errorf("sqlite: draft %s revision %d: not stored (the chain stops at revision %d)", id, rev, c.rev)
	}
	kind, depth := c.kind, c.depth()
	asl, layout, prevLayout, havePrev := c.result()
	st.fill(g0, id, version, &cachedRev{rev: rev, kind: kind, depth: depth,
		asl: asl, layout: layout, prevLayout: prevLayout, havePrev: havePrev})
	return &designer.Revision{Rev: rev, ASL: asl, Layout: layout, Op: op, At: fromNS(at.Int64)}, nil
}

// rebuild reads revision rev of draft id in full inside the writer's
// transaction (when the cache does not have it).
func rebuild(ctx context.Context, tx *sql.Tx, stmts *draftStmts, id string, rev int64) (*cachedRev, error) {
	rows, err := tx.StmtContext(ctx, stmts.chain).QueryContext(ctx, id, rev)
	if err != nil {
		return nil, fmt.Errorf("sqlite: draft %s revision %d: %w", id, rev, err)
	}
	defer rows.Close()
	c := chain{id: id}
	for rows.Next() {
		var r revRow
		if err := rows.Scan(&r.rev, &r.kind, (*sql.RawBytes)(&r.asl), (*sql.RawBytes)(&r.layout)); err != nil {
			return nil, fmt.Errorf("sqlite: draft %s revision %d: %w", id, rev, err)
		}
		if err := c.add(r); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: draft %s revision %d: %w", id, rev, err)
	}
	if c.n == 0 || c.rev != rev {
		return nil, fmt.Errorf("sqlite: draft %s revision %d: not stored in full or as a chain from a snapshot", id, rev)
	}
	r := &cachedRev{rev: rev, kind: c.kind, depth: c.depth()}
	r.asl, r.layout, r.prevLayout, r.havePrev = c.result()
	return r, nil
}

// CommitDraft implements designer.DraftStore: one BEGIN IMMEDIATE
// transaction checks the version and applies the change. A new revision is
// stored as deltas against the cursor revision, whole every
// Options.DraftSnapshotEvery revisions.
func (s *Drafts) CommitDraft(ctx context.Context, id string, c designer.Commit) (*designer.Draft, error) {
	st := &s.db.drafts
	st.beginWrite()
	defer st.endWrite()
	from := c.FromVersion
	stmts, err := st.statements(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("sqlite: commit draft %s: %w", id, err)
	}
	d, after, err := s.commit(ctx, stmts, id, c)
	if err != nil {
		if !errors.Is(err, designer.ErrVersionConflict) && !errors.Is(err, designer.ErrDraftNotFound) {
			st.forget(id) // whatever happened, the cache must not be trusted
		}
		return nil, err
	}
	cd := st.drafts[id]
	if cd == nil || cd.version != from {
		cd = st.draft(id, from)
	}
	cd.version = d.Version
	after(cd)
	return d, nil
}

// draftTx begins a transaction of draft writes on the writer connection,
// committing at Options.DraftSynchronous; done rolls it back if it did not
// commit and gives the connection back at the writer's own setting (or
// discards it, if that cannot be restored).
func (db *DB) draftTx(ctx context.Context) (tx *sql.Tx, done func(), err error) {
	if db.draftSync == db.sync {
		if tx, err = db.w.BeginTx(ctx, nil); err != nil {
			return nil, nil, err
		}
		return tx, func() { _ = tx.Rollback() }, nil
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	restore := func() {
		if _, err := conn.ExecContext(context.Background(), "PRAGMA synchronous = "+db.sync); err != nil {
			// A writer left at the drafts' setting would commit
			// executions with it: the connection goes.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		_ = conn.Close()
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = "+db.draftSync); err != nil {
		restore()
		return nil, nil, err
	}
	if tx, err = conn.BeginTx(ctx, nil); err != nil {
		restore()
		return nil, nil, err
	}
	return tx, func() { _ = tx.Rollback(); restore() }, nil
}

// commit runs CommitDraft's transaction; after brings the draft's cache
// (at the version the commit started from) up to date once it committed.
func (s *Drafts) commit(ctx context.Context, stmts *draftStmts, id string, c designer.Commit) (*designer.Draft, func(*cachedDraft), error) {
	tx, done, err := s.db.draftTx(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: commit draft %s: %w", id, err)
	}
	defer done()
	d, err := scanDraft(tx.StmtContext(ctx, stmts.selectDraft).QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("sqlite: commit draft %s: %w", id, designer.ErrDraftNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: commit draft %s: %w", id, err)
	}
	if d.Version != c.FromVersion {
		return nil, nil, fmt.Errorf("sqlite: draft %s is at version %d, not %d: %w", id, d.Version, c.FromVersion, designer.ErrVersionConflict)
	}
	var after func(*cachedDraft)
	switch {
	case c.Append != nil:
		after, err = s.appendRevision(ctx, tx, stmts, d, c)
	case c.AmendLayout != nil:
		after, err = s.amendLayout(ctx, tx, stmts, d, c.AmendLayout)
	default:
		if c.MoveTo < d.Tail || c.MoveTo > d.Head {
			return nil, nil, fmt.Errorf("sqlite: draft %s has revisions %d..%d, not %d", id, d.Tail, d.Head, c.MoveTo)
		}
		d.Cursor = c.MoveTo
		after = func(*cachedDraft) {}
	}
	if err != nil {
		return nil, nil, err
	}
	d.Version++
	d.Updated = c.At
	if _, err := tx.StmtContext(ctx, stmts.updateDraft).ExecContext(ctx, d.Version, d.Cursor, d.Tail, d.Head, toNS(d.Updated), id); err != nil {
		return nil, nil, fmt.Errorf("sqlite: commit draft %s: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, nil, fmt.Errorf("sqlite: commit draft %s: %w", id, err)
	}
	return d, after, nil
}

// cursorRevision returns the full cursor revision of d, from the cache or
// read in tx.
func (s *Drafts) cursorRevision(ctx context.Context, tx *sql.Tx, stmts *draftStmts, d *designer.Draft) (*cachedRev, error) {
	if r := s.db.drafts.lookup(d.ID, d.Version, d.Cursor); r != nil {
		return r, nil
	}
	s.db.drafts.misses.Add(1)
	r, err := rebuild(ctx, tx, stmts, d.ID, d.Cursor)
	if err != nil {
		return nil, fmt.Errorf("sqlite: commit draft %s: %w", d.ID, err)
	}
	return r, nil
}

// appendRevision stores c.Append after the cursor (dropping the redo
// revisions) and trims the history to c.Keep, keeping the rows that the
// kept revisions' deltas need.
func (s *Drafts) appendRevision(ctx context.Context, tx *sql.Tx, stmts *draftStmts, d *designer.Draft, c designer.Commit) (func(*cachedDraft), error) {
	id := d.ID
	cur, err := s.cursorRevision(ctx, tx, stmts, d)
	if err != nil {
		return nil, err
	}
	if _, err := tx.StmtContext(ctx, stmts.dropRedo).ExecContext(ctx, id, d.Cursor); err != nil {
		return nil, fmt.Errorf("sqlite: commit draft %s: drop redo history: %w", id, err)
	}
	rev := d.Cursor + 1
	asl, layout := clone(c.Append.ASL), clone(c.Append.Layout)
	next := &cachedRev{rev: rev, depth: cur.depth + 1, asl: asl, layout: layout, prevLayout: cur.layout, havePrev: true}
	storedASL, storedLayout := asl, layout
	if next.depth < int64(s.db.drafts.every) {
		var aslDelta, layoutDelta bool
		storedASL, aslDelta = deltaOrFull(cur.asl, asl, true)
		storedLayout, layoutDelta = deltaOrFull(cur.layout, layout, true)
		if aslDelta {
			next.kind |= kindASLDelta
		}
		if layoutDelta {
			next.kind |= kindLayoutDelta
		}
	}
	if next.kind == 0 {
		next.depth = 0
	}
	if _, err := tx.StmtContext(ctx, stmts.insertRev).ExecContext(ctx, id, rev, storedASL, storedLayout, c.Append.Op, toNS(c.Append.At), next.kind); err != nil {
		return nil, fmt.Errorf("sqlite: commit draft %s: revision %d: %w", id, rev, err)
	}
	oldCursor := d.Cursor
	d.Cursor, d.Head = rev, rev
	if c.Keep > 0 && d.Head-d.Tail+1 > c.Keep {
		d.Tail = d.Head - c.Keep + 1
		if _, err := tx.StmtContext(ctx, stmts.trim).ExecContext(ctx, id, d.Tail); err != nil {
			return nil, fmt.Errorf("sqlite: commit draft %s: trim history: %w", id, err)
		}
	}
	tail := d.Tail
	return func(cd *cachedDraft) {
		cd.drop(func(r *cachedRev) bool { return r.rev > oldCursor || r.rev < tail })
		cd.put(cur)
		cd.put(next)
	}, nil
}

// amendLayout replaces the cursor revision's layout. The revision after it
// (a redo revision), if its layout is a delta against the old one, is
// rewritten against the new one.
func (s *Drafts) amendLayout(ctx context.Context, tx *sql.Tx, stmts *draftStmts, d *designer.Draft, layout []byte) (func(*cachedDraft), error) {
	id := d.ID
	cur, err := s.cursorRevision(ctx, tx, stmts, d)
	if err != nil {
		return nil, err
	}
	layout = clone(layout)
	amended := *cur
	amended.layout = layout
	// A snapshot stays one; a delta row may refer to the layout before.
	stored, delta := deltaOrFull(cur.prevLayout, layout, cur.kind != 0 && cur.havePrev)
	amended.kind &^= kindLayoutDelta
	if delta {
		amended.kind |= kindLayoutDelta
	}
	if amended.kind == 0 {
		amended.depth = 0
	}
	if _, err := tx.StmtContext(ctx, stmts.amend).ExecContext(ctx, stored, amended.kind, id, d.Cursor); err != nil {
		return nil, fmt.Errorf("sqlite: commit draft %s: layout: %w", id, err)
	}
	redoKind := int64(-1)
	if d.Head > d.Cursor {
		rev := d.Cursor + 1
		var kind int64
		var old []byte
		if err := tx.StmtContext(ctx, stmts.redoRow).QueryRowContext(ctx, id, rev).Scan(&kind, &old); err != nil {
			return nil, fmt.Errorf("sqlite: commit draft %s: revision %d: %w", id, rev, err)
		}
		if kind&kindLayoutDelta != 0 {
			full, err := applySplice(nil, cur.layout, old)
			if err != nil {
				return nil, fmt.Errorf("sqlite: commit draft %s: revision %d: layout: %w", id, rev, err)
			}
			stored, delta := deltaOrFull(layout, full, true)
			kind &^= kindLayoutDelta
			if delta {
				kind |= kindLayoutDelta
			}
			if _, err := tx.StmtContext(ctx, stmts.amend).ExecContext(ctx, stored, kind, id, rev); err != nil {
				return nil, fmt.Errorf("sqlite: commit draft %s: revision %d: layout: %w", id, rev, err)
			}
			redoKind = kind
		}
	}
	cursor := d.Cursor
	return func(cd *cachedDraft) {
		cd.put(&amended)
		if r := cd.get(cursor + 1); r != nil {
			n := *r
			n.prevLayout, n.havePrev = layout, true
			if redoKind >= 0 {
				n.kind = redoKind
			}
			if n.kind == 0 {
				n.depth = 0
			}
			cd.put(&n)
		}
	}, nil
}

// SetDraftMachine implements designer.DraftStore.
func (s *Drafts) SetDraftMachine(ctx context.Context, id, machine string) error {
	res, err := s.db.w.ExecContext(ctx, `UPDATE drafts SET machine = ? WHERE id = ?`, machine, id)
	if err != nil {
		return fmt.Errorf("sqlite: draft %s: set machine: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: draft %s: %w", id, designer.ErrDraftNotFound)
	}
	return nil
}

// DeleteDraft implements designer.DraftStore.
func (s *Drafts) DeleteDraft(ctx context.Context, id string) error {
	st := &s.db.drafts
	st.beginWrite()
	defer st.endWrite()
	st.forget(id)
	if _, err := s.db.w.ExecContext(ctx, `DELETE FROM drafts WHERE id = ?`, id); err != nil {
		return fmt.Errorf("sqlite: delete draft %s: %w", id, err)
	}
	return nil
}
