package server_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// TestSDKNestedExecutions: a parent starts children with
// states:startExecution (.sync, .sync:2, fire and forget,
// .waitForTaskToken); a failing child fails the parent's Task with
// States.TaskFailed, which the parent's Catch handles.
func TestSDKNestedExecutions(t *testing.T) {
	t.Parallel()
	url, _ := realServer(t)
	c := sdkClient(url)
	ctx := sdkContext()
	create := func(name, def string) string {
		t.Helper()
		return *must[*sfn.CreateStateMachineOutput](t, "CreateStateMachine "+name)(c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
			Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(roleArn)})).StateMachineArn
	}
	child := create("child", `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"got.$":"$.x"},"End":true}}}`)
	failing := create("failing", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"bad input"}}}`)
	parent := func(name, resource, childARN, catch string) string {
		handled := ""
		if catch != "" {
			handled = `,"Handled":{"Type":"Pass","End":true}`
		}
		return create(name, fmt.Sprintf(`{"StartAt":"Call","States":{
			"Call":{"Type":"Task","Resource":%q,"Parameters":{"StateMachineArn":%q,
				"Input":{"x.$":"$.x","AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$":"$$.Execution.Id"}},%s"End":true}%s}}`,
			resource, childARN, catch, handled))
	}
	run := func(smARN string) *sfn.DescribeExecutionOutput {
		t.Helper()
		x := must[*sfn.StartExecutionOutput](t, "StartExecution")(c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Input: aws.String(`{"x":1}`)}))
		return waitDone(t, c, *x.ExecutionArn)
	}
	decode := func(s string) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatalf("output %q: %v", s, err)
		}
		return m
	}

	t.Run("sync", func(t *testing.T) {
		d := run(parent("p-sync", "arn:aws:states:::states:startExecution.sync", child, ""))
		if d.Status != types.ExecutionStatusSucceeded {
			t.Fatalf("parent %s: %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
		}
		out := decode(aws.ToString(d.Output))
		if out["Output"] != `{"got":1}` || out["Status"] != "SUCCEEDED" || out["StateMachineArn"] != child {
			t.Errorf(".sync output = %v", out)
		}
		in := decode(out["Input"].(string))
		if in["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"] != *d.ExecutionArn {
			t.Errorf("child input %v does not name the parent %s", in, *d.ExecutionArn)
		}
	})
	t.Run("sync:2", func(t *testing.T) {
		d := run(parent("p-sync2", "arn:aws:states:::states:startExecution.sync:2", child, ""))
		out := decode(aws.ToString(d.Output))
		got, ok := out["Output"].(map[string]any)
		if d.Status != types.ExecutionStatusSucceeded || !ok || got["got"] != 1.0 {
			t.Errorf(".sync:2: %s output = %v", d.Status, out)
		}
	})
	t.Run("fire and forget", func(t *testing.T) {
		d := run(parent("p-start", "arn:aws:states:::states:startExecution", child, ""))
		out := decode(aws.ToString(d.Output))
		arn, _ := out["ExecutionArn"].(string)
		if d.Status != types.ExecutionStatusSucceeded || arn == "" || out["StartDate"] == nil {
			t.Fatalf("startExecution: %s output = %v", d.Status, out)
		}
		if cd := waitDone(t, c, arn); cd.Status != types.ExecutionStatusSucceeded || aws.ToString(cd.Output) != `{"got":1}` {
			t.Errorf("child %s %s", cd.Status, aws.ToString(cd.Output))
		}
	})
	t.Run("failing child caught", func(t *testing.T) {
		d := run(parent("p-fail", "arn:aws:states:::states:startExecution.sync", failing,
			`"Catch":[{"ErrorEquals":["States.TaskFailed"],"ResultPath":"$.err","Next":"Handled"}],`))
		if d.Status != types.ExecutionStatusSucceeded {
			t.Fatalf("parent %s: %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
		}
		errObj, _ := decode(aws.ToString(d.Output))["err"].(map[string]any)
		if errObj["Error"] != "States.TaskFailed" {
			t.Fatalf("caught %v", errObj)
		}
		cause := decode(errObj["Cause"].(string))
		if cause["Status"] != "FAILED" || cause["Error"] != "Boom" || cause["Cause"] != "bad input" {
			t.Errorf("cause = %v", cause)
		}
	})
	t.Run("failing child uncaught", func(t *testing.T) {
		d := run(parent("p-fail2", "arn:aws:states:::states:startExecution.sync:2", failing, ""))
		if d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "States.TaskFailed" {
			t.Errorf("parent %s %s", d.Status, aws.ToString(d.Error))
		}
	})
	t.Run("waitForTaskToken", func(t *testing.T) {
		sm := create("p-token", fmt.Sprintf(`{"StartAt":"Call","States":{"Call":{"Type":"Task",
			"Resource":"arn:aws:states:::states:startExecution.waitForTaskToken",
			"Parameters":{"StateMachineArn":%q,"Input":{"x.$":"$$.Task.Token"}},"End":true}}}`, child))
		x := must[*sfn.StartExecutionOutput](t, "StartExecution")(c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm)}))
		var token string
		for deadline := time.Now().Add(10 * time.Second); token == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			l := must[*sfn.ListExecutionsOutput](t, "ListExecutions")(c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(child)}))
			for _, e := range l.Executions {
				cd := waitDone(t, c, *e.ExecutionArn)
				var in struct{ X string }
				if json.Unmarshal([]byte(aws.ToString(cd.Input)), &in) == nil && in.X != "" {
					token = in.X
				}
			}
		}
		if token == "" {
			t.Fatal("the child never received the task token")
		}
		if d := must[*sfn.DescribeExecutionOutput](t, "DescribeExecution")(c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: x.ExecutionArn})); d.Status != types.ExecutionStatusRunning {
			t.Fatalf("parent ended before SendTaskSuccess: %s", d.Status)
		}
		must[*sfn.SendTaskSuccessOutput](t, "SendTaskSuccess")(c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{"back":true}`)}))
		if d := waitDone(t, c, *x.ExecutionArn); d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"back":true}` {
			t.Errorf("parent %s %s", d.Status, aws.ToString(d.Output))
		}
	})
}
