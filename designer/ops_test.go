package designer_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"stepwise/designer"
	"stepwise/engine/asl"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const base = `{
  "Comment": "base",
  "StartAt": "A",
  "States": {
    "A": {"Type": "Pass", "Next": "P"},
    "P": {"Type": "Parallel", "Branches": [{"StartAt": "P1", "States": {"P1": {"Type": "Pass", "Next": "P2"}, "P2": {"Type": "Pass", "End": true}}}], "Next": "B"},
    "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"}, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}], "Next": "C"},
    "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "D"}], "Default": "E"},
    "D": {"Type": "Succeed"},
    "E": {"Type": "Pass", "Next": "M"},
    "M": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "M1", "States": {"M1": {"Type": "Pass", "End": true}}}, "End": true},
    "Oops": {"Type": "Fail", "Error": "Boom"}
  }
}`

func pos(x, y float64) *designer.Point { return &designer.Point{X: x, Y: y} }

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// opCases are operations checked against the ASL they must produce
// (testdata/ops/<name>.golden; go test -update rewrites them).
var opCases = []struct {
	name string
	ops  []designer.Op
}{
	{"add-pass", []designer.Op{{Op: "add", Type: "Pass", Pos: pos(10, 20)}}},
	{"add-every-type", []designer.Op{{Op: "add", Type: "Task"}, {Op: "add", Type: "Choice"}, {Op: "add", Type: "Wait"}, {Op: "add", Type: "Succeed"}, {Op: "add", Type: "Fail"}, {Op: "add", Type: "Parallel"}, {Op: "add", Type: "Map"}, {Op: "add", Type: "Pass"}}},
	{"add-into-branch", []designer.Op{{Op: "add", Type: "Wait", Container: "P/0", Pos: pos(1, 2)}}},
	{"insert-on-next-edge", []designer.Op{{Op: "insert", Type: "Wait", From: "A", Port: "next", Pos: pos(5, 5)}}},
	{"insert-on-start-edge", []designer.Op{{Op: "insert", Type: "Pass", Name: "First", Port: "start", Container: ""}}},
	{"insert-on-choice-edge", []designer.Op{{Op: "insert", Type: "Pass", From: "C", Port: "choice-0"}}},
	{"insert-on-catch-edge", []designer.Op{{Op: "insert", Type: "Task", From: "B", Port: "catch-0"}}},
	{"insert-choice-on-edge", []designer.Op{{Op: "insert", Type: "Choice", From: "E", Port: "next"}}},
	{"insert-in-map", []designer.Op{{Op: "insert", Type: "Pass", Port: "start", Container: "M/0"}}},
	{"connect-next", []designer.Op{{Op: "connect", From: "A", Port: "next", To: "E"}}},
	{"connect-next-from-end", []designer.Op{{Op: "connect", From: "M", Port: "next", To: "D"}}},
	{"connect-default", []designer.Op{{Op: "connect", From: "C", Port: "default", To: "Oops"}}},
	{"connect-choice-existing", []designer.Op{{Op: "connect", From: "C", Port: "choice-0", To: "E"}}},
	{"connect-choice-new", []designer.Op{{Op: "connect", From: "C", Port: "choice-1", To: "Oops"}}},
	{"connect-catch-existing", []designer.Op{{Op: "connect", From: "B", Port: "catch-0", To: "D"}}},
	{"connect-catch-new", []designer.Op{{Op: "connect", From: "M", Port: "catch-0", To: "Oops"}}},
	{"connect-start", []designer.Op{{Op: "connect", Port: "start", Container: "", To: "B"}}},
	{"connect-across-containers", []designer.Op{{Op: "connect", From: "A", Port: "next", To: "P1"}}},
	{"connect-port-missing", []designer.Op{{Op: "connect", From: "D", Port: "next", To: "A"}}},
	{"disconnect-next", []designer.Op{{Op: "disconnect", From: "A", Port: "next"}}},
	{"disconnect-choice", []designer.Op{{Op: "disconnect", From: "C", Port: "choice-0"}}},
	{"disconnect-catch", []designer.Op{{Op: "disconnect", From: "B", Port: "catch-0"}}},
	{"disconnect-default", []designer.Op{{Op: "disconnect", From: "C", Port: "default"}}},
	{"delete-rewire", []designer.Op{{Op: "move", Positions: map[string]designer.Point{"B": {X: 1, Y: 1}}}, {Op: "delete", States: []string{"B"}}}},
	{"delete-start", []designer.Op{{Op: "delete", States: []string{"A"}}}},
	{"delete-terminal", []designer.Op{{Op: "delete", States: []string{"D", "Oops"}}}},
	{"delete-chain", []designer.Op{{Op: "delete", States: []string{"A", "P"}}}},
	{"delete-container", []designer.Op{{Op: "move", Positions: map[string]designer.Point{"P/0/P1": {X: 3, Y: 3}, "A": {X: 0, Y: 0}}}, {Op: "delete", States: []string{"P"}}}},
	{"delete-choice", []designer.Op{{Op: "delete", States: []string{"C"}}}},
	{"rename", []designer.Op{{Op: "move", Positions: map[string]designer.Point{"P": {X: 1, Y: 2}, "P/0/P1": {X: 3, Y: 4}}}, {Op: "rename", State: "P", To: "Fan out"}, {Op: "rename", State: "D", To: "Done"}, {Op: "rename", State: "Oops", To: "Failed"}, {Op: "rename", State: "A", To: "Start here"}}},
	{"rename-taken", []designer.Op{{Op: "rename", State: "A", To: "P1"}}},
	{"copy-paste", nil}, // built in the test: copy A, B then paste twice
	{"duplicate", []designer.Op{{Op: "move", Positions: map[string]designer.Point{"E": {X: 100, Y: 100}, "M": {X: 100, Y: 200}}}, {Op: "duplicate", States: []string{"E", "M"}}}},
	{"duplicate-parallel", []designer.Op{{Op: "duplicate", States: []string{"P"}}}},
	{"reparent-into-branch", []designer.Op{{Op: "reparent", States: []string{"E"}, Container: "P/0", Positions: map[string]designer.Point{"E": {X: 9, Y: 9}}}}},
	{"reparent-into-map", []designer.Op{{Op: "reparent", States: []string{"D", "Oops"}, Container: "M/0"}}},
	{"reparent-out-of-branch", []designer.Op{{Op: "reparent", States: []string{"P2"}, Container: ""}}},
	{"reparent-into-itself", []designer.Op{{Op: "reparent", States: []string{"P"}, Container: "P/0"}}},
	{"add-branch", []designer.Op{{Op: "addBranch", State: "P"}, {Op: "add", Type: "Wait", Container: "P/1"}}},
	{"remove-branch", []designer.Op{{Op: "addBranch", State: "P"}, {Op: "move", Positions: map[string]designer.Point{"P/1/Pass": {X: 7, Y: 7}}}, {Op: "removeBranch", State: "P", Index: 0}}},
	{"remove-last-branch", []designer.Op{{Op: "removeBranch", State: "P", Index: 0}}},
	{"set-field", []designer.Op{{Op: "set", State: "E", Pointer: "/Result", Value: raw(`{"a":1.50}`)}, {Op: "set", State: "B", Pointer: "/Catch/0/ErrorEquals/0", Value: raw(`"States.Timeout"`)}, {Op: "set", Pointer: "/Comment", Value: raw(`"changed"`)}}},
	{"delete-field", []designer.Op{{Op: "set", State: "B", Pointer: "/Parameters", Delete: true}}},
	{"replace", []designer.Op{{Op: "move", Positions: map[string]designer.Point{"A": {X: 1, Y: 1}, "B": {X: 2, Y: 2}}}, {Op: "replace", ASL: `{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`}}},
	{"replace-invalid", []designer.Op{{Op: "replace", ASL: `{"StartAt":`}}},
	{"pattern-poll", []designer.Op{{Op: "pattern", Pattern: "poll-until-done", From: "A", Port: "next", Pos: pos(0, 0)}}},
	{"pattern-catch-notify", []designer.Op{{Op: "pattern", Pattern: "catch-notify", Container: ""}}},
	{"pattern-approval", []designer.Op{{Op: "pattern", Pattern: "callback-approval", From: "E", Port: "next"}}},
	{"pattern-retry", []designer.Op{{Op: "pattern", Pattern: "retry-backoff", Port: "start", Container: "P/0"}}},
	{"pattern-map-and-fanout", []designer.Op{{Op: "pattern", Pattern: "map-items"}, {Op: "pattern", Pattern: "parallel-fanout"}}},
	{"collapse-and-viewport", []designer.Op{{Op: "collapse", Container: "P/0", Collapsed: true}, {Op: "viewport", Viewport: &designer.Viewport{X: 1, Y: 2, Zoom: 0.5}}}},
}

func TestOperations(t *testing.T) {
	t.Parallel()
	for _, tc := range opCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, err := designer.ParseDocument([]byte(base), nil)
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			ops := tc.ops
			if tc.name == "copy-paste" {
				doc, _ = designer.Apply(doc, designer.Op{Op: "move", Positions: map[string]designer.Point{"A": {X: 10, Y: 10}, "P": {X: 10, Y: 110}}})
				clip, err := doc.Copy([]string{"A", "P"})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&out, "clipboard: %s\n", clip)
				ops = []designer.Op{{Op: "paste", Clipboard: clip, Pos: pos(300, 10)}, {Op: "paste", Clipboard: clip, Container: "M/0"}}
			}
			for _, op := range ops {
				opText, _ := json.Marshal(op)
				fmt.Fprintf(&out, "op: %s\n", opText)
				nd, err := designer.Apply(doc, op)
				if err != nil {
					fmt.Fprintf(&out, "error: %v\n", err)
					continue
				}
				doc = nd
			}
			_, diags := asl.Parse(doc.ASL())
			fmt.Fprintf(&out, "--- asl\n%s\n--- layout\n%s\n--- errors\n", doc.Text(), designer.MarshalLayout(doc.Layout()))
			for _, d := range diags.Errors() {
				fmt.Fprintf(&out, "%s\n", d.Message)
			}
			g := doc.Graph(diags)
			fmt.Fprintf(&out, "--- edges\n")
			var edges []string
			for _, e := range g.Edges {
				edges = append(edges, fmt.Sprintf("%s -%s-> %s %q", e.From, e.Port, e.To, e.Label))
			}
			slices.Sort(edges)
			out.WriteString(strings.Join(edges, "\n") + "\n")
			golden := filepath.Join("testdata", "ops", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if out.String() != string(want) {
				t.Errorf("result differs from %s:\n%s", golden, out.String())
			}
		})
	}
}

// TestPatternsAreValid adds each palette pattern to an empty workflow and
// checks that the result passes validation without errors.
func TestPatternsAreValid(t *testing.T) {
	t.Parallel()
	for _, p := range designer.Patterns() {
		t.Run(p.ID, func(t *testing.T) {
			t.Parallel()
			doc, err := designer.Apply(designer.NewDocument(), designer.Op{Op: "pattern", Pattern: p.ID, Pos: pos(0, 0)})
			if err != nil {
				t.Fatal(err)
			}
			if errs := doc.Validate().Errors(); len(errs) > 0 {
				t.Fatalf("pattern %s is invalid: %v\n%s", p.ID, errs, doc.Text())
			}
		})
	}
	for _, typ := range designer.StateTypes {
		doc, err := designer.Apply(designer.NewDocument(), designer.Op{Op: "add", Type: typ})
		if err != nil {
			t.Fatal(err)
		}
		errs := doc.Validate().Errors()
		// A new Choice has no rules (and so no way to an end) yet: connecting
		// its first rule port adds one.
		if typ == "Choice" {
			if len(errs) != 2 {
				t.Errorf("a new Choice: %v", errs)
			}
			continue
		}
		if len(errs) > 0 {
			t.Errorf("a new %s state is invalid: %v", typ, errs)
		}
	}
}
