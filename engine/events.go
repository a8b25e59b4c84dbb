package engine

import (
	"strconv"

	"stepwise/engine/jsonv"
)

// detail carries the fields of one event's details; which ones are written
// depends on the event type (see appendDetails).
type detail struct {
	name                   string
	input, output          any
	rawInput               string // pre-serialized input/output text
	useRaw                 bool
	errName, cause         string
	hasErr, hasCause       bool
	index, length          int
	resourceType, resource string
	region                 string
	params                 any
	timeout, heartbeat     int64
	mapRunARN              string
	roleARN                string
}

func appendKey(b []byte, first *bool, key string) []byte {
	if !*first {
		b = append(b, ',')
	}
	*first = false
	b = jsonv.AppendString(b, key)
	return append(b, ':')
}

func appendJSONText(b []byte, first *bool, key string, v any, raw string, useRaw bool) []byte {
	b = appendKey(b, first, key)
	var text []byte
	if useRaw {
		text = []byte(raw)
	} else {
		text = jsonv.Marshal(v)
	}
	b = jsonv.AppendString(b, string(text))
	b = appendKey(b, first, key+"Details")
	return append(b, `{"truncated":false}`...)
}

func appendErr(b []byte, first *bool, d *detail) []byte {
	if d.hasErr {
		b = appendKey(b, first, "error")
		b = jsonv.AppendString(b, d.errName)
	}
	if d.hasCause {
		b = appendKey(b, first, "cause")
		b = jsonv.AppendString(b, d.cause)
	}
	return b
}

// appendDetails writes the AWS detail object for an event of type typ.
func appendDetails(b []byte, typ string, d *detail) []byte {
	first := true
	b = append(b, '{')
	switch typ {
	case "ExecutionStarted":
		b = appendJSONText(b, &first, "input", d.input, d.rawInput, d.useRaw)
		if d.roleARN != "" {
			b = appendKey(b, &first, "roleArn")
			b = jsonv.AppendString(b, d.roleARN)
		}
	case "ExecutionSucceeded":
		b = appendJSONText(b, &first, "output", d.output, d.rawInput, d.useRaw)
	case "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut", "MapRunFailed":
		b = appendErr(b, &first, d)
	case "EvaluationFailed":
		b = appendErr(b, &first, d)
		b = appendKey(b, &first, "state")
		b = jsonv.AppendString(b, d.name)
	case "MapStateStarted":
		b = appendKey(b, &first, "length")
		b = strconv.AppendInt(b, int64(d.length), 10)
	case "MapIterationStarted", "MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted":
		b = appendKey(b, &first, "name")
		b = jsonv.AppendString(b, d.name)
		b = appendKey(b, &first, "index")
		b = strconv.AppendInt(b, int64(d.index), 10)
	case "MapRunStarted":
		b = appendKey(b, &first, "mapRunArn")
		b = jsonv.AppendString(b, d.mapRunARN)
	case "TaskScheduled":
		b = appendKey(b, &first, "resourceType")
		b = jsonv.AppendString(b, d.resourceType)
		b = appendKey(b, &first, "resource")
		b = jsonv.AppendString(b, d.resource)
		b = appendKey(b, &first, "region")
		b = jsonv.AppendString(b, d.region)
		b = appendKey(b, &first, "parameters")
		b = jsonv.AppendString(b, jsonv.String(d.params))
		if d.timeout > 0 {
			b = appendKey(b, &first, "timeoutInSeconds")
			b = strconv.AppendInt(b, d.timeout, 10)
		}
		if d.heartbeat > 0 {
			b = appendKey(b, &first, "heartbeatInSeconds")
			b = strconv.AppendInt(b, d.heartbeat, 10)
		}
	case "ActivityScheduled":
		b = appendKey(b, &first, "resource")
		b = jsonv.AppendString(b, d.resource)
		b = appendJSONText(b, &first, "input", d.input, "", false)
		if d.timeout > 0 {
			b = appendKey(b, &first, "timeoutInSeconds")
			b = strconv.AppendInt(b, d.timeout, 10)
		}
		if d.heartbeat > 0 {
			b = appendKey(b, &first, "heartbeatInSeconds")
			b = strconv.AppendInt(b, d.heartbeat, 10)
		}
	case "ActivityStarted":
		b = appendKey(b, &first, "workerName")
		b = jsonv.AppendString(b, d.name)
	case "ActivitySucceeded":
		b = appendJSONText(b, &first, "output", d.output, "", false)
	case "ActivityFailed", "ActivityTimedOut", "ActivityScheduleFailed":
		b = appendErr(b, &first, d)
	case "TaskStarted", "TaskSubmitted":
		b = appendKey(b, &first, "resourceType")
		b = jsonv.AppendString(b, d.resourceType)
		b = appendKey(b, &first, "resource")
		b = jsonv.AppendString(b, d.resource)
		if typ == "TaskSubmitted" && d.output != nil {
			b = appendJSONText(b, &first, "output", d.output, "", false)
		}
	case "TaskSucceeded":
		b = appendKey(b, &first, "resourceType")
		b = jsonv.AppendString(b, d.resourceType)
		b = appendKey(b, &first, "resource")
		b = jsonv.AppendString(b, d.resource)
		b = appendJSONText(b, &first, "output", d.output, "", false)
	case "TaskFailed", "TaskTimedOut", "TaskStartFailed", "TaskSubmitFailed":
		b = appendKey(b, &first, "resourceType")
		b = jsonv.AppendString(b, d.resourceType)
		b = appendKey(b, &first, "resource")
		b = jsonv.AppendString(b, d.resource)
		b = appendErr(b, &first, d)
	default:
		switch DetailKey(typ) {
		case "stateEnteredEventDetails":
			b = appendKey(b, &first, "name")
			b = jsonv.AppendString(b, d.name)
			b = appendJSONText(b, &first, "input", d.input, "", false)
		case "stateExitedEventDetails":
			b = appendKey(b, &first, "name")
			b = jsonv.AppendString(b, d.name)
			b = appendJSONText(b, &first, "output", d.output, "", false)
		case "":
			return nil
		}
	}
	return append(b, '}')
}
