package server_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// TestSDKRedriveExecution stops an execution in a Wait, redrives it through
// the AWS SDK and sees it succeed, with the redrive in DescribeExecution and
// the history; and the errors of executions that cannot be redriven.
func TestSDKRedriveExecution(t *testing.T) {
	t.Parallel()
	url, _ := realServer(t)
	c := sdkClient(url)
	ctx := sdkContext()
	const def = `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Result":{"n":1},"Next":"W"},
		"W":{"Type":"Wait","Seconds":1,"Next":"B"},
		"B":{"Type":"Pass","End":true}}}`
	sm := must[*sfn.CreateStateMachineOutput](t, "CreateStateMachine")(c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("redrive"), Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::123456789012:role/r")}))
	x := must[*sfn.StartExecutionOutput](t, "StartExecution")(c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn}))

	_, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: x.ExecutionArn})
	wantCode(t, "RedriveExecution of a RUNNING execution", err, "ExecutionNotRedrivable")
	must[*sfn.StopExecutionOutput](t, "StopExecution")(c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: x.ExecutionArn}))
	d := waitDone(t, c, aws.ToString(x.ExecutionArn))
	if d.Status != types.ExecutionStatusAborted || d.RedriveStatus != types.ExecutionRedriveStatusRedrivable || aws.ToInt32(d.RedriveCount) != 0 {
		t.Fatalf("stopped: status %s, redrive status %s, count %d", d.Status, d.RedriveStatus, aws.ToInt32(d.RedriveCount))
	}

	rd := must[*sfn.RedriveExecutionOutput](t, "RedriveExecution")(c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: x.ExecutionArn}))
	if rd.RedriveDate == nil {
		t.Fatal("RedriveExecution returned no redriveDate")
	}
	d = waitDone(t, c, aws.ToString(x.ExecutionArn))
	if d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"n":1}` || aws.ToInt32(d.RedriveCount) != 1 ||
		d.RedriveDate == nil || !d.RedriveDate.Equal(*rd.RedriveDate) || d.RedriveStatus != types.ExecutionRedriveStatusNotRedrivable {
		t.Fatalf("after redrive: status %s, output %s, count %d, redrive status %s", d.Status, aws.ToString(d.Output), aws.ToInt32(d.RedriveCount), d.RedriveStatus)
	}
	h := must[*sfn.GetExecutionHistoryOutput](t, "GetExecutionHistory")(c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: x.ExecutionArn}))
	redriven := 0
	for _, ev := range h.Events {
		if ev.Type == types.HistoryEventTypeExecutionRedriven {
			redriven++
			if ev.ExecutionRedrivenEventDetails == nil || aws.ToInt32(ev.ExecutionRedrivenEventDetails.RedriveCount) != 1 {
				t.Errorf("ExecutionRedriven details %+v", ev.ExecutionRedrivenEventDetails)
			}
		}
	}
	if redriven != 1 {
		t.Errorf("%d ExecutionRedriven events, want 1", redriven)
	}

	_, err = c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: x.ExecutionArn})
	wantCode(t, "RedriveExecution of a SUCCEEDED execution", err, "ExecutionNotRedrivable")
	_, err = c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(aws.ToString(x.ExecutionArn) + "-missing")})
	wantCode(t, "RedriveExecution of a missing execution", err, "ExecutionDoesNotExist")
	_, err = c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: sm.StateMachineArn})
	wantCode(t, "RedriveExecution of a state machine ARN", err, "InvalidArn")
}
