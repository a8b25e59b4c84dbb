package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"stepwise/engine"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Options configure Open.
type Options struct {
	// Synchronous is SQLite's synchronous setting for the writer: "FULL"
	// (the default: a commit survives power loss) or "NORMAL" (a commit
	// survives a process crash; the last commits may be lost on power loss).
	// Case does not matter; anything else is an error.
	Synchronous string
	// Now is the clock for bookkeeping timestamps (migrations); default
	// time.Now.
	Now func() time.Time
	// DraftSnapshotEvery is how often a draft revision is stored whole
	// rather than as a delta against the one before: reading a revision
	// applies at most DraftSnapshotEvery-1 deltas. 0 means
	// DefaultDraftSnapshotEvery; 1 stores every revision whole.
	DraftSnapshotEvery int
	// DraftSynchronous is the synchronous setting of the designer's draft
	// commits: "NORMAL" (the default) or "FULL". Every canvas gesture is a
	// commit; at NORMAL it is durable across a crash of the process at
	// once and across a power loss once the checkpointer (every
	// checkpointEvery) has synced the WAL, and the edit does not wait for
	// an fsync, which on a busy disk took tens of milliseconds. Executions
	// always commit with Synchronous.
	DraftSynchronous string
}

// DB is an engine.Store on one SQLite file: a writer pool of one connection
// (every write is a BEGIN IMMEDIATE transaction on it), a reader pool and a
// connection for background checkpoints. One writer goroutine takes the
// concurrent writes (Commit, CreateExecution, state machine changes) and
// commits all waiting ones in one transaction, each in its own savepoint.
// It is safe for concurrent use.
type DB struct {
	path string
	now  func() time.Time
	// sync and draftSync are the writer's synchronous setting and the
	// draft commits' (Options.DraftSynchronous).
	sync, draftSync string
	w               *sql.DB // the one writer connection
	r               *sql.DB // readers

	// Prepared on the writer; used inside transactions with tx.StmtContext.
	stmts writerStmts

	// The checkpointer copies the WAL into the database file in the
	// background, on its own connection, so the writer never stalls on the
	// checkpoint's fsyncs (SQLite's automatic checkpoint runs inside the
	// committing transaction).
	cp     *sql.DB
	stopCP chan struct{}
	cpDone chan struct{}

	// The writer goroutine takes write requests from writes until stopW
	// closes.
	writes chan *writeReq
	stopW  chan struct{}
	wDone  chan struct{}

	closed atomic.Bool
	// walRestart is walRestartFrames; tests lower it.
	walRestart int

	// drafts is what the draft store shares between its handles (drafts.go).
	drafts draftState
}

// checkpointEvery is how often the checkpointer runs.
const checkpointEvery = 500 * time.Millisecond

var _ engine.Store = (*DB)(nil)

// synchronous checks a synchronous setting (FULL or NORMAL, any case) and
// gives def for an empty one.
func synchronous(name, v, def string) (string, error) {
	switch v = strings.ToUpper(v); v {
	case "":
		return def, nil
	case "FULL", "NORMAL":
		return v, nil
	}
	return "", fmt.Errorf("%s is %q; want FULL or NORMAL", name, v)
}

// Open opens (creating if needed) the database at path and runs the
// migrations it has not run yet.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("sqlite: open: the database path is empty")
	}
	var err error
	if opts.Synchronous, err = synchronous("Synchronous", opts.Synchronous, "FULL"); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if opts.DraftSynchronous, err = synchronous("DraftSynchronous", opts.DraftSynchronous, "NORMAL"); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DraftSnapshotEvery < 0 {
		return nil, fmt.Errorf("sqlite: open %s: DraftSnapshotEvery is %d; want 0 or more", path, opts.DraftSnapshotEvery)
	}
	db := &DB{path: path, now: opts.Now, walRestart: walRestartFrames, sync: opts.Synchronous, draftSync: opts.DraftSynchronous}
	db.drafts.every = cmp.Or(opts.DraftSnapshotEvery, DefaultDraftSnapshotEvery)
	// The pragmas go in the DSN so every connection of a pool gets them;
	// db.Exec("PRAGMA ...") would reach one pooled connection only.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)"
	wdsn := "file:" + escapePath(path) + "?" + common +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(" + opts.Synchronous + ")" +
		"&_pragma=journal_size_limit(67108864)&_pragma=wal_autocheckpoint(0)&_pragma=cache_size(-16384)&_txlock=immediate"
	rdsn := "file:" + escapePath(path) + "?" + common + "&_pragma=query_only(1)"
	if db.w, err = sql.Open("sqlite", wdsn); err != nil {
		return nil, fmt.Errorf("sqlite: open writer %s: %w", path, err)
	}
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	db.w.SetConnMaxLifetime(0)
	db.w.SetConnMaxIdleTime(0)
	if err := db.w.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: open writer %s: %w", path, err), db.w.Close())
	}
	if err := db.migrate(ctx); err != nil {
		return nil, errors.Join(err, db.w.Close())
	}
	if db.r, err = sql.Open("sqlite", rdsn); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: open readers %s: %w", path, err), db.w.Close())
	}
	n := max(4, runtime.NumCPU())
	db.r.SetMaxOpenConns(n)
	db.r.SetMaxIdleConns(n)
	if err := db.stmts.prepare(ctx, db.w); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: open %s: %w", path, err), db.Close())
	}
	if db.cp, err = sql.Open("sqlite", "file:"+escapePath(path)+"?"+common); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: open checkpointer %s: %w", path, err), db.Close())
	}
	db.cp.SetMaxOpenConns(1)
	db.stopCP, db.cpDone = make(chan struct{}), make(chan struct{})
	go db.checkpointer()
	db.writes, db.stopW, db.wDone = make(chan *writeReq), make(chan struct{}), make(chan struct{})
	go db.writer()
	return db, nil
}

// checkpointer runs passive checkpoints until Close: they never wait for
// the writer or readers and never block them.
func (db *DB) checkpointer() {
	defer close(db.cpDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-db.stopCP:
			return
		case <-t.C:
			db.checkpoint()
		}
	}
}

// escapePath keeps a file name with '?' or '#' from being read as a URI
// query or fragment.
func escapePath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

// Path returns the database file name.
func (db *DB) Path() string { return db.path }

// walRestartFrames is the WAL size (in frames, that is pages: 512 MiB at the
// default 4 KiB page) past which the checkpointer makes the WAL start over.
// Under a steady stream of commits a passive checkpoint never catches up with
// the last frame, so SQLite never rewinds the WAL and it would grow without
// end. The RESTART checkpoint holds writers back while it copies the WAL, so
// it is a backstop against runaway growth, not the usual way: at 64 MiB it
// cut the STANDARD benchmark from ~93k to ~30–70k transitions/s.
const walRestartFrames = 131072

// checkpoint runs one passive checkpoint, and a RESTART one (which waits for
// the writer's current transaction and holds the next one back until it is
// done) when the WAL has grown past walRestartFrames. A failed checkpoint is
// retried on the next tick; the WAL only grows meanwhile.
func (db *DB) checkpoint() {
	var busy, log, done int
	if err := db.cp.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done); err != nil {
		return
	}
	if log >= db.walRestart {
		_, _ = db.cp.Exec("PRAGMA wal_checkpoint(RESTART)")
	}
}

// Close stops the writer and the checkpointer, checkpoints the whole WAL into
// the database file and closes the pools. Calls after the first return nil.
func (db *DB) Close() error {
	if !db.closed.CompareAndSwap(false, true) {
		return nil
	}
	var errs []error
	if db.stopW != nil {
		close(db.stopW)
		<-db.wDone
	}
	if db.stopCP != nil {
		close(db.stopCP)
		<-db.cpDone
	}
	db.stmts.close()
	db.drafts.close()
	if db.cp != nil {
		if _, err := db.cp.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			errs = append(errs, fmt.Errorf("final checkpoint: %w", err))
		}
		errs = append(errs, db.cp.Close())
	}
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	if db.w != nil {
		errs = append(errs, db.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close %s: %w", db.path, err)
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns nil when SQLite
// answers "ok", or an error listing the problems.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	rows, err := db.r.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("sqlite: integrity check %s: %w", db.path, err)
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return fmt.Errorf("sqlite: integrity check %s: %w", db.path, err)
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: integrity check %s: %w", db.path, err)
	}
	if len(msgs) == 1 && msgs[0] == "ok" {
		return nil
	}
	return fmt.Errorf("sqlite: integrity check %s: %q", db.path, msgs)
}

// migrationName matches NNNN_name.sql. Numbers 0001–0099 belong to the store,
// 0100 and up to the designer's tables; all run in number order.
var migrationName = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

// migrate runs each embedded migration not yet recorded in the migrations
// table, in order, each in its own transaction.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("sqlite: migrate %s: create migrations table: %w", db.path, err)
	}
	names, err := migrationNames(migrationFS)
	if err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", db.path, err)
	}
	for _, name := range names {
		if err := db.migrateFile(ctx, name); err != nil {
			return fmt.Errorf("sqlite: migrate %s: %s: %w", db.path, name, err)
		}
	}
	return nil
}

// migrationNames lists the migration files of fsys in number order and
// rejects misnamed files and duplicate numbers.
func migrationNames(fsys fs.FS) ([]string, error) {
	names, err := fs.Glob(fsys, "migrations/*")
	if err != nil {
		return nil, err
	}
	seen := map[string]string{}
	out := make([]string, 0, len(names))
	for _, n := range names {
		base := n[len("migrations/"):]
		m := migrationName.FindStringSubmatch(base)
		if m == nil {
			return nil, fmt.Errorf("migration file %q is not named NNNN_name.sql", base)
		}
		if prev, ok := seen[m[1]]; ok {
			return nil, fmt.Errorf("migrations %q and %q share the number %s", prev, base, m[1])
		}
		seen[m[1]] = base
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

func (db *DB) migrateFile(ctx context.Context, name string) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	text, err := migrationFS.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(text)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied_at) VALUES (?, ?)`, name, db.now().UnixNano()); err != nil {
		return err
	}
	return tx.Commit()
}

// Times are stored as Unix nanoseconds; the zero time is math.MinInt64, so
// that the Unix epoch itself stays a time. Times outside what int64
// nanoseconds hold (before 1678, after 2262) are clamped; a timer due after
// 2262 never fires in practice.
const zeroNS = math.MinInt64

var (
	minTime = time.Unix(0, math.MinInt64+1)
	maxTime = time.Unix(0, math.MaxInt64)
)

func toNS(t time.Time) int64 {
	switch {
	case t.IsZero():
		return zeroNS
	case t.Before(minTime):
		return math.MinInt64 + 1
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

func fromNS(n int64) time.Time {
	if n == zeroNS {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// Page tokens are opaque to callers: base64 of the JSON of the sort key of
// the last row returned.
func encodeToken(key ...any) string {
	b, _ := json.Marshal(key)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeToken decodes tok into the sort key parts; a token that does not
// decode into exactly those parts is InvalidToken.
func decodeToken(tok string, parts ...any) error {
	bad := engine.Errorf(engine.InvalidToken, "Invalid Token: '%s'", tok)
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return bad
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || len(raw) != len(parts) {
		return bad
	}
	for i, p := range parts {
		if err := json.Unmarshal(raw[i], p); err != nil {
			return bad
		}
	}
	return nil
}

func limitOf(p engine.Page) int {
	if p.Limit <= 0 {
		return 100
	}
	return p.Limit
}

func internal(format string, args ...any) error {
	return engine.Errorf(engine.Internal, format, args...)
}

func nullString(s string, ok bool) sql.NullString { return sql.NullString{String: s, Valid: ok} }
