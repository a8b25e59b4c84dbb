package asl_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"stepwise/engine/asl"
	"stepwise/engine/jsonv"
	"stepwise/internal/conformance"
)

// checkParseValue asserts that ParseValue of the decoded document answers
// exactly what Parse of its compact encoding does: the same text, model and
// diagnostics.
func checkParseValue(t *testing.T, name string, data []byte) {
	t.Helper()
	v, err := jsonv.Decode(data)
	if err != nil {
		return
	}
	for _, typ := range []string{"", "EXPRESS"} {
		opts := asl.Options{Type: typ}
		text, sm, diags := asl.ParseValue(v, opts)
		want := jsonv.Marshal(v)
		if !bytes.Equal(text, want) {
			t.Fatalf("%s: ParseValue text\n%s\nwant\n%s", name, text, want)
		}
		wsm, wdiags := asl.ParseWithOptions(want, opts)
		if !reflect.DeepEqual(diags, wdiags) {
			t.Fatalf("%s (%q): ParseValue diagnostics\n%v\nParse\n%v", name, typ, diags, wdiags)
		}
		if !reflect.DeepEqual(sm, wsm) {
			t.Fatalf("%s (%q): ParseValue model differs from Parse's", name, typ)
		}
	}
}

var parseValueCases = []struct{ name, doc string }{
	{"valid", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`},
	{"errors", `{"StartAt":"B","States":{"A":{"Type":"Task","Resource":"nope","ResultPath":"$$.x","Next":"C"},"B":{"Type":"Wait"}}}`},
	{"escapes and unicode", `{"Comment":"é\u2028\n\"x\\ \u0001","StartAt":"Ä/~","States":{"Ä/~":{"Type":"Pass","Result":{"a.$":"$.x","n":-1.5e+3,"z":0},"End":true}}}`},
	{"nested", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"X","States":{"X":{"Type":"Succeed"}}},"End":true}}}],"End":true}}}`},
	{"jsonata", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $x + %}","End":true}}}`},
	{"not a machine", `{"a":[1,[],{},null,true,false]}`},
	{"array root", `[1,2]`},
	{"empty", `{}`},
}

func TestParseValue(t *testing.T) {
	t.Parallel()
	for _, tc := range parseValueCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkParseValue(t, tc.name, []byte(tc.doc))
		})
	}
	t.Run("designer workflow", func(t *testing.T) {
		t.Parallel()
		checkParseValue(t, "designer", bigDesignerDefinition(120))
	})
}

// TestParseValueCorpus runs every definition of the validation corpus
// through ParseValue and Parse.
func TestParseValueCorpus(t *testing.T) {
	t.Parallel()
	dir := conformance.Require(t, "validation")
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files in %s: %v", dir, err)
	}
	for _, f := range files {
		e := readEntry(t, f)
		checkParseValue(t, filepath.Base(f), e.text())
	}
}

// TestParseValueGoTypes covers values outside the jsonv set, which
// ParseValue encodes the long way.
func TestParseValueGoTypes(t *testing.T) {
	t.Parallel()
	v := jsonv.ObjectOf("StartAt", "A", "TimeoutSeconds", 5, "States", jsonv.ObjectOf(
		"A", jsonv.ObjectOf("Type", "Wait", "Seconds", 1.5, "End", true)))
	text, _, diags := asl.ParseValue(v, asl.Options{})
	wdiags := func() asl.Diagnostics { _, d := asl.Parse(jsonv.Marshal(v)); return d }()
	if !bytes.Equal(text, jsonv.Marshal(v)) || !reflect.DeepEqual(diags, wdiags) {
		t.Fatalf("ParseValue %s %v, want %s %v", text, diags, jsonv.Marshal(v), wdiags)
	}
}

func FuzzParseValue(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, tc := range parseValueCases {
		f.Add([]byte(tc.doc))
	}
	if dir := conformance.Dir(); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "validation", "*", "*.json"))
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParseValue(t, "fuzz", data)
	})
}
