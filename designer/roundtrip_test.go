package designer_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"stepwise/designer"
	"stepwise/engine/asl"
	"stepwise/engine/jsonv"
	"stepwise/internal/conformance"
)

// definitions returns every definition of the conformance cases and of the
// valid validation corpus, by file name.
func definitions(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	cases := conformance.Require(t, "cases")
	err := filepath.WalkDir(cases, func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var c struct {
			Definition json.RawMessage `json:"definition"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return err
		}
		out[p] = c.Definition
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	valid := filepath.Join(conformance.Require(t, "validation"), "valid")
	files, _ := filepath.Glob(filepath.Join(valid, "*.json"))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Definition     json.RawMessage `json:"definition"`
			DefinitionText *string         `json:"definition_text"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		if c.DefinitionText != nil {
			out[f] = []byte(*c.DefinitionText)
		} else {
			out[f] = c.Definition
		}
	}
	if len(out) < 900 {
		t.Fatalf("found only %d definitions", len(out))
	}
	return out
}

type transition struct{ from, to string }

// TestRoundTripCorpus imports every corpus definition into the graph model
// and exports it again: one node per state, one edge per transition, and
// the exported ASL equal to the input, key order included.
func TestRoundTripCorpus(t *testing.T) {
	t.Parallel()
	defs := definitions(t)
	for name, def := range defs {
		in, err := jsonv.Decode(def)
		if err != nil {
			t.Errorf("%s: corpus definition: %v", name, err)
			continue
		}
		doc, err := designer.ParseDocument(def, nil)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got, want := string(doc.ASL()), jsonv.String(in); got != want {
			t.Errorf("%s: exported ASL differs:\n got %s\nwant %s", name, got, want)
		}
		back, err := jsonv.DecodeString(doc.Text())
		if err != nil || !jsonv.Equal(back, in) || jsonv.String(back) != jsonv.String(in) {
			t.Errorf("%s: indented ASL does not read back as the input (%v)", name, err)
		}
		sm, diags := asl.Parse(def)
		if sm == nil {
			t.Errorf("%s: asl.Parse: %v", name, diags)
			continue
		}
		g := doc.Graph(diags)
		var states []*asl.State
		sm.Walk(func(s *asl.State) bool { states = append(states, s); return true })
		if len(g.Nodes) != len(states) {
			t.Errorf("%s: %d nodes for %d states", name, len(g.Nodes), len(states))
			continue
		}
		nameOf := map[string]string{}
		var gotNodes, wantNodes []string
		for i, n := range g.Nodes {
			if _, dup := nameOf[n.Path]; dup {
				t.Errorf("%s: two nodes with path %q", name, n.Path)
			}
			nameOf[n.Path] = n.Name
			gotNodes = append(gotNodes, n.Type+" "+n.Name)
			wantNodes = append(wantNodes, states[i].Type+" "+states[i].Name)
		}
		slices.Sort(gotNodes)
		slices.Sort(wantNodes)
		if !slices.Equal(gotNodes, wantNodes) {
			t.Errorf("%s: nodes %v, want %v", name, gotNodes, wantNodes)
		}
		var want, got []transition
		for _, s := range states {
			for _, to := range s.Transitions() {
				if s.Machine.State(to) != nil {
					want = append(want, transition{s.Name, to})
				}
			}
		}
		for _, e := range g.Edges {
			if e.Kind != designer.EdgeStart {
				got = append(got, transition{nameOf[e.From], nameOf[e.To]})
			}
		}
		cmp := func(a, b transition) int { return strings.Compare(a.from+"\x00"+a.to, b.from+"\x00"+b.to) }
		slices.SortFunc(want, cmp)
		slices.SortFunc(got, cmp)
		if !slices.Equal(got, want) {
			t.Errorf("%s: edges %v, want %v", name, got, want)
		}
	}
}
