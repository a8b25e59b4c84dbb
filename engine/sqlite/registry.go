package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"stepwise/engine/registry"
)

// Registry is the integration registry (connections and functions) on the
// same database file. Connection secrets are stored in the clear: protect
// the file.
type Registry struct{ db *DB }

var _ registry.Registry = (*Registry)(nil)

// Registry returns the integration registry of db.
func (db *DB) Registry() *Registry { return &Registry{db: db} }

// connSpec is the stored JSON of a connection.
type connSpec struct {
	APIKeyName            string            `json:"apiKeyName,omitempty"`
	APIKeyValue           string            `json:"apiKeyValue,omitempty"`
	Username              string            `json:"username,omitempty"`
	Password              string            `json:"password,omitempty"`
	AuthorizationEndpoint string            `json:"authorizationEndpoint,omitempty"`
	HTTPMethod            string            `json:"httpMethod,omitempty"`
	ClientID              string            `json:"clientId,omitempty"`
	ClientSecret          string            `json:"clientSecret,omitempty"`
	Scope                 string            `json:"scope,omitempty"`
	Headers               map[string]string `json:"headers,omitempty"`
}

func scanConnection(row interface{ Scan(...any) error }) (registry.Connection, error) {
	var c registry.Connection
	var spec []byte
	var created int64
	var auth string
	if err := row.Scan(&c.Name, &c.ID, &c.Description, &auth, &spec, &created); err != nil {
		return c, err
	}
	var s connSpec
	if err := json.Unmarshal(spec, &s); err != nil {
		return c, fmt.Errorf("connection %q: stored record is not valid JSON: %w", c.Name, err)
	}
	c.AuthType = registry.AuthType(auth)
	c.APIKeyName, c.APIKeyValue = s.APIKeyName, s.APIKeyValue
	c.Username, c.Password = s.Username, s.Password
	c.AuthorizationEndpoint, c.HTTPMethod, c.ClientID, c.ClientSecret, c.Scope = s.AuthorizationEndpoint, s.HTTPMethod, s.ClientID, s.ClientSecret, s.Scope
	c.Headers = s.Headers
	c.CreatedAt = fromNS(created)
	return c, nil
}

const connectionColumns = `name, id, description, auth_type, spec, created_at`

// GetConnection implements registry.Registry.
func (r *Registry) GetConnection(ctx context.Context, name string) (registry.Connection, error) {
	c, err := scanConnection(r.db.r.QueryRowContext(ctx, `SELECT `+connectionColumns+` FROM connections WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("sqlite: connection %q: %w", name, registry.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("sqlite: connection %q: %w", name, err)
	}
	return c, nil
}

// ListConnections implements registry.Registry.
func (r *Registry) ListConnections(ctx context.Context) ([]registry.Connection, error) {
	rows, err := r.db.r.QueryContext(ctx, `SELECT `+connectionColumns+` FROM connections ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list connections: %w", err)
	}
	defer rows.Close()
	var out []registry.Connection
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list connections: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list connections: %w", err)
	}
	return out, nil
}

// PutConnection implements registry.Registry: it validates c and inserts or
// replaces it (keeping the id and creation time of the one it replaces).
func (r *Registry) PutConnection(ctx context.Context, c registry.Connection) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.ID == "" {
		c.ID = registry.NewID()
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = r.db.now()
	}
	spec, err := json.Marshal(connSpec{APIKeyName: c.APIKeyName, APIKeyValue: c.APIKeyValue, Username: c.Username, Password: c.Password,
		AuthorizationEndpoint: c.AuthorizationEndpoint, HTTPMethod: c.HTTPMethod, ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		Scope: c.Scope, Headers: c.Headers})
	if err != nil {
		return fmt.Errorf("sqlite: put connection %q: %w", c.Name, err)
	}
	if _, err := r.db.w.ExecContext(ctx, `INSERT INTO connections (`+connectionColumns+`) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET description = excluded.description, auth_type = excluded.auth_type, spec = excluded.spec`,
		c.Name, c.ID, c.Description, string(c.AuthType), spec, toNS(c.CreatedAt)); err != nil {
		return fmt.Errorf("sqlite: put connection %q: %w", c.Name, err)
	}
	return nil
}

// DeleteConnection implements registry.Registry.
func (r *Registry) DeleteConnection(ctx context.Context, name string) error {
	return r.delete(ctx, "connections", "connection", name)
}

func (r *Registry) delete(ctx context.Context, table, what, name string) error {
	res, err := r.db.w.ExecContext(ctx, `DELETE FROM `+table+` WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("sqlite: delete %s %q: %w", what, name, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("sqlite: %s %q: %w", what, name, registry.ErrNotFound)
	}
	return nil
}

const functionColumns = `name, url, description, timeout_seconds, created_at`

func scanFunction(row interface{ Scan(...any) error }) (registry.Function, error) {
	var f registry.Function
	var created int64
	err := row.Scan(&f.Name, &f.URL, &f.Description, &f.TimeoutSeconds, &created)
	f.CreatedAt = fromNS(created)
	return f, err
}

// GetFunction implements registry.Registry.
func (r *Registry) GetFunction(ctx context.Context, name string) (registry.Function, error) {
	f, err := scanFunction(r.db.r.QueryRowContext(ctx, `SELECT `+functionColumns+` FROM functions WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("sqlite: function %q: %w", name, registry.ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("sqlite: function %q: %w", name, err)
	}
	return f, nil
}

// ListFunctions implements registry.Registry.
func (r *Registry) ListFunctions(ctx context.Context) ([]registry.Function, error) {
	rows, err := r.db.r.QueryContext(ctx, `SELECT `+functionColumns+` FROM functions ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list functions: %w", err)
	}
	defer rows.Close()
	var out []registry.Function
	for rows.Next() {
		f, err := scanFunction(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list functions: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list functions: %w", err)
	}
	return out, nil
}

// PutFunction implements registry.Registry: it validates f and inserts or
// replaces it (keeping the creation time of the one it replaces).
func (r *Registry) PutFunction(ctx context.Context, f registry.Function) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.CreatedAt.IsZero() {
		f.CreatedAt = r.db.now()
	}
	if _, err := r.db.w.ExecContext(ctx, `INSERT INTO functions (`+functionColumns+`) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET url = excluded.url, description = excluded.description, timeout_seconds = excluded.timeout_seconds`,
		f.Name, f.URL, f.Description, f.TimeoutSeconds, toNS(f.CreatedAt)); err != nil {
		return fmt.Errorf("sqlite: put function %q: %w", f.Name, err)
	}
	return nil
}

// DeleteFunction implements registry.Registry.
func (r *Registry) DeleteFunction(ctx context.Context, name string) error {
	return r.delete(ctx, "functions", "function", name)
}
