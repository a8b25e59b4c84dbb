package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"stepwise/engine"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	clock := engine.NewFakeClock(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC), true)
	code := runCommandWith(context.Background(), args, &stdout, &stderr, runOptions{Clock: clock})
	return code, stdout.String(), stderr.String()
}

func td(name string) string { return filepath.Join("testdata", "run", name) }

func TestRunCommand(t *testing.T) {
	t.Parallel()
	mock := td("mock-config.json")
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string
		inStderr string
	}{
		{"pass with input", []string{"--input", `{"who":"world"}`, td("hello.asl.json")}, 0,
			`{"status":"SUCCEEDED","output":{"greeting":"hello world"}}`, ""},
		{"input file", []string{"--input-file", td("input.json"), td("hello.asl.json")}, 0,
			`{"status":"SUCCEEDED","output":{"greeting":"hello file"}}`, ""},
		{"express", []string{"--type", "EXPRESS", "--input", `{"who":"x"}`, td("hello.asl.json")}, 0,
			`{"status":"SUCCEEDED","output":{"greeting":"hello x"}}`, ""},
		{"missing path fails", []string{td("hello.asl.json")}, 1,
			`{"status":"FAILED","error":"States.Runtime","cause":"An error occurred while executing the state 'Greet' (entered at the event id #2). The JSONPath '$.who' specified for the field 'greeting.$' could not be found in the input '{}'"}`, ""},
		{"fail state", []string{td("fail.asl.json")}, 1,
			`{"status":"FAILED","error":"Custom.Error","cause":"it broke"}`, ""},
		{"mock happy path", []string{"--mock-config", mock, "--test-case", "HappyPath", "--input", `{"id":7}`, td("order.asl.json")}, 0,
			`{"status":"SUCCEEDED","output":{"id":7,"charge":{"charged":true}}}`, ""},
		{"mock retry", []string{"--mock-config", mock, "--test-case", "RetryThenOK", "--input", `{"id":7}`, td("order.asl.json")}, 0,
			`{"status":"SUCCEEDED","output":{"id":7,"charge":{"charged":"after retry"}}}`, ""},
		{"mock catch", []string{"--mock-config", mock, "--test-case", "AlwaysFails", "--input", `{"id":7}`, td("order.asl.json")}, 0,
			`{"status":"SUCCEEDED","output":{"id":7,"error":{"Error":"Card.Declined","Cause":"insufficient funds"},"refund":"refunded"}}`, ""},
		{"unmocked task", []string{"--input", `{"id":7}`, td("order.asl.json")}, 0,
			`{"status":"SUCCEEDED","output":{"id":7,"error":{"Error":"States.TaskFailed","Cause":"No integration serves the resource 'arn:aws:states:::lambda:invoke' of state 'Charge'. Mock it with a MockConfigFile (stepwise run --mock-config FILE --test-case NAME) naming the state in a test case."},"refund":"refunded"}}`, ""},
		{"name flag", []string{"--name", "other", "--mock-config", mock, "--test-case", "HappyPath", td("order.asl.json")}, 2, "", `no state machine "other"`},
		{"unknown test case", []string{"--mock-config", mock, "--test-case", "Nope", td("order.asl.json")}, 2, "", `no test case "Nope"`},
		{"no file", []string{}, 2, "", "want exactly one FILE"},
		{"both inputs", []string{"--input", "{}", "--input-file", "x", td("hello.asl.json")}, 2, "", "exclude each other"},
		{"bad input", []string{"--input", "{", td("hello.asl.json")}, 2, "", "not valid JSON"},
		{"bad type", []string{"--type", "FAST", td("hello.asl.json")}, 2, "", "--type must be"},
		{"missing file", []string{td("nope.asl.json")}, 2, "", "no such file"},
		{"db unavailable", []string{"--db", filepath.Join(t.TempDir(), "x.db"), td("hello.asl.json")}, 2, "", "--db is not available"},
		{"test case without config", []string{"--test-case", "X", td("hello.asl.json")}, 2, "", "go together"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stdout %s stderr %s", code, tc.code, stdout, stderr)
			}
			if strings.TrimSpace(stdout) != tc.stdout {
				t.Errorf("stdout\n got %s\nwant %s", strings.TrimSpace(stdout), tc.stdout)
			}
			if tc.inStderr != "" && !strings.Contains(stderr, tc.inStderr) {
				t.Errorf("stderr %q does not mention %q", stderr, tc.inStderr)
			}
		})
	}
}

func TestRunCommandHistory(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{"STANDARD", "EXPRESS"} {
		t.Run(typ, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCLI(t, "--history", "--type", typ, "--mock-config", td("mock-config.json"), "--test-case", "RetryThenOK", td("order.asl.json"))
			if code != 0 {
				t.Fatalf("exit %d: %s %s", code, stdout, stderr)
			}
			var res struct {
				Status  string
				History []map[string]any
			}
			if err := json.Unmarshal([]byte(stdout), &res); err != nil {
				t.Fatal(err)
			}
			var types []string
			for i, ev := range res.History {
				if int(ev["id"].(float64)) != i+1 {
					t.Errorf("event %d has id %v", i, ev["id"])
				}
				types = append(types, ev["type"].(string))
			}
			want := "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskFailed TaskScheduled TaskStarted TaskSucceeded TaskStateExited WaitStateEntered WaitStateExited SucceedStateEntered SucceedStateExited ExecutionSucceeded"
			if got := strings.Join(types, " "); got != want {
				t.Errorf("history\n got %s\nwant %s", got, want)
			}
			if _, ok := res.History[0]["executionStartedEventDetails"]; !ok {
				t.Errorf("first event lacks executionStartedEventDetails: %v", res.History[0])
			}
		})
	}
}

func TestMachineName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"a/b/order.asl.json": "order", "x.json": "x", "flow.yaml": "flow", "flow.asl.yaml": "flow", "plain": "plain", ".json": ".json"} {
		if got := machineName(in); got != want {
			t.Errorf("machineName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRunCommandSkipWaits(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := runCommandWith(context.Background(), []string{"--skip-waits", "--mock-config", td("mock-config.json"), "--test-case", "HappyPath", td("order.asl.json")},
		&stdout, &stderr, runOptions{})
	if code != 0 || strings.TrimSpace(stdout.String()) != `{"status":"SUCCEEDED","output":{"charge":{"charged":true}}}` {
		t.Fatalf("exit %d: %s %s", code, stdout.String(), stderr.String())
	}
	if time.Since(start) > 30*time.Second {
		t.Fatal("the hour-long Wait was not skipped")
	}
}
