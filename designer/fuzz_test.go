package designer_test

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"stepwise/designer"
	"stepwise/engine/jsonv"
)

// FuzzOperations applies operation sequences derived from the input: random
// but sensible ones seeded by the first bytes, then the rest of the input as
// a JSON operation. The document must stay a JSON object and no operation
// may panic.
func FuzzOperations(f *testing.F) {
	f.Add(uint64(1), 20, []byte(`{"op":"delete","states":["A"]}`))
	f.Add(uint64(7), 40, []byte(`{"op":"paste","clipboard":"{\"States\":{\"A\":{\"Type\":\"Map\"}}}"}`))
	f.Add(uint64(3), 5, []byte(`{"op":"set","state":"B","pointer":"/Catch/-","value":{"Next":"A"}}`))
	f.Add(uint64(9), 0, []byte(`{"op":"replace","asl":"{\"States\":{\"X\":{\"Type\":\"Parallel\",\"Branches\":[{\"States\":{\"X\":{}}}]}}}"}`))
	f.Fuzz(func(t *testing.T, seed uint64, n int, opText []byte) {
		doc, err := designer.ParseDocument([]byte(base), nil)
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(seed, seed>>7))
		if n < 0 {
			n = -n
		}
		ops := make([]designer.Op, 0, n%24+1)
		for range n % 24 {
			ops = append(ops, randomOp(r, doc))
		}
		var extra designer.Op
		if json.Unmarshal(opText, &extra) == nil {
			ops = append(ops, extra)
		}
		for _, op := range ops {
			nd, err := designer.Apply(doc, op)
			if err != nil {
				continue
			}
			doc = nd
			v, err := jsonv.Decode(doc.ASL())
			if err != nil {
				t.Fatalf("after %+v the ASL is not JSON: %v", op, err)
			}
			if _, ok := v.(*jsonv.Object); !ok {
				t.Fatalf("after %+v the ASL is a %s", op, jsonv.TypeName(v))
			}
			_ = doc.Graph(nil)
			_ = doc.Text()
		}
	})
}

// FuzzParseDocument reads arbitrary text as a definition and layout.
func FuzzParseDocument(f *testing.F) {
	f.Add([]byte(base), []byte(`{"positions":{"A":{"x":1,"y":2}}}`))
	f.Add([]byte(`{"States":{"a/b~c":{"Type":"Map","Iterator":{"States":{"x":{"Type":"Pass"}}}}}}`), []byte(``))
	f.Fuzz(func(t *testing.T, asl, layout []byte) {
		doc, err := designer.ParseDocument(asl, layout)
		if err != nil {
			return
		}
		g := doc.Graph(nil)
		if len(g.Nodes) != len(doc.Names()) {
			t.Fatalf("%d nodes for %d names", len(g.Nodes), len(doc.Names()))
		}
		back, err := jsonv.Decode(doc.ASL())
		if err != nil {
			t.Fatal(err)
		}
		orig, _ := jsonv.Decode(asl)
		if !jsonv.Equal(back, orig) {
			t.Fatal("round trip changed the definition")
		}
	})
}
