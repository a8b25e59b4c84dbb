package designer_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stepwise/designer"
	"stepwise/engine/asl"
	"stepwise/engine/jsonv"
	"stepwise/internal/conformance"
)

// TestImportExportConformance imports every conformance definition, exports
// it as JSON and as YAML, imports those again and compares the ASL.
func TestImportExportConformance(t *testing.T) {
	t.Parallel()
	dir := conformance.Require(t, "cases")
	var files []string
	err := filepath.WalkDir(dir, func(p string, de os.DirEntry, err error) error {
		if err == nil && !de.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no cases found")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Definition json.RawMessage `json:"definition"`
		}
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		want, err := jsonv.Decode(c.Definition)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		doc, err := designer.ParseDocument(c.Definition, nil)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, format := range []string{designer.FormatJSON, designer.FormatYAML} {
			out, err := doc.ExportDefinition(format)
			if err != nil {
				t.Fatalf("%s: export %s: %v", f, format, err)
			}
			if got := designer.DetectFormat(out); got != format {
				t.Errorf("%s: DetectFormat of exported %s = %s", f, format, got)
			}
			back, err := designer.DecodeDefinition(out, "")
			if err != nil {
				t.Fatalf("%s: import %s: %v\n%s", f, format, err, out)
			}
			if !jsonv.Equal(back, want) || jsonv.String(back) != jsonv.String(want) {
				t.Errorf("%s: %s round trip changed the definition\nwant %s\ngot  %s", filepath.Base(f), format, jsonv.String(want), jsonv.String(back))
			}
		}
	}
	t.Logf("%d definitions round-tripped through JSON and YAML", len(files))
}

const cfnYAML = `Comment: Orders, deployed with CloudFormation
StartAt: Charge
States:
  Charge:
    Type: Task
    Resource: ${ChargeFunctionArn}
    Parameters:
      Table: ${OrdersTable}
      Amount.$: $.amount
    ResultPath: $.charge
    Retry:
      - ErrorEquals: [States.TaskFailed]
        IntervalSeconds: 2
        MaxAttempts: 3
        BackoffRate: 2.0
    Next: Notify
  Notify:
    Type: Task
    Resource: arn:aws:states:::sns:publish
    Parameters:
      TopicArn: ${TopicArn}
      Message: "true"
    End: true
`

func TestCloudFormationSubstitutions(t *testing.T) {
	t.Parallel()
	def, err := designer.ImportDefinition([]byte(cfnYAML), "")
	if err != nil {
		t.Fatal(err)
	}
	_, diags := asl.Parse(def)
	if diags.HasErrors() {
		t.Fatalf("substitutions reported as errors: %v", diags.Errors())
	}
	doc, err := designer.ParseDocument(def, nil)
	if err != nil {
		t.Fatal(err)
	}
	y, err := doc.ExportDefinition(designer.FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	if string(y) != cfnYAML {
		t.Errorf("YAML export changed the definition:\n%s\nwant\n%s", y, cfnYAML)
	}
	j, err := doc.ExportDefinition(designer.FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"${ChargeFunctionArn}"`, `"${OrdersTable}"`, `"${TopicArn}"`, `"Message": "true"`, `"BackoffRate": 2.0`} {
		if !strings.Contains(string(j), s) {
			t.Errorf("JSON export lacks %s:\n%s", s, j)
		}
	}
}

func TestImportErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"not an object", "- a\n- b\n", "must be an object"},
		{"bad yaml", "a: [1, 2\n", "not valid YAML"},
		{"bad json", `{"a": }`, "not valid JSON"},
		{"cfn short form", "StartAt: !Sub '${X}'\n", "has no JSON equivalent"},
		{"infinity", "A: .inf\n", "not a JSON number"},
		{"two documents", "A: 1\n---\nB: 2\n", "more than one document"},
		{"empty", "", "not valid YAML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := designer.ImportDefinition([]byte(tc.in), "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestImportYAMLScalars(t *testing.T) {
	t.Parallel()
	got, err := designer.ImportDefinition([]byte("a: 0x10\nb: 1.5e3\nc: yes\nd: ~\ne: 'no'\nf: &x {k: 1}\ng: *x\nh:\n  <<: *x\n  m: 2\n"), designer.FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":16,"b":1.5e3,"c":"yes","d":null,"e":"no","f":{"k":1},"g":{"k":1},"h":{"k":1,"m":2}}`
	if string(got) != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func FuzzDecodeYAML(f *testing.F) {
	f.Add([]byte(cfnYAML))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("{\"StartAt\": \"A\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := designer.DecodeYAML(data)
		if err != nil {
			return
		}
		out, err := designer.EncodeYAML(v)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		back, err := designer.DecodeYAML(out)
		if err != nil {
			t.Fatalf("decode of own output: %v\n%s", err, out)
		}
		if !jsonv.Equal(v, back) {
			t.Fatalf("round trip changed the value: %s vs %s\n%s", jsonv.String(v), jsonv.String(back), out)
		}
	})
}
