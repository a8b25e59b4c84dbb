package designer_test

import (
	"encoding/json"
	"strings"
	"testing"

	"stepwise/designer"
)

const listDoc = `{"StartAt":"Check","States":{"Check":{"Type":"Choice","Choices":[],"Default":"Charge"},` +
	`"Charge":{"Type":"Task","Resource":"arn:aws:states:::http:invoke","Next":"Done"},"Done":{"Type":"Succeed"},"Failed":{"Type":"Fail"}}}`

// applyEdits runs structured edits one after another and returns the ASL.
func applyEdits(t *testing.T, asl string, edits []designer.ListEdit) (*designer.Document, error) {
	t.Helper()
	d, err := designer.ParseDocument([]byte(asl), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		op, err := d.ListOp(e)
		if err != nil {
			return d, err
		}
		if d, err = designer.Apply(d, op); err != nil {
			return d, err
		}
	}
	return d, nil
}

func TestListOp(t *testing.T) {
	t.Parallel()
	ch := func(action, path, key, value string) designer.ListEdit {
		return designer.ListEdit{State: "Check", Field: "Choices", Action: action, Path: path, Key: key, Value: value}
	}
	re := func(field, action, path, key, value string) designer.ListEdit {
		return designer.ListEdit{State: "Charge", Field: field, Action: action, Path: path, Key: key, Value: value}
	}
	tests := []struct {
		name  string
		edits []designer.ListEdit
		want  string // substring of the ASL
		err   string
	}{
		{"and of two comparisons", []designer.ListEdit{
			ch("add", "", "", "Failed"), ch("kind", "/0", "", "And"),
			ch("set", "/0/And/0", "Variable", "$.amount"), ch("operator", "/0/And/0", "", "NumericGreaterThan"), ch("set", "/0/And/0", "Operand", "100"),
			ch("set", "/0/And/1", "Variable", "$.currency"), ch("set", "/0/And/1", "Operand", "EUR"),
		}, `"Choices":[{"And":[{"Variable":"$.amount","NumericGreaterThan":100},{"Variable":"$.currency","StringEquals":"EUR"}],"Next":"Failed"}]`, ""},
		{"not, then back to a comparison", []designer.ListEdit{
			ch("add", "", "", "Done"), ch("set", "/0", "Operand", "x"), ch("kind", "/0", "", "Not"), ch("operator", "/0/Not", "", "IsNull"),
		}, `"Choices":[{"Not":{"Variable":"$.value","IsNull":true},"Next":"Done"}]`, ""},
		{"reorder and remove", []designer.ListEdit{
			ch("add", "", "", "Done"), ch("add", "", "", "Failed"), ch("up", "/1", "", ""), ch("remove", "/1", "", ""),
		}, `"Choices":[{"Variable":"$.value","StringEquals":"","Next":"Failed"}]`, ""},
		{"operator keeps a fitting operand", []designer.ListEdit{
			ch("add", "", "", "Done"), ch("set", "/0", "Operand", "$.other"), ch("operator", "/0", "", "StringEqualsPath"),
		}, `{"Variable":"$.value","StringEqualsPath":"$.other","Next":"Done"}`, ""},
		{"numeric operand must be a number", []designer.ListEdit{
			ch("add", "", "", "Done"), ch("operator", "/0", "", "NumericEquals"), ch("set", "/0", "Operand", "abc"),
		}, "", "takes a number"},
		{"unknown operator", []designer.ListEdit{ch("add", "", "", "Done"), ch("operator", "/0", "", "Bogus")}, "", "not a comparison operator"},
		{"retry with backoff", []designer.ListEdit{
			re("Retry", "add", "", "", ""), re("Retry", "set", "/0", "ErrorEquals", "States.TaskFailed, Custom.Error"),
			re("Retry", "set", "/0", "IntervalSeconds", "2"), re("Retry", "set", "/0", "MaxAttempts", "3"), re("Retry", "set", "/0", "BackoffRate", "2"),
		}, `"Retry":[{"ErrorEquals":["States.TaskFailed","Custom.Error"],"IntervalSeconds":2,"MaxAttempts":3,"BackoffRate":2}]`, ""},
		{"retry number must parse", []designer.ListEdit{re("Retry", "add", "", "", ""), re("Retry", "set", "/0", "MaxAttempts", "three")}, "", "must be a number"},
		{"removing the last retrier deletes Retry", []designer.ListEdit{re("Retry", "add", "", "", ""), re("Retry", "remove", "/0", "", "")}, `"Charge":{"Type":"Task","Resource":"arn:aws:states:::http:invoke","Next":"Done"}`, ""},
		{"catch keeps Next last", []designer.ListEdit{
			re("Catch", "add", "", "", "Failed"), re("Catch", "set", "/0", "ResultPath", "$.error"),
		}, `"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Failed"}]`, ""},
		{"bad path", []designer.ListEdit{re("Catch", "remove", "/3", "", "")}, "", "not an index"},
		{"not a list field", []designer.ListEdit{re("Parameters", "add", "", "", "")}, "", "cannot edit the field"},
		{"unknown state", []designer.ListEdit{{State: "Nope", Field: "Retry", Action: "add"}}, "", "no state named"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := applyEdits(t, listDoc, tt.edits)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := string(d.ASL()); !strings.Contains(got, tt.want) {
				t.Fatalf("ASL %s\nwant it to contain %s", got, tt.want)
			}
		})
	}
}

func TestStructuredLists(t *testing.T) {
	t.Parallel()
	asl := `{"StartAt":"Check","States":{"Check":{"Type":"Choice","Choices":[{"And":[{"Variable":"$.a","NumericGreaterThan":1},{"Not":{"Variable":"$.b","IsPresent":true}}],"Next":"T"}],"Default":"T"},` +
		`"T":{"Type":"Task","Resource":"arn:x","End":true,"Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":1,"BackoffRate":3}],"Catch":[{"ErrorEquals":["E1","E2"],"Next":"Check","ResultPath":"$.err"}]}}}`
	d, err := designer.ParseDocument([]byte(asl), nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := d.StructuredLists("Check")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Rules) != 1 || l.Rules[0].Kind != "And" || len(l.Rules[0].Children) != 2 || l.Rules[0].Next != "T" {
		t.Fatalf("rules: %+v", l.Rules)
	}
	if c := l.Rules[0].Children; c[0].Operator != "NumericGreaterThan" || c[0].Operand != "1" || c[1].Kind != "Not" || c[1].Children[0].Path != "/0/And/1/Not" {
		t.Fatalf("children: %+v", c)
	}
	if l.Rules[0].Summary != "($.a > 1 and not $.b is present)" {
		t.Fatalf("summary %q", l.Rules[0].Summary)
	}
	if len(l.Targets) != 1 || l.Targets[0] != "T" {
		t.Fatalf("targets %v", l.Targets)
	}
	l, err = d.StructuredLists("T")
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Retriers) != 1 || l.Retriers[0].Schedule != "States.ALL: retries after 1s, 3s, 9s." || l.Retriers[0].BackoffRate != "3" {
		t.Fatalf("retriers %+v", l.Retriers)
	}
	if len(l.Catchers) != 1 || l.Catchers[0].ErrorEquals != "E1, E2" || l.Catchers[0].Next != "Check" || l.Catchers[0].ResultPath != "$.err" {
		t.Fatalf("catchers %+v", l.Catchers)
	}
	if _, err := d.StructuredLists("Nope"); err == nil {
		t.Fatal("no error for an unknown state")
	}
}

// FuzzListOp checks that no structured edit panics and that every edit
// accepted yields a document whose list field is still JSON.
func FuzzListOp(f *testing.F) {
	f.Add("Choices", "", "add", "", "Done")
	f.Add("Choices", "/0", "kind", "", "Or")
	f.Add("Retry", "/0", "set", "MaxAttempts", "4")
	f.Add("Catch", "/0/x", "remove", "", "")
	f.Fuzz(func(t *testing.T, field, path, action, key, value string) {
		asl := `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Or":[{"Variable":"$.a","StringEquals":"x"}],"Next":"T"}],"Default":"T"},` +
			`"T":{"Type":"Task","Resource":"arn:x","End":true,"Retry":[{"ErrorEquals":["States.ALL"]}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}]}}}`
		d, err := designer.ParseDocument([]byte(asl), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, state := range []string{"C", "T"} {
			op, err := d.ListOp(designer.ListEdit{State: state, Field: field, Path: path, Action: action, Key: key, Value: value})
			if err != nil {
				continue
			}
			if !op.Delete && !json.Valid(op.Value) {
				t.Fatalf("invalid JSON %s", op.Value)
			}
			if _, err := designer.Apply(d, op); err != nil {
				t.Logf("apply: %v", err)
			}
		}
	})
}
