package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startServe runs the real serve wiring on 127.0.0.1:0 over the database at
// db and returns its base URL and a stop function that shuts it down and
// waits for it.
func startServe(t *testing.T, db string) (string, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	cfg := serveConfig{Addr: ln.Addr().String(), DB: db, Region: "us-east-1", Account: "123456789012", Synchronous: "FULL"}
	go func() { done <- serve(ctx, cfg, ln, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	base := "http://" + ln.Addr().String()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become healthy: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return base, func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not shut down within 15 s")
		}
	}
}

// call sends one AWS JSON 1.0 request and decodes the answer.
func call(t *testing.T, base, op string, in any) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, base+"/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "AWSStepFunctions."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil && err != io.EOF {
		t.Fatalf("%s: decode answer: %v", op, err)
	}
	return resp.StatusCode, out
}

func waitStatus(t *testing.T, base, arn string, want string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, out := call(t, base, "DescribeExecution", map[string]any{"executionArn": arn})
		if out["status"] == want {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s: status %v, want %s", arn, out["status"], want)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestServeEndToEnd boots the real binary's wiring on :0 with a SQLite file,
// drives it through the AWS API and the pages, shuts it down while an
// execution waits, and checks that the execution continues after a restart.
func TestServeEndToEnd(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "stepwise.db")
	base, stop := startServe(t, db)

	def := `{"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":1,"Next":"Done"},` +
		`"Done":{"Type":"Pass","Result":{"ok":true},"ResultPath":"$.result","End":true}}}`
	status, out := call(t, base, "CreateStateMachine", map[string]any{
		"name": "e2e", "definition": def, "roleArn": "arn:aws:iam::123456789012:role/x"})
	if status != http.StatusOK {
		t.Fatalf("CreateStateMachine: %d %v", status, out)
	}
	smARN, _ := out["stateMachineArn"].(string)
	status, out = call(t, base, "StartExecution", map[string]any{"stateMachineArn": smARN, "name": "run1", "input": `{"n":1}`})
	if status != http.StatusOK {
		t.Fatalf("StartExecution: %d %v", status, out)
	}
	execARN, _ := out["executionArn"].(string)

	// Bad input gets AWS's error shape, not a 5xx.
	status, out = call(t, base, "StartExecution", map[string]any{"stateMachineArn": smARN, "input": `{not json`})
	if status != http.StatusBadRequest || out["__type"] != "InvalidExecutionInput" {
		t.Errorf("StartExecution with broken input: %d %v, want 400 InvalidExecutionInput", status, out)
	}

	// The pages answer with the machine and the execution.
	for _, path := range []string{"/state-machines", "/state-machines/e2e", "/state-machines/e2e/executions/run1"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "e2e") {
			t.Errorf("GET %s: %d, page does not name the machine", path, resp.StatusCode)
		}
	}

	// Shut down while the execution waits; it must continue after a restart.
	stop()
	base, stop = startServe(t, db)
	defer stop()
	got := waitStatus(t, base, execARN, "SUCCEEDED")
	if out, _ := got["output"].(string); out != `{"n":1,"result":{"ok":true}}` {
		t.Errorf("output after restart = %s", out)
	}
	status, hist := call(t, base, "GetExecutionHistory", map[string]any{"executionArn": execARN})
	events, _ := hist["events"].([]any)
	if status != http.StatusOK || len(events) == 0 {
		t.Fatalf("GetExecutionHistory: %d %v", status, hist)
	}
	for i, e := range events {
		if id, _ := e.(map[string]any)["id"].(float64); int(id) != i+1 {
			t.Fatalf("history event %d has id %v: ids are not contiguous", i, id)
		}
	}
	if last, _ := events[len(events)-1].(map[string]any)["type"].(string); last != "ExecutionSucceeded" {
		t.Errorf("last event = %s, want ExecutionSucceeded", last)
	}
}

func TestServeFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		env     map[string]string
		want    serveConfig
		wantErr bool
	}{
		{args: nil, want: serveConfig{Addr: "127.0.0.1:8080", DB: "stepwise.db"}},
		{env: map[string]string{"STEPWISE_ADDR": "127.0.0.1:9000", "STEPWISE_DB": "/tmp/x.db"},
			want: serveConfig{Addr: "127.0.0.1:9000", DB: "/tmp/x.db"}},
		{args: []string{"--addr", ":0", "--db", "a.db"}, env: map[string]string{"STEPWISE_ADDR": "127.0.0.1:9000"},
			want: serveConfig{Addr: ":0", DB: "a.db"}},
		{args: []string{"--log-format", "xml"}, wantErr: true},
		{args: []string{"--outbound-allow", "not a cidr!"}, wantErr: true},
		{args: []string{"extra"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			got, err := parseServeFlags(tt.args, io.Discard, func(k string) string { return tt.env[k] })
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseServeFlags(%v) error = %v, wantErr %v", tt.args, err, tt.wantErr)
			}
			if err == nil && (got.Addr != tt.want.Addr || got.DB != tt.want.DB) {
				t.Errorf("parseServeFlags(%v) = %+v, want addr %s db %s", tt.args, got, tt.want.Addr, tt.want.DB)
			}
		})
	}
}

func TestMainDispatch(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"help"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "validate") {
		t.Errorf("help: code %d, output %q", code, out.String())
	}
	if code := run(context.Background(), []string{"bogus"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "unknown command") {
		t.Errorf("bogus: code %d, stderr %q", code, errOut.String())
	}
}

// TestServeCallbackAcrossRestart: an execution waits on a task token, the
// server restarts, and SendTaskSuccess with the token completes it.
func TestServeCallbackAcrossRestart(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "stepwise.db")
	base, stop := startServe(t, db)
	def := `{"StartAt":"Approve","States":{"Approve":{"Type":"Task",` +
		`"Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",` +
		`"Parameters":{"QueueUrl":"https://example.com/q","MessageBody":{"token.$":"$$.Task.Token"}},` +
		`"ResultPath":"$.approval","End":true}}}`
	status, out := call(t, base, "CreateStateMachine", map[string]any{
		"name": "approval", "definition": def, "roleArn": "arn:aws:iam::123456789012:role/x"})
	if status != http.StatusOK {
		t.Fatalf("CreateStateMachine: %d %v", status, out)
	}
	status, out = call(t, base, "StartExecution", map[string]any{
		"stateMachineArn": out["stateMachineArn"], "name": "a1", "input": `{"order":7}`})
	if status != http.StatusOK {
		t.Fatalf("StartExecution: %d %v", status, out)
	}
	execARN, _ := out["executionArn"].(string)

	// The token is in the scheduled task's parameters.
	var token string
	deadline := time.Now().Add(10 * time.Second)
	for token == "" {
		_, hist := call(t, base, "GetExecutionHistory", map[string]any{"executionArn": execARN})
		events, _ := hist["events"].([]any)
		for _, e := range events {
			ev, _ := e.(map[string]any)
			if ev["type"] != "TaskScheduled" {
				continue
			}
			d, _ := ev["taskScheduledEventDetails"].(map[string]any)
			var params struct {
				MessageBody struct {
					Token string `json:"token"`
				}
			}
			if p, _ := d["parameters"].(string); json.Unmarshal([]byte(p), &params) == nil {
				token = params.MessageBody.Token
			}
		}
		if token == "" && time.Now().After(deadline) {
			t.Fatalf("no TaskScheduled event with a token: %v", events)
		}
		time.Sleep(20 * time.Millisecond)
	}

	stop()
	base, stop = startServe(t, db)
	defer stop()
	waitStatus(t, base, execARN, "RUNNING")
	status, out = call(t, base, "SendTaskSuccess", map[string]any{"taskToken": token, "output": `{"approved":true}`})
	if status != http.StatusOK {
		t.Fatalf("SendTaskSuccess after restart: %d %v", status, out)
	}
	got := waitStatus(t, base, execARN, "SUCCEEDED")
	if o, _ := got["output"].(string); o != `{"order":7,"approval":{"approved":true}}` {
		t.Errorf("output = %s", o)
	}
	// A token is single-use.
	status, out = call(t, base, "SendTaskSuccess", map[string]any{"taskToken": token, "output": `{}`})
	if status != http.StatusBadRequest {
		t.Errorf("second SendTaskSuccess: %d %v, want 400", status, out)
	}
}
