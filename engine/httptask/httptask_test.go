package httptask_test

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
	"stepwise/engine/httptask"
	"stepwise/engine/jsonv"
	"stepwise/engine/registry"
)

// echo answers with what it received, as JSON.
func echoServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.HasPrefix(r.URL.Path, "/status/") {
			var code int
			fmt.Sscanf(r.URL.Path, "/status/%d", &code)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"problem":%d}`, code)
			return
		}
		if r.URL.Path == "/hop" {
			// To the same server under another host name.
			http.Redirect(w, r, "http://localhost:"+r.Host[strings.LastIndex(r.Host, ":")+1:]+"/x", http.StatusFound)
			return
		}
		if r.URL.Path == "/same" {
			http.Redirect(w, r, "/x", http.StatusFound)
			return
		}
		if r.URL.Path == "/text" {
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "plain words")
			return
		}
		if r.URL.Path == "/big" {
			w.Write(make([]byte, 2048))
			return
		}
		if r.URL.Path == "/slow" {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", "yes")
		o := jsonv.ObjectOf("method", r.Method, "query", r.URL.RawQuery, "body", string(body),
			"contentType", r.Header.Get("Content-Type"), "custom", r.Header.Get("X-Custom"),
			"auth", r.Header.Get("Authorization"), "apiKey", r.Header.Get("X-Api-Key"))
		w.Write(jsonv.Marshal(o))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func loopbackGuard() *httptask.Guard {
	return &httptask.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
}

func invoke(t *testing.T, in *httptask.Integration, params string) engine.TaskResult {
	t.Helper()
	p, err := jsonv.DecodeString(params)
	if err != nil {
		t.Fatal(err)
	}
	return in.Invoke(t.Context(), &engine.TaskRequest{Resource: httptask.Resource, StateName: "Call", Input: p})
}

func field(t *testing.T, v any, path ...string) any {
	t.Helper()
	for _, k := range path {
		o, ok := v.(*jsonv.Object)
		if !ok {
			t.Fatalf("%s: not an object in %s", k, jsonv.String(v))
		}
		v, _ = o.Get(k)
	}
	return v
}

func TestHTTPTaskRequests(t *testing.T) {
	t.Parallel()
	srv := echoServer(t)
	in := &httptask.Integration{Guard: loopbackGuard()}
	tests := []struct {
		name, params string
		method       string
		query, body  string
		contentType  string
	}{
		{"GET with query", `{"ApiEndpoint":"` + srv.URL + `/x","Method":"GET","QueryParameters":{"a":"1","b":[2,true]}}`, "GET", "a=1&b=2&b=true", "", ""},
		{"POST JSON body", `{"ApiEndpoint":"` + srv.URL + `/x","Method":"POST","RequestBody":{"k":[1,{"n":null}]}}`, "POST", "", `{"k":[1,{"n":null}]}`, "application/json; charset=UTF-8"},
		{"lower-case method", `{"ApiEndpoint":"` + srv.URL + `/x","Method":"put","RequestBody":"s"}`, "PUT", "", `"s"`, "application/json; charset=UTF-8"},
		{"DELETE", `{"ApiEndpoint":"` + srv.URL + `/x","Method":"DELETE"}`, "DELETE", "", "", ""},
		{"PATCH", `{"ApiEndpoint":"` + srv.URL + `/x","Method":"PATCH","RequestBody":{}}`, "PATCH", "", "{}", "application/json; charset=UTF-8"},
		{"endpoint query kept", `{"ApiEndpoint":"` + srv.URL + `/x?z=9","Method":"GET","QueryParameters":{"a":"b c"}}`, "GET", "a=b+c&z=9", "", ""},
		{"URL_ENCODED default INDICES", `{"ApiEndpoint":"` + srv.URL + `/x","Method":"POST","RequestBody":{"a":["x","y"],"o":{"p":1}},"Transform":{"RequestBodyEncoding":"URL_ENCODED"}}`,
			"POST", "", "a%5B0%5D=x&a%5B1%5D=y&o%5Bp%5D=1", "application/x-www-form-urlencoded"},
		{"URL_ENCODED BRACKETS", `{"ApiEndpoint":"` + srv.URL + `/x","Method":"POST","RequestBody":{"a":["x","y"],"b":"c d"},"Transform":{"RequestBodyEncoding":"URL_ENCODED","RequestEncodingOptions":{"ArrayFormat":"BRACKETS"}}}`,
			"POST", "", "a%5B%5D=x&a%5B%5D=y&b=c+d", "application/x-www-form-urlencoded"},
		{"URL_ENCODED COMMAS", `{"ApiEndpoint":"` + srv.URL + `/x","Method":"POST","RequestBody":{"a":["x","y",3]},"Transform":{"RequestBodyEncoding":"URL_ENCODED","RequestEncodingOptions":{"ArrayFormat":"COMMAS"}}}`,
			"POST", "", "a=x%2Cy%2C3", "application/x-www-form-urlencoded"},
		{"URL_ENCODED REPEAT", `{"ApiEndpoint":"` + srv.URL + `/x","Method":"POST","RequestBody":{"a":["x","y"]},"Transform":{"RequestBodyEncoding":"URL_ENCODED","RequestEncodingOptions":{"ArrayFormat":"REPEAT"}}}`,
			"POST", "", "a=x&a=y", "application/x-www-form-urlencoded"},
		{"URL_ENCODED INDICES", `{"ApiEndpoint":"` + srv.URL + `/x","Method":"POST","RequestBody":{"a":["x",["y"]]},"Transform":{"RequestBodyEncoding":"URL_ENCODED","RequestEncodingOptions":{"ArrayFormat":"INDICES"}}}`,
			"POST", "", "a%5B0%5D=x&a%5B1%5D%5B0%5D=y", "application/x-www-form-urlencoded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := invoke(t, in, tc.params)
			if r.Failed {
				t.Fatalf("failed: %s: %s", r.Error, r.Cause)
			}
			if got := jsonv.String(field(t, r.Output, "StatusCode")); got != "200" {
				t.Errorf("StatusCode %s", got)
			}
			if got := field(t, r.Output, "StatusText"); got != "OK" {
				t.Errorf("StatusText %v", got)
			}
			if got := jsonv.String(field(t, r.Output, "Headers", "x-echo")); got != `["yes"]` {
				t.Errorf("Headers.x-echo %s", got)
			}
			for k, want := range map[string]string{"method": tc.method, "query": tc.query, "body": tc.body, "contentType": tc.contentType} {
				if got := field(t, r.Output, "ResponseBody", k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestHTTPTaskHeadersAndBodies(t *testing.T) {
	t.Parallel()
	srv := echoServer(t)
	in := &httptask.Integration{Guard: loopbackGuard()}
	r := invoke(t, in, `{"ApiEndpoint":"`+srv.URL+`/x","Method":"GET","Headers":{"X-Custom":"v1"}}`)
	if r.Failed || field(t, r.Output, "ResponseBody", "custom") != "v1" {
		t.Fatalf("custom header: %+v", r)
	}
	r = invoke(t, in, `{"ApiEndpoint":"`+srv.URL+`/text","Method":"GET"}`)
	if r.Failed || field(t, r.Output, "ResponseBody") != "plain words" {
		t.Fatalf("text body: %+v", r)
	}
}

func TestHTTPTaskFailures(t *testing.T) {
	t.Parallel()
	srv := echoServer(t)
	in := &httptask.Integration{Guard: loopbackGuard(), MaxResponseBytes: 1024, Timeout: 300 * time.Millisecond}
	tests := []struct {
		name, params, err, cause string
	}{
		{"404", `{"ApiEndpoint":"` + srv.URL + `/status/404","Method":"GET"}`, "States.Http.StatusCode.404", `"ResponseBody":{"problem":404},"StatusCode":404,"StatusText":"Not Found"`},
		{"500", `{"ApiEndpoint":"` + srv.URL + `/status/500","Method":"POST"}`, "States.Http.StatusCode.500", `"StatusCode":500`},
		{"302 not followed to nowhere", `{"ApiEndpoint":"` + srv.URL + `/status/304","Method":"GET"}`, "States.Http.StatusCode.304", `"StatusCode":304`},
		{"too large", `{"ApiEndpoint":"` + srv.URL + `/big","Method":"GET"}`, "States.Http.Socket", "exceeds 1024 bytes"},
		{"timeout", `{"ApiEndpoint":"` + srv.URL + `/slow","Method":"GET"}`, "States.Http.Socket", "no answer within"},
		{"guarded", `{"ApiEndpoint":"http://169.254.169.254/latest/meta-data/","Method":"GET"}`, "States.Http.Socket", "cloud metadata address"},
		{"no endpoint", `{"Method":"GET"}`, "States.TaskFailed", "ApiEndpoint must be"},
		{"relative endpoint", `{"ApiEndpoint":"/x","Method":"GET"}`, "States.TaskFailed", "absolute http"},
		{"file scheme", `{"ApiEndpoint":"file:///etc/passwd","Method":"GET"}`, "States.TaskFailed", "absolute http"},
		{"bad method", `{"ApiEndpoint":"` + srv.URL + `","Method":"TRACE"}`, "States.TaskFailed", "must be one of"},
		{"bad encoding", `{"ApiEndpoint":"` + srv.URL + `","Method":"POST","RequestBody":{},"Transform":{"RequestBodyEncoding":"XML"}}`, "States.TaskFailed", "NONE or URL_ENCODED"},
		{"bad array format", `{"ApiEndpoint":"` + srv.URL + `","Method":"POST","RequestBody":{},"Transform":{"RequestBodyEncoding":"URL_ENCODED","RequestEncodingOptions":{"ArrayFormat":"X"}}}`, "States.TaskFailed", "BRACKETS, COMMAS"},
		{"url-encoded non-object", `{"ApiEndpoint":"` + srv.URL + `","Method":"POST","RequestBody":[1],"Transform":{"RequestBodyEncoding":"URL_ENCODED"}}`, "States.TaskFailed", "must be an object"},
		{"host header", `{"ApiEndpoint":"` + srv.URL + `","Method":"GET","Headers":{"Host":"evil"}}`, "States.TaskFailed", `"Host" may not be set`},
		{"object header", `{"ApiEndpoint":"` + srv.URL + `","Method":"GET","Headers":{"X":{}}}`, "States.TaskFailed", "Headers"},
		{"unknown connection", `{"ApiEndpoint":"` + srv.URL + `","Method":"GET","Authentication":{"ConnectionArn":"arn:aws:events:us-east-1:123456789012:connection/nope/abc"}}`, "States.TaskFailed", `connection "nope" is not registered`},
		{"bad connection arn", `{"ApiEndpoint":"` + srv.URL + `","Method":"GET","Authentication":{"ConnectionArn":"nope"}}`, "States.TaskFailed", "ConnectionArn"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := invoke(t, in, tc.params)
			if !r.Failed || r.Error != tc.err || !strings.Contains(r.Cause, tc.cause) {
				t.Fatalf("got %v %q %q, want %s with cause containing %q", r.Failed, r.Error, r.Cause, tc.err, tc.cause)
			}
		})
	}
}

func TestHTTPTaskConnections(t *testing.T) {
	t.Parallel()
	var tokenFetches atomic.Int32
	tokenSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		_ = r.ParseForm()
		if !ok || id != "client" || secret != "s3cret-oauth" || r.Form.Get("grant_type") != "client_credentials" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"bad client s3cret-oauth"}`)
			return
		}
		tokenFetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"tok-%d","expires_in":3600}`, tokenFetches.Load())
	}))
	t.Cleanup(tokenSrv.Close)
	srv := echoServer(t)
	reg := registry.NewMem()
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(reg.PutConnection(ctx, registry.Connection{Name: "key", AuthType: registry.AuthAPIKey, APIKeyName: "X-Api-Key", APIKeyValue: "s3cret-key"}))
	must(reg.PutConnection(ctx, registry.Connection{Name: "basic", AuthType: registry.AuthBasic, Username: "u", Password: "s3cret-pw"}))
	must(reg.PutConnection(ctx, registry.Connection{Name: "oauth", AuthType: registry.AuthOAuth, AuthorizationEndpoint: tokenSrv.URL + "/token", ClientID: "client", ClientSecret: "s3cret-oauth"}))
	must(reg.PutConnection(ctx, registry.Connection{Name: "oauth-bad", AuthType: registry.AuthOAuth, AuthorizationEndpoint: tokenSrv.URL + "/token", ClientID: "client", ClientSecret: "wrong-s3cret"}))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var clock atomic.Int64
	clock.Store(now.UnixNano())
	in := &httptask.Integration{Guard: &httptask.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, AllowHosts: []string{"localhost"}}, Registry: reg, Now: func() time.Time { return time.Unix(0, clock.Load()) }}
	call := func(conn string) engine.TaskResult {
		return invoke(t, in, `{"ApiEndpoint":"`+srv.URL+`/x","Method":"GET","Authentication":{"ConnectionArn":"arn:aws:events:us-east-1:123456789012:connection/`+conn+`/0b5f"}}`)
	}
	r := call("key")
	if r.Failed || field(t, r.Output, "ResponseBody", "apiKey") != "s3cret-key" {
		t.Fatalf("API key: %+v", r)
	}
	hop := func(path string) engine.TaskResult {
		return invoke(t, in, `{"ApiEndpoint":"`+srv.URL+path+`","Method":"GET","Authentication":{"ConnectionArn":"arn:aws:events:us-east-1:123456789012:connection/key/0b5f"}}`)
	}
	if r := hop("/same"); r.Failed || field(t, r.Output, "ResponseBody", "apiKey") != "s3cret-key" {
		t.Fatalf("same-host redirect: %+v", r)
	}
	if r := hop("/hop"); r.Failed || field(t, r.Output, "ResponseBody", "apiKey") != "" {
		t.Fatalf("cross-host redirect kept the API key: %+v", r)
	}
	r = call("basic")
	if r.Failed || field(t, r.Output, "ResponseBody", "auth") != "Basic dTpzM2NyZXQtcHc=" {
		t.Fatalf("basic: %+v", r)
	}
	for range 3 {
		r = call("oauth")
		if r.Failed || field(t, r.Output, "ResponseBody", "auth") != "Bearer tok-1" {
			t.Fatalf("oauth: %+v", r)
		}
	}
	if n := tokenFetches.Load(); n != 1 {
		t.Errorf("token fetched %d times, want 1 (cached)", n)
	}
	clock.Add(int64(time.Hour))
	r = call("oauth")
	if r.Failed || field(t, r.Output, "ResponseBody", "auth") != "Bearer tok-2" {
		t.Fatalf("oauth after expiry: %+v", r)
	}
	r = call("oauth-bad")
	if !r.Failed || !strings.Contains(r.Cause, "401") {
		t.Fatalf("bad oauth: %+v", r)
	}
	// Secrets never leak into results, errors or causes.
	for _, res := range []engine.TaskResult{call("oauth-bad"), invoke(t, in, `{"ApiEndpoint":"http://10.0.0.1/","Method":"GET","Authentication":{"ConnectionArn":"arn:aws:events:us-east-1:1:connection/basic"}}`)} {
		for _, secret := range []string{"s3cret", "wrong-s3cret"} {
			if strings.Contains(res.Cause, secret) || strings.Contains(res.Error, secret) {
				t.Errorf("secret in %+v", res)
			}
		}
	}
}

func TestHTTPTaskInEngine(t *testing.T) {
	t.Parallel()
	srv := echoServer(t)
	e := engine.New(engine.Options{Store: engine.NewMemStore(), Integrations: []engine.Integration{&httptask.Integration{Guard: loopbackGuard()}}})
	ctx := t.Context()
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	def := `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::http:invoke",
	  "Parameters":{"ApiEndpoint":"` + srv.URL + `/status/503","Method":"GET"},
	  "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Ok"}],"End":true},
	  "Ok":{"Type":"Pass","OutputPath":"$.err.Error","End":true}}}`
	sm, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "http", Definition: def})
	if err != nil {
		t.Fatal(err)
	}
	x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	x, err = e.Wait(wctx, x.ARN)
	if err != nil {
		t.Fatal(err)
	}
	if x.Status != engine.Succeeded || x.Output != `"States.Http.StatusCode.503"` {
		t.Fatalf("%s %s %s %s", x.Status, x.Output, x.Error, x.Cause)
	}
}

func TestParseConnectionARN(t *testing.T) {
	t.Parallel()
	a, err := httptask.ParseConnectionARN("arn:aws:events:eu-west-1:123456789012:connection/my-conn/0b5f-12")
	if err != nil || a.Name != "my-conn" || a.ID != "0b5f-12" || a.Region != "eu-west-1" || a.String() != "arn:aws:events:eu-west-1:123456789012:connection/my-conn/0b5f-12" {
		t.Fatalf("%+v %v", a, err)
	}
	for _, bad := range []string{"", "arn:aws:events:r:a:rule/x", "arn:aws:lambda:r:a:connection/x/y", "arn:aws:events:r:a:connection/", "arn:aws:events:r:a:connection/x/", "arn:aws:events:r:a:connection/x/y/z", "x:aws:events:r:a:connection/x"} {
		if _, err := httptask.ParseConnectionARN(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func FuzzParseConnectionARN(f *testing.F) {
	f.Add("arn:aws:events:eu-west-1:123456789012:connection/my-conn/0b5f-12")
	f.Add("arn:aws:events:::connection/x")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := httptask.ParseConnectionARN(s)
		if err != nil {
			return
		}
		b, err := httptask.ParseConnectionARN(a.String())
		if err != nil || b != a {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, a, a.String(), b, err)
		}
	})
}

func FuzzURLEncode(f *testing.F) {
	f.Add(`{"a":["x","y"],"o":{"p":[1,{"q":true}]}}`, "BRACKETS")
	f.Fuzz(func(t *testing.T, doc, format string) {
		v, err := jsonv.DecodeString(doc)
		if err != nil {
			return
		}
		_, _ = httptask.URLEncode(v, httptask.ArrayFormat(format))
	})
}

func TestHTTPTaskLimits(t *testing.T) {
	t.Parallel()
	srv := echoServer(t)
	params, _ := jsonv.DecodeString(`{"ApiEndpoint":"` + srv.URL + `/big","Method":"GET"}`)
	for _, tc := range []struct {
		limit int64
		ok    bool
	}{{2048, true}, {2047, false}} {
		in := &httptask.Integration{Guard: loopbackGuard(), MaxResponseBytes: tc.limit}
		r := in.Invoke(t.Context(), &engine.TaskRequest{Resource: httptask.Resource, Input: params})
		if r.Failed == tc.ok {
			t.Errorf("limit %d: %+v", tc.limit, r.Cause)
		}
	}
	// The task's TimeoutSeconds shortens the integration's timeout.
	slow, _ := jsonv.DecodeString(`{"ApiEndpoint":"` + srv.URL + `/slow","Method":"GET"}`)
	in := &httptask.Integration{Guard: loopbackGuard()}
	start := time.Now()
	r := in.Invoke(t.Context(), &engine.TaskRequest{Resource: httptask.Resource, Input: slow, TimeoutSeconds: 1})
	if !r.Failed || !strings.Contains(r.Cause, "no answer within 1s") || time.Since(start) > 4*time.Second {
		t.Errorf("TimeoutSeconds: %+v after %s", r, time.Since(start))
	}
}
