package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of cmd/stepwise tests")

func TestValidateCommand(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "validate")
	f := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name     string
		args     []string
		wantCode int
		golden   string // file under testdata/validate for stdout; "" to skip
	}{
		{"valid json", []string{f("valid.json")}, 0, "valid_json.golden"},
		{"valid yaml", []string{f("valid.yaml")}, 0, "valid_yaml.golden"},
		{"warnings only", []string{f("warnings.json")}, 0, "warnings_text.golden"},
		{"warnings json", []string{"--format", "json", f("warnings.json")}, 0, "warnings_json.golden"},
		{"invalid text", []string{f("invalid.json")}, 1, "invalid_text.golden"},
		{"invalid yaml", []string{f("invalid.yaml")}, 1, "invalid_yaml.golden"},
		{"invalid json", []string{"--format=json", f("invalid.json"), f("valid.json")}, 1, "invalid_json.golden"},
		{"flag after files", []string{f("valid.json"), f("syntax.json"), "--format", "json"}, 1, "syntax_json.golden"},
		{"syntax error", []string{f("syntax.json")}, 1, "syntax_text.golden"},
		{"duplicate keys", []string{f("duplicate.json")}, 1, "duplicate_text.golden"},
		{"express rejects .sync", []string{"--type", "EXPRESS", f("express.json")}, 1, "express_text.golden"},
		{"unreadable file", []string{f("valid.json"), f("does-not-exist.json")}, 2, ""},
		{"no files", nil, 2, ""},
		{"bad format", []string{"--format", "xml", f("valid.json")}, 2, ""},
		{"unknown flag", []string{"--nope", f("valid.json")}, 2, ""},
		{"help", []string{"-h"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := validateCommand(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			if tt.wantCode == 2 && tt.name != "help" && stderr.Len() == 0 {
				t.Errorf("exit code 2 without a message on stderr")
			}
			if tt.golden == "" {
				return
			}
			golden := filepath.Join(dir, tt.golden)
			if *update {
				if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/stepwise -run TestValidateCommand -update)", err)
			}
			if got := stdout.String(); got != string(want) {
				t.Errorf("stdout differs from %s\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

// TestValidateJSONShape checks the JSON output's keys, which scripts rely on.
func TestValidateJSONShape(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := validateCommand(context.Background(), []string{"--format", "json",
		filepath.Join("testdata", "validate", "invalid.json"), filepath.Join("testdata", "validate", "valid.json")}, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit code %d, want 1; stderr: %s", code, stderr.String())
	}
	var got []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
	}
	if len(got) != 2 {
		t.Fatalf("got %d results, want 2", len(got))
	}
	if got[0]["valid"] != false || got[1]["valid"] != true {
		t.Errorf("valid flags = %v, %v; want false, true", got[0]["valid"], got[1]["valid"])
	}
	diags, ok := got[1]["diagnostics"].([]any)
	if !ok || len(diags) != 0 {
		t.Errorf("a valid file's diagnostics = %#v, want []", got[1]["diagnostics"])
	}
	first := got[0]["diagnostics"].([]any)[0].(map[string]any)
	for _, k := range []string{"code", "severity", "message", "path", "line", "column"} {
		if _, ok := first[k]; !ok {
			t.Errorf("diagnostic lacks %q: %v", k, first)
		}
	}
	if !strings.HasPrefix(first["path"].(string), "/") {
		t.Errorf("path %q is not a JSON pointer", first["path"])
	}
}
