package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"stepwise/designer"
	"stepwise/engine"
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

// TestDecodeChunkDamaged: a damaged chunk is an error, never a panic.
func TestDecodeChunkDamaged(t *testing.T) {
	t.Parallel()
	evs := []engine.HistoryEvent{
		{ID: 1, Timestamp: time.Unix(5, 0), Type: "ExecutionStarted", Details: []byte(`{"input":"{}"}`)},
		{ID: 2, PreviousEventID: 1, Timestamp: time.Unix(6, 0), Type: "PassStateEntered"},
	}
	good := encodeChunk(nil, evs)
	n := 0
	if err := decodeChunk(good, func(engine.HistoryEvent) { n++ }); err != nil || n != 2 {
		t.Fatalf("good chunk: %d events, %v", n, err)
	}
	for cut := 0; cut < len(good); cut++ {
		n := 0
		err := decodeChunk(good[:cut], func(engine.HistoryEvent) { n++ })
		// Only the bare version byte (no events) and a cut exactly after
		// the first event decode.
		if err == nil && (cut != 1 || n != 0) && n != 1 {
			t.Fatalf("chunk cut at %d of %d decoded %d events", cut, len(good), n)
		}
	}
	if err := decodeChunk([]byte{9, 1, 2}, func(engine.HistoryEvent) {}); err == nil {
		t.Fatal("unknown version decoded")
	}
	// Lengths past the end.
	if err := decodeChunk([]byte{chunkVersion, 2, 0, 2, 200, 1}, func(engine.HistoryEvent) {}); err == nil {
		t.Fatal("type length past the end decoded")
	}
}

// FuzzDecodeChunk: any bytes decode to events or an error, never a panic,
// and decoded events survive another encode/decode unchanged.
func FuzzDecodeChunk(f *testing.F) {
	f.Add(encodeChunk(nil, []engine.HistoryEvent{{ID: 1, Timestamp: time.Unix(1, 2), Type: "ExecutionStarted", Details: []byte(`{}`)}}))
	f.Add(encodeChunk(nil, []engine.HistoryEvent{{ID: 7, PreviousEventID: 3, Type: "X"}, {ID: 8, PreviousEventID: 7}}))
	f.Add([]byte{chunkVersion})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []engine.HistoryEvent
		if err := decodeChunk(data, func(ev engine.HistoryEvent) { got = append(got, ev) }); err != nil {
			return
		}
		var again []engine.HistoryEvent
		if err := decodeChunk(encodeChunk(nil, got), func(ev engine.HistoryEvent) { again = append(again, ev) }); err != nil {
			t.Fatalf("re-encoded chunk does not decode: %v", err)
		}
		if len(again) != len(got) {
			t.Fatalf("%d events, then %d", len(got), len(again))
		}
		for i := range got {
			a, b := got[i], again[i]
			if a.ID != b.ID || a.PreviousEventID != b.PreviousEventID || !a.Timestamp.Equal(b.Timestamp) || a.Type != b.Type ||
				string(a.Details) != string(b.Details) || (a.Details == nil) != (b.Details == nil) {
				t.Fatalf("event %d: %+v, then %+v", i, a, b)
			}
		}
	})
}

// TestWALRestart: when a reader kept the passive checkpoint from reaching
// the end of the WAL, a WAL at or past the restart limit is checkpointed
// with RESTART (waiting for the reader), so the next commit writes at the
// start of the WAL; below the limit the WAL keeps growing.
func TestWALRestart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		restart bool
	}{{"past the limit", true}, {"below the limit", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// Stop the background checkpointer: this test checkpoints itself.
			close(db.stopCP)
			<-db.cpDone
			db.stopCP = make(chan struct{}) // for Close to close
			put := func(name string) {
				t.Helper()
				sm := &engine.StateMachine{ARN: "arn:aws:states:us-east-1:1:stateMachine:" + name, Name: name, Definition: strings.Repeat("x", 20000)}
				if err := db.CreateStateMachine(ctx, sm); err != nil {
					t.Fatal(err)
				}
			}
			walFrames := func() int {
				t.Helper()
				var busy, log, done int
				if err := db.cp.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done); err != nil {
					t.Fatal(err)
				}
				return log
			}
			put("a")
			// A reader holds a snapshot while more is written.
			conn, err := db.r.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			var n int
			if err := tx.QueryRow("SELECT count(*) FROM state_machines").Scan(&n); err != nil {
				t.Fatal(err)
			}
			for i := range 20 {
				put(fmt.Sprintf("b%d", i))
			}
			before := walFrames()
			db.walRestart = before + 1 // one frame short of the limit: no restart
			if tc.restart {
				db.walRestart = before // at the limit
			}
			go func() {
				time.Sleep(200 * time.Millisecond)
				_ = tx.Rollback()
			}()
			db.checkpoint()
			if !tc.restart {
				_ = tx.Rollback()
			}
			put("c")
			after := walFrames()
			if tc.restart && after >= before {
				t.Fatalf("WAL of %d frames before, %d after a restart", before, after)
			}
			if !tc.restart && after <= before {
				t.Fatalf("WAL of %d frames before, %d after: restarted below the limit", before, after)
			}
		})
	}
}

// TestDraftSynchronous: draft commits run at Options.DraftSynchronous and
// give the writer back at the executions' setting.
func TestDraftSynchronous(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ sync, draftSync, want, wantErr string }{
		{"", "", "2", ""},
		{"FULL", "normal", "2", ""},
		{"NORMAL", "FULL", "1", ""},
		{"FULL", "OFF", "", `DraftSynchronous is "OFF"`},
	} {
		t.Run(tc.sync+"/"+tc.draftSync, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"), Options{Synchronous: tc.sync, DraftSynchronous: tc.draftSync})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Open: %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			d := &designer.Draft{ID: "d", Created: time.Unix(1, 0), Updated: time.Unix(1, 0)}
			if err := db.Drafts().CreateDraft(ctx, d, designer.Revision{ASL: []byte(`{}`), Layout: []byte(`{}`)}); err != nil {
				t.Fatal(err)
			}
			// During a draft transaction the writer runs at the drafts'
			// setting; afterwards at its own again.
			tx, done, err := db.draftTx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var during string
			if err := tx.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&during); err != nil {
				t.Fatal(err)
			}
			done()
			if want := map[string]string{"FULL": "2", "NORMAL": "1"}[db.draftSync]; during != want {
				t.Errorf("synchronous during a draft commit = %s, want %s", during, want)
			}
			if _, err := db.Drafts().CommitDraft(ctx, "d", designer.Commit{FromVersion: 1, Append: &designer.Revision{ASL: []byte(`{"a":1}`), Layout: []byte(`{}`)}}); err != nil {
				t.Fatal(err)
			}
			if got := pragma(t, db.w, "synchronous"); got != tc.want {
				t.Errorf("synchronous after draft commits = %s, want %s", got, tc.want)
			}
		})
	}
}
