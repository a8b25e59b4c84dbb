// Package sqlite is the durable engine.Store: one SQLite file (modernc.org/sqlite,
// pure Go) in WAL mode, written through a single writer connection that
// applies many executions' steps per BEGIN IMMEDIATE transaction, read through
// a separate pool, with embedded SQL migrations.
//
// It imports only engine (for the domain types and error codes) and the
// standard library; it must not import server, views, designer or cmd.
package sqlite
