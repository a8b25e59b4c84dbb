// Package sqlite is the durable engine.Store: one SQLite file (modernc.org/sqlite,
// pure Go) in WAL mode, written through a single writer connection that
// applies many executions' steps per BEGIN IMMEDIATE transaction, read through
// a separate pool, with embedded SQL migrations.
//
// It also keeps the designer's drafts (Drafts, a designer.DraftStore: undo
// revisions stored as splices of the one before them).
//
// It imports engine and its packages (the domain types, error codes, the
// function registry), designer (for the draft store's types) and the
// standard library; it must not import server, views or cmd.
package sqlite
