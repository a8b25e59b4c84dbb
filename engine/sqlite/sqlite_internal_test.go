package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

// TestPragmas checks that the DSN gives every pool its settings.
func TestPragmas(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ sync, want string }{{"", "2"}, {"FULL", "2"}, {"NORMAL", "1"}} {
		t.Run("sync="+tc.sync, func(t *testing.T) {
			t.Parallel()
			db, err := Open(context.Background(), filepath.Join(t.TempDir(), "p.db"), Options{Synchronous: tc.sync})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			checks := []struct {
				pool       *sql.DB
				name, want string
			}{
				{db.w, "journal_mode", "wal"},
				{db.w, "synchronous", tc.want},
				{db.w, "foreign_keys", "1"},
				{db.w, "busy_timeout", "10000"},
				{db.w, "wal_autocheckpoint", "0"},
				{db.r, "foreign_keys", "1"},
				{db.r, "busy_timeout", "10000"},
				{db.r, "query_only", "1"},
				{db.r, "journal_mode", "wal"},
			}
			for _, c := range checks {
				if got := pragma(t, c.pool, c.name); got != c.want {
					t.Errorf("%s = %s, want %s", c.name, got, c.want)
				}
			}
			// Every reader connection has the pragmas, not just the first.
			conns := make([]*sql.Conn, 3)
			for i := range conns {
				c, err := db.r.Conn(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				conns[i] = c
				var q string
				if err := c.QueryRowContext(context.Background(), "PRAGMA query_only").Scan(&q); err != nil || q != "1" {
					t.Errorf("reader connection %d: query_only = %q, %v", i, q, err)
				}
			}
		})
	}
}

func TestMigrationNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   []string
		want    string // joined names, or the error text it must contain
		wantErr bool
	}{
		{"ordered", []string{"0100_drafts.sql", "0002_b.sql", "0001_init.sql"}, "0001_init.sql 0002_b.sql 0100_drafts.sql", false},
		{"misnamed", []string{"0001_init.sql", "init.sql"}, "not named NNNN_name.sql", true},
		{"three digits", []string{"001_init.sql"}, "not named NNNN_name.sql", true},
		{"duplicate number", []string{"0001_a.sql", "0001_b.sql"}, "share the number 0001", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{}
			for _, f := range tc.files {
				fsys["migrations/"+f] = &fstest.MapFile{Data: []byte("SELECT 1;")}
			}
			names, err := migrationNames(fsys)
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := strings.ReplaceAll(strings.Join(names, " "), "migrations/", "")
			if got != tc.want {
				t.Fatalf("names = %s, want %s", got, tc.want)
			}
		})
	}
}

// TestMigrationsRunOnce reopens a database: every migration is recorded
// once, with the injected clock's time.
func TestMigrationsRunOnce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "m.db")
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := 0; i < 2; i++ {
		db, err := Open(context.Background(), path, Options{Now: func() time.Time { return at.Add(time.Duration(i) * time.Hour) }})
		if err != nil {
			t.Fatal(err)
		}
		names, _ := migrationNames(migrationFS)
		var n, distinct int
		var first int64
		if err := db.r.QueryRow(`SELECT count(*), count(DISTINCT name), min(applied_at) FROM migrations`).Scan(&n, &distinct, &first); err != nil {
			t.Fatal(err)
		}
		if n != len(names) || distinct != n || first != at.UnixNano() {
			t.Fatalf("open %d: %d migrations recorded (%d distinct, first at %d), want %d at %d", i, n, distinct, first, len(names), at.UnixNano())
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTimeEncoding(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"zero", time.Time{}, time.Time{}},
		{"nanoseconds kept", t0, t0},
		{"the epoch is not the zero time", time.Unix(0, 0), time.Unix(0, 0)},
		{"local zone comes back as UTC", t0.In(time.FixedZone("X", 3600)), t0},
		{"last representable", time.Unix(0, 1<<63-1), time.Unix(0, 1<<63-1)},
		{"past the last is clamped", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, 1<<63-1)},
		{"first representable", time.Unix(0, -1<<63+1), time.Unix(0, -1<<63+1)},
		{"before the first is clamped", time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, -1<<63+1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := fromNS(toNS(tc.in))
			if !got.Equal(tc.want) || got.IsZero() != tc.want.IsZero() {
				t.Fatalf("round trip of %v = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}
