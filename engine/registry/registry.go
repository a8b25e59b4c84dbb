package registry

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"sync"
	"time"
)

// ErrNotFound is returned (wrapped) by Get and Delete for an unknown name.
var ErrNotFound = errors.New("not found")

// AuthType is how a connection authenticates its requests, with
// EventBridge's names.
type AuthType string

// The authorization types of an EventBridge connection.
const (
	AuthAPIKey AuthType = "API_KEY"
	AuthBasic  AuthType = "BASIC"
	AuthOAuth  AuthType = "OAUTH_CLIENT_CREDENTIALS"
)

// Connection is a named set of credentials for HTTP tasks, referenced from
// ASL by ConnectionArn (arn:aws:events:<region>:<account>:connection/<name>/<id>).
type Connection struct {
	Name        string
	ID          string // the ARN's last part; generated when empty
	Description string
	AuthType    AuthType
	// API_KEY: the header name and its value.
	APIKeyName  string
	APIKeyValue string
	// BASIC.
	Username string
	Password string
	// OAUTH_CLIENT_CREDENTIALS: the token endpoint, its method (default
	// POST), client id and secret, and optional scope.
	AuthorizationEndpoint string
	HTTPMethod            string
	ClientID              string
	ClientSecret          string
	Scope                 string
	// Headers are extra invocation headers added to every request (not
	// secret: they are shown in the UI).
	Headers   map[string]string
	CreatedAt time.Time
}

// Redacted returns a copy with every secret replaced by "" so it can be
// shown or logged.
func (c Connection) Redacted() Connection {
	c.APIKeyValue, c.Password, c.ClientSecret = "", "", ""
	return c
}

// Function binds a function name to the HTTP endpoint that runs it: the
// endpoint receives the payload as a JSON POST and answers JSON.
type Function struct {
	Name        string
	URL         string
	Description string
	// TimeoutSeconds caps one invocation (0: the integration's default).
	TimeoutSeconds int
	CreatedAt      time.Time
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,64}$`)

// ValidName reports whether name is acceptable for a connection or function
// (1-64 of letters, digits, '.', '_', '-': EventBridge's and Lambda's common
// ground).
func ValidName(name string) bool { return nameRE.MatchString(name) }

// Validate checks a connection's required fields for its AuthType.
func (c *Connection) Validate() error {
	if !ValidName(c.Name) {
		return fmt.Errorf("connection name %q: use 1-64 letters, digits, '.', '_' or '-'", c.Name)
	}
	switch c.AuthType {
	case AuthAPIKey:
		if c.APIKeyName == "" || c.APIKeyValue == "" {
			return fmt.Errorf("connection %q: API_KEY needs a key name and a value", c.Name)
		}
	case AuthBasic:
		if c.Username == "" || c.Password == "" {
			return fmt.Errorf("connection %q: BASIC needs a username and a password", c.Name)
		}
	case AuthOAuth:
		if c.AuthorizationEndpoint == "" || c.ClientID == "" || c.ClientSecret == "" {
			return fmt.Errorf("connection %q: OAUTH_CLIENT_CREDENTIALS needs an authorization endpoint, a client id and a client secret", c.Name)
		}
	default:
		return fmt.Errorf("connection %q: authorization type %q is not API_KEY, BASIC or OAUTH_CLIENT_CREDENTIALS", c.Name, c.AuthType)
	}
	return nil
}

// Validate checks a function's name and URL scheme.
func (f *Function) Validate() error {
	if !ValidName(f.Name) {
		return fmt.Errorf("function name %q: use 1-64 letters, digits, '.', '_' or '-'", f.Name)
	}
	if !validURL(f.URL) {
		return fmt.Errorf("function %q: URL %q must be an absolute http:// or https:// URL", f.Name, f.URL)
	}
	if f.TimeoutSeconds < 0 || f.TimeoutSeconds > 900 {
		return fmt.Errorf("function %q: timeout %d s is outside 0-900", f.Name, f.TimeoutSeconds)
	}
	return nil
}

// Registry stores connections and functions by name. Put replaces a record
// with the same name.
type Registry interface {
	GetConnection(ctx context.Context, name string) (Connection, error)
	ListConnections(ctx context.Context) ([]Connection, error)
	PutConnection(ctx context.Context, c Connection) error
	DeleteConnection(ctx context.Context, name string) error

	GetFunction(ctx context.Context, name string) (Function, error)
	ListFunctions(ctx context.Context) ([]Function, error)
	PutFunction(ctx context.Context, f Function) error
	DeleteFunction(ctx context.Context, name string) error
}

// Mem is an in-memory Registry, safe for concurrent use.
type Mem struct {
	mu    sync.RWMutex
	conns map[string]Connection
	funcs map[string]Function
}

// NewMem returns an empty in-memory registry.
func NewMem() *Mem {
	return &Mem{conns: map[string]Connection{}, funcs: map[string]Function{}}
}

// GetConnection returns the connection named name.
func (m *Mem) GetConnection(_ context.Context, name string) (Connection, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c, ok := m.conns[name]
	if !ok {
		return Connection{}, fmt.Errorf("connection %q: %w", name, ErrNotFound)
	}
	return cloneConn(c), nil
}

// ListConnections returns every connection, by name.
func (m *Mem) ListConnections(context.Context) ([]Connection, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Connection, 0, len(m.conns))
	for _, c := range m.conns {
		out = append(out, cloneConn(c))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// PutConnection validates and stores c.
func (m *Mem) PutConnection(_ context.Context, c Connection) error {
	if err := c.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.conns[c.Name]; ok {
		// A replacement keeps its identity, as in the SQLite registry.
		c.ID, c.CreatedAt = old.ID, old.CreatedAt
	}
	if c.ID == "" {
		c.ID = NewID()
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now()
	}
	m.conns[c.Name] = cloneConn(c)
	return nil
}

// DeleteConnection removes the connection named name.
func (m *Mem) DeleteConnection(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.conns[name]; !ok {
		return fmt.Errorf("connection %q: %w", name, ErrNotFound)
	}
	delete(m.conns, name)
	return nil
}

// GetFunction returns the function named name.
func (m *Mem) GetFunction(_ context.Context, name string) (Function, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	f, ok := m.funcs[name]
	if !ok {
		return Function{}, fmt.Errorf("function %q: %w", name, ErrNotFound)
	}
	return f, nil
}

// ListFunctions returns every function, by name.
func (m *Mem) ListFunctions(context.Context) ([]Function, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]Function, 0, len(m.funcs))
	for _, f := range m.funcs {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// PutFunction validates and stores f.
func (m *Mem) PutFunction(_ context.Context, f Function) error {
	if err := f.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.funcs[f.Name]; ok {
		f.CreatedAt = old.CreatedAt
	}
	if f.CreatedAt.IsZero() {
		f.CreatedAt = time.Now()
	}
	m.funcs[f.Name] = f
	return nil
}

// DeleteFunction removes the function named name.
func (m *Mem) DeleteFunction(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.funcs[name]; !ok {
		return fmt.Errorf("function %q: %w", name, ErrNotFound)
	}
	delete(m.funcs, name)
	return nil
}

func cloneConn(c Connection) Connection {
	if c.Headers != nil {
		h := make(map[string]string, len(c.Headers))
		for k, v := range c.Headers {
			h[k] = v
		}
		c.Headers = h
	}
	return c
}
