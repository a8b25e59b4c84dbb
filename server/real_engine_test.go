package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/chromedp/chromedp"

	"stepwise/engine"
	"stepwise/server"
)

// realServer starts the real engine on a memory store behind the server.
func realServer(t *testing.T) (string, *server.Metrics) {
	t.Helper()
	m := server.NewMetrics()
	eng := engine.New(engine.Options{Store: engine.NewMemStore(), Logger: testLogger(t), Publisher: m.Publisher(nil),
		Integrations: []engine.Integration{engine.CallbackIntegration{}}})
	if err := eng.Start(context.Background()); err != nil {
		t.Fatalf("engine Start: %v", err)
	}
	t.Cleanup(eng.Stop)
	s, err := server.New(server.Config{Metrics: m}, server.NewEngineAdapter(eng).WithMetrics(context.Background(), m), testLogger(t))
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	return serve(t, s), m
}

func waitDone(t *testing.T, c *sfn.Client, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := c.DescribeExecution(sdkContext(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("DescribeExecution: %v", err)
		}
		if d.Status != types.ExecutionStatusRunning || time.Now().After(deadline) {
			return d
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSDKRealEngine drives the real engine through the AWS SDK.
func TestSDKRealEngine(t *testing.T) {
	t.Parallel()
	url, _ := realServer(t)
	c := sdkClient(url)
	ctx := sdkContext()
	def := `{"StartAt":"Add","States":{"Add":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.a, $.b)"},"Next":"Done"},"Done":{"Type":"Succeed"}}}`
	created := must[*sfn.CreateStateMachineOutput](t, "CreateStateMachine")(c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("adder"), Definition: aws.String(def), RoleArn: aws.String(roleArn)}))
	_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("broken"), Definition: aws.String(`{"StartAt":"X","States":{}}`), RoleArn: aws.String(roleArn)})
	var invalidDef *types.InvalidDefinition
	if !errors.As(err, &invalidDef) {
		t.Errorf("CreateStateMachine broken: %v, want InvalidDefinition", err)
	}
	val := must[*sfn.ValidateStateMachineDefinitionOutput](t, "ValidateStateMachineDefinition")(c.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(`{"StartAt":"X","States":{}}`)}))
	if val.Result != types.ValidateStateMachineDefinitionResultCodeFail || len(val.Diagnostics) == 0 {
		t.Errorf("ValidateStateMachineDefinition = %+v", val)
	}
	st := must[*sfn.StartExecutionOutput](t, "StartExecution")(c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn, Name: aws.String("one"), Input: aws.String(`{"a":2,"b":3}`)}))
	d := waitDone(t, c, *st.ExecutionArn)
	if d.Status != types.ExecutionStatusSucceeded || *d.Output != `{"sum":5}` {
		t.Fatalf("execution = %s %v", d.Status, aws.ToString(d.Output))
	}
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn, Name: aws.String("one"), Input: aws.String(`{"a":1,"b":1}`)})
	var exists *types.ExecutionAlreadyExists
	if !errors.As(err, &exists) {
		t.Errorf("StartExecution reused name: %v", err)
	}
	hist := must[*sfn.GetExecutionHistoryOutput](t, "GetExecutionHistory")(c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: st.ExecutionArn}))
	var typesSeen []string
	for _, e := range hist.Events {
		typesSeen = append(typesSeen, string(e.Type))
	}
	if got := strings.Join(typesSeen, ","); got != "ExecutionStarted,PassStateEntered,PassStateExited,SucceedStateEntered,SucceedStateExited,ExecutionSucceeded" {
		t.Errorf("history = %s", got)
	}
	if e := hist.Events[1].StateEnteredEventDetails; e == nil || *e.Name != "Add" || *e.Input != `{"a":2,"b":3}` {
		t.Errorf("StateEntered details = %+v", hist.Events[1].StateEnteredEventDetails)
	}
	noData := must[*sfn.GetExecutionHistoryOutput](t, "GetExecutionHistory without data")(c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: st.ExecutionArn, IncludeExecutionData: aws.Bool(false), ReverseOrder: true, MaxResults: 1}))
	if len(noData.Events) != 1 || noData.Events[0].Type != types.HistoryEventTypeExecutionSucceeded || noData.Events[0].ExecutionSucceededEventDetails.Output != nil || noData.NextToken == nil {
		t.Errorf("history without data = %+v", noData)
	}
	list := must[*sfn.ListExecutionsOutput](t, "ListExecutions")(c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: created.StateMachineArn, StatusFilter: types.ExecutionStatusSucceeded}))
	if len(list.Executions) != 1 || *list.Executions[0].Name != "one" {
		t.Errorf("ListExecutions = %+v", list.Executions)
	}
	forEx := must[*sfn.DescribeStateMachineForExecutionOutput](t, "DescribeStateMachineForExecution")(c.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: st.ExecutionArn}))
	if *forEx.Definition != def {
		t.Errorf("DescribeStateMachineForExecution definition = %s", *forEx.Definition)
	}

	waiter := must[*sfn.CreateStateMachineOutput](t, "CreateStateMachine waiter")(c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("waiter"), Definition: aws.String(waitDef), RoleArn: aws.String(roleArn)}))
	w := must[*sfn.StartExecutionOutput](t, "StartExecution waiter")(c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: waiter.StateMachineArn}))
	must[*sfn.StopExecutionOutput](t, "StopExecution")(c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: w.ExecutionArn, Error: aws.String("Halt")}))
	if d := waitDone(t, c, *w.ExecutionArn); d.Status != types.ExecutionStatusAborted {
		t.Errorf("stopped execution status %s", d.Status)
	}

	express := must[*sfn.CreateStateMachineOutput](t, "CreateStateMachine express")(c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("fast"), Definition: aws.String(def), RoleArn: aws.String(roleArn), Type: types.StateMachineTypeExpress}))
	sync := must[*sfn.StartSyncExecutionOutput](t, "StartSyncExecution")(c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: express.StateMachineArn, Input: aws.String(`{"a":40,"b":2}`)}))
	if sync.Status != types.SyncExecutionStatusSucceeded || *sync.Output != `{"sum":42}` {
		t.Errorf("StartSyncExecution = %s %v", sync.Status, aws.ToString(sync.Output))
	}

	async := must[*sfn.StartExecutionOutput](t, "StartExecution express")(c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: express.StateMachineArn, Input: aws.String(`{"a":1,"b":1}`)}))
	if !strings.Contains(*async.ExecutionArn, ":express:fast:") {
		t.Errorf("express execution ARN = %s", *async.ExecutionArn)
	}

	// Tags live with the state machine.
	tagged := must[*sfn.CreateStateMachineOutput](t, "CreateStateMachine tagged")(c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("tagged"), Definition: aws.String(def), RoleArn: aws.String(roleArn), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}}))
	must[*sfn.TagResourceOutput](t, "TagResource")(c.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: tagged.StateMachineArn, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}, {Key: aws.String("team"), Value: aws.String("platform")}}}))
	must[*sfn.UntagResourceOutput](t, "UntagResource")(c.UntagResource(ctx, &sfn.UntagResourceInput{ResourceArn: tagged.StateMachineArn, TagKeys: []string{"env", "absent"}}))
	must[*sfn.TagResourceOutput](t, "TagResource 2")(c.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: tagged.StateMachineArn, Tags: []types.Tag{{Key: aws.String("cost"), Value: aws.String("42")}}}))
	tl := must[*sfn.ListTagsForResourceOutput](t, "ListTagsForResource")(c.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: tagged.StateMachineArn}))
	var tagText []string
	for _, tg := range tl.Tags {
		tagText = append(tagText, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
	}
	if got := strings.Join(tagText, ","); got != "cost=42,team=platform" {
		t.Errorf("tags = %s", got)
	}
	if page := httpGet(t, url+"/state-machines/tagged"); !strings.Contains(page, `<span class="tag">team=platform</span>`) {
		t.Errorf("machine page does not show its tags")
	}
	_, err = c.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String(smArn + "-missing")})
	var notFound *types.ResourceNotFound
	if !errors.As(err, &notFound) {
		t.Errorf("ListTagsForResource of a missing machine: %v", err)
	}
	many := make([]types.Tag, 50)
	for i := range many {
		many[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")}
	}
	_, err = c.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: tagged.StateMachineArn, Tags: many})
	wantCode(t, "TagResource over the limit", err, "TooManyTags")

	_, err = c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: st.ExecutionArn})
	wantCode(t, "RedriveExecution of a SUCCEEDED execution", err, "ExecutionNotRedrivable")
	must[*sfn.DeleteStateMachineOutput](t, "DeleteStateMachine")(c.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: created.StateMachineArn}))
	_, err = c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: created.StateMachineArn})
	wantCode(t, "DescribeStateMachine after delete", err, "StateMachineDoesNotExist")

	// The engine and the adapter fed the metrics (the asynchronous EXPRESS
	// run is counted when it ends).
	var body []byte
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := http.Get(url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), `stepwise_executions_finished_total{status="SUCCEEDED"} 3`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{"stepwise_executions_started_total 4", `stepwise_executions_finished_total{status="SUCCEEDED"} 3`, `stepwise_executions_finished_total{status="ABORTED"} 1`, "stepwise_state_transitions_total 3", `stepwise_api_requests_total{operation="StartExecution",result="ok"}`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, grepLines(string(body), "stepwise_"))
		}
	}
}

// TestSDKTaskTokens completes .waitForTaskToken tasks through the SDK.
func TestSDKTaskTokens(t *testing.T) {
	t.Parallel()
	url, _ := realServer(t)
	c := sdkClient(url)
	ctx := sdkContext()
	def := `{"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"MessageBody":{"token.$":"$$.Task.Token"}},"End":true}}}`
	sm := must[*sfn.CreateStateMachineOutput](t, "CreateStateMachine")(c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("asker"), Definition: aws.String(def), RoleArn: aws.String(roleArn)}))
	token := func(arn string) string {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			h := must[*sfn.GetExecutionHistoryOutput](t, "GetExecutionHistory")(c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)}))
			for _, e := range h.Events {
				if d := e.TaskScheduledEventDetails; d != nil {
					var p struct {
						MessageBody struct {
							Token string `json:"token"`
						}
					}
					if err := json.Unmarshal([]byte(aws.ToString(d.Parameters)), &p); err == nil && p.MessageBody.Token != "" {
						return p.MessageBody.Token
					}
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("no task token in the history of %s", arn)
		return ""
	}
	ok := must[*sfn.StartExecutionOutput](t, "StartExecution ok")(c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn}))
	tok := token(*ok.ExecutionArn)
	must[*sfn.SendTaskHeartbeatOutput](t, "SendTaskHeartbeat")(c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(tok)}))
	_, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(`{"answer":`)})
	wantCode(t, "SendTaskSuccess bad output", err, "InvalidOutput")
	must[*sfn.SendTaskSuccessOutput](t, "SendTaskSuccess")(c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(`{"answer":42}`)}))
	if d := waitDone(t, c, *ok.ExecutionArn); d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"answer":42}` {
		t.Errorf("after SendTaskSuccess: %s %s", d.Status, aws.ToString(d.Output))
	}
	_, err = c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(`{}`)})
	var gone *types.TaskDoesNotExist
	if !errors.As(err, &gone) {
		t.Errorf("SendTaskSuccess twice: %v, want TaskDoesNotExist", err)
	}

	bad := must[*sfn.StartExecutionOutput](t, "StartExecution fail")(c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn}))
	must[*sfn.SendTaskFailureOutput](t, "SendTaskFailure")(c.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token(*bad.ExecutionArn)), Error: aws.String("Nope"), Cause: aws.String("declined")}))
	if d := waitDone(t, c, *bad.ExecutionArn); d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "Nope" || aws.ToString(d.Cause) != "declined" {
		t.Errorf("after SendTaskFailure: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	_, err = c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String("no-such-token")})
	wantCode(t, "SendTaskHeartbeat unknown token", err, "TaskDoesNotExist")
}

// browserRealEngine creates a state machine through the API, starts an
// execution from its page and sees it succeed on the execution page.
func browserRealEngine(t *testing.T, ctx context.Context) {
	base, _ := realServer(t)
	c := sdkClient(base)
	def := `{"StartAt":"Greet","States":{"Greet":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('Hello, {}!', $.who)"},"End":true}}}`
	must[*sfn.CreateStateMachineOutput](t, "CreateStateMachine")(c.CreateStateMachine(sdkContext(), &sfn.CreateStateMachineInput{Name: aws.String("greeter"), Definition: aws.String(def), RoleArn: aws.String(roleArn)}))
	run(t, ctx, "open machine", chromedp.Navigate(base+"/state-machines/greeter"))
	run(t, ctx, "start",
		clear(`textarea[name=input]`),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=input]`), `{"who": "Ada"}`),
		chromedp.SetValue(chromedp.CSS(`#start input[name=name]`), "hello-ada"),
		chromedp.Click(chromedp.CSS(`[data-testid=start-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=execution-status]`)))
	// The page refreshes itself while the execution runs.
	run(t, ctx, "succeeded", chromedp.WaitVisible(chromedp.CSS(`.page-head[data-status=SUCCEEDED]`)))
	wantContains(t, ctx, "succeeded", text(t, ctx, "succeeded", "main"), "hello-ada", "Succeeded", `"greeting": "Hello, Ada!"`, "PassStateEntered", "ExecutionSucceeded")
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
