//go:build race

package sqlite_test

// raceEnabled: the race detector slows SQLite (translated C) tens of times,
// so the long random tests take fewer steps under it.
const raceEnabled = true
