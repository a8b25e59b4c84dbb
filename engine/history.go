package engine

import "strings"

// DetailKey returns the name of the field that holds the details of an event
// of type typ in AWS's HistoryEvent shape (for example
// "stateEnteredEventDetails" for "PassStateEntered"), or "" when events of
// that type carry no details.
func DetailKey(typ string) string {
	if k, ok := detailKeys[typ]; ok {
		return k
	}
	switch {
	case strings.HasSuffix(typ, "StateEntered"):
		return "stateEnteredEventDetails"
	case strings.HasSuffix(typ, "StateExited"):
		return "stateExitedEventDetails"
	}
	return ""
}

// detailKeys maps event types to their detail fields (immutable table).
var detailKeys = map[string]string{
	"ActivityFailed":          "activityFailedEventDetails",
	"ActivityScheduleFailed":  "activityScheduleFailedEventDetails",
	"ActivityScheduled":       "activityScheduledEventDetails",
	"ActivityStarted":         "activityStartedEventDetails",
	"ActivitySucceeded":       "activitySucceededEventDetails",
	"ActivityTimedOut":        "activityTimedOutEventDetails",
	"ExecutionAborted":        "executionAbortedEventDetails",
	"ExecutionFailed":         "executionFailedEventDetails",
	"ExecutionStarted":        "executionStartedEventDetails",
	"ExecutionSucceeded":      "executionSucceededEventDetails",
	"ExecutionTimedOut":       "executionTimedOutEventDetails",
	"ExecutionRedriven":       "executionRedrivenEventDetails",
	"LambdaFunctionFailed":    "lambdaFunctionFailedEventDetails",
	"LambdaFunctionScheduled": "lambdaFunctionScheduledEventDetails",
	"LambdaFunctionSucceeded": "lambdaFunctionSucceededEventDetails",
	"LambdaFunctionTimedOut":  "lambdaFunctionTimedOutEventDetails",
	"MapIterationAborted":     "mapIterationAbortedEventDetails",
	"MapIterationFailed":      "mapIterationFailedEventDetails",
	"MapIterationStarted":     "mapIterationStartedEventDetails",
	"MapIterationSucceeded":   "mapIterationSucceededEventDetails",
	"MapStateStarted":         "mapStateStartedEventDetails",
	"MapRunStarted":           "mapRunStartedEventDetails",
	"MapRunFailed":            "mapRunFailedEventDetails",
	"MapRunRedriven":          "mapRunRedrivenEventDetails",
	"TaskFailed":              "taskFailedEventDetails",
	"TaskScheduled":           "taskScheduledEventDetails",
	"TaskStartFailed":         "taskStartFailedEventDetails",
	"TaskStarted":             "taskStartedEventDetails",
	"TaskSubmitFailed":        "taskSubmitFailedEventDetails",
	"TaskSubmitted":           "taskSubmittedEventDetails",
	"TaskSucceeded":           "taskSucceededEventDetails",
	"TaskTimedOut":            "taskTimedOutEventDetails",
	"EvaluationFailed":        "evaluationFailedEventDetails",
	"ParallelStateStarted":    "",
	"ParallelStateSucceeded":  "",
	"ParallelStateFailed":     "",
	"ParallelStateAborted":    "",
	"MapStateSucceeded":       "",
	"MapStateFailed":          "",
	"MapStateAborted":         "",
	"MapRunSucceeded":         "",
	"MapRunAborted":           "",
	"TaskStateAborted":        "",
	"WaitStateAborted":        "",
}
