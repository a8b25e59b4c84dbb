package designer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Errors of a DraftStore.
var (
	// ErrDraftNotFound: no draft (or revision) with that id.
	ErrDraftNotFound = errors.New("draft not found")
	// ErrVersionConflict: the draft changed since the version the caller
	// read (another tab edited it).
	ErrVersionConflict = errors.New("the draft changed in the meantime")
)

// Draft is a document being edited: its identity and where its history
// stands. The document itself is the revision at Cursor.
type Draft struct {
	ID string
	// Machine is the name of the state machine the draft edits; "" for a
	// new machine.
	Machine string
	// Version counts every change (edits, undo, redo, layout); two tabs
	// compare it to know whether they are current.
	Version int64
	// Cursor is the current revision; Tail and Head the first and last
	// stored ones. Undo is possible while Cursor > Tail, redo while
	// Cursor < Head.
	Cursor, Tail, Head int64
	Created, Updated   time.Time
}

// Revision is one state of the document in the undo history.
type Revision struct {
	Rev    int64
	ASL    []byte
	Layout []byte
	// Op is the operation (JSON) that produced this revision; empty for the
	// first.
	Op []byte
	At time.Time
}

// Commit is one change to a draft, applied atomically if the draft is still
// at FromVersion.
type Commit struct {
	FromVersion int64
	// Append stores a new revision after the cursor, dropping any redo
	// revisions, and moves the cursor to it (its Rev is assigned).
	Append *Revision
	// AmendLayout, when Append is nil, replaces the current revision's
	// layout without adding an undo step.
	AmendLayout []byte
	// MoveTo, when Append and AmendLayout are nil, moves the cursor (undo,
	// redo); it must lie within [Tail, Head].
	MoveTo int64
	// Keep bounds the revisions kept; older ones are dropped. 0 keeps all.
	Keep int64
	At   time.Time
}

// DraftStore persists drafts with their undo history and layout.
type DraftStore interface {
	// CreateDraft stores a new draft whose first revision is first; it
	// fills in d's Version, Cursor, Tail and Head.
	CreateDraft(ctx context.Context, d *Draft, first Revision) error
	// GetDraft returns the draft or ErrDraftNotFound.
	GetDraft(ctx context.Context, id string) (*Draft, error)
	// FindDraft returns the most recently updated draft of the named
	// machine, or ErrDraftNotFound.
	FindDraft(ctx context.Context, machine string) (*Draft, error)
	// GetRevision returns one stored revision or ErrDraftNotFound.
	GetRevision(ctx context.Context, id string, rev int64) (*Revision, error)
	// CommitDraft applies c and returns the updated draft, or
	// ErrVersionConflict when the draft is no longer at c.FromVersion.
	CommitDraft(ctx context.Context, id string, c Commit) (*Draft, error)
	// SetDraftMachine records that the draft now edits the named machine
	// (after "Save" created it).
	SetDraftMachine(ctx context.Context, id, machine string) error
	// DeleteDraft removes a draft and its history.
	DeleteDraft(ctx context.Context, id string) error
}

// MemStore is an in-memory DraftStore for tests and for running without a
// database.
type MemStore struct {
	mu     sync.Mutex
	drafts map[string]*memDraft
}

type memDraft struct {
	d    Draft
	revs map[int64]Revision
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{drafts: map[string]*memDraft{}} }

// CreateDraft implements DraftStore.
func (s *MemStore) CreateDraft(_ context.Context, d *Draft, first Revision) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.ID == "" {
		return fmt.Errorf("designer: create draft: empty id")
	}
	if _, ok := s.drafts[d.ID]; ok {
		return fmt.Errorf("designer: create draft %s: id already used", d.ID)
	}
	d.Version, d.Cursor, d.Tail, d.Head = 1, 1, 1, 1
	first.Rev = 1
	s.drafts[d.ID] = &memDraft{d: *d, revs: map[int64]Revision{1: cloneRev(first)}}
	return nil
}

func cloneRev(r Revision) Revision {
	r.ASL, r.Layout, r.Op = slices.Clone(r.ASL), slices.Clone(r.Layout), slices.Clone(r.Op)
	return r
}

// GetDraft implements DraftStore.
func (s *MemStore) GetDraft(_ context.Context, id string) (*Draft, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	md, ok := s.drafts[id]
	if !ok {
		return nil, fmt.Errorf("designer: draft %s: %w", id, ErrDraftNotFound)
	}
	d := md.d
	return &d, nil
}

// FindDraft implements DraftStore.
func (s *MemStore) FindDraft(_ context.Context, machine string) (*Draft, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best *Draft
	for _, md := range s.drafts {
		if md.d.Machine == machine && (best == nil || md.d.Updated.After(best.Updated)) {
			d := md.d
			best = &d
		}
	}
	if best == nil {
		return nil, fmt.Errorf("designer: draft of %s: %w", machine, ErrDraftNotFound)
	}
	return best, nil
}

// GetRevision implements DraftStore.
func (s *MemStore) GetRevision(_ context.Context, id string, rev int64) (*Revision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	md, ok := s.drafts[id]
	if !ok {
		return nil, fmt.Errorf("designer: draft %s: %w", id, ErrDraftNotFound)
	}
	r, ok := md.revs[rev]
	if !ok {
		return nil, fmt.Errorf("designer: draft %s revision %d: %w", id, rev, ErrDraftNotFound)
	}
	r = cloneRev(r)
	return &r, nil
}

// CommitDraft implements DraftStore.
func (s *MemStore) CommitDraft(_ context.Context, id string, c Commit) (*Draft, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	md, ok := s.drafts[id]
	if !ok {
		return nil, fmt.Errorf("designer: draft %s: %w", id, ErrDraftNotFound)
	}
	d := md.d
	if d.Version != c.FromVersion {
		return nil, fmt.Errorf("designer: draft %s is at version %d, not %d: %w", id, d.Version, c.FromVersion, ErrVersionConflict)
	}
	switch {
	case c.Append != nil:
		for r := d.Cursor + 1; r <= d.Head; r++ {
			delete(md.revs, r)
		}
		rev := cloneRev(*c.Append)
		rev.Rev = d.Cursor + 1
		md.revs[rev.Rev] = rev
		d.Cursor, d.Head = rev.Rev, rev.Rev
		if c.Keep > 0 {
			for d.Head-d.Tail+1 > c.Keep {
				delete(md.revs, d.Tail)
				d.Tail++
			}
		}
	case c.AmendLayout != nil:
		r := md.revs[d.Cursor]
		r.Layout = slices.Clone(c.AmendLayout)
		md.revs[d.Cursor] = r
	default:
		if c.MoveTo < d.Tail || c.MoveTo > d.Head {
			return nil, fmt.Errorf("designer: draft %s has revisions %d..%d, not %d", id, d.Tail, d.Head, c.MoveTo)
		}
		d.Cursor = c.MoveTo
	}
	d.Version++
	d.Updated = c.At
	md.d = d
	return &d, nil
}

// SetDraftMachine implements DraftStore.
func (s *MemStore) SetDraftMachine(_ context.Context, id, machine string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	md, ok := s.drafts[id]
	if !ok {
		return fmt.Errorf("designer: draft %s: %w", id, ErrDraftNotFound)
	}
	md.d.Machine = machine
	return nil
}

// DeleteDraft implements DraftStore.
func (s *MemStore) DeleteDraft(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.drafts, id)
	return nil
}
