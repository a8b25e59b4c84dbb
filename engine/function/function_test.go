package function_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"stepwise/engine"
	"stepwise/engine/function"
	"stepwise/engine/httptask"
	"stepwise/engine/jsonv"
	"stepwise/engine/registry"
)

type bundle struct {
	reg    *registry.Mem
	in     *function.Integration
	srv    *httptest.Server
	flaky  atomic.Int32 // calls to /flaky
	seen   atomic.Value // last request body of /echo
	header atomic.Value // last invocation type
}

func setup(t *testing.T) *bundle {
	t.Helper()
	b := &bundle{reg: registry.NewMem()}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.header.Store(r.Header.Get("X-Amz-Invocation-Type"))
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/echo":
			b.seen.Store(string(body))
			fmt.Fprintf(w, `{"got":%s}`, body)
		case "/handled":
			w.Header().Set("X-Amz-Function-Error", "Handled")
			fmt.Fprint(w, `{"errorType":"OrderRejected","errorMessage":"no stock","trace":[]}`)
		case "/status-error":
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"errorType":"ValidationError","errorMessage":"bad input"}`)
		case "/unhandled":
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			fmt.Fprint(w, `not json`)
		case "/flaky":
			if b.flaky.Add(1) <= 2 {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			fmt.Fprint(w, `"finally"`)
		case "/empty":
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(b.srv.Close)
	for name, path := range map[string]string{"echo": "/echo", "handled": "/handled", "status-error": "/status-error",
		"unhandled": "/unhandled", "flaky": "/flaky", "empty": "/empty", "gone": "/gone"} {
		if err := b.reg.PutFunction(t.Context(), registry.Function{Name: name, URL: b.srv.URL + path}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.reg.PutFunction(t.Context(), registry.Function{Name: "metadata", URL: "http://169.254.169.254/latest"}); err != nil {
		t.Fatal(err)
	}
	b.in = &function.Integration{Registry: b.reg,
		Guard: &httptask.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}}
	return b
}

func run(t *testing.T, b *bundle, def, input string) *engine.Execution {
	t.Helper()
	ctx := t.Context()
	e := engine.New(engine.Options{Store: engine.NewMemStore(), Clock: engine.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true),
		Integrations: []engine.Integration{b.in, engine.CallbackIntegration{}}})
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	sm, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "fn", Definition: def})
	if err != nil {
		t.Fatal(err)
	}
	x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN, Input: input})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	x, err = e.Wait(wctx, x.ARN)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func task(resource, params, extra string) string {
	p := ""
	if params != "" {
		p = `"Parameters":` + params + `,`
	}
	return `{"StartAt":"F","States":{"F":{"Type":"Task","Resource":"` + resource + `",` + p + extra + `"End":true}}}`
}

func TestLambdaInvokeInEngine(t *testing.T) {
	t.Parallel()
	b := setup(t)
	x := run(t, b, task("arn:aws:states:::lambda:invoke", `{"FunctionName":"echo","Payload":{"n.$":"$.n"}}`, ""), `{"n":7}`)
	if x.Status != engine.Succeeded {
		t.Fatalf("%s %s %s", x.Status, x.Error, x.Cause)
	}
	out, err := jsonv.DecodeString(x.Output)
	if err != nil {
		t.Fatal(err)
	}
	o := out.(*jsonv.Object)
	if got := jsonv.String(mustGet(t, o, "Payload")); got != `{"got":{"n":7}}` {
		t.Errorf("Payload %s", got)
	}
	if got := jsonv.String(mustGet(t, o, "StatusCode")); got != "200" {
		t.Errorf("StatusCode %s", got)
	}
	if got := mustGet(t, o, "ExecutedVersion"); got != "$LATEST" {
		t.Errorf("ExecutedVersion %v", got)
	}
	if keys := strings.Join(o.Keys(), ","); keys != "ExecutedVersion,Payload,SdkHttpMetadata,SdkResponseMetadata,StatusCode" {
		t.Errorf("keys %s", keys)
	}
	md := mustGet(t, o, "SdkHttpMetadata").(*jsonv.Object)
	if got := jsonv.String(mustGet(t, md, "HttpStatusCode")); got != "200" {
		t.Errorf("HttpStatusCode %s", got)
	}
	rid := mustGet(t, mustGet(t, o, "SdkResponseMetadata").(*jsonv.Object), "RequestId").(string)
	if len(rid) != 36 {
		t.Errorf("RequestId %q", rid)
	}
}

func mustGet(t *testing.T, o *jsonv.Object, k string) any {
	t.Helper()
	v, ok := o.Get(k)
	if !ok {
		t.Fatalf("no %s in %s", k, jsonv.String(o))
	}
	return v
}

func TestBareARNAndNames(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, res := range []string{
		"arn:aws:lambda:us-east-1:123456789012:function:echo",
		"arn:aws:lambda:eu-west-1:123456789012:function:echo:prod",
		"arn:aws:lambda:us-east-1:123456789012:function:echo:$LATEST",
	} {
		x := run(t, b, task(res, "", ""), `{"a":[1,2]}`)
		if x.Status != engine.Succeeded || x.Output != `{"got":{"a":[1,2]}}` {
			t.Errorf("%s: %s %s %s %s", res, x.Status, x.Output, x.Error, x.Cause)
		}
	}
	for _, fn := range []string{"echo:1", "123456789012:function:echo", "arn:aws:lambda:us-east-1:123456789012:function:echo:7"} {
		x := run(t, b, task("arn:aws:states:::lambda:invoke", `{"FunctionName":"`+fn+`","Payload":"p"}`, `"OutputPath":"$.Payload",`), `{}`)
		if x.Status != engine.Succeeded || x.Output != `{"got":"p"}` {
			t.Errorf("%s: %s %s %s %s", fn, x.Status, x.Output, x.Error, x.Cause)
		}
	}
	x := run(t, b, task("arn:aws:states:::lambda:invoke", `{"FunctionName":"echo:3"}`, `"OutputPath":"$.ExecutedVersion",`), `{}`)
	if x.Output != `"3"` {
		t.Errorf("ExecutedVersion of a version qualifier: %s", x.Output)
	}
	if got := b.seen.Load(); got != "{}" {
		t.Errorf("no Payload sent %v, want {}", got)
	}
	x = run(t, b, task("arn:aws:states:::lambda:invoke", `{"FunctionName":"empty"}`, `"OutputPath":"$.Payload",`), `{}`)
	if x.Status != engine.Succeeded || x.Output != `null` {
		t.Errorf("empty answer: %s %s", x.Status, x.Output)
	}
	x = run(t, b, task("arn:aws:states:::lambda:invoke", `{"FunctionName":"echo","InvocationType":"Event"}`, `"OutputPath":"$.StatusCode",`), `{}`)
	if x.Status != engine.Succeeded || x.Output != `202` {
		t.Errorf("Event: %s %s", x.Status, x.Output)
	}
	x = run(t, b, task("arn:aws:states:::lambda:invoke", `{"FunctionName":"echo","InvocationType":"DryRun"}`, `"OutputPath":"$.StatusCode",`), `{}`)
	if x.Status != engine.Succeeded || x.Output != `204` {
		t.Errorf("DryRun: %s %s", x.Status, x.Output)
	}
}

func TestFunctionErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		name, def, err, cause string
	}{
		{"handled error", task("arn:aws:states:::lambda:invoke", `{"FunctionName":"handled","Payload":{}}`, ""),
			"OrderRejected", `{"errorType":"OrderRejected","errorMessage":"no stock","trace":[]}`},
		{"error body with error status", task("arn:aws:lambda:us-east-1:123456789012:function:status-error", "", ""),
			"ValidationError", `{"errorType":"ValidationError","errorMessage":"bad input"}`},
		{"unhandled without a JSON body", task("arn:aws:states:::lambda:invoke", `{"FunctionName":"unhandled"}`, ""), "Lambda.Unknown", "not json"},
		{"unregistered", task("arn:aws:states:::lambda:invoke", `{"FunctionName":"nope"}`, ""), "Lambda.ResourceNotFoundException",
			`Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope. Register a function named "nope"`},
		{"endpoint 404", task("arn:aws:states:::lambda:invoke", `{"FunctionName":"gone"}`, ""), "Lambda.ResourceNotFoundException", "answered 404"},
		{"guarded endpoint", task("arn:aws:states:::lambda:invoke", `{"FunctionName":"metadata"}`, ""), "Lambda.ServiceException", "cloud metadata address"},
		{"bad name", task("arn:aws:states:::lambda:invoke", `{"FunctionName":"a b"}`, ""), "Lambda.InvalidParameterValueException", "is not a function name"},
		{"bad invocation type", task("arn:aws:states:::lambda:invoke", `{"FunctionName":"echo","InvocationType":"Later"}`, ""), "Lambda.InvalidParameterValueException", "InvocationType"},
		{"no retry on service exception", task("arn:aws:states:::lambda:invoke", `{"FunctionName":"flaky"}`, ""), "Lambda.ServiceException", "502"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			x := run(t, b, tc.def, `{}`)
			if x.Status != engine.Failed || x.Error != tc.err || !strings.Contains(x.Cause, tc.cause) {
				t.Fatalf("%s %q %q; want %s, cause containing %q", x.Status, x.Error, x.Cause, tc.err, tc.cause)
			}
		})
	}
}

func TestRetryOnServiceException(t *testing.T) {
	t.Parallel()
	b := setup(t)
	def := task("arn:aws:states:::lambda:invoke", `{"FunctionName":"flaky"}`,
		`"Retry":[{"ErrorEquals":["Lambda.ServiceException"],"IntervalSeconds":1,"MaxAttempts":3}],"OutputPath":"$.Payload",`)
	x := run(t, b, def, `{}`)
	if x.Status != engine.Succeeded || x.Output != `"finally"` {
		t.Fatalf("%s %s %s %s", x.Status, x.Output, x.Error, x.Cause)
	}
	if n := b.flaky.Load(); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
}

func TestParseName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want function.Name
	}{
		{"f", function.Name{Name: "f"}},
		{"f:prod", function.Name{Name: "f", Qualifier: "prod"}},
		{"f:$LATEST", function.Name{Name: "f", Qualifier: "$LATEST"}},
		{"123456789012:function:f", function.Name{Account: "123456789012", Name: "f"}},
		{"123456789012:function:f:2", function.Name{Account: "123456789012", Name: "f", Qualifier: "2"}},
		{"arn:aws:lambda:eu-west-1:123456789012:function:f", function.Name{Region: "eu-west-1", Account: "123456789012", Name: "f"}},
		{"arn:aws:lambda:eu-west-1:123456789012:function:f:a", function.Name{Region: "eu-west-1", Account: "123456789012", Name: "f", Qualifier: "a"}},
	}
	for _, tc := range tests {
		got, err := function.ParseName(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseName(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "a b", "f:", "f:a b", "1:function:f", "arn:aws:lambda:r:123456789012:layer:f", "arn:aws:s3:r:123456789012:function:f",
		"arn:aws:lambda:r:123456789012:function:f:q:x", "a:b:c", strings.Repeat("x", 141)} {
		if n, err := function.ParseName(bad); err == nil {
			t.Errorf("ParseName(%q) = %+v", bad, n)
		}
	}
}

func FuzzParseName(f *testing.F) {
	for _, s := range []string{"f", "f:1", "123456789012:function:f:q", "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST", "a:b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := function.ParseName(s)
		if err != nil {
			return
		}
		arn := n.ARN("us-east-1", "123456789012")
		m, err := function.ParseName(arn)
		if err != nil || m.Name != n.Name || m.Qualifier != n.Qualifier {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, n, arn, m, err)
		}
	})
}

func TestWaitForTaskToken(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	e := engine.New(engine.Options{Store: engine.NewMemStore(),
		Integrations: []engine.Integration{b.in, engine.CallbackIntegration{}}})
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	def := task(function.ResourceCallback, `{"FunctionName":"echo","Payload":{"token.$":"$$.Task.Token"}}`, "")
	sm, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "cb", Definition: def})
	if err != nil {
		t.Fatal(err)
	}
	x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN})
	if err != nil {
		t.Fatal(err)
	}
	var token string
	for deadline := time.Now().Add(10 * time.Second); token == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if s, _ := b.seen.Load().(string); s != "" {
			v, err := jsonv.DecodeString(s)
			if err != nil {
				t.Fatal(err)
			}
			token, _ = mustGet(t, v.(*jsonv.Object), "token").(string)
		}
	}
	if token == "" {
		t.Fatal("the function never received the task token")
	}
	if d, _ := e.DescribeExecution(ctx, x.ARN); d.Status != engine.Running {
		t.Fatalf("status %s before the callback", d.Status)
	}
	if err := e.SendTaskSuccess(ctx, token, `{"ok":true}`); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	x, err = e.Wait(wctx, x.ARN)
	if err != nil || x.Status != engine.Succeeded || x.Output != `{"ok":true}` {
		t.Fatalf("%v %s %s", err, x.Status, x.Output)
	}

	// A call that fails ends the task at once.
	x = run(t, b, task(function.ResourceCallback, `{"FunctionName":"nope","Payload":{"token.$":"$$.Task.Token"}}`, ""), `{}`)
	if x.Status != engine.Failed || x.Error != function.ErrNotFound {
		t.Errorf("%s %s", x.Status, x.Error)
	}
}
