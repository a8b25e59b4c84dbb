package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"stepwise/engine"
)

const versionColumns = `arn, state_machine_arn, version, definition, role_arn, type, description, revision_id, creation_date`

func scanVersion(s scanner) (*engine.StateMachineVersion, error) {
	var v engine.StateMachineVersion
	var typ string
	var created int64
	if err := s.Scan(&v.ARN, &v.StateMachineARN, &v.Version, &v.Definition, &v.RoleARN, &typ, &v.Description,
		&v.RevisionID, &created); err != nil {
		return nil, err
	}
	v.Type = engine.Type(typ)
	v.CreationDate = fromNS(created)
	return &v, nil
}

const aliasColumns = `arn, state_machine_arn, name, description, routing, creation_date, update_date`

func scanAlias(s scanner) (*engine.StateMachineAlias, error) {
	var a engine.StateMachineAlias
	var routing string
	var created, updated int64
	if err := s.Scan(&a.ARN, &a.StateMachineARN, &a.Name, &a.Description, &routing, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(routing), &a.Routing); err != nil {
		return nil, fmt.Errorf("decode routing of alias %s: %w", a.ARN, err)
	}
	a.CreationDate, a.UpdateDate = fromNS(created), fromNS(updated)
	return &a, nil
}

// PublishVersion implements engine.VersionStore.
func (db *DB) PublishVersion(ctx context.Context, v *engine.StateMachineVersion) (*engine.StateMachineVersion, bool, error) {
	var out *engine.StateMachineVersion
	created := false
	err := db.write(ctx, "publish version of "+v.StateMachineARN, func(t *txStmts) error {
		newest, err := scanVersion(t.tx.QueryRowContext(t.ctx, `SELECT `+versionColumns+` FROM state_machine_versions
			WHERE state_machine_arn = ? ORDER BY version DESC LIMIT 1`, v.StateMachineARN))
		switch {
		case err == nil && newest.RevisionID == v.RevisionID:
			out = newest
			return nil
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var n int64
		if err := t.tx.QueryRowContext(t.ctx, `INSERT INTO version_counters (state_machine_arn, last_version) VALUES (?, 1)
			ON CONFLICT (state_machine_arn) DO UPDATE SET last_version = last_version + 1
			RETURNING last_version`, v.StateMachineARN).Scan(&n); err != nil {
			return err
		}
		c := *v
		c.Version = n
		c.ARN = v.StateMachineARN + ":" + strconv.FormatInt(n, 10)
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO state_machine_versions (`+versionColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ARN, c.StateMachineARN, c.Version, c.Definition, c.RoleARN,
			string(c.Type), c.Description, c.RevisionID, toNS(c.CreationDate)); err != nil {
			return err
		}
		out, created = &c, true
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("sqlite: publish version of %s: %w", v.StateMachineARN, err)
	}
	return out, created, nil
}

// GetVersion implements engine.VersionStore.
func (db *DB) GetVersion(ctx context.Context, arn string) (*engine.StateMachineVersion, error) {
	v, err := scanVersion(db.r.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM state_machine_versions WHERE arn = ?`, arn))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.Errorf(engine.ResourceNotFound, "State Machine Version Does Not Exist: '%s'", arn)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get version %s: %w", arn, err)
	}
	return v, nil
}

// ListVersions implements engine.VersionStore: newest first.
func (db *DB) ListVersions(ctx context.Context, smARN string, page engine.Page) ([]*engine.StateMachineVersion, string, error) {
	limit := limitOf(page)
	q := `SELECT ` + versionColumns + ` FROM state_machine_versions WHERE state_machine_arn = ?`
	args := []any{smARN}
	if page.NextToken != "" {
		var after int64
		if err := decodeToken(page.NextToken, &after); err != nil {
			return nil, "", err
		}
		q += ` AND version < ?`
		args = append(args, after)
	}
	q += ` ORDER BY version DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list versions of %s: %w", smARN, err)
	}
	defer rows.Close()
	var out []*engine.StateMachineVersion
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, "", fmt.Errorf("sqlite: list versions of %s: %w", smARN, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlite: list versions of %s: %w", smARN, err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeToken(out[limit-1].Version)
	}
	return out, next, nil
}

// DeleteVersion implements engine.VersionStore.
func (db *DB) DeleteVersion(ctx context.Context, arn string) error {
	err := db.write(ctx, "delete version "+arn, func(t *txStmts) error {
		rows, err := t.tx.QueryContext(t.ctx, `SELECT alias_arn FROM alias_routes WHERE version_arn = ? ORDER BY alias_arn`, arn)
		if err != nil {
			return err
		}
		var aliases []string
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				rows.Close()
				return err
			}
			aliases = append(aliases, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(aliases) > 0 {
			return engine.Errorf(engine.ConflictException, "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [%s]", strings.Join(aliases, ", "))
		}
		_, err = t.tx.ExecContext(t.ctx, `DELETE FROM state_machine_versions WHERE arn = ?`, arn)
		return err
	})
	if err != nil {
		if engine.ErrorCode(err) == engine.ConflictException {
			return err
		}
		return fmt.Errorf("sqlite: delete version %s: %w", arn, err)
	}
	return nil
}

func putRoutes(t *txStmts, a *engine.StateMachineAlias) error {
	if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM alias_routes WHERE alias_arn = ?`, a.ARN); err != nil {
		return err
	}
	for _, r := range a.Routing {
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO alias_routes (alias_arn, version_arn) VALUES (?, ?)
			ON CONFLICT DO NOTHING`, a.ARN, r.VersionARN); err != nil {
			return err
		}
	}
	return nil
}

// CreateAlias implements engine.VersionStore.
func (db *DB) CreateAlias(ctx context.Context, a *engine.StateMachineAlias) error {
	routing, err := json.Marshal(a.Routing)
	if err != nil {
		return fmt.Errorf("sqlite: create alias %s: encode routing: %w", a.ARN, err)
	}
	err = db.write(ctx, "create alias "+a.ARN, func(t *txStmts) error {
		res, err := t.tx.ExecContext(t.ctx, `INSERT INTO state_machine_aliases (`+aliasColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (arn) DO NOTHING`, a.ARN, a.StateMachineARN, a.Name, a.Description, string(routing),
			toNS(a.CreationDate), toNS(a.UpdateDate))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return engine.Errorf(engine.ConflictException, "State Machine Alias Already Exists: '%s'", a.ARN)
		}
		return putRoutes(t, a)
	})
	if err != nil {
		if engine.ErrorCode(err) == engine.ConflictException {
			return err
		}
		return fmt.Errorf("sqlite: create alias %s: %w", a.ARN, err)
	}
	return nil
}

// UpdateAlias implements engine.VersionStore.
func (db *DB) UpdateAlias(ctx context.Context, a *engine.StateMachineAlias) error {
	routing, err := json.Marshal(a.Routing)
	if err != nil {
		return fmt.Errorf("sqlite: update alias %s: encode routing: %w", a.ARN, err)
	}
	err = db.write(ctx, "update alias "+a.ARN, func(t *txStmts) error {
		res, err := t.tx.ExecContext(t.ctx, `UPDATE state_machine_aliases SET description = ?, routing = ?, update_date = ?
			WHERE arn = ?`, a.Description, string(routing), toNS(a.UpdateDate), a.ARN)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return engine.Errorf(engine.ResourceNotFound, "State Machine Alias Does Not Exist: '%s'", a.ARN)
		}
		return putRoutes(t, a)
	})
	if err != nil {
		if engine.ErrorCode(err) == engine.ResourceNotFound {
			return err
		}
		return fmt.Errorf("sqlite: update alias %s: %w", a.ARN, err)
	}
	return nil
}

// GetAlias implements engine.VersionStore.
func (db *DB) GetAlias(ctx context.Context, arn string) (*engine.StateMachineAlias, error) {
	a, err := scanAlias(db.r.QueryRowContext(ctx, `SELECT `+aliasColumns+` FROM state_machine_aliases WHERE arn = ?`, arn))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.Errorf(engine.ResourceNotFound, "State Machine Alias Does Not Exist: '%s'", arn)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get alias %s: %w", arn, err)
	}
	return a, nil
}

// DeleteAlias implements engine.VersionStore.
func (db *DB) DeleteAlias(ctx context.Context, arn string) error {
	err := db.write(ctx, "delete alias "+arn, func(t *txStmts) error {
		if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM state_machine_aliases WHERE arn = ?`, arn); err != nil {
			return err
		}
		_, err := t.tx.ExecContext(t.ctx, `DELETE FROM alias_routes WHERE alias_arn = ?`, arn)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete alias %s: %w", arn, err)
	}
	return nil
}

// ListAliases implements engine.VersionStore: by name.
func (db *DB) ListAliases(ctx context.Context, smARN string, page engine.Page) ([]*engine.StateMachineAlias, string, error) {
	limit := limitOf(page)
	q := `SELECT ` + aliasColumns + ` FROM state_machine_aliases WHERE state_machine_arn = ?`
	args := []any{smARN}
	if page.NextToken != "" {
		var after string
		if err := decodeToken(page.NextToken, &after); err != nil {
			return nil, "", err
		}
		q += ` AND name > ?`
		args = append(args, after)
	}
	q += ` ORDER BY name LIMIT ?`
	args = append(args, limit+1)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list aliases of %s: %w", smARN, err)
	}
	defer rows.Close()
	var out []*engine.StateMachineAlias
	for rows.Next() {
		a, err := scanAlias(rows)
		if err != nil {
			return nil, "", fmt.Errorf("sqlite: list aliases of %s: %w", smARN, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlite: list aliases of %s: %w", smARN, err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeToken(out[limit-1].Name)
	}
	return out, next, nil
}

// DeleteMachineVersions implements engine.VersionStore.
func (db *DB) DeleteMachineVersions(ctx context.Context, smARN string) error {
	err := db.write(ctx, "delete versions of "+smARN, func(t *txStmts) error {
		for _, q := range []string{
			`DELETE FROM alias_routes WHERE alias_arn IN (SELECT arn FROM state_machine_aliases WHERE state_machine_arn = ?)`,
			`DELETE FROM state_machine_aliases WHERE state_machine_arn = ?`,
			`DELETE FROM state_machine_versions WHERE state_machine_arn = ?`,
			`DELETE FROM version_counters WHERE state_machine_arn = ?`,
		} {
			if _, err := t.tx.ExecContext(t.ctx, q, smARN); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete versions of %s: %w", smARN, err)
	}
	return nil
}

// PutExecutionVersion implements engine.ExecutionVersionStore.
func (db *DB) PutExecutionVersion(ctx context.Context, executionARN string, v engine.ExecutionVersion) error {
	if _, err := db.writeExec(ctx, `INSERT INTO execution_versions (execution_arn, version_arn, alias_arn) VALUES (?, ?, ?)
		ON CONFLICT (execution_arn) DO UPDATE SET version_arn = excluded.version_arn, alias_arn = excluded.alias_arn`,
		executionARN, v.VersionARN, v.AliasARN); err != nil {
		return fmt.Errorf("sqlite: record version of execution %s: %w", executionARN, err)
	}
	return nil
}

// GetExecutionVersion implements engine.ExecutionVersionStore.
func (db *DB) GetExecutionVersion(ctx context.Context, executionARN string) (engine.ExecutionVersion, error) {
	var v engine.ExecutionVersion
	err := db.r.QueryRowContext(ctx, `SELECT version_arn, alias_arn FROM execution_versions WHERE execution_arn = ?`,
		executionARN).Scan(&v.VersionARN, &v.AliasARN)
	if errors.Is(err, sql.ErrNoRows) {
		return engine.ExecutionVersion{}, nil
	}
	if err != nil {
		return engine.ExecutionVersion{}, fmt.Errorf("sqlite: version of execution %s: %w", executionARN, err)
	}
	return v, nil
}

var (
	_ engine.VersionStore          = (*DB)(nil)
	_ engine.ExecutionVersionStore = (*DB)(nil)
)
