package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"stepwise/engine"
)

// PutRedrive implements engine.RedriveStore.
func (db *DB) PutRedrive(ctx context.Context, executionARN string, r engine.Redrive) error {
	if _, err := db.writeExec(ctx, `INSERT INTO execution_redrives (execution_arn, redrive_count, redrive_date) VALUES (?, ?, ?)
		ON CONFLICT (execution_arn) DO UPDATE SET redrive_count = excluded.redrive_count, redrive_date = excluded.redrive_date`,
		executionARN, r.Count, toNS(r.Date)); err != nil {
		return fmt.Errorf("sqlite: record redrive of %s: %w", executionARN, err)
	}
	return nil
}

// GetRedrive implements engine.RedriveStore.
func (db *DB) GetRedrive(ctx context.Context, executionARN string) (engine.Redrive, error) {
	var r engine.Redrive
	var date int64
	err := db.r.QueryRowContext(ctx, `SELECT redrive_count, redrive_date FROM execution_redrives WHERE execution_arn = ?`,
		executionARN).Scan(&r.Count, &date)
	if errors.Is(err, sql.ErrNoRows) {
		return engine.Redrive{}, nil
	}
	if err != nil {
		return engine.Redrive{}, fmt.Errorf("sqlite: redrive of %s: %w", executionARN, err)
	}
	r.Date = fromNS(date)
	return r, nil
}

var _ engine.RedriveStore = (*DB)(nil)
