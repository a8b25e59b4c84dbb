package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"stepwise/engine"
)

const smColumns = `arn, name, type, definition, role_arn, status, creation_date, update_date,
	revision_id, description, tags, logging_config, tracing_config`

type scanner interface{ Scan(dest ...any) error }

func smArgs(sm *engine.StateMachine) ([]any, error) {
	var tags sql.NullString
	if sm.Tags != nil {
		b, err := json.Marshal(sm.Tags)
		if err != nil {
			return nil, fmt.Errorf("encode tags: %w", err)
		}
		tags = sql.NullString{String: string(b), Valid: true}
	}
	return []any{sm.ARN, sm.Name, string(sm.Type), sm.Definition, sm.RoleARN, sm.Status, toNS(sm.CreationDate),
		toNS(sm.UpdateDate), sm.RevisionID, sm.Description, tags, []byte(sm.LoggingConfig), []byte(sm.TracingConfig)}, nil
}

func scanSM(s scanner) (*engine.StateMachine, error) {
	var sm engine.StateMachine
	var typ string
	var created, updated int64
	var tags sql.NullString
	var logging, tracing []byte
	if err := s.Scan(&sm.ARN, &sm.Name, &typ, &sm.Definition, &sm.RoleARN, &sm.Status, &created, &updated,
		&sm.RevisionID, &sm.Description, &tags, &logging, &tracing); err != nil {
		return nil, err
	}
	sm.Type = engine.Type(typ)
	sm.CreationDate, sm.UpdateDate = fromNS(created), fromNS(updated)
	if tags.Valid {
		if err := json.Unmarshal([]byte(tags.String), &sm.Tags); err != nil {
			return nil, fmt.Errorf("decode tags of %s: %w", sm.ARN, err)
		}
	}
	if len(logging) > 0 {
		sm.LoggingConfig = logging
	}
	if len(tracing) > 0 {
		sm.TracingConfig = tracing
	}
	return &sm, nil
}

func smNotFound(arn string) error {
	return engine.Errorf(engine.StateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
}

// CreateStateMachine implements engine.Store.
func (db *DB) CreateStateMachine(ctx context.Context, sm *engine.StateMachine) error {
	args, err := smArgs(sm)
	if err != nil {
		return fmt.Errorf("sqlite: create state machine %s: %w", sm.ARN, err)
	}
	res, err := db.writeExec(ctx, `INSERT INTO state_machines (`+smColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO NOTHING`, args...)
	if err != nil {
		return fmt.Errorf("sqlite: create state machine %s: %w", sm.ARN, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return engine.Errorf(engine.StateMachineAlreadyExists, "State Machine Already Exists: '%s'", sm.ARN)
	}
	return nil
}

// UpdateStateMachine implements engine.Store.
func (db *DB) UpdateStateMachine(ctx context.Context, sm *engine.StateMachine) error {
	args, err := smArgs(sm)
	if err != nil {
		return fmt.Errorf("sqlite: update state machine %s: %w", sm.ARN, err)
	}
	res, err := db.writeExec(ctx, `UPDATE state_machines SET name = ?2, type = ?3, definition = ?4, role_arn = ?5,
		status = ?6, creation_date = ?7, update_date = ?8, revision_id = ?9, description = ?10, tags = ?11,
		logging_config = ?12, tracing_config = ?13 WHERE arn = ?1`, args...)
	if err != nil {
		return fmt.Errorf("sqlite: update state machine %s: %w", sm.ARN, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return smNotFound(sm.ARN)
	}
	return nil
}

// DeleteStateMachine implements engine.Store. The machine's executions stay.
func (db *DB) DeleteStateMachine(ctx context.Context, arn string) error {
	res, err := db.writeExec(ctx, `DELETE FROM state_machines WHERE arn = ?`, arn)
	if err != nil {
		return fmt.Errorf("sqlite: delete state machine %s: %w", arn, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return smNotFound(arn)
	}
	return nil
}

// GetStateMachine implements engine.Store.
func (db *DB) GetStateMachine(ctx context.Context, arn string) (*engine.StateMachine, error) {
	sm, err := scanSM(db.r.QueryRowContext(ctx, `SELECT `+smColumns+` FROM state_machines WHERE arn = ?`, arn))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, smNotFound(arn)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get state machine %s: %w", arn, err)
	}
	return sm, nil
}

// ListStateMachines implements engine.Store: by name, then ARN.
func (db *DB) ListStateMachines(ctx context.Context, page engine.Page) ([]*engine.StateMachine, string, error) {
	limit := limitOf(page)
	q := `SELECT ` + smColumns + ` FROM state_machines`
	var args []any
	if page.NextToken != "" {
		var name, arn string
		if err := decodeToken(page.NextToken, &name, &arn); err != nil {
			return nil, "", err
		}
		q += ` WHERE (name, arn) > (?, ?)`
		args = append(args, name, arn)
	}
	q += ` ORDER BY name, arn LIMIT ?`
	args = append(args, limit+1)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list state machines: %w", err)
	}
	defer rows.Close()
	var out []*engine.StateMachine
	for rows.Next() {
		sm, err := scanSM(rows)
		if err != nil {
			return nil, "", fmt.Errorf("sqlite: list state machines: %w", err)
		}
		out = append(out, sm)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlite: list state machines: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = encodeToken(last.Name, last.ARN)
	}
	return out, next, nil
}

// writeExec runs one statement through the writer.
func (db *DB) writeExec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := db.write(ctx, "exec", func(t *txStmts) error {
		var err error
		res, err = t.tx.ExecContext(t.ctx, query, args...)
		return err
	})
	return res, err
}
