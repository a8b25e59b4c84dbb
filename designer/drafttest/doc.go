// Package drafttest is the conformance suite every designer.DraftStore
// passes: the in-memory store and the SQLite one run the same tests.
//
// It imports designer and testing only.
package drafttest
