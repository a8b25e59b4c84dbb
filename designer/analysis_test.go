package designer_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"stepwise/designer"
	"stepwise/engine/asl"
)

// TestIncrementalValidation: after each operation, the diagnostics and text
// the designer derives from the document before it (asl.ParseValueFrom)
// are what a full validation of the new document gives.
func TestIncrementalValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ed := designer.NewEditor(designer.NewMemStore(), nil)
	v, err := ed.Create(ctx, "", []byte(chain(40, "start")))
	if err != nil {
		t.Fatal(err)
	}
	set := func(state, ptr, value string) designer.Op {
		return designer.Op{Op: designer.OpSet, State: state, Pointer: ptr, Value: json.RawMessage(value)}
	}
	edited := strings.Replace(chain(40, "start"), `"FunctionName":"f7"`, `"FunctionName":"f7","Timeout":"x"`, 1)
	steps := []struct {
		name string
		op   designer.Op
	}{
		{"a comment", set("S3", "/Comment", `"note"`)},
		{"a broken Next", set("S4", "/Next", `"Nowhere"`)},
		{"a JSONata mistake", set("S5", "/Output", `"{% $$$ %}"`)},
		{"the top-level query language", set("", "/QueryLanguage", `"JSONPath"`)},
		{"a rename", designer.Op{Op: designer.OpRename, State: "S6", To: "Six"}},
		{"a state added", designer.Op{Op: designer.OpAdd, Type: "Wait", Name: "W", Pos: &designer.Point{X: 1, Y: 2}}},
		{"states deleted", designer.Op{Op: designer.OpDelete, States: []string{"S8"}}},
		{"undo", designer.Op{Op: designer.OpUndo}},
		{"the same text replaced", designer.Op{Op: designer.OpReplace, ASL: chain(40, "start")}},
		{"one state changed in the text", designer.Op{Op: designer.OpReplace, ASL: edited}},
	}
	for _, st := range steps {
		if v, err = ed.Apply(ctx, v.ID, v.Version, st.op); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		text, _, want := asl.ParseValue(v.Doc.Root(), asl.Options{})
		if want == nil {
			want = asl.Diagnostics{}
		}
		if got := v.Doc.Validate(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: diagnostics\n got %v\nwant %v", st.name, got, want)
		}
		if got := v.Doc.ASL(); string(got) != string(text) {
			t.Errorf("%s: text differs from a full encoding", st.name)
		}
	}
}
