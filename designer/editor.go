package designer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"stepwise/engine/asl"
)

// History operations, handled by the Editor rather than the document.
const (
	OpUndo = "undo"
	OpRedo = "redo"
	OpCopy = "copy" // States; answers with the clipboard text, changes nothing
)

// DefaultKeep is how many revisions of undo history a draft keeps.
const DefaultKeep = 200

// Editor applies operations to drafts: it loads the draft's current
// revision, applies the operation, validates the result with engine/asl and
// commits the new revision, so every gesture is saved.
type Editor struct {
	store DraftStore
	now   func() time.Time
	keep  int64

	mu    sync.Mutex
	cache map[string]cached // draft id → document at a version
}

type cached struct {
	draft  Draft // the record at that version
	doc    *Document
	layout []byte // doc's layout as stored
}

const cacheSize = 64

// NewEditor returns an Editor over store. now may be nil (time.Now).
func NewEditor(store DraftStore, now func() time.Time) *Editor {
	if now == nil {
		now = time.Now
	}
	return &Editor{store: store, now: now, keep: DefaultKeep, cache: map[string]cached{}}
}

// Store returns the editor's draft store.
func (e *Editor) Store() DraftStore { return e.store }

// View is a draft as the canvas needs it after every operation.
type View struct {
	ID      string `json:"id"`
	Machine string `json:"machine"`
	Version int64  `json:"version"`
	CanUndo bool   `json:"canUndo"`
	CanRedo bool   `json:"canRedo"`
	Graph   *Graph `json:"graph"`
	// ASL is the definition as the code view shows it; omitted (with
	// Diagnostics) when SameASL says the operation changed only the layout.
	ASL         string          `json:"asl,omitempty"`
	Diagnostics asl.Diagnostics `json:"diagnostics"`
	SameASL     bool            `json:"sameAsl,omitempty"`
	Layout      Layout          `json:"layout"`
	// Clipboard is set by a copy operation.
	Clipboard string `json:"clipboard,omitempty"`
	// Doc is the document itself.
	Doc *Document `json:"-"`
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Create stores a new draft of the named machine ("" for a new one) holding
// definition (nil for a fresh one-state workflow).
func (e *Editor) Create(ctx context.Context, machine string, definition []byte) (*View, error) {
	doc := NewDocument()
	if definition != nil {
		var err error
		if doc, err = ParseDocument(definition, nil); err != nil {
			return nil, err
		}
	}
	now := e.now()
	d := &Draft{ID: newID(), Machine: machine, Created: now, Updated: now}
	layout := layoutJSON(doc.layout)
	if err := e.store.CreateDraft(ctx, d, Revision{ASL: doc.compact(), Layout: layout, At: now}); err != nil {
		return nil, fmt.Errorf("designer: create draft: %w", err)
	}
	e.remember(d, doc, layout)
	return e.view(d, doc), nil
}

// Open returns the draft's current view.
func (e *Editor) Open(ctx context.Context, id string) (*View, error) {
	d, err := e.store.GetDraft(ctx, id)
	if err != nil {
		return nil, err
	}
	doc, _, err := e.load(ctx, d)
	if err != nil {
		return nil, err
	}
	return e.view(d, doc), nil
}

// Document returns the draft's current document and draft record.
func (e *Editor) Document(ctx context.Context, id string) (*Document, *Draft, error) {
	d, err := e.store.GetDraft(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	doc, _, err := e.load(ctx, d)
	return doc, d, err
}

// load returns the draft's current document and its layout as stored.
func (e *Editor) load(ctx context.Context, d *Draft) (*Document, []byte, error) {
	e.mu.Lock()
	c, ok := e.cache[d.ID]
	e.mu.Unlock()
	if ok && c.draft.Version == d.Version {
		return c.doc, c.layout, nil
	}
	r, err := e.store.GetRevision(ctx, d.ID, d.Cursor)
	if err != nil {
		return nil, nil, err
	}
	doc, err := ParseDocument(r.ASL, r.Layout)
	if err != nil {
		return nil, nil, fmt.Errorf("designer: draft %s revision %d: %w", d.ID, d.Cursor, err)
	}
	e.remember(d, doc, r.Layout)
	return doc, r.Layout, nil
}

func (e *Editor) remember(d *Draft, doc *Document, layout []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.cache) >= cacheSize {
		for k := range e.cache {
			delete(e.cache, k)
			break
		}
	}
	e.cache[d.ID] = cached{*d, doc, layout}
}

// cachedDraft returns the draft's record as this editor last read or
// wrote it, if that was at version. An edit starts from it without reading
// the store: if the draft changed meanwhile some other way, the store's
// commit refuses the edit as a version conflict.
func (e *Editor) cachedDraft(id string, version int64) *Draft {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.cache[id]; ok && version != 0 && c.draft.Version == version {
		d := c.draft
		return &d
	}
	return nil
}

// SetMachine records that the draft now edits the named machine (after
// "Save" created it).
func (e *Editor) SetMachine(ctx context.Context, id, machine string) error {
	err := e.store.SetDraftMachine(ctx, id, machine)
	e.mu.Lock()
	delete(e.cache, id)
	e.mu.Unlock()
	return err
}

// Apply applies op to the draft if it is still at version (0 skips the
// check). A refused operation returns an *OpError; a stale version
// ErrVersionConflict (wrapped).
func (e *Editor) Apply(ctx context.Context, id string, version int64, op Op) (*View, error) {
	d := e.cachedDraft(id, version)
	if d == nil {
		var err error
		if d, err = e.store.GetDraft(ctx, id); err != nil {
			return nil, err
		}
	}
	if version != 0 && version != d.Version {
		return nil, fmt.Errorf("designer: draft %s is at version %d, not %d: %w", id, d.Version, version, ErrVersionConflict)
	}
	doc, docLayout, err := e.load(ctx, d)
	if err != nil {
		return nil, err
	}
	c := Commit{FromVersion: d.Version, Keep: e.keep, At: e.now()}
	var (
		nd       *Document
		ndLayout []byte
	)
	switch op.Op {
	case OpUndo, OpRedo:
		to := d.Cursor - 1
		if op.Op == OpRedo {
			to = d.Cursor + 1
		}
		if to < d.Tail || to > d.Head {
			return nil, opErr("nothing to %s", op.Op)
		}
		r, err := e.store.GetRevision(ctx, id, to)
		if err != nil {
			return nil, err
		}
		if nd, err = ParseDocument(r.ASL, r.Layout); err != nil {
			return nil, fmt.Errorf("designer: draft %s revision %d: %w", id, to, err)
		}
		c.MoveTo, ndLayout = to, r.Layout
	case OpCopy:
		clip, err := doc.Copy(op.States)
		if err != nil {
			return nil, err
		}
		v := e.view(d, doc)
		v.Clipboard = clip
		return v, nil
	default:
		if nd, err = Apply(doc, op); err != nil {
			return nil, err
		}
		// Most edits leave the layout as it was: its stored text is
		// reused (encoding 500 positions is not free).
		ndLayout = docLayout
		if docLayout == nil || !layoutEqual(nd.layout, doc.layout) {
			ndLayout = layoutJSON(nd.layout)
		}
		if op.Amends() {
			c.AmendLayout = ndLayout
		} else {
			opText, _ := jsonMarshal(op)
			c.Append = &Revision{ASL: nd.compact(), Layout: ndLayout, Op: opText, At: c.At}
		}
	}
	// The new view is prepared while the store commits (which mostly
	// waits for SQLite), unless only the layout changed.
	layoutOnly := op.Op != OpUndo && op.Op != OpRedo && nd.SameASL(doc)
	var (
		parts    viewParts
		prepared chan struct{}
	)
	if !layoutOnly {
		prepared = make(chan struct{})
		go func() {
			defer close(prepared)
			parts = prepareView(nd)
		}()
	}
	nd2, err := e.store.CommitDraft(ctx, id, c)
	if prepared != nil {
		<-prepared
	}
	if err != nil {
		return nil, err
	}
	e.remember(nd2, nd, ndLayout)
	if layoutOnly {
		return e.layoutView(nd2, nd), nil
	}
	return viewOf(nd2, nd, parts), nil
}

// layoutView is the answer to an operation that changed only the layout:
// no graph, ASL text or diagnostics, which the page already has; the
// positions are in Layout.
func (e *Editor) layoutView(d *Draft, doc *Document) *View {
	return &View{
		ID: d.ID, Machine: d.Machine, Version: d.Version,
		CanUndo: d.Cursor > d.Tail, CanRedo: d.Cursor < d.Head,
		Layout: doc.Layout(), Doc: doc, SameASL: true,
	}
}

func (e *Editor) view(d *Draft, doc *Document) *View {
	return viewOf(d, doc, prepareView(doc))
}

// viewParts is what a view shows of a document.
type viewParts struct {
	text  string
	diags asl.Diagnostics
	graph *Graph
}

// prepareView computes what a view shows of doc.
func prepareView(doc *Document) viewParts {
	// Validation is most of the work on a large document: the index and
	// the text, which do not depend on it, are prepared meanwhile.
	// (The text as a JSON string literal, which only a full answer needs,
	// is made when the view is first encoded: see AppendJSON.)
	var (
		wg   sync.WaitGroup
		text string
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		doc.index()
		text = doc.Text()
	}()
	diags := doc.Validate()
	wg.Wait()
	return viewParts{text: text, diags: diags, graph: doc.Graph(diags)}
}

func viewOf(d *Draft, doc *Document, p viewParts) *View {
	return &View{
		ID: d.ID, Machine: d.Machine, Version: d.Version,
		CanUndo: d.Cursor > d.Tail, CanRedo: d.Cursor < d.Head,
		Graph: p.graph, ASL: p.text, Diagnostics: p.diags, Layout: doc.Layout(), Doc: doc,
	}
}

// IsConflict reports whether err is a version conflict.
func IsConflict(err error) bool { return errors.Is(err, ErrVersionConflict) }

// IsNotFound reports whether err is a missing draft.
func IsNotFound(err error) bool { return errors.Is(err, ErrDraftNotFound) }
