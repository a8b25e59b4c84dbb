package asl

import (
	"fmt"
	"sort"
	"strings"
)

// Diagnostic codes. The first group are AWS's ValidateStateMachineDefinition
// codes; the rest are Stepwise's own for problems AWS reports under a generic
// code or not at all.
const (
	CodeSchemaValidationFailed  = "SCHEMA_VALIDATION_FAILED"
	CodeMissingEndState         = "MISSING_END_STATE"
	CodeDuplicateStateName      = "DUPLICATE_STATE_NAME"
	CodeInvalidStateName        = "INVALID_STATE_NAME"
	CodeInvalidResource         = "INVALID_RESOURCE"
	CodeInvalidJSONDescription  = "INVALID_JSON_DESCRIPTION"
	CodeMissingTransitionTarget = "MISSING_TRANSITION_TARGET"
	CodeUnreachableState        = "UNREACHABLE_STATE"
	CodeDefinitionTooLarge      = "DEFINITION_TOO_LARGE"

	// Warnings.
	CodeNoDollar           = "NO_DOLLAR"
	CodeNoPath             = "NO_PATH"
	CodePassResultIsStatic = "PASS_RESULT_IS_STATIC"
	CodeRetryOnRuntime     = "RETRY_ON_RUNTIME_ERROR"
	CodeRetryOnTerminal    = "RETRY_ON_TERMINAL_ERROR"
	CodeTimeoutMissing     = "NO_TIMEOUT"
	CodeNoDefault          = "NO_DEFAULT"
	CodeJSONPathInJSONata  = "JSONPATH_IN_JSONATA"
	CodeDistributedOnly    = "DISTRIBUTED_ONLY_FIELD"
)

// Severity of a diagnostic, as AWS spells it.
const (
	SeverityError   = "ERROR"
	SeverityWarning = "WARNING"
)

// Diagnostic is one problem found in a definition.
type Diagnostic struct {
	// Code is AWS's diagnostic code where one fits (SCHEMA_VALIDATION_FAILED,
	// MISSING_END_STATE, ...), else a Stepwise code.
	Code string `json:"code"`
	// Severity is SeverityError or SeverityWarning.
	Severity string `json:"severity"`
	// Message says what is wrong, naming the state and field.
	Message string `json:"message"`
	// Path is the JSON pointer of the offending value ("/States/A/Next"),
	// "/" for the whole document.
	Path string `json:"path"`
	// Line and Column (1-based) locate the offending key or value; 0 when
	// unknown.
	Line   int `json:"line"`
	Column int `json:"column"`
	// State is the name of the state concerned, "" for the top level.
	State string `json:"state,omitempty"`
	// Field is the field concerned ("Next", "Retry[0].ErrorEquals"), "" when
	// the diagnostic is about the state or document as a whole.
	Field string `json:"field,omitempty"`
}

// IsError reports whether d makes the definition invalid.
func (d Diagnostic) IsError() bool { return d.Severity == SeverityError }

// Where is the "STATE.Field" (or "STATE", "Field") prefix of the CLI's text
// output; "" when neither is known.
func (d Diagnostic) Where() string {
	switch {
	case d.State != "" && d.Field != "":
		return d.State + "." + d.Field
	case d.State != "":
		return d.State
	default:
		return d.Field
	}
}

// String formats d as "LINE:COL: CODE: message".
func (d Diagnostic) String() string {
	return fmt.Sprintf("%d:%d: %s %s: %s", d.Line, d.Column, d.Severity, d.Code, d.Message)
}

// Diagnostics is a list of diagnostics.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.IsError() {
			return true
		}
	}
	return false
}

// Errors returns the errors only.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.IsError() {
			out = append(out, d)
		}
	}
	return out
}

// Warnings returns the warnings only.
func (ds Diagnostics) Warnings() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if !d.IsError() {
			out = append(out, d)
		}
	}
	return out
}

// Error joins the errors into one message, so Diagnostics can be returned
// where an error is expected.
func (ds Diagnostics) Error() string {
	var b strings.Builder
	for i, d := range ds.Errors() {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(d.String())
	}
	return b.String()
}

// Sort orders diagnostics by position, then code, for stable output.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Code < b.Code
	})
}
