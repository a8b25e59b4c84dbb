package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"stepwise/designer"
	"stepwise/engine/sqlite"
)

// benchDraft is a 500-state draft as the designer stores it: ≈60 KB of
// compact ASL and ≈18 KB of layout.
func benchDraft() (asl, layout []byte) {
	var a, l strings.Builder
	a.WriteString(`{"Comment":"generated","StartAt":"S000","States":{`)
	l.WriteString(`{"positions":{`)
	for i := range 500 {
		if i > 0 {
			a.WriteByte(',')
			l.WriteByte(',')
		}
		fmt.Fprintf(&a, `"S%03d":{"Type":"Task","Comment":"c%03d","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f%03d"},"Next":"S%03d"}`, i, i, i, i+1)
		fmt.Fprintf(&l, `"S%03d":{"x":%04d,"y":%05d,"w":180,"h":44}`, i, 240*(i%4), 90*i)
	}
	a.WriteString(`}}`)
	l.WriteString(`},"viewport":{"x":0,"y":0,"zoom":1}}`)
	return []byte(a.String()), []byte(l.String())
}

// editDraft changes one state's comment (a few bytes of the ASL) and moves
// one state (a few bytes of the layout), as an edit or a move does.
func editDraft(asl, layout []byte, i int) ([]byte, []byte) {
	s := i * 7919 % 500
	key := fmt.Sprintf(`"S%03d":{"Type":"Task","Comment":"c`, s)
	c := strings.Index(string(asl), key) + len(key)
	asl = slices.Clone(asl)
	copy(asl[c:c+3], fmt.Sprintf("%03d", i%1000))
	key = fmt.Sprintf(`"S%03d":{"x":`, s)
	c = strings.Index(string(layout), key) + len(key)
	layout = slices.Clone(layout)
	copy(layout[c:c+4], fmt.Sprintf("%04d", (i*37)%1000))
	return asl, layout
}

func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(len(sorted)-1, int(float64(len(sorted))*p))
	return float64(sorted[i].Microseconds()) / 1000
}

// benchStore is a store holding the 500-state draft "bench", and the
// draft's current revision.
type benchStore struct {
	db          *sqlite.DB
	asl, layout []byte
	version     int64
}

func newBenchStore(b *testing.B, opts sqlite.Options) *benchStore {
	b.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "drafts.db"), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	s := &benchStore{db: db}
	s.asl, s.layout = benchDraft()
	d := &designer.Draft{ID: "bench"}
	if err := db.Drafts().CreateDraft(context.Background(), d, designer.Revision{ASL: s.asl, Layout: s.layout}); err != nil {
		b.Fatal(err)
	}
	s.version = d.Version
	return s
}

// commit stores edit i of the draft and returns how long CommitDraft took.
func (s *benchStore) commit(b *testing.B, i int, op []byte) time.Duration {
	s.asl, s.layout = editDraft(s.asl, s.layout, i)
	t0 := time.Now()
	nd, err := s.db.Drafts().CommitDraft(context.Background(), "bench", designer.Commit{FromVersion: s.version, Keep: designer.DefaultKeep,
		Append: &designer.Revision{ASL: s.asl, Layout: s.layout, Op: op}})
	if err != nil {
		b.Fatal(err)
	}
	s.version = nd.Version
	return time.Since(t0)
}

// BenchmarkDraftCommit commits edits of a few bytes to a 500-state draft
// with the editor's history bound (Keep 200) and synchronous FULL, and
// reports each commit's p50 and p99 in ms: "full-rows" stores every
// revision whole (the store before deltas), "deltas" the default.
func BenchmarkDraftCommit(b *testing.B) {
	for _, bc := range []struct {
		name  string
		every int
	}{{"full-rows", 1}, {"deltas", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			s := newBenchStore(b, sqlite.Options{Synchronous: "FULL", DraftSynchronous: "FULL", DraftSnapshotEvery: bc.every})
			op := []byte(`{"op":"field"}`)
			// The history full, so that every commit also trims.
			for i := range designer.DefaultKeep + 10 {
				s.commit(b, i, op)
			}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				lat = append(lat, s.commit(b, i, op))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(percentile(lat, 0.50), "p50-ms")
			b.ReportMetric(percentile(lat, 0.99), "p99-ms")
			b.ReportMetric(float64(len(s.asl)+len(s.layout))/1000, "KB/rev")
		})
	}
}

// BenchmarkDraftGetRevision reads the revision with the longest chain of
// deltas (the one before a snapshot) of a 500-state draft, and its
// snapshot, and reports p50 in ms.
func BenchmarkDraftGetRevision(b *testing.B) {
	s := newBenchStore(b, sqlite.Options{})
	for i := range sqlite.DefaultDraftSnapshotEvery {
		s.commit(b, i, nil)
	}
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		rev  int64
	}{{"snapshot", 1}, {"longest-chain", sqlite.DefaultDraftSnapshotEvery}} {
		b.Run(bc.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for range b.N {
				t0 := time.Now()
				if _, err := s.db.Drafts().GetRevision(ctx, "bench", bc.rev); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			slices.Sort(lat)
			b.ReportMetric(percentile(lat, 0.50), "p50-ms")
		})
	}
}
