package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"stepwise/engine"
)

var _ engine.ActivityStore = (*DB)(nil)

func activityNotFound(arn string) error {
	return engine.Errorf(engine.ActivityDoesNotExist, "Activity Does Not Exist: '%s'", arn)
}

// PutActivity implements engine.ActivityStore: an activity with the same ARN
// stays as it is (CreateActivity is idempotent).
func (db *DB) PutActivity(ctx context.Context, a *engine.Activity) error {
	if _, err := db.writeExec(ctx, `INSERT INTO activities (arn, name, creation_date) VALUES (?, ?, ?)
		ON CONFLICT (arn) DO NOTHING`, a.ARN, a.Name, toNS(a.CreationDate)); err != nil {
		return fmt.Errorf("sqlite: put activity %s: %w", a.ARN, err)
	}
	return nil
}

// GetActivity implements engine.ActivityStore.
func (db *DB) GetActivity(ctx context.Context, arn string) (*engine.Activity, error) {
	var a engine.Activity
	var created int64
	err := db.r.QueryRowContext(ctx, `SELECT arn, name, creation_date FROM activities WHERE arn = ?`, arn).
		Scan(&a.ARN, &a.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, activityNotFound(arn)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get activity %s: %w", arn, err)
	}
	a.CreationDate = fromNS(created)
	return &a, nil
}

// ListActivities implements engine.ActivityStore: by name, then ARN.
func (db *DB) ListActivities(ctx context.Context) ([]*engine.Activity, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT arn, name, creation_date FROM activities ORDER BY name, arn`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list activities: %w", err)
	}
	defer rows.Close()
	var out []*engine.Activity
	for rows.Next() {
		var a engine.Activity
		var created int64
		if err := rows.Scan(&a.ARN, &a.Name, &created); err != nil {
			return nil, fmt.Errorf("sqlite: list activities: %w", err)
		}
		a.CreationDate = fromNS(created)
		out = append(out, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list activities: %w", err)
	}
	return out, nil
}

// DeleteActivity implements engine.ActivityStore; an unknown ARN is no error.
func (db *DB) DeleteActivity(ctx context.Context, arn string) error {
	if _, err := db.writeExec(ctx, `DELETE FROM activities WHERE arn = ?`, arn); err != nil {
		return fmt.Errorf("sqlite: delete activity %s: %w", arn, err)
	}
	return nil
}
