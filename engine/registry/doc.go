// Package registry holds the records an administrator configures for task
// integrations — connections (credentials for HTTP tasks) and functions
// (the Lambda equivalent: a name bound to an HTTP endpoint) — the Registry
// interface that stores them, and an in-memory implementation.
//
// Connection secrets are plain values here and in any store: whoever can
// read the store can read them, so the store (the SQLite file) must be
// protected like a credentials file. Secrets must never be rendered, logged
// or put in history or errors; use Connection.Redacted for display.
//
// It imports only the standard library; it must not import engine, server
// or any storage driver.
package registry
