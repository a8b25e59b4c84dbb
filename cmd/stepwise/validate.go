package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"stepwise/engine/asl"
)

// validateResult is one file's entry in `validate --format json`.
type validateResult struct {
	File        string               `json:"file"`
	Valid       bool                 `json:"valid"`
	Diagnostics []validateDiagnostic `json:"diagnostics"`
}

type validateDiagnostic struct {
	Code     string `json:"code"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Path     string `json:"path"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	// State and Field name what the diagnostic is about ("" when the
	// document as a whole).
	State string `json:"state,omitempty"`
	Field string `json:"field,omitempty"`
}

const validateUsage = `usage: stepwise validate [--format text|json] [--type STANDARD|EXPRESS] FILE...

Validates Amazon States Language definitions (JSON or YAML). Text output has
one line per problem: FILE:LINE:COL: STATE.Field: message (CODE).
Exit status: 0 when every file is valid, 1 when any is invalid, 2 on usage
errors or unreadable files. Warnings alone do not make a file invalid.
`

// validateCommand runs `stepwise validate` and returns the exit code.
func validateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "text", "output format: text or json")
	typ := fs.String("type", "STANDARD", "state machine type: STANDARD or EXPRESS")
	// Flags may come before or after the files.
	var files []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, validateUsage)
				return 0
			}
			fmt.Fprintf(stderr, "stepwise validate: %v\n%s", err, validateUsage)
			return 2
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		files = append(files, rest[0])
		rest = rest[1:]
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "stepwise validate: --format must be text or json, not %q\n%s", *format, validateUsage)
		return 2
	}
	if *typ != "STANDARD" && *typ != "EXPRESS" {
		fmt.Fprintf(stderr, "stepwise validate: --type must be STANDARD or EXPRESS, not %q\n%s", *typ, validateUsage)
		return 2
	}
	if len(files) == 0 {
		fmt.Fprintf(stderr, "stepwise validate: no files given\n%s", validateUsage)
		return 2
	}
	code := 0
	results := make([]validateResult, 0, len(files))
	for _, file := range files {
		if err := ctx.Err(); err != nil {
			fmt.Fprintf(stderr, "stepwise validate: %v\n", err)
			return 2
		}
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "stepwise validate: cannot read %s: %v\n", file, err)
			code = 2
			continue
		}
		_, diags := asl.ParseWithOptions(data, asl.Options{Type: *typ})
		res := validateResult{File: file, Valid: !diags.HasErrors(), Diagnostics: []validateDiagnostic{}}
		if !res.Valid && code == 0 {
			code = 1
		}
		for _, d := range diags {
			res.Diagnostics = append(res.Diagnostics, validateDiagnostic{Code: d.Code, Severity: d.Severity,
				Message: d.Message, Path: d.Path, Line: d.Line, Column: d.Column, State: d.State, Field: d.Field})
			if *format == "text" {
				fmt.Fprintln(stdout, textDiagnostic(file, d))
			}
		}
		results = append(results, res)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			fmt.Fprintf(stderr, "stepwise validate: writing output: %v\n", err)
			return 2
		}
	}
	return code
}

// textDiagnostic formats one diagnostic as FILE:LINE:COL: STATE.Field: message.
func textDiagnostic(file string, d asl.Diagnostic) string {
	s := fmt.Sprintf("%s:%d:%d: ", file, d.Line, d.Column)
	if w := d.Where(); w != "" {
		s += w + ": "
	}
	if !d.IsError() {
		s += "warning: "
	}
	return s + d.Message + " (" + d.Code + ")"
}
