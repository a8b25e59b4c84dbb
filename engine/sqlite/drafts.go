package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"stepwise/designer"
)

// Drafts is the designer's draft store on the same database file: it uses
// the DB's writer connection for commits and its reader pool for reads.
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
	tx, err := s.db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: create draft %s: %w", d.ID, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO drafts (`+draftColumns+`) VALUES (?, ?, 1, 1, 1, 1, ?, ?)`,
		d.ID, d.Machine, toNS(d.Created), toNS(d.Updated)); err != nil {
		return fmt.Errorf("sqlite: create draft %s: %w", d.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO draft_revisions (draft_id, rev, asl, layout, op, at) VALUES (?, 1, ?, ?, ?, ?)`,
		d.ID, first.ASL, nonNil(first.Layout), first.Op, toNS(first.At)); err != nil {
		return fmt.Errorf("sqlite: create draft %s: first revision: %w", d.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: create draft %s: commit: %w", d.ID, err)
	}
	d.Version, d.Cursor, d.Tail, d.Head = 1, 1, 1, 1
	return nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
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

// GetRevision implements designer.DraftStore.
func (s *Drafts) GetRevision(ctx context.Context, id string, rev int64) (*designer.Revision, error) {
	r := designer.Revision{Rev: rev}
	var at int64
	err := s.db.r.QueryRowContext(ctx, `SELECT asl, layout, op, at FROM draft_revisions WHERE draft_id = ? AND rev = ?`, id, rev).
		Scan(&r.ASL, &r.Layout, &r.Op, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: draft %s revision %d: %w", id, rev, designer.ErrDraftNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: draft %s revision %d: %w", id, rev, err)
	}
	r.At = fromNS(at)
	return &r, nil
}

// CommitDraft implements designer.DraftStore: one BEGIN IMMEDIATE
// transaction checks the version and applies the change.
func (s *Drafts) CommitDraft(ctx context.Context, id string, c designer.Commit) (*designer.Draft, error) {
	tx, err := s.db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: commit draft %s: %w", id, err)
	}
	defer tx.Rollback()
	d, err := scanDraft(tx.QueryRowContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: commit draft %s: %w", id, designer.ErrDraftNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: commit draft %s: %w", id, err)
	}
	if d.Version != c.FromVersion {
		return nil, fmt.Errorf("sqlite: draft %s is at version %d, not %d: %w", id, d.Version, c.FromVersion, designer.ErrVersionConflict)
	}
	switch {
	case c.Append != nil:
		if _, err := tx.ExecContext(ctx, `DELETE FROM draft_revisions WHERE draft_id = ? AND rev > ?`, id, d.Cursor); err != nil {
			return nil, fmt.Errorf("sqlite: commit draft %s: drop redo history: %w", id, err)
		}
		rev := d.Cursor + 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO draft_revisions (draft_id, rev, asl, layout, op, at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, rev, c.Append.ASL, nonNil(c.Append.Layout), c.Append.Op, toNS(c.Append.At)); err != nil {
			return nil, fmt.Errorf("sqlite: commit draft %s: revision %d: %w", id, rev, err)
		}
		d.Cursor, d.Head = rev, rev
		if c.Keep > 0 && d.Head-d.Tail+1 > c.Keep {
			d.Tail = d.Head - c.Keep + 1
			if _, err := tx.ExecContext(ctx, `DELETE FROM draft_revisions WHERE draft_id = ? AND rev < ?`, id, d.Tail); err != nil {
				return nil, fmt.Errorf("sqlite: commit draft %s: trim history: %w", id, err)
			}
		}
	case c.AmendLayout != nil:
		if _, err := tx.ExecContext(ctx, `UPDATE draft_revisions SET layout = ? WHERE draft_id = ? AND rev = ?`, c.AmendLayout, id, d.Cursor); err != nil {
			return nil, fmt.Errorf("sqlite: commit draft %s: layout: %w", id, err)
		}
	default:
		if c.MoveTo < d.Tail || c.MoveTo > d.Head {
			return nil, fmt.Errorf("sqlite: draft %s has revisions %d..%d, not %d", id, d.Tail, d.Head, c.MoveTo)
		}
		d.Cursor = c.MoveTo
	}
	d.Version++
	d.Updated = c.At
	if _, err := tx.ExecContext(ctx, `UPDATE drafts SET version = ?, cursor = ?, tail = ?, head = ?, updated_at = ? WHERE id = ?`,
		d.Version, d.Cursor, d.Tail, d.Head, toNS(d.Updated), id); err != nil {
		return nil, fmt.Errorf("sqlite: commit draft %s: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit draft %s: %w", id, err)
	}
	return d, nil
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
	if _, err := s.db.w.ExecContext(ctx, `DELETE FROM drafts WHERE id = ?`, id); err != nil {
		return fmt.Errorf("sqlite: delete draft %s: %w", id, err)
	}
	return nil
}
