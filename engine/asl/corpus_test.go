package asl_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"stepwise/engine/asl"
	"stepwise/internal/conformance"
)

// corpusEntry is one file of the validation corpus (see its README).
type corpusEntry struct {
	Name           string          `json:"name"`
	Origin         string          `json:"origin"`
	Expect         string          `json:"expect"`
	Definition     json.RawMessage `json:"definition"`
	DefinitionText *string         `json:"definition_text"`
	Type           string          `json:"state_machine_type"`
	AWSResponse    *struct {
		Message     string `json:"message"`
		Diagnostics []struct {
			Code     string `json:"code"`
			Location string `json:"location"`
		} `json:"diagnostics"`
	} `json:"aws_response"`
}

func (e *corpusEntry) text() []byte {
	if e.DefinitionText != nil {
		return []byte(*e.DefinitionText)
	}
	return e.Definition
}

// verdictContradictsAWS lists corpus fixtures whose verdict comes from a
// third-party linter and contradicts what AWS does. Each is explained; the
// test checks that Stepwise still gives AWS's answer.
var verdictContradictsAWS = map[string]string{
	// A Choice rule with a Variable but no comparison operator: statelint's
	// spec ran only its graph checker; AWS requires an operator.
	"statelint__inline__should_use_Default_field_correctly": "choice rule without an operator",
	// "[?(@.OutputKey == FooBar)]": an unquoted word in a filter is not
	// JSONPath that AWS's Jayway parser compiles.
	"asl-validator__valid-current-value-predicate": "unquoted string in a JSONPath filter",
	// "$[(@.length-1)]" is a script expression, which Jayway does not support.
	"asl-validator__valid-path-array-context": "JSONPath script expression",
}

var awsLocationRe = regexp.MustCompile(` at (/[^' ]*)'?$`)

func readEntry(t *testing.T, path string) *corpusEntry {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	var e corpusEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return &e
}

func TestValidationCorpus(t *testing.T) {
	t.Parallel()
	dir := conformance.Require(t, "validation")
	var accepted, rejected, contradicted, total [2]int // [valid, invalid]
	for i, sub := range []string{"valid", "invalid"} {
		files, err := filepath.Glob(filepath.Join(dir, sub, "*.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no fixtures in %s/%s (err %v)", dir, sub, err)
		}
		for _, f := range files {
			e := readEntry(t, f)
			name := strings.TrimSuffix(filepath.Base(f), ".json")
			total[i]++
			_, diags := asl.ParseWithOptions(e.text(), asl.Options{Type: e.Type})
			bad := diags.HasErrors()
			if bad {
				rejected[i]++
			} else {
				accepted[i]++
			}
			t.Run(sub+"/"+name, func(t *testing.T) {
				wantBad := e.Expect == "invalid"
				if why, ok := verdictContradictsAWS[name]; ok {
					contradicted[i]++
					wantBad = !wantBad
					t.Logf("fixture verdict %q contradicts AWS (%s); expecting AWS's", e.Expect, why)
				}
				if bad != wantBad {
					t.Errorf("%s: got errors=%v, want %v; diagnostics:\n%s", e.Expect, bad, wantBad, format(diags))
					return
				}
				if e.Origin == "localstack-aws-recorded" && wantBad {
					checkNamesAWSLocation(t, e, diags)
				}
			})
		}
	}
	t.Logf("valid/: %d of %d accepted; invalid/: %d of %d rejected; %d fixtures contradict AWS and expect the opposite",
		accepted[0], total[0], rejected[1], total[1], contradicted[0]+contradicted[1])
}

// checkNamesAWSLocation checks that an error names the state and field AWS
// named: its JSON pointer starts with AWS's location.
func checkNamesAWSLocation(t *testing.T, e *corpusEntry, diags asl.Diagnostics) {
	t.Helper()
	r := e.AWSResponse
	if r == nil {
		return
	}
	var locs []string
	if m := awsLocationRe.FindStringSubmatch(r.Message); m != nil {
		locs = append(locs, m[1])
	}
	for _, d := range r.Diagnostics {
		if strings.HasPrefix(d.Location, "/") {
			locs = append(locs, d.Location)
		} else if d.Code == asl.CodeInvalidJSONDescription {
			if !hasCode(diags, d.Code) {
				t.Errorf("AWS reported %s; got:\n%s", d.Code, format(diags))
			}
		}
	}
	if strings.Contains(r.Message, "Args=[") && strings.Contains(r.Message, "Label") {
		for _, d := range diags.Errors() {
			if d.Field == "Label" && d.State != "" {
				return
			}
		}
		t.Errorf("AWS rejected the Map Label; no error names the Label field:\n%s", format(diags))
	}
	for _, loc := range locs {
		found := false
		for _, d := range diags.Errors() {
			if d.Path == loc || strings.HasPrefix(d.Path, loc+"/") {
				found = true
			}
		}
		if !found {
			t.Errorf("AWS reported a problem at %s; no error there:\n%s", loc, format(diags))
		}
	}
}

func hasCode(diags asl.Diagnostics, code string) bool {
	for _, d := range diags {
		if d.Code == code {
			return true
		}
	}
	return false
}

func format(diags asl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString("  " + d.Path + " " + d.Where() + " " + d.String() + "\n")
	}
	return b.String()
}

// TestConformanceCasesAccepted parses every definition that ran on AWS.
func TestConformanceCasesAccepted(t *testing.T) {
	t.Parallel()
	dir := conformance.Require(t, "cases")
	n := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var e struct {
			Definition json.RawMessage `json:"definition"`
			Type       string          `json:"state_machine_type"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatalf("decode %s: %v", path, err)
		}
		if len(e.Definition) == 0 {
			return nil
		}
		n++
		sm, diags := asl.ParseWithOptions(e.Definition, asl.Options{Type: e.Type})
		if diags.HasErrors() || sm == nil {
			rel, _ := filepath.Rel(dir, path)
			t.Errorf("%s: AWS ran this definition, but it has errors:\n%s", rel, format(diags))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("no case definitions under %s", dir)
	}
	t.Logf("%d definitions accepted", n)
}
