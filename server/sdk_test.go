package server_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"stepwise/server"
)

func sdkClient(url string) *sfn.Client {
	return sfn.New(sfn.Options{
		BaseEndpoint:     aws.String(url),
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		RetryMaxAttempts: 1,
		APIOptions:       []func(*middleware.Stack) error{noHostPrefix},
	})
}

func sdkContext() context.Context { return context.Background() }

// noHostPrefix disables the SDK's endpoint host prefixes ("sync-" for
// StartSyncExecution and TestState), which would make the client dial
// sync-127.0.0.1 instead of the server. Users of a local endpoint need the
// same option.
func noHostPrefix(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("StepwiseNoHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}

// wantCode fails unless err is an AWS API error with the given code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Errorf("%s: error %v, want API error %s", what, err, code)
		return
	}
	if ae.ErrorCode() != code {
		t.Errorf("%s: error code %q (%s), want %q", what, ae.ErrorCode(), ae.ErrorMessage(), code)
	}
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// TestSDK drives every operation through the real AWS SDK client against a
// server on 127.0.0.1:0 backed by the fake engine.
func TestSDK(t *testing.T) {
	t.Parallel()
	url := serve(t, newServer(t, newFakeEngine()))
	c := sdkClient(url)
	ctx := sdkContext()

	// State machines.
	created := must[*sfn.CreateStateMachineOutput](t, "CreateStateMachine")(c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("sm"), Definition: aws.String(passDef), RoleArn: aws.String(roleArn),
	}))
	if *created.StateMachineArn != smArn || created.CreationDate == nil || created.CreationDate.Year() != 2026 {
		t.Errorf("CreateStateMachine = %+v", created)
	}
	_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("bad name"), Definition: aws.String(passDef), RoleArn: aws.String(roleArn)})
	var invalidName *types.InvalidName
	if !errors.As(err, &invalidName) {
		t.Errorf("CreateStateMachine bad name: %v, want *types.InvalidName", err)
	}
	_, err = c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("x"), Definition: aws.String(`{"StartAt":"Nope","States":{}}`), RoleArn: aws.String(roleArn)})
	var invalidDef *types.InvalidDefinition
	if !errors.As(err, &invalidDef) || !strings.Contains(invalidDef.ErrorMessage(), "Nope") {
		t.Errorf("CreateStateMachine bad definition: %v, want *types.InvalidDefinition naming the state", err)
	}
	must[*sfn.CreateStateMachineOutput](t, "CreateStateMachine wait")(c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("waiter"), Definition: aws.String(waitDef), RoleArn: aws.String(roleArn)}))
	must[*sfn.CreateStateMachineOutput](t, "CreateStateMachine fail")(c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("failer"), Definition: aws.String(failDef), RoleArn: aws.String(roleArn)}))
	express := must[*sfn.CreateStateMachineOutput](t, "CreateStateMachine express")(c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("fast"), Definition: aws.String(passDef), RoleArn: aws.String(roleArn), Type: types.StateMachineTypeExpress,
	}))

	desc := must[*sfn.DescribeStateMachineOutput](t, "DescribeStateMachine")(c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(smArn)}))
	if *desc.Definition != passDef || desc.Type != types.StateMachineTypeStandard || *desc.Name != "sm" {
		t.Errorf("DescribeStateMachine = %+v", desc)
	}
	_, err = c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(smArn + "nope")})
	var smMissing *types.StateMachineDoesNotExist
	if !errors.As(err, &smMissing) {
		t.Errorf("DescribeStateMachine missing: %v", err)
	}
	_, err = c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:123456789012:activity:a")})
	var badArn *types.InvalidArn
	if !errors.As(err, &badArn) {
		t.Errorf("DescribeStateMachine activity ARN: %v, want InvalidArn", err)
	}

	// ListStateMachines with pagination.
	var names []string
	p := sfn.NewListStateMachinesPaginator(c, &sfn.ListStateMachinesInput{MaxResults: 2})
	for p.HasMorePages() {
		out := must[*sfn.ListStateMachinesOutput](t, "ListStateMachines")(p.NextPage(ctx))
		for _, m := range out.StateMachines {
			names = append(names, *m.Name)
		}
	}
	if strings.Join(names, ",") != "failer,fast,sm,waiter" {
		t.Errorf("ListStateMachines names = %v", names)
	}
	_, err = c.ListStateMachines(ctx, &sfn.ListStateMachinesInput{NextToken: aws.String("garbage")})
	wantCode(t, "ListStateMachines bad token", err, "InvalidToken")

	upd := must[*sfn.UpdateStateMachineOutput](t, "UpdateStateMachine")(c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(smArn), Definition: aws.String(passDef)}))
	if upd.UpdateDate == nil || *upd.RevisionId != "2" {
		t.Errorf("UpdateStateMachine = %+v", upd)
	}
	_, err = c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(smArn)})
	var missingParam *types.MissingRequiredParameter
	if !errors.As(err, &missingParam) {
		t.Errorf("UpdateStateMachine without changes: %v", err)
	}

	val := must[*sfn.ValidateStateMachineDefinitionOutput](t, "ValidateStateMachineDefinition")(c.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String("{")}))
	if val.Result != types.ValidateStateMachineDefinitionResultCodeFail || len(val.Diagnostics) != 1 {
		t.Errorf("ValidateStateMachineDefinition = %+v", val)
	}

	// Executions.
	st := must[*sfn.StartExecutionOutput](t, "StartExecution")(c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smArn), Name: aws.String("e1"), Input: aws.String(`{"a":1}`)}))
	if *st.ExecutionArn != execArn || st.StartDate == nil {
		t.Errorf("StartExecution = %+v", st)
	}
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smArn), Name: aws.String("e1"), Input: aws.String(`{"a":2}`)})
	var exists *types.ExecutionAlreadyExists
	if !errors.As(err, &exists) {
		t.Errorf("StartExecution same name: %v", err)
	}
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smArn), Input: aws.String(`{"a":`)})
	var badInput *types.InvalidExecutionInput
	if !errors.As(err, &badInput) {
		t.Errorf("StartExecution bad input: %v", err)
	}
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smArn), Input: aws.String(`"` + strings.Repeat("x", 262144) + `"`)})
	wantCode(t, "StartExecution input too large", err, "ValidationException")

	ex := must[*sfn.DescribeExecutionOutput](t, "DescribeExecution")(c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execArn)}))
	if ex.Status != types.ExecutionStatusSucceeded || *ex.Output != `{"a":1}` || ex.StopDate == nil {
		t.Errorf("DescribeExecution = %+v", ex)
	}
	_, err = c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execArn + "x")})
	var exMissing *types.ExecutionDoesNotExist
	if !errors.As(err, &exMissing) {
		t.Errorf("DescribeExecution missing: %v", err)
	}

	waitArn := "arn:aws:states:us-east-1:123456789012:stateMachine:waiter"
	running := must[*sfn.StartExecutionOutput](t, "StartExecution waiter")(c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(waitArn), Name: aws.String("w1")}))
	again := must[*sfn.StartExecutionOutput](t, "StartExecution waiter again")(c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(waitArn), Name: aws.String("w1")}))
	if *again.ExecutionArn != *running.ExecutionArn {
		t.Errorf("StartExecution is not idempotent by name: %s vs %s", *again.ExecutionArn, *running.ExecutionArn)
	}
	for i := 0; i < 3; i++ {
		must[*sfn.StartExecutionOutput](t, "StartExecution waiter n")(c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(waitArn)}))
	}
	stop := must[*sfn.StopExecutionOutput](t, "StopExecution")(c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: running.ExecutionArn, Error: aws.String("Halt"), Cause: aws.String("test")}))
	if stop.StopDate == nil {
		t.Errorf("StopExecution = %+v", stop)
	}
	_, err = c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(smArn)})
	wantCode(t, "StopExecution with a state machine ARN", err, "InvalidArn")

	var statuses []string
	lp := sfn.NewListExecutionsPaginator(c, &sfn.ListExecutionsInput{StateMachineArn: aws.String(waitArn), MaxResults: 2})
	for lp.HasMorePages() {
		out := must[*sfn.ListExecutionsOutput](t, "ListExecutions")(lp.NextPage(ctx))
		for _, e := range out.Executions {
			statuses = append(statuses, string(e.Status))
		}
	}
	if strings.Join(statuses, ",") != "RUNNING,RUNNING,RUNNING,ABORTED" {
		t.Errorf("ListExecutions statuses = %v", statuses)
	}
	aborted := must[*sfn.ListExecutionsOutput](t, "ListExecutions filter")(c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(waitArn), StatusFilter: types.ExecutionStatusAborted}))
	if len(aborted.Executions) != 1 || *aborted.Executions[0].Name != "w1" {
		t.Errorf("ListExecutions ABORTED = %+v", aborted.Executions)
	}
	_, err = c.ListExecutions(ctx, &sfn.ListExecutionsInput{})
	wantCode(t, "ListExecutions without ARN", err, "ValidationException")

	hist := must[*sfn.GetExecutionHistoryOutput](t, "GetExecutionHistory")(c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(execArn), ReverseOrder: true, MaxResults: 3}))
	if len(hist.Events) != 3 || hist.Events[0].Type != types.HistoryEventTypeExecutionSucceeded || hist.NextToken == nil {
		t.Fatalf("GetExecutionHistory reversed = %+v", hist)
	}
	if d := hist.Events[0].ExecutionSucceededEventDetails; d == nil || *d.Output != `{"a":1}` || hist.Events[0].PreviousEventId != 3 || hist.Events[0].Id != 4 {
		t.Errorf("ExecutionSucceeded event = %+v", hist.Events[0])
	}
	rest := must[*sfn.GetExecutionHistoryOutput](t, "GetExecutionHistory page 2")(c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(execArn), ReverseOrder: true, NextToken: hist.NextToken}))
	if len(rest.Events) != 1 || rest.Events[0].Type != types.HistoryEventTypeExecutionStarted || *rest.Events[0].ExecutionStartedEventDetails.Input != `{"a":1}` {
		t.Errorf("GetExecutionHistory page 2 = %+v", rest.Events)
	}

	forEx := must[*sfn.DescribeStateMachineForExecutionOutput](t, "DescribeStateMachineForExecution")(c.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(execArn)}))
	if *forEx.Name != "sm" {
		t.Errorf("DescribeStateMachineForExecution = %+v", forEx)
	}

	failed := must[*sfn.StartExecutionOutput](t, "StartExecution failer")(c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:failer")}))
	fx := must[*sfn.DescribeExecutionOutput](t, "DescribeExecution failed")(c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: failed.ExecutionArn}))
	if fx.Status != types.ExecutionStatusFailed || *fx.Error != "Boom" || *fx.Cause != "it broke" {
		t.Errorf("failed execution = %+v", fx)
	}

	sync := must[*sfn.StartSyncExecutionOutput](t, "StartSyncExecution")(c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: express.StateMachineArn, Input: aws.String(`[1,2]`)}))
	if sync.Status != types.SyncExecutionStatusSucceeded || *sync.Output != `[1,2]` {
		t.Errorf("StartSyncExecution = %+v", sync)
	}
	_, err = c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(smArn)})
	var typeNotSupported *types.StateMachineTypeNotSupported
	if !errors.As(err, &typeNotSupported) {
		t.Errorf("StartSyncExecution on STANDARD: %v", err)
	}

	// Operations the fake engine does not implement answer UnsupportedOperation.
	unsupported := map[string]error{}
	_, unsupported["RedriveExecution"] = c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: failed.ExecutionArn})
	_, unsupported["CreateActivity"] = c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("act")})
	_, unsupported["DeleteActivity"] = c.DeleteActivity(ctx, &sfn.DeleteActivityInput{ActivityArn: aws.String(actArn)})
	_, unsupported["DescribeActivity"] = c.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: aws.String(actArn)})
	_, unsupported["ListActivities"] = c.ListActivities(ctx, &sfn.ListActivitiesInput{})
	_, unsupported["GetActivityTask"] = c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: aws.String(actArn)})
	_, unsupported["SendTaskSuccess"] = c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("t"), Output: aws.String("{}")})
	_, unsupported["SendTaskFailure"] = c.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String("t")})
	_, unsupported["SendTaskHeartbeat"] = c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String("t")})
	_, unsupported["TestState"] = c.TestState(ctx, &sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","End":true}`)})
	_, unsupported["PublishStateMachineVersion"] = c.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(smArn)})
	_, unsupported["ListStateMachineVersions"] = c.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: aws.String(smArn)})
	_, unsupported["DeleteStateMachineVersion"] = c.DeleteStateMachineVersion(ctx, &sfn.DeleteStateMachineVersionInput{StateMachineVersionArn: aws.String(verArn)})
	_, unsupported["CreateStateMachineAlias"] = c.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String("prod"), RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: aws.String(verArn), Weight: 100}}})
	_, unsupported["DescribeStateMachineAlias"] = c.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: aws.String(aliasArn)})
	_, unsupported["UpdateStateMachineAlias"] = c.UpdateStateMachineAlias(ctx, &sfn.UpdateStateMachineAliasInput{StateMachineAliasArn: aws.String(aliasArn), Description: aws.String("d")})
	_, unsupported["DeleteStateMachineAlias"] = c.DeleteStateMachineAlias(ctx, &sfn.DeleteStateMachineAliasInput{StateMachineAliasArn: aws.String(aliasArn)})
	_, unsupported["ListStateMachineAliases"] = c.ListStateMachineAliases(ctx, &sfn.ListStateMachineAliasesInput{StateMachineArn: aws.String(smArn)})
	_, unsupported["TagResource"] = c.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: aws.String(smArn), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	_, unsupported["UntagResource"] = c.UntagResource(ctx, &sfn.UntagResourceInput{ResourceArn: aws.String(smArn), TagKeys: []string{"k"}})
	_, unsupported["ListTagsForResource"] = c.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String(smArn)})
	for op, err := range unsupported {
		wantCode(t, op, err, "UnsupportedOperation")
		if err != nil && !strings.Contains(err.Error(), op) {
			t.Errorf("%s: message does not name the operation: %v", op, err)
		}
	}
	// Their validation still runs first.
	_, err = c.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: aws.String(smArn)})
	wantCode(t, "DescribeActivity with a state machine ARN", err, "InvalidArn")
	_, err = c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("t"), Output: aws.String("{")})
	wantCode(t, "SendTaskSuccess bad output", err, "InvalidOutput")

	must[*sfn.DeleteStateMachineOutput](t, "DeleteStateMachine")(c.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(smArn)}))
	_, err = c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(smArn)})
	wantCode(t, "DescribeStateMachine after delete", err, "StateMachineDoesNotExist")
}

// TestSDKActivities checks that optional engine features are used when the
// engine implements them.
func TestSDKActivities(t *testing.T) {
	t.Parallel()
	eng := &fakeActivities{fakeEngine: newFakeEngine(), acts: map[string]*server.Activity{}}
	c := sdkClient(serve(t, newServer(t, eng)))
	ctx := sdkContext()
	a := must[*sfn.CreateActivityOutput](t, "CreateActivity")(c.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("act")}))
	if *a.ActivityArn != actArn {
		t.Errorf("CreateActivity = %+v", a)
	}
	d := must[*sfn.DescribeActivityOutput](t, "DescribeActivity")(c.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: a.ActivityArn}))
	if *d.Name != "act" {
		t.Errorf("DescribeActivity = %+v", d)
	}
	l := must[*sfn.ListActivitiesOutput](t, "ListActivities")(c.ListActivities(ctx, &sfn.ListActivitiesInput{}))
	if len(l.Activities) != 1 {
		t.Errorf("ListActivities = %+v", l)
	}
	task := must[*sfn.GetActivityTaskOutput](t, "GetActivityTask")(c.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: a.ActivityArn, WorkerName: aws.String("w")}))
	if task.TaskToken != nil {
		t.Errorf("GetActivityTask = %+v", task)
	}
	_, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("t"), Output: aws.String("{}")})
	var noTask *types.TaskDoesNotExist
	if !errors.As(err, &noTask) {
		t.Errorf("SendTaskSuccess: %v", err)
	}
	_, err = c.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String("t")})
	wantCode(t, "SendTaskFailure", err, "TaskDoesNotExist")
	_, err = c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String("t")})
	wantCode(t, "SendTaskHeartbeat", err, "TaskDoesNotExist")
	must[*sfn.DeleteActivityOutput](t, "DeleteActivity")(c.DeleteActivity(ctx, &sfn.DeleteActivityInput{ActivityArn: a.ActivityArn}))
	_, err = c.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: a.ActivityArn})
	wantCode(t, "DescribeActivity after delete", err, "ActivityDoesNotExist")
}

// seedMachines creates a few machines and executions for the page tests.
func seedMachines(t *testing.T, c *sfn.Client) {
	t.Helper()
	ctx := sdkContext()
	for name, def := range map[string]string{"sm": passDef, "waiter": waitDef, "failer": failDef} {
		must[*sfn.CreateStateMachineOutput](t, "seed "+name)(c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(roleArn)}))
	}
	must[*sfn.CreateStateMachineOutput](t, "seed fast")(c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("fast"), Definition: aws.String(passDef), RoleArn: aws.String(roleArn), Type: types.StateMachineTypeExpress}))
	for name, ex := range map[string]string{"sm": "e1", "waiter": "w1", "failer": "f1"} {
		must[*sfn.StartExecutionOutput](t, "seed "+ex)(c.StartExecution(ctx, &sfn.StartExecutionInput{
			StateMachineArn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:" + name), Name: aws.String(ex), Input: aws.String(`{"customer":"Ada","items":[1,2,3]}`),
		}))
	}
}
