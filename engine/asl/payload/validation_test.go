package payload_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stepwise/engine/asl/intrinsic"
	"stepwise/engine/asl/jsonpath"
	"stepwise/engine/asl/payload"
	"stepwise/engine/jsonv"
	"stepwise/internal/conformance"
)

// pathFields are the state fields that hold a JSONPath in JSONPath mode.
var pathFields = []string{"InputPath", "OutputPath", "ItemsPath", "SecondsPath", "TimestampPath",
	"MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath",
	"TimeoutSecondsPath", "HeartbeatSecondsPath"}

// templateFields hold payload templates.
var templateFields = []string{"Parameters", "ResultSelector", "ItemSelector", "Assign", "Arguments"}

// checkDefinition compiles every path, reference path, payload template and
// intrinsic call of a JSONPath-mode definition, the way the validator will,
// and returns the problems found.
func checkDefinition(def *jsonv.Object, jsonata bool) []string {
	var problems []string
	if ql, ok := def.Get("QueryLanguage"); ok {
		jsonata = ql == "JSONata"
	}
	states, ok := def.Get("States")
	so, ok2 := states.(*jsonv.Object)
	if !ok || !ok2 {
		return nil
	}
	for _, m := range so.Members() {
		st, ok := m.Value.(*jsonv.Object)
		if !ok {
			continue
		}
		stJSONata := jsonata
		if ql, ok := st.Get("QueryLanguage"); ok {
			stJSONata = ql == "JSONata"
		}
		add := func(field string, err error) {
			problems = append(problems, fmt.Sprintf("%s.%s: %v", m.Key, field, err))
		}
		if !stJSONata {
			for _, f := range pathFields {
				if s, ok := st.Get(f); ok {
					if s, ok := s.(string); ok {
						if _, err := jsonpath.Parse(s); err != nil {
							add(f, err)
						}
					}
				}
			}
			if s, ok := st.Get("ResultPath"); ok {
				if s, ok := s.(string); ok {
					p, err := jsonpath.ParseReference(s)
					if err == nil && p.Root() != jsonpath.RootInput {
						err = fmt.Errorf("ResultPath must start with '$', not %s", p.Root())
					}
					if err != nil {
						add("ResultPath", err)
					}
				}
			}
			for _, f := range []string{"ErrorPath", "CausePath"} {
				if s, ok := st.Get(f); ok {
					if s, ok := s.(string); ok {
						var err error
						if intrinsic.IsCall(s) {
							_, err = intrinsic.Parse(s)
						} else {
							_, err = jsonpath.Parse(s)
						}
						if err != nil {
							add(f, err)
						}
					}
				}
			}
			for _, f := range templateFields {
				if v, ok := st.Get(f); ok {
					if _, err := payload.CompileField(f, v); err != nil {
						add(f, err)
					}
				}
			}
			if choices, ok := get(st, "Choices").([]any); ok {
				for _, c := range choices {
					problems = append(problems, checkRule(m.Key, c)...)
				}
			}
		}
		for _, f := range []string{"ItemProcessor", "Iterator"} {
			if sub, ok := st.Get(f); ok {
				if sub, ok := sub.(*jsonv.Object); ok {
					problems = append(problems, checkDefinition(sub, stJSONata)...)
				}
			}
		}
		if branches, ok := get(st, "Branches").([]any); ok {
			for _, b := range branches {
				if b, ok := b.(*jsonv.Object); ok {
					problems = append(problems, checkDefinition(b, stJSONata)...)
				}
			}
		}
	}
	return problems
}

func checkRule(state string, rule any) []string {
	r, ok := rule.(*jsonv.Object)
	if !ok {
		return nil
	}
	var problems []string
	for _, m := range r.Members() {
		switch {
		case m.Key == "Variable" || (strings.HasSuffix(m.Key, "Path") && m.Key != "ResultPath"):
			if s, ok := m.Value.(string); ok {
				var err error
				if intrinsic.IsCall(s) {
					_, err = intrinsic.Parse(s)
				} else {
					_, err = jsonpath.Parse(s)
				}
				if err != nil {
					problems = append(problems, fmt.Sprintf("%s.Choices.%s: %v", state, m.Key, err))
				}
			}
		case m.Key == "And" || m.Key == "Or":
			if list, ok := m.Value.([]any); ok {
				for _, sub := range list {
					problems = append(problems, checkRule(state, sub)...)
				}
			}
		case m.Key == "Not":
			problems = append(problems, checkRule(state, m.Value)...)
		}
	}
	return problems
}

// definitions yields the definition of every JSON file under dir.
func definitions(t *testing.T, dir string) map[string]*jsonv.Object {
	t.Helper()
	out := map[string]*jsonv.Object{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		v, derr := jsonv.Decode(data)
		o, ok := v.(*jsonv.Object)
		if derr != nil || !ok {
			return nil //nolint:nilerr // not every validation entry is a JSON object
		}
		if def, ok := get(o, "definition").(*jsonv.Object); ok {
			out[strings.TrimSuffix(filepath.Base(p), ".json")] = def
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestValidDefinitionsCompile checks that no path, template or intrinsic in a
// definition AWS ran (the execution cases) or that a validator accepts (the
// valid validation corpus) is rejected.
func TestValidDefinitionsCompile(t *testing.T) {
	t.Parallel()
	defs := definitions(t, conformance.Require(t, "cases"))
	for name, def := range definitions(t, conformance.Require(t, filepath.Join("validation", "valid"))) {
		defs["valid/"+name] = def
	}
	if len(defs) < 800 {
		t.Fatalf("only %d definitions found", len(defs))
	}
	// asl-validator (jsonpath-plus, a JavaScript engine) accepts these; Jayway,
	// which AWS runs, has no script expressions [(...)] and no bare words in
	// filters, so we reject them.
	notJayway := map[string]bool{
		"valid/asl-validator__valid-current-value-predicate": true,
		"valid/asl-validator__valid-path-array-context":      true,
	}
	for name, def := range defs {
		if notJayway[name] {
			if len(checkDefinition(def, false)) == 0 {
				t.Errorf("%s: accepted, but Jayway cannot parse its path", name)
			}
			continue
		}
		if problems := checkDefinition(def, false); len(problems) > 0 {
			t.Errorf("%s: %s", name, strings.Join(problems, "; "))
		}
	}
}

// TestInvalidDefinitionsRejected checks the invalid definitions whose only
// problem is a path, a template or an intrinsic call.
func TestInvalidDefinitionsRejected(t *testing.T) {
	t.Parallel()
	defs := definitions(t, conformance.Require(t, filepath.Join("validation", "invalid")))
	tests := []struct {
		name  string
		count int // problems expected
	}{
		// AWS: "The value for the field 'parsed.$' must be a valid JSONPath or
		// a valid intrinsic function call".
		{"localstack-aws__test_base_scenarios__TestBaseScenarios__test_illegal_escapes__ESCAPE_SEQUENCES_ILLEGAL_INTRINSIC_FUNCTION", 1},
		{"localstack-aws__test_base_scenarios__TestBaseScenarios__test_illegal_escapes__ESCAPE_SEQUENCES_ILLEGAL_INTRINSIC_FUNCTION_2", 1},
		{"asl-validator__invalid-math-add", 1},
		{"asl-validator__invalid-json-path", 4},
		{"asl-validator__invalid-variable-result-path", 1},
		{"statelint__pass-with-intrinsic-function-inputpath", 1},
		{"statelint__parameter-path-problems", 1}, // the first bad key stops the template
	}
	for _, tt := range tests {
		def, ok := defs[tt.name]
		if !ok {
			t.Errorf("%s: not in the corpus", tt.name)
			continue
		}
		if problems := checkDefinition(def, false); len(problems) != tt.count {
			t.Errorf("%s: %d problems, want %d: %q", tt.name, len(problems), tt.count, problems)
		}
	}
}
