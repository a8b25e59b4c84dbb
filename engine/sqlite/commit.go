package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"stepwise/engine"
)

// writerStmts are the statements Commit runs, prepared once on the writer.
type writerStmts struct {
	historyInsert *sql.Stmt
	execLookup    *sql.Stmt
	execInsert    *sql.Stmt
	execUpdate    *sql.Stmt
	framePut      *sql.Stmt
	frameDel      *sql.Stmt
	framesClear   *sql.Stmt
	timerPut      *sql.Stmt
	timerDel      *sql.Stmt
	timersClear   *sql.Stmt
	taskPut       *sql.Stmt
	taskDel       *sql.Stmt
	tasksClear    *sql.Stmt
	mapRunUpsert  *sql.Stmt
	savepoint     *sql.Stmt
	rollbackTo    *sql.Stmt
	release       *sql.Stmt
}

func (s *writerStmts) prepare(ctx context.Context, w *sql.DB) error {
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = w.PrepareContext(ctx, q)
		if err != nil {
			err = fmt.Errorf("prepare %q: %w", q, err)
		}
		return st
	}
	s.historyInsert = prep(`INSERT INTO history (execution_id, first_id, last_id, events) VALUES (?, ?, ?, ?)`)
	s.execLookup = prep(`SELECT id, last_event_id FROM executions WHERE arn = ?`)
	s.execInsert = prep(`INSERT INTO executions (arn, name, state_machine_arn, state_machine_name, type, status,
		input, output, error, cause, start_date, stop_date, definition, map_run_arn, parent_arn, trace_header, test_case,
		last_event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	s.execUpdate = prep(`UPDATE executions SET status = ?, output = ?, error = ?, cause = ?, stop_date = ?,
		last_event_id = ? WHERE id = ?`)
	s.framePut = prep(`INSERT INTO frames (execution_id, id, data) VALUES (?, ?, ?)
		ON CONFLICT (execution_id, id) DO UPDATE SET data = excluded.data`)
	s.frameDel = prep(`DELETE FROM frames WHERE execution_id = ? AND id = ?`)
	s.framesClear = prep(`DELETE FROM frames WHERE execution_id = ?`)
	s.timerPut = prep(`INSERT INTO timers (execution_id, id, due, data) VALUES (?, ?, ?, ?)
		ON CONFLICT (execution_id, id) DO UPDATE SET due = excluded.due, data = excluded.data`)
	s.timerDel = prep(`DELETE FROM timers WHERE execution_id = ? AND id = ?`)
	s.timersClear = prep(`DELETE FROM timers WHERE execution_id = ?`)
	// A token already held by another task fails the insert (and the
	// whole commit) through the unique index instead of replacing that task.
	s.taskPut = prep(`INSERT INTO tasks (execution_id, id, token, data) VALUES (?, ?, ?, ?)
		ON CONFLICT (execution_id, id) DO UPDATE SET token = excluded.token, data = excluded.data`)
	s.taskDel = prep(`DELETE FROM tasks WHERE execution_id = ? AND id = ?`)
	s.tasksClear = prep(`DELETE FROM tasks WHERE execution_id = ?`)
	s.mapRunUpsert = prep(`INSERT INTO map_runs (` + mapRunColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (arn) DO UPDATE SET execution_arn = excluded.execution_arn,
		state_machine_arn = excluded.state_machine_arn, label = excluded.label, status = excluded.status,
		start_date = excluded.start_date, stop_date = excluded.stop_date, max_concurrency = excluded.max_concurrency,
		tolerated_failure_percentage = excluded.tolerated_failure_percentage,
		tolerated_failure_count = excluded.tolerated_failure_count, total = excluded.total,
		pending = excluded.pending, running = excluded.running, succeeded = excluded.succeeded,
		failed = excluded.failed, timed_out = excluded.timed_out, aborted = excluded.aborted`)
	s.savepoint = prep(`SAVEPOINT req`)
	s.rollbackTo = prep(`ROLLBACK TO req`)
	s.release = prep(`RELEASE req`)
	return err
}

func (s *writerStmts) close() {
	for _, st := range []*sql.Stmt{s.historyInsert, s.execLookup, s.execInsert, s.execUpdate, s.framePut, s.frameDel, s.framesClear, s.timerPut,
		s.timerDel, s.timersClear, s.taskPut, s.taskDel, s.tasksClear, s.mapRunUpsert, s.savepoint, s.rollbackTo, s.release} {
		if st != nil {
			_ = st.Close() // closing the pool reports real trouble
		}
	}
}

// txStmts binds the writer's prepared statements to one transaction, each
// on first use.
type txStmts struct {
	ctx   context.Context
	tx    *sql.Tx
	s     *writerStmts
	bound map[*sql.Stmt]*sql.Stmt
	buf   []byte // encoding buffer for history chunks
}

// stmt returns st bound to the transaction.
func (t *txStmts) stmt(st *sql.Stmt) *sql.Stmt {
	b := t.bound[st]
	if b == nil {
		b = t.tx.StmtContext(t.ctx, st)
		t.bound[st] = b
	}
	return b
}

func (t *txStmts) exec(st *sql.Stmt, args ...any) (sql.Result, error) {
	return t.stmt(st).ExecContext(t.ctx, args...)
}

// Commit implements engine.Store: every step of the batch in one
// transaction, or none of them.
func (db *DB) Commit(ctx context.Context, steps []*engine.Step) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(steps) == 0 {
		return nil
	}
	for _, st := range steps {
		if st == nil || st.Execution == nil {
			return internal("commit: step without execution")
		}
	}
	return db.write(ctx, "commit", func(t *txStmts) error { return db.commitSteps(t, steps) })
}

func (db *DB) commitSteps(t *txStmts, steps []*engine.Step) error {
	type state struct{ id, last int64 }
	known := make(map[string]*state, len(steps))
	for _, st := range steps {
		x := st.Execution
		es := known[x.ARN]
		if es == nil {
			es = &state{}
			err := t.stmt(db.stmts.execLookup).QueryRowContext(t.ctx, x.ARN).Scan(&es.id, &es.last)
			if errors.Is(err, sql.ErrNoRows) {
				return execNotFound(x.ARN)
			}
			if err != nil {
				return fmt.Errorf("sqlite: commit %s: %w", x.ARN, err)
			}
			known[x.ARN] = es
		}
		if err := checkContiguous(x.ARN, es.last, st.Events); err != nil {
			return err
		}
		if err := db.applyStep(t, es.id, st); err != nil {
			return fmt.Errorf("sqlite: commit %s: %w", x.ARN, err)
		}
		if n := len(st.Events); n > 0 {
			es.last = st.Events[n-1].ID
		}
		if _, err := t.exec(db.stmts.execUpdate, string(x.Status), nullString(x.Output, x.HasOutput),
			nullString(x.Error, x.HasError), nullString(x.Cause, x.HasCause), toNS(x.StopDate), es.last, es.id); err != nil {
			return fmt.Errorf("sqlite: commit %s: update execution: %w", x.ARN, err)
		}
	}
	return nil
}

// applyStep writes one step's events, frames, timers, tasks and Map Runs.
func (db *DB) applyStep(t *txStmts, id int64, st *engine.Step) error {
	s := &db.stmts
	if err := t.insert(id, st.Events); err != nil {
		return err
	}
	if st.Execution.Status.Done() {
		// A finished execution needs no interpreter state.
		for _, clear := range []*sql.Stmt{s.framesClear, s.timersClear, s.tasksClear} {
			if _, err := t.exec(clear, id); err != nil {
				return fmt.Errorf("clear interpreter state: %w", err)
			}
		}
	} else {
		for _, f := range st.PutFrames {
			if _, err := t.exec(s.framePut, id, f.ID, f.Data); err != nil {
				return fmt.Errorf("put frame %q: %w", f.ID, err)
			}
		}
		for _, fid := range st.DeleteFrames {
			if _, err := t.exec(s.frameDel, id, fid); err != nil {
				return fmt.Errorf("delete frame %q: %w", fid, err)
			}
		}
		for _, tm := range st.PutTimers {
			if _, err := t.exec(s.timerPut, id, tm.ID, toNS(tm.Due), tm.Data); err != nil {
				return fmt.Errorf("put timer %q: %w", tm.ID, err)
			}
		}
		for _, tid := range st.DeleteTimers {
			if _, err := t.exec(s.timerDel, id, tid); err != nil {
				return fmt.Errorf("delete timer %q: %w", tid, err)
			}
		}
		for _, tk := range st.PutTasks {
			if _, err := t.exec(s.taskPut, id, tk.ID, tk.Token, tk.Data); err != nil {
				return fmt.Errorf("put task %q (token %q): %w", tk.ID, tk.Token, err)
			}
		}
		for _, tid := range st.DeleteTasks {
			if _, err := t.exec(s.taskDel, id, tid); err != nil {
				return fmt.Errorf("delete task %q: %w", tid, err)
			}
		}
	}
	for _, mr := range st.MapRuns {
		if _, err := t.exec(s.mapRunUpsert, mapRunArgs(mr)...); err != nil {
			return fmt.Errorf("put map run %s: %w", mr.ARN, err)
		}
	}
	return nil
}

// Recover implements engine.Store: RUNNING executions in creation order, each
// with its frames, timers and tasks ordered by id.
func (db *DB) Recover(ctx context.Context) ([]*engine.Recovered, error) {
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: recover: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+execColumns+` FROM executions WHERE status = 'RUNNING' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: recover: %w", err)
	}
	byID := map[int64]*engine.Recovered{}
	var out []*engine.Recovered
	for rows.Next() {
		id, x, err := scanExec(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: recover: %w", err)
		}
		r := &engine.Recovered{Execution: x}
		byID[id] = r
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: recover: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	load := func(table, cols string, scan func(rows *sql.Rows) error) error {
		rows, err := tx.QueryContext(ctx, `SELECT t.execution_id, `+cols+` FROM `+table+` t
			JOIN executions x ON x.id = t.execution_id WHERE x.status = 'RUNNING' ORDER BY t.execution_id, t.id`)
		if err != nil {
			return fmt.Errorf("sqlite: recover %s: %w", table, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fmt.Errorf("sqlite: recover %s: %w", table, err)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: recover %s: %w", table, err)
		}
		return nil
	}
	if err := load("frames", "t.id, t.data", func(rows *sql.Rows) error {
		var eid int64
		var f engine.Frame
		if err := rows.Scan(&eid, &f.ID, &f.Data); err != nil {
			return err
		}
		if r := byID[eid]; r != nil {
			r.Frames = append(r.Frames, f)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := load("timers", "t.id, t.due, t.data", func(rows *sql.Rows) error {
		var eid, due int64
		var tm engine.Timer
		if err := rows.Scan(&eid, &tm.ID, &due, &tm.Data); err != nil {
			return err
		}
		tm.Due = fromNS(due)
		if r := byID[eid]; r != nil {
			r.Timers = append(r.Timers, tm)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := load("tasks", "t.id, t.token, t.data", func(rows *sql.Rows) error {
		var eid int64
		var tk engine.Task
		if err := rows.Scan(&eid, &tk.ID, &tk.Token, &tk.Data); err != nil {
			return err
		}
		if r := byID[eid]; r != nil {
			r.Tasks = append(r.Tasks, tk)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return out, nil
}
