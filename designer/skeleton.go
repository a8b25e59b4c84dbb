package designer

import (
	"slices"

	"stepwise/engine/asl"
	"stepwise/engine/jsonv"
)

// StateTypes are the eight ASL state types, in palette order.
var StateTypes = []string{"Pass", "Task", "Choice", "Wait", "Parallel", "Map", "Succeed", "Fail"}

// skeleton is the definition of a new state of the given type.
func skeleton(typ, lang string, taken map[string]bool) (*jsonv.Object, error) {
	jsonata := lang == asl.JSONata
	switch typ {
	case asl.TypePass:
		return jsonv.ObjectOf("Type", "Pass", "End", true), nil
	case asl.TypeTask:
		if jsonata {
			return jsonv.ObjectOf("Type", "Task", "Resource", "arn:aws:states:::lambda:invoke",
				"Arguments", jsonv.ObjectOf("FunctionName", "MyFunction", "Payload", "{% $states.input %}"), "End", true), nil
		}
		return jsonv.ObjectOf("Type", "Task", "Resource", "arn:aws:states:::lambda:invoke",
			"Parameters", jsonv.ObjectOf("FunctionName", "MyFunction", "Payload.$", "$"), "End", true), nil
	case asl.TypeChoice:
		return jsonv.ObjectOf("Type", "Choice", "Choices", []any{}), nil
	case asl.TypeWait:
		return jsonv.ObjectOf("Type", "Wait", "Seconds", jsonv.Number(5), "End", true), nil
	case asl.TypeSucceed:
		return jsonv.ObjectOf("Type", "Succeed"), nil
	case asl.TypeFail:
		return jsonv.ObjectOf("Type", "Fail", "Error", "Failed", "Cause", "The workflow failed"), nil
	case asl.TypeParallel:
		var branches []any
		for range 2 {
			n := uniqueName(taken, "Pass")
			branches = append(branches, jsonv.ObjectOf("StartAt", n, "States", jsonv.ObjectOf(n, jsonv.ObjectOf("Type", "Pass", "End", true))))
		}
		return jsonv.ObjectOf("Type", "Parallel", "Branches", branches, "End", true), nil
	case asl.TypeMap:
		n := uniqueName(taken, "Process item")
		proc := jsonv.ObjectOf("ProcessorConfig", jsonv.ObjectOf("Mode", "INLINE"), "StartAt", n,
			"States", jsonv.ObjectOf(n, jsonv.ObjectOf("Type", "Pass", "End", true)))
		if jsonata {
			return jsonv.ObjectOf("Type", "Map", "Items", "{% $states.input.items %}", "ItemProcessor", proc, "End", true), nil
		}
		return jsonv.ObjectOf("Type", "Map", "ItemsPath", "$.items", "ItemProcessor", proc, "End", true), nil
	}
	return nil, opErr("unknown state type %q (one of %v)", typ, StateTypes)
}

type patternDef struct {
	title  string
	states func(lang string) *jsonv.Object
}

func mustDecode(s string) *jsonv.Object {
	v, err := jsonv.DecodeString(s)
	if err != nil {
		panic("designer: bad built-in pattern: " + err.Error()) // built-in constant text, checked by tests
	}
	return v.(*jsonv.Object)
}

func fixed(s string) func(string) *jsonv.Object {
	o := mustDecode(s)
	return func(string) *jsonv.Object { return o }
}

// patterns are the palette's ready-made groups; the first state is the entry,
// states with End: true the exits.
var patterns = map[string]patternDef{
	"retry-backoff":     {"Retry with backoff", fixed(`{"Call service":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"MyFunction","Payload.$":"$"},"Retry":[{"ErrorEquals":["States.TaskFailed","States.Timeout"],"IntervalSeconds":2,"MaxAttempts":5,"BackoffRate":2,"MaxDelaySeconds":60,"JitterStrategy":"FULL"}],"End":true}}`)},
	"catch-notify":      {"Catch and notify", fixed(`{"Do work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"MyFunction","Payload.$":"$"},"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Notify failure"}],"End":true},"Notify failure":{"Type":"Task","Resource":"arn:aws:states:::sns:publish","Parameters":{"TopicArn":"arn:aws:sns:us-east-1:123456789012:alerts","Message.$":"$.error.Cause"},"Next":"Handled failure"},"Handled failure":{"Type":"Fail","Error":"WorkFailed","Cause":"The work failed; a notification was sent"}}`)},
	"map-items":         {"Map over items", fixed(`{"For each item":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":10,"ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"Handle item","States":{"Handle item":{"Type":"Pass","End":true}}},"End":true}}`)},
	"parallel-fanout":   {"Parallel fan-out", fixed(`{"Fan out":{"Type":"Parallel","Branches":[{"StartAt":"Branch A","States":{"Branch A":{"Type":"Pass","End":true}}},{"StartAt":"Branch B","States":{"Branch B":{"Type":"Pass","End":true}}}],"End":true}}`)},
	"callback-approval": {"Wait for human approval", fixed(`{"Request approval":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/approvals","MessageBody":{"TaskToken.$":"$$.Task.Token","Request.$":"$"}},"TimeoutSeconds":86400,"Next":"Approved?"},"Approved?":{"Type":"Choice","Choices":[{"Variable":"$.approved","BooleanEquals":true,"Next":"Approved"}],"Default":"Rejected"},"Rejected":{"Type":"Fail","Error":"Rejected","Cause":"The request was not approved"},"Approved":{"Type":"Pass","End":true}}`)},
	"poll-until-done":   {"Poll until done", fixed(`{"Check status":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"CheckStatus","Payload.$":"$"},"ResultSelector":{"status.$":"$.Payload.status"},"Next":"Done?"},"Done?":{"Type":"Choice","Choices":[{"Variable":"$.status","StringEquals":"DONE","Next":"Finished"}],"Default":"Wait before polling"},"Wait before polling":{"Type":"Wait","Seconds":10,"Next":"Check status"},"Finished":{"Type":"Pass","End":true}}`)},
}

// Pattern is a palette entry for a ready-made group of states.
type Pattern struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Patterns lists the ready-made patterns in palette order.
func Patterns() []Pattern {
	var out []Pattern
	for _, id := range PatternNames() {
		out = append(out, Pattern{ID: id, Title: patterns[id].title})
	}
	return out
}

// PatternNames returns the pattern ids in palette order.
func PatternNames() []string {
	order := []string{"retry-backoff", "catch-notify", "map-items", "parallel-fanout", "callback-approval", "poll-until-done"}
	return slices.Clone(order)
}
