package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"stepwise/engine"
)

const execColumns = `id, arn, name, state_machine_arn, state_machine_name, type, status, input, output, error, cause,
	start_date, stop_date, definition, map_run_arn, parent_arn, trace_header, test_case, last_event_id`

func scanExec(s scanner) (int64, *engine.Execution, error) {
	var x engine.Execution
	var id, start, stop int64
	var typ, status string
	var output, errName, cause sql.NullString
	if err := s.Scan(&id, &x.ARN, &x.Name, &x.StateMachineARN, &x.StateMachineName, &typ, &status, &x.Input,
		&output, &errName, &cause, &start, &stop, &x.Definition, &x.MapRunARN, &x.ParentARN, &x.TraceHeader,
		&x.TestCase, &x.LastEventID); err != nil {
		return 0, nil, err
	}
	x.Type, x.Status = engine.Type(typ), engine.Status(status)
	x.Output, x.HasOutput = output.String, output.Valid
	x.Error, x.HasError = errName.String, errName.Valid
	x.Cause, x.HasCause = cause.String, cause.Valid
	x.StartDate, x.StopDate = fromNS(start), fromNS(stop)
	return id, &x, nil
}

func execNotFound(arn string) error {
	return engine.Errorf(engine.ExecutionDoesNotExist, "Execution Does Not Exist: '%s'", arn)
}

// checkContiguous checks that events continue the history after last.
func checkContiguous(arn string, last int64, events []engine.HistoryEvent) error {
	for _, ev := range events {
		if ev.ID != last+1 {
			return internal("commit %s: history event id %d does not follow %d", arn, ev.ID, last)
		}
		last = ev.ID
	}
	return nil
}

// CreateExecution implements engine.Store.
func (db *DB) CreateExecution(ctx context.Context, x *engine.Execution, events []engine.HistoryEvent) (*engine.Execution, bool, error) {
	if err := checkContiguous(x.ARN, 0, events); err != nil {
		return nil, false, err
	}
	var out *engine.Execution
	var created bool
	err := db.write(ctx, "create execution "+x.ARN, func(t *txStmts) error {
		var err error
		out, created, err = db.createExecution(t, x, events)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return out, created, nil
}

func (db *DB) createExecution(t *txStmts, x *engine.Execution, events []engine.HistoryEvent) (*engine.Execution, bool, error) {
	ctx, tx := t.ctx, t.tx
	_, old, err := scanExec(tx.QueryRowContext(ctx, `SELECT `+execColumns+` FROM executions WHERE arn = ?`, x.ARN))
	switch {
	case err == nil:
		return old, false, nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, false, fmt.Errorf("sqlite: create execution %s: %w", x.ARN, err)
	}
	c := x.Clone()
	c.LastEventID = 0
	if n := len(events); n > 0 {
		c.LastEventID = events[n-1].ID
	}
	res, err := t.exec(db.stmts.execInsert,
		c.ARN, c.Name, c.StateMachineARN, c.StateMachineName, string(c.Type), string(c.Status), c.Input,
		nullString(c.Output, c.HasOutput), nullString(c.Error, c.HasError), nullString(c.Cause, c.HasCause),
		toNS(c.StartDate), toNS(c.StopDate), c.Definition, c.MapRunARN, c.ParentARN, c.TraceHeader, c.TestCase, c.LastEventID)
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: create execution %s: %w", x.ARN, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: create execution %s: %w", x.ARN, err)
	}
	if err := t.insert(id, events); err != nil {
		return nil, false, fmt.Errorf("sqlite: create execution %s: %w", x.ARN, err)
	}
	return c, true, nil
}

// GetExecution implements engine.Store.
func (db *DB) GetExecution(ctx context.Context, arn string) (*engine.Execution, error) {
	_, x, err := scanExec(db.r.QueryRowContext(ctx, `SELECT `+execColumns+` FROM executions WHERE arn = ?`, arn))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, execNotFound(arn)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get execution %s: %w", arn, err)
	}
	return x, nil
}

// ListExecutions implements engine.Store: newest first by start date, then
// by creation order (newest first), as the memory store lists them.
func (db *DB) ListExecutions(ctx context.Context, f engine.ExecutionFilter) ([]*engine.Execution, string, error) {
	limit := limitOf(f.Page)
	var where []string
	var args []any
	if f.StateMachineARN != "" {
		where, args = append(where, "state_machine_arn = ?"), append(args, f.StateMachineARN)
	}
	if f.MapRunARN != "" {
		where, args = append(where, "map_run_arn = ? AND map_run_arn <> ''"), append(args, f.MapRunARN)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.NextToken != "" {
		var start, id int64
		if err := decodeToken(f.NextToken, &start, &id); err != nil {
			return nil, "", err
		}
		where, args = append(where, "(start_date, id) < (?, ?)"), append(args, start, id)
	}
	q := `SELECT ` + execColumns + ` FROM executions`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY start_date DESC, id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list executions: %w", err)
	}
	defer rows.Close()
	var out []*engine.Execution
	var ids []int64
	for rows.Next() {
		id, x, err := scanExec(rows)
		if err != nil {
			return nil, "", fmt.Errorf("sqlite: list executions: %w", err)
		}
		out, ids = append(out, x), append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlite: list executions: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeToken(toNS(out[limit-1].StartDate), ids[limit-1])
	}
	return out, next, nil
}
