package sqlite_test

import (
	"path/filepath"
	"testing"

	"stepwise/engine/registry"
	"stepwise/engine/registry/registrytest"
	"stepwise/engine/sqlite"
)

func TestRegistry(t *testing.T) {
	t.Parallel()
	registrytest.Run(t, func(t *testing.T) registry.Registry {
		db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "reg.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db.Registry()
	})
}

func TestRegistrySurvivesReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "reg.db")
	db, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Registry().PutConnection(t.Context(), registry.Connection{Name: "c", AuthType: registry.AuthBasic, Username: "u", Password: "p"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := db.Registry().GetConnection(t.Context(), "c")
	if err != nil || c.Password != "p" || c.ID == "" {
		t.Fatalf("%+v %v", c.Redacted(), err)
	}
}
