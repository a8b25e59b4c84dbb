package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"stepwise/engine"
)

const mapRunColumns = `arn, execution_arn, state_machine_arn, label, status, start_date, stop_date, max_concurrency,
	tolerated_failure_percentage, tolerated_failure_count, total, pending, running, succeeded, failed, timed_out, aborted`

func mapRunArgs(mr *engine.MapRun) []any {
	return []any{mr.ARN, mr.ExecutionARN, mr.StateMachineARN, mr.Label, string(mr.Status), toNS(mr.StartDate),
		toNS(mr.StopDate), mr.MaxConcurrency, mr.ToleratedFailurePercentage, mr.ToleratedFailureCount, mr.Total,
		mr.Pending, mr.Running, mr.Succeeded, mr.Failed, mr.TimedOut, mr.Aborted}
}

func scanMapRun(s scanner) (int64, *engine.MapRun, error) {
	var mr engine.MapRun
	var seq, start, stop int64
	var status string
	if err := s.Scan(&seq, &mr.ARN, &mr.ExecutionARN, &mr.StateMachineARN, &mr.Label, &status, &start, &stop,
		&mr.MaxConcurrency, &mr.ToleratedFailurePercentage, &mr.ToleratedFailureCount, &mr.Total, &mr.Pending,
		&mr.Running, &mr.Succeeded, &mr.Failed, &mr.TimedOut, &mr.Aborted); err != nil {
		return 0, nil, err
	}
	mr.Status = engine.Status(status)
	mr.StartDate, mr.StopDate = fromNS(start), fromNS(stop)
	return seq, &mr, nil
}

// GetMapRun implements engine.Store.
func (db *DB) GetMapRun(ctx context.Context, arn string) (*engine.MapRun, error) {
	_, mr, err := scanMapRun(db.r.QueryRowContext(ctx, `SELECT seq, `+mapRunColumns+` FROM map_runs WHERE arn = ?`, arn))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.Errorf(engine.MapRunDoesNotExist, "Map Run Does Not Exist: '%s'", arn)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get map run %s: %w", arn, err)
	}
	return mr, nil
}

// ListMapRuns implements engine.Store: oldest first.
func (db *DB) ListMapRuns(ctx context.Context, executionARN string, page engine.Page) ([]*engine.MapRun, string, error) {
	limit := limitOf(page)
	var after int64
	if page.NextToken != "" {
		if err := decodeToken(page.NextToken, &after); err != nil {
			return nil, "", err
		}
	}
	rows, err := db.r.QueryContext(ctx, `SELECT seq, `+mapRunColumns+` FROM map_runs
		WHERE execution_arn = ? AND seq > ? ORDER BY seq LIMIT ?`, executionARN, after, limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list map runs of %s: %w", executionARN, err)
	}
	defer rows.Close()
	var out []*engine.MapRun
	var seqs []int64
	for rows.Next() {
		seq, mr, err := scanMapRun(rows)
		if err != nil {
			return nil, "", fmt.Errorf("sqlite: list map runs of %s: %w", executionARN, err)
		}
		out, seqs = append(out, mr), append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlite: list map runs of %s: %w", executionARN, err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeToken(seqs[limit-1])
	}
	return out, next, nil
}
