package asl

import (
	"sort"
	"strings"
)

// Field tables: which fields each state type takes, and which belong to one
// query language only. They are immutable.

var stateFields = func() map[string]map[string]bool {
	set := func(lists ...[]string) map[string]bool {
		m := map[string]bool{}
		for _, l := range lists {
			for _, f := range l {
				m[f] = true
			}
		}
		return m
	}
	common := []string{"Type", "Comment", "QueryLanguage"}
	flow := []string{"Next", "End"}
	io := []string{"InputPath", "OutputPath", "Output", "Assign"}
	result := []string{"ResultPath", "Parameters", "ResultSelector", "Arguments", "Retry", "Catch"}
	return map[string]map[string]bool{
		TypeTask: set(common, flow, io, result, []string{"Resource", "TimeoutSeconds", "TimeoutSecondsPath",
			"HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials"}),
		TypePass:     set(common, flow, io, []string{"ResultPath", "Parameters", "Result"}),
		TypeChoice:   set(common, io, []string{"Choices", "Default"}),
		TypeWait:     set(common, flow, io, []string{"Seconds", "Timestamp", "SecondsPath", "TimestampPath"}),
		TypeSucceed:  set(common, []string{"InputPath", "OutputPath", "Output"}),
		TypeFail:     set(common, []string{"Error", "Cause", "ErrorPath", "CausePath"}),
		TypeParallel: set(common, flow, io, result, []string{"Branches"}),
		TypeMap: set(common, flow, io, result, []string{"ItemProcessor", "Iterator", "ItemsPath", "Items",
			"ItemSelector", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailurePercentage",
			"ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath",
			"ItemReader", "ItemBatcher", "ResultWriter", "Label"}),
	}
}()

// jsonPathOnly fields may not appear in a JSONata state.
var jsonPathOnly = map[string]bool{
	"InputPath": true, "OutputPath": true, "ResultPath": true, "Parameters": true, "ResultSelector": true,
	"Result": true, "TimeoutSecondsPath": true, "HeartbeatSecondsPath": true, "SecondsPath": true,
	"TimestampPath": true, "ErrorPath": true, "CausePath": true, "ItemsPath": true, "MaxConcurrencyPath": true,
	"ToleratedFailurePercentagePath": true, "ToleratedFailureCountPath": true, "Iterator": true,
}

// jsonataOnly fields may not appear in a JSONPath state.
var jsonataOnly = map[string]bool{"Arguments": true, "Output": true, "Items": true}

// comparisonOperators are the Choice rule comparison fields and the JSON
// type of their literal operand ("" for the *Path variants, which take a
// path).
var comparisonOperators = func() map[string]string {
	m := map[string]string{
		"IsNull": "boolean", "IsPresent": "boolean", "IsNumeric": "boolean", "IsString": "boolean",
		"IsBoolean": "boolean", "IsTimestamp": "boolean", "StringMatches": "string",
	}
	for _, op := range []string{"Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"} {
		m["String"+op] = "string"
		m["Numeric"+op] = "number"
		m["Timestamp"+op] = "timestamp"
		m["String"+op+"Path"] = ""
		m["Numeric"+op+"Path"] = ""
		m["Timestamp"+op+"Path"] = ""
	}
	m["BooleanEquals"] = "boolean"
	m["BooleanEqualsPath"] = ""
	return m
}()

// KnownErrorNames are the States.* error names AWS defines.
var KnownErrorNames = map[string]bool{
	"States.ALL": true, "States.HeartbeatTimeout": true, "States.Timeout": true, "States.TaskFailed": true,
	"States.Permissions": true, "States.ResultPathMatchFailure": true, "States.ParameterPathFailure": true,
	"States.QueryEvaluationError": true, "States.BranchFailed": true, "States.NoChoiceMatched": true,
	"States.IntrinsicFailure": true, "States.ExceedToleratedFailureThreshold": true,
	"States.ItemReaderFailed": true, "States.ResultWriterFailed": true, "States.Runtime": true,
	"States.DataLimitExceeded": true, "States.Http.Socket": true, "States.Http.Authorization": true,
}

// IsKnownErrorName reports whether name is a States.* error name AWS defines:
// one of KnownErrorNames, or States.Http.StatusCode.<three digits> (what an
// HTTP task fails with for a non-2xx answer).
func IsKnownErrorName(name string) bool {
	if KnownErrorNames[name] {
		return true
	}
	code, ok := strings.CutPrefix(name, "States.Http.StatusCode.")
	return ok && len(code) == 3 && code[0] >= '1' && code[0] <= '5' &&
		code[1] >= '0' && code[1] <= '9' && code[2] >= '0' && code[2] <= '9'
}

// fieldOrder is the order in which Fields lists a state's fields: the order
// AWS's documentation and console use.
var fieldOrder = []string{"Type", "QueryLanguage", "Comment", "Resource", "Credentials", "Choices", "Default",
	"Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Error", "ErrorPath", "Cause", "CausePath",
	"Branches", "ItemProcessor", "Iterator", "ItemReader", "ItemsPath", "Items", "ItemSelector", "ItemBatcher",
	"ResultWriter", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailurePercentage",
	"ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath", "Label",
	"InputPath", "Parameters", "Arguments", "Result", "ResultSelector", "ResultPath", "OutputPath", "Output",
	"Assign", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath",
	"Retry", "Catch", "Next", "End"}

// Fields lists the fields a state of the given type may have in the given
// query language ("JSONPath" or "JSONata"), in documentation order; nil for
// an unknown type. The designer's inspector builds its forms from it.
func Fields(stateType, language string) []string {
	allowed := stateFields[stateType]
	if allowed == nil {
		return nil
	}
	var out []string
	for _, f := range fieldOrder {
		if !allowed[f] || (language == JSONata && jsonPathOnly[f]) || (language != JSONata && jsonataOnly[f]) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// ComparisonOperators lists the Choice rule comparison operators (every
// String*, Numeric*, Timestamp*, Boolean* comparison, its *Path variant and
// the Is* tests), sorted.
func ComparisonOperators() []string {
	out := make([]string, 0, len(comparisonOperators))
	for op := range comparisonOperators {
		out = append(out, op)
	}
	sort.Strings(out)
	return out
}
