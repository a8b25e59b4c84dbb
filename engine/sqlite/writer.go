package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// maxWriteBatch bounds the requests one writer transaction carries.
const maxWriteBatch = 256

// writeReq is one write (a Commit, a CreateExecution, ...) waiting for the
// writer goroutine.
type writeReq struct {
	what string
	fn   func(t *txStmts) error
	done chan error
}

// write runs fn in a transaction of the writer goroutine and returns its
// error. Concurrent writes share one BEGIN IMMEDIATE … COMMIT (group commit:
// one fsync for many requests); each runs inside its own savepoint, so a
// failing request is rolled back alone and the others still commit.
func (db *DB) write(ctx context.Context, what string, fn func(t *txStmts) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	req := &writeReq{what: what, fn: fn, done: make(chan error, 1)}
	select {
	case db.writes <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.stopW:
		return fmt.Errorf("sqlite: %s: the database is closed", what)
	}
	// Once queued the request runs to its end, so the caller learns whether
	// it committed.
	return <-req.done
}

// writer is the one goroutine that writes: it takes every request waiting
// and commits them together.
func (db *DB) writer() {
	defer close(db.wDone)
	batch := make([]*writeReq, 0, maxWriteBatch)
	for {
		var first *writeReq
		select {
		case first = <-db.writes:
		case <-db.stopW:
			return
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxWriteBatch {
			select {
			case req := <-db.writes:
				batch = append(batch, req)
			default:
				break fill
			}
		}
		errs := db.runBatch(batch)
		for i, req := range batch {
			req.done <- errs[i]
		}
	}
}

// runBatch runs the requests in one transaction and returns each one's
// error.
func (db *DB) runBatch(batch []*writeReq) []error {
	errs := make([]error, len(batch))
	fail := func(err error) []error {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
		return errs
	}
	ctx := context.Background()
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fail(fmt.Errorf("sqlite: begin: %w", err))
	}
	defer tx.Rollback()
	t := &txStmts{ctx: ctx, tx: tx, s: &db.stmts, bound: map[*sql.Stmt]*sql.Stmt{}}
	if len(batch) == 1 {
		// Alone in its transaction: the rollback undoes a failure.
		if err := batch[0].fn(t); err != nil {
			errs[0] = err
			return errs
		}
	} else {
		ok := 0
		for i, req := range batch {
			if _, err := t.exec(db.stmts.savepoint); err != nil {
				return fail(fmt.Errorf("sqlite: %s: savepoint: %w", req.what, err))
			}
			if errs[i] = req.fn(t); errs[i] != nil {
				if _, err := t.exec(db.stmts.rollbackTo); err != nil {
					return fail(fmt.Errorf("sqlite: %s: rollback to savepoint: %w", req.what, err))
				}
			} else {
				ok++
			}
			if _, err := t.exec(db.stmts.release); err != nil {
				return fail(fmt.Errorf("sqlite: %s: release savepoint: %w", req.what, err))
			}
		}
		if ok == 0 {
			return errs
		}
	}
	if err := tx.Commit(); err != nil {
		return fail(fmt.Errorf("sqlite: commit %d writes: %w", len(batch), err))
	}
	return errs
}
