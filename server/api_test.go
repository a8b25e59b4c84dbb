package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
)

// samples holds one valid request per operation; the malformed cases are
// mutations of them, so each case is wrong in exactly one way.
func samples() map[string]map[string]any {
	return map[string]map[string]any{
		"CreateStateMachine":               {"name": "sm", "definition": passDef, "roleArn": roleArn},
		"UpdateStateMachine":               {"stateMachineArn": smArn, "definition": passDef},
		"DeleteStateMachine":               {"stateMachineArn": smArn},
		"DescribeStateMachine":             {"stateMachineArn": smArn},
		"ListStateMachines":                {"maxResults": 10},
		"ValidateStateMachineDefinition":   {"definition": passDef},
		"StartExecution":                   {"stateMachineArn": smArn, "name": "e1", "input": "{}"},
		"StartSyncExecution":               {"stateMachineArn": smArn, "name": "e2", "input": "{}"},
		"StopExecution":                    {"executionArn": execArn},
		"DescribeExecution":                {"executionArn": execArn},
		"ListExecutions":                   {"stateMachineArn": smArn},
		"GetExecutionHistory":              {"executionArn": execArn},
		"DescribeStateMachineForExecution": {"executionArn": execArn},
		"RedriveExecution":                 {"executionArn": execArn},
		"CreateActivity":                   {"name": "act"},
		"DeleteActivity":                   {"activityArn": actArn},
		"DescribeActivity":                 {"activityArn": actArn},
		"ListActivities":                   {"maxResults": 5},
		"GetActivityTask":                  {"activityArn": actArn},
		"SendTaskSuccess":                  {"taskToken": "tok", "output": "{}"},
		"SendTaskFailure":                  {"taskToken": "tok"},
		"SendTaskHeartbeat":                {"taskToken": "tok"},
		"TestState":                        {"definition": `{"Type":"Pass","End":true}`},
		"PublishStateMachineVersion":       {"stateMachineArn": smArn},
		"ListStateMachineVersions":         {"stateMachineArn": smArn},
		"DeleteStateMachineVersion":        {"stateMachineVersionArn": verArn},
		"CreateStateMachineAlias":          {"name": "prod", "routingConfiguration": []any{map[string]any{"stateMachineVersionArn": verArn, "weight": 100}}},
		"DescribeStateMachineAlias":        {"stateMachineAliasArn": aliasArn},
		"UpdateStateMachineAlias":          {"stateMachineAliasArn": aliasArn, "description": "d"},
		"DeleteStateMachineAlias":          {"stateMachineAliasArn": aliasArn},
		"ListStateMachineAliases":          {"stateMachineArn": smArn},
		"TagResource":                      {"resourceArn": smArn, "tags": []any{map[string]any{"key": "k", "value": "v"}}},
		"UntagResource":                    {"resourceArn": smArn, "tagKeys": []any{"k"}},
		"ListTagsForResource":              {"resourceArn": smArn},
	}
}

// required lists the fields AWS requires per operation.
var required = map[string][]string{
	"CreateStateMachine":               {"name", "definition", "roleArn"},
	"UpdateStateMachine":               {"stateMachineArn"},
	"DeleteStateMachine":               {"stateMachineArn"},
	"DescribeStateMachine":             {"stateMachineArn"},
	"ValidateStateMachineDefinition":   {"definition"},
	"StartExecution":                   {"stateMachineArn"},
	"StartSyncExecution":               {"stateMachineArn"},
	"StopExecution":                    {"executionArn"},
	"DescribeExecution":                {"executionArn"},
	"GetExecutionHistory":              {"executionArn"},
	"DescribeStateMachineForExecution": {"executionArn"},
	"RedriveExecution":                 {"executionArn"},
	"CreateActivity":                   {"name"},
	"DeleteActivity":                   {"activityArn"},
	"DescribeActivity":                 {"activityArn"},
	"GetActivityTask":                  {"activityArn"},
	"SendTaskSuccess":                  {"taskToken", "output"},
	"SendTaskFailure":                  {"taskToken"},
	"SendTaskHeartbeat":                {"taskToken"},
	"TestState":                        {"definition"},
	"PublishStateMachineVersion":       {"stateMachineArn"},
	"ListStateMachineVersions":         {"stateMachineArn"},
	"DeleteStateMachineVersion":        {"stateMachineVersionArn"},
	"CreateStateMachineAlias":          {"name", "routingConfiguration"},
	"DescribeStateMachineAlias":        {"stateMachineAliasArn"},
	"UpdateStateMachineAlias":          {"stateMachineAliasArn"},
	"DeleteStateMachineAlias":          {"stateMachineAliasArn"},
	"ListStateMachineAliases":          {"stateMachineArn"},
	"TagResource":                      {"resourceArn", "tags"},
	"UntagResource":                    {"resourceArn", "tagKeys"},
	"ListTagsForResource":              {"resourceArn"},
}

type apiCase struct {
	name     string
	target   string // full X-Amz-Target
	ctype    string
	origin   string
	body     string
	wantType string // expected __type; "" means any
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func with(m map[string]any, k string, v any) map[string]any {
	c := map[string]any{}
	for kk, vv := range m {
		c[kk] = vv
	}
	if v == nil {
		delete(c, k)
	} else {
		c[k] = v
	}
	return c
}

func sortedOps(s map[string]map[string]any) []string {
	var ops []string
	for op := range s {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	return ops
}

// wrongARNs returns ARNs that are malformed or of the wrong resource type
// for the field.
func wrongARNs(field string) []string {
	wrongType := "arn:aws:states:us-east-1:123456789012:execution:sm:e1"
	if strings.HasPrefix(field, "execution") {
		wrongType = smArn
	}
	if field == "stateMachineVersionArn" || field == "stateMachineAliasArn" {
		wrongType = smArn // no qualifier
	}
	return []string{
		"not-an-arn",
		"arn:aws:states:us-east-1:123456789012",
		"arn:aws:sqs:us-east-1:123456789012:stateMachine:sm",
		"arn:aws:states:us-east-1:12345:stateMachine:sm",
		"arn:aws:states:US EAST:123456789012:stateMachine:sm",
		"arn:aws:states:us-east-1:123456789012:stateMachine:",
		"arn:aws:states:us-east-1:123456789012:bogus:sm",
		"arn:nope:states:us-east-1:123456789012:stateMachine:sm",
		wrongType,
	}
}

func malformedCases() []apiCase {
	var cases []apiCase
	add := func(c apiCase) {
		if c.ctype == "" {
			c.ctype = "application/x-amz-json-1.0"
		}
		cases = append(cases, c)
	}
	s := samples()
	// Unknown or missing targets.
	for _, tg := range []string{"", "AWSStepFunctions.", "AWSStepFunctions.Nope", "AWSStepFunctions.liststatemachines", "StepFunctions.ListStateMachines",
		"AmazonSQS.SendMessage", "AWSStepFunctions.ListStateMachines.Extra", "awsstepfunctions.ListStateMachines", "AWSStepFunctions.__proto__", "AWSStepFunctions.DescribeExecution "} {
		add(apiCase{name: "target " + tg, target: tg, body: "{}", wantType: "UnknownOperationException"})
	}
	for _, op := range sortedOps(s) {
		target := "AWSStepFunctions." + op
		sample := s[op]
		// Broken JSON and bodies that are not one object.
		for i, b := range []string{"{", `{"a":}`, "nul", `{"name": "x",}`, `{"a":1}{"b":2}`, "\x00", `{"a":"\x01"}`} {
			add(apiCase{name: fmt.Sprintf("%s broken JSON %d", op, i), target: target, body: b, wantType: "SerializationException"})
		}
		for i, b := range []string{"[]", `"text"`, "42", "null"} {
			add(apiCase{name: fmt.Sprintf("%s non-object %d", op, i), target: target, body: b, wantType: "SerializationException"})
		}
		// Wrong content types.
		add(apiCase{name: op + " text/plain", target: target, ctype: "text/plain", body: mustJSON(sample), wantType: "SerializationException"})
		// Missing required fields.
		for _, f := range required[op] {
			add(apiCase{name: op + " missing " + f, target: target, body: mustJSON(with(sample, f, nil)), wantType: "ValidationException"})
		}
		if len(required[op]) > 0 {
			add(apiCase{name: op + " empty body", target: target, body: "", wantType: "ValidationException"})
		}
		// Wrong types for each field.
		for f, v := range sample {
			var wrong []any
			switch v.(type) {
			case string:
				wrong = []any{12345, true, []any{"x"}}
			case int:
				wrong = []any{"ten", 1.5}
			default:
				wrong = []any{"text", 7}
			}
			for _, w := range wrong {
				add(apiCase{name: fmt.Sprintf("%s %s as %T", op, f, w), target: target, body: mustJSON(with(sample, f, w)), wantType: "SerializationException"})
			}
		}
		// Bad ARNs.
		for f := range sample {
			if !strings.HasSuffix(f, "Arn") || f == "roleArn" {
				continue
			}
			for _, a := range wrongARNs(f) {
				add(apiCase{name: op + " " + f + "=" + a, target: target, body: mustJSON(with(sample, f, a)), wantType: "InvalidArn"})
			}
			add(apiCase{name: op + " " + f + " too long", target: target, body: mustJSON(with(sample, f, smArn+strings.Repeat("x", 300))), wantType: "ValidationException"})
		}
	}
	// Names AWS refuses.
	for _, op := range []string{"CreateStateMachine", "StartExecution", "CreateActivity"} {
		for _, n := range []string{"a b", "a<b", "a>b", "a{b", "a}b", "a[b", "a]b", "a?b", "a*b", `a"b`, "a#b", "a%b", `a\b`, "a^b", "a|b", "a~b", "a`b", "a$b", "a&b", "a,b", "a;b", "a:b", "a/b", "a\tb", "a\u0001b", "a\u007fb", "a\u0085b", "a\u00a0b"} {
			add(apiCase{name: op + " name " + n, target: "AWSStepFunctions." + op, body: mustJSON(with(s[op], "name", n)), wantType: "InvalidName"})
		}
		add(apiCase{name: op + " name too long", target: "AWSStepFunctions." + op, body: mustJSON(with(s[op], "name", strings.Repeat("n", 81))), wantType: "ValidationException"})
		add(apiCase{name: op + " name empty", target: "AWSStepFunctions." + op, body: mustJSON(with(s[op], "name", "")), wantType: "ValidationException"})
	}
	// Oversized and invalid payloads.
	big := `"` + strings.Repeat("a", 262143) + `"` // 262,145 bytes
	for _, op := range []string{"StartExecution", "StartSyncExecution"} {
		add(apiCase{name: op + " input too large", target: "AWSStepFunctions." + op, body: mustJSON(with(s[op], "input", big)), wantType: "ValidationException"})
		for _, in := range []string{"{", "nope", `{"a":1}x`, ""} {
			add(apiCase{name: op + " input " + in, target: "AWSStepFunctions." + op, body: mustJSON(with(s[op], "input", in)), wantType: "InvalidExecutionInput"})
		}
	}
	add(apiCase{name: "TestState input too large", target: "AWSStepFunctions.TestState", body: mustJSON(with(s["TestState"], "input", big)), wantType: "ValidationException"})
	add(apiCase{name: "SendTaskSuccess output too large", target: "AWSStepFunctions.SendTaskSuccess", body: mustJSON(with(s["SendTaskSuccess"], "output", big)), wantType: "ValidationException"})
	add(apiCase{name: "SendTaskSuccess output not JSON", target: "AWSStepFunctions.SendTaskSuccess", body: mustJSON(with(s["SendTaskSuccess"], "output", "{")), wantType: "InvalidOutput"})
	add(apiCase{name: "whole body too large", target: "AWSStepFunctions.CreateStateMachine", body: mustJSON(with(s["CreateStateMachine"], "definition", strings.Repeat("x", 3<<20))), wantType: "ValidationException"})
	add(apiCase{name: "definition too long", target: "AWSStepFunctions.CreateStateMachine", body: mustJSON(with(s["CreateStateMachine"], "definition", strings.Repeat("x", 1048577))), wantType: "ValidationException"})
	// Enums and ranges.
	add(apiCase{name: "type enum", target: "AWSStepFunctions.CreateStateMachine", body: mustJSON(with(s["CreateStateMachine"], "type", "FAST")), wantType: "ValidationException"})
	add(apiCase{name: "status filter enum", target: "AWSStepFunctions.ListExecutions", body: mustJSON(with(s["ListExecutions"], "statusFilter", "DONE")), wantType: "ValidationException"})
	add(apiCase{name: "maxResults too big", target: "AWSStepFunctions.ListStateMachines", body: `{"maxResults":1001}`, wantType: "ValidationException"})
	add(apiCase{name: "maxResults negative", target: "AWSStepFunctions.ListExecutions", body: mustJSON(with(s["ListExecutions"], "maxResults", -1)), wantType: "ValidationException"})
	add(apiCase{name: "maxResults overflow", target: "AWSStepFunctions.ListStateMachines", body: `{"maxResults":99999999999}`, wantType: "SerializationException"})
	add(apiCase{name: "nextToken empty", target: "AWSStepFunctions.ListStateMachines", body: `{"nextToken":""}`, wantType: "ValidationException"})
	add(apiCase{name: "nextToken too long", target: "AWSStepFunctions.ListStateMachines", body: mustJSON(map[string]any{"nextToken": strings.Repeat("t", 1025)}), wantType: "ValidationException"})
	add(apiCase{name: "list executions without machine", target: "AWSStepFunctions.ListExecutions", body: `{}`, wantType: "ValidationException"})
	add(apiCase{name: "update without changes", target: "AWSStepFunctions.UpdateStateMachine", body: mustJSON(map[string]any{"stateMachineArn": smArn}), wantType: "MissingRequiredParameter"})
	add(apiCase{name: "role not an ARN", target: "AWSStepFunctions.CreateStateMachine", body: mustJSON(with(s["CreateStateMachine"], "roleArn", "role")), wantType: "InvalidArn"})
	add(apiCase{name: "version description without publish", target: "AWSStepFunctions.CreateStateMachine", body: mustJSON(with(s["CreateStateMachine"], "versionDescription", "v1")), wantType: "ValidationException"})
	add(apiCase{name: "alias weight", target: "AWSStepFunctions.CreateStateMachineAlias", body: mustJSON(with(s["CreateStateMachineAlias"], "routingConfiguration", []any{map[string]any{"stateMachineVersionArn": verArn, "weight": 101}})), wantType: "ValidationException"})
	add(apiCase{name: "alias bad name", target: "AWSStepFunctions.CreateStateMachineAlias", body: mustJSON(with(s["CreateStateMachineAlias"], "name", "123")), wantType: "InvalidName"})
	add(apiCase{name: "two errors at once", target: "AWSStepFunctions.CreateStateMachine", body: `{"definition":""}`, wantType: "ValidationException"})
	// Browser requests from another site.
	add(apiCase{name: "cross-site origin", target: "AWSStepFunctions.ListStateMachines", origin: "https://evil.example", body: "{}", wantType: "AccessDeniedException"})
	add(apiCase{name: "null origin", target: "AWSStepFunctions.ListStateMachines", origin: "null", body: "{}", wantType: "AccessDeniedException"})
	return cases
}

func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	s := newServer(t, newFakeEngine())
	h := s.Handler()
	cases := malformedCases()
	if len(cases) < 300 {
		t.Fatalf("only %d malformed cases; want at least 300", len(cases))
	}
	for _, c := range cases {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(c.body))
		if c.target != "" {
			req.Header.Set("X-Amz-Target", c.target)
		}
		req.Header.Set("Content-Type", c.ctype)
		if c.origin != "" {
			req.Header.Set("Origin", c.origin)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code < 400 || rec.Code > 499 {
			t.Errorf("%s: status %d, want 4xx; body %.200s", c.name, rec.Code, rec.Body.String())
			continue
		}
		var e struct {
			Type    *string `json:"__type"`
			Message *string `json:"message"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Type == nil || e.Message == nil || *e.Message == "" {
			t.Errorf("%s: body is not AWS's error shape: %.200s", c.name, rec.Body.String())
			continue
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/x-amz-json-1.0" {
			t.Errorf("%s: Content-Type %q", c.name, ct)
		}
		if c.wantType != "" && *e.Type != c.wantType {
			t.Errorf("%s: __type %q, want %q (message %q)", c.name, *e.Type, c.wantType, *e.Message)
		}
	}
	t.Logf("%d malformed API requests, all answered 4xx with AWS's error shape", len(cases))
}

// TestSamplesAreValid makes sure every mutation base is itself accepted, so
// each malformed case fails for its one mutation.
func TestSamplesAreValid(t *testing.T) {
	t.Parallel()
	s := newServer(t, newFakeEngine())
	h := s.Handler()
	for _, op := range sortedOps(samples()) {
		body := mustJSON(samples()[op])
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "AWSStepFunctions."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var e struct {
			Type string `json:"__type"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		switch e.Type {
		case "", "UnsupportedOperation", "StateMachineDoesNotExist", "ExecutionDoesNotExist", "StateMachineTypeNotSupported":
		default:
			t.Errorf("%s: valid sample refused: %d %s", op, rec.Code, rec.Body.String())
		}
	}
}

func TestValidationMessageNamesFields(t *testing.T) {
	t.Parallel()
	s := newServer(t, newFakeEngine())
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"definition":""}`))
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.CreateStateMachine")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	body := rec.Body.String()
	for _, f := range []string{"'name'", "'definition'", "'roleArn'", "3 validation errors detected"} {
		if !strings.Contains(body, f) {
			t.Errorf("message does not mention %s: %s", f, body)
		}
	}
}
