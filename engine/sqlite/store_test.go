package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"stepwise/engine"
	"stepwise/engine/sqlite"
	"stepwise/engine/storetest"
)

// openDB opens a fresh database in a temporary directory.
func openDB(t testing.TB, opts sqlite.Options) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "stepwise.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) engine.Store { return openDB(t, sqlite.Options{}) })
}
