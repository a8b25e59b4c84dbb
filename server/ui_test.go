package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"stepwise/server"
)

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func seedFake(t *testing.T, eng *fakeEngine) {
	t.Helper()
	ctx := context.Background()
	for name, def := range map[string]string{"sm": passDef, "waiter": waitDef, "failer": failDef} {
		if _, err := eng.CreateStateMachine(ctx, &server.CreateStateMachineInput{Name: &name, Definition: &def, RoleArn: ptrTo(roleArn)}); err != nil {
			t.Fatal(err)
		}
	}
	for sm, in := range map[string]string{"sm": `{"x":"<script>alert(1)</script>"}`, "waiter": "{}", "failer": "{}"} {
		if _, err := eng.StartExecution(ctx, &server.StartExecutionInput{StateMachineArn: ptrTo("arn:aws:states:us-east-1:123456789012:stateMachine:" + sm), Name: ptrTo(sm + "-run"), Input: &in}); err != nil {
			t.Fatal(err)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

func TestPages(t *testing.T) {
	t.Parallel()
	eng := newFakeEngine()
	seedFake(t, eng)
	h := newServer(t, eng).Handler()
	cases := []struct {
		path   string
		status int
		want   []string
		absent []string
	}{
		{"/", http.StatusFound, nil, nil},
		{"/state-machines", 200, []string{"State machines", ">sm<", ">waiter<", "badge-ok", "badge-fail", "badge-run", `name="_csrf"`}, nil},
		{"/state-machines?q=wai", 200, []string{">waiter<"}, []string{">failer<"}},
		{"/state-machines?type=EXPRESS", 200, []string{"Nothing matches"}, []string{">sm<"}},
		{"/state-machines/sm", 200, []string{"arn:aws:states:us-east-1:123456789012:stateMachine:sm", "&#34;StartAt&#34;: &#34;P&#34;", "sm-run", "Start execution"}, nil},
		{"/state-machines/sm?status=FAILED", 200, []string{"No executions with this status"}, []string{"sm-run<"}},
		{"/state-machines/sm/executions/sm-run", 200, []string{"Succeeded", "&lt;script&gt;alert(1)&lt;/script&gt;", "ExecutionSucceeded", "$0.000025"}, []string{"<script>alert"}},
		{"/state-machines/waiter/executions/waiter-run", 200, []string{"Running", "/stop", "data-autorefresh"}, nil},
		{"/state-machines/failer/executions/failer-run", 200, []string{"Boom", "it broke", "Redrive is not supported by this engine yet"}, nil},
		{"/state-machines/nope", 404, []string{"Page not found", "State machine nope does not exist."}, nil},
		{"/state-machines/sm/executions/nope", 404, []string{"Execution nope of sm does not exist."}, nil},
		{"/no/such/page", 404, []string{"There is no page at /no/such/page."}, nil},
		{"/activities", 200, []string{"Activities are not available yet"}, nil},
		{"/healthz", 200, []string{"ok"}, nil},
		{"/metrics", 200, []string{"stepwise_executions_started_total", "go_goroutines"}, nil},
	}
	for _, c := range cases {
		rec := get(t, h, c.path)
		if rec.Code != c.status {
			t.Errorf("GET %s: status %d, want %d", c.path, rec.Code, c.status)
		}
		body := rec.Body.String()
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: body lacks %q", c.path, w)
			}
		}
		for _, a := range c.absent {
			if strings.Contains(body, a) {
				t.Errorf("GET %s: body has %q", c.path, a)
			}
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	h := newServer(t, newFakeEngine()).Handler()
	rec := get(t, h, "/state-machines")
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if strings.Contains(rec.Body.String(), "<script>") || regexp.MustCompile(`<script(?: [^>]*)?>[^<]`).MatchString(rec.Body.String()) {
		t.Errorf("page has an inline script")
	}
	if strings.Contains(rec.Body.String(), "style=") {
		t.Errorf("page has an inline style")
	}
}

func TestStaticAssets(t *testing.T) {
	t.Parallel()
	h := newServer(t, newFakeEngine()).Handler()
	page := get(t, h, "/state-machines").Body.String()
	m := regexp.MustCompile(`/static/app\.[0-9a-f]{12}\.js`).FindString(page)
	if m == "" {
		t.Fatalf("page links no hashed app.js")
	}
	rec := get(t, h, m)
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") || !strings.Contains(rec.Header().Get("Content-Type"), "javascript") {
		t.Errorf("GET %s: %d %v", m, rec.Code, rec.Header())
	}
	if rec := get(t, h, "/static/app.js"); rec.Code != 200 || rec.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("plain name: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	if rec := get(t, h, "/static/nope.js"); rec.Code != 404 {
		t.Errorf("missing asset: %d", rec.Code)
	}
}

// TestForms checks that form posts need the CSRF token and the same
// origin, and that the server validates what the browser already checked.
func TestForms(t *testing.T) {
	t.Parallel()
	eng := newFakeEngine()
	seedFake(t, eng)
	srv := httptest.NewServer(newServer(t, eng).Handler())
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(srv.URL + "/state-machines/sm")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tok := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(string(body))
	if tok == nil {
		t.Fatalf("no CSRF token on the page")
	}
	post := func(path string, form url.Values, origin string) (int, string, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(b)
	}
	// No token.
	if code, _, _ := post("/state-machines/sm/executions", url.Values{"input": {"{}"}}, ""); code != http.StatusForbidden {
		t.Errorf("post without token: %d, want 403", code)
	}
	// Another site's page.
	if code, _, _ := post("/state-machines/sm/executions", url.Values{"_csrf": {tok[1]}, "input": {"{}"}}, "https://evil.example"); code != http.StatusForbidden {
		t.Errorf("cross-origin post: %d, want 403", code)
	}
	// Invalid JSON is refused on the server too, and the input kept.
	code, _, page := post("/state-machines/sm/executions", url.Values{"_csrf": {tok[1]}, "input": {`{"a":`}}, srv.URL)
	if code != http.StatusBadRequest || !strings.Contains(page, "The input is not valid JSON.") || !strings.Contains(page, "{&#34;a&#34;:") {
		t.Errorf("bad input: %d %.300s", code, page)
	}
	code, _, page = post("/state-machines/sm/executions", url.Values{"_csrf": {tok[1]}, "name": {"bad name"}, "input": {"{}"}}, "")
	if code != http.StatusBadRequest || !strings.Contains(page, "execution name must be") {
		t.Errorf("bad name: %d", code)
	}
	// A good start redirects to the execution page.
	code, loc, _ := post("/state-machines/sm/executions", url.Values{"_csrf": {tok[1]}, "name": {"via-form"}, "input": {`{"n":1}`}}, srv.URL)
	if code != http.StatusSeeOther || loc != "/state-machines/sm/executions/via-form" {
		t.Errorf("start: %d %q", code, loc)
	}
	// The same name with another input: the engine's error is shown.
	code, _, page = post("/state-machines/sm/executions", url.Values{"_csrf": {tok[1]}, "name": {"via-form"}, "input": {`{"n":2}`}}, "")
	if code != http.StatusBadRequest || !strings.Contains(page, "ExecutionAlreadyExists") {
		t.Errorf("reused name: %d", code)
	}
	// Create: bad definition shows the engine's InvalidDefinition.
	code, _, page = post("/state-machines", url.Values{"_csrf": {tok[1]}, "name": {"new"}, "definition": {`{"StartAt":"Q","States":{}}`}}, "")
	if code != http.StatusBadRequest || !strings.Contains(page, "InvalidDefinition") {
		t.Errorf("create bad definition: %d", code)
	}
	code, loc, _ = post("/state-machines", url.Values{"_csrf": {tok[1]}, "name": {"new"}, "type": {"STANDARD"}, "definition": {passDef}}, "")
	if code != http.StatusSeeOther || loc != "/state-machines/new?done=created" {
		t.Errorf("create: %d %q", code, loc)
	}
	// Stop a running execution; stopping again reports it is not running.
	code, loc, _ = post("/state-machines/waiter/executions/waiter-run/stop", url.Values{"_csrf": {tok[1]}}, "")
	if code != http.StatusSeeOther || !strings.HasSuffix(loc, "?done=stopped") {
		t.Errorf("stop: %d %q", code, loc)
	}
	code, loc, _ = post("/state-machines/waiter/executions/waiter-run/stop", url.Values{"_csrf": {tok[1]}}, "")
	if code != http.StatusSeeOther || !strings.HasSuffix(loc, "?failed=stop") {
		t.Errorf("stop again: %d %q", code, loc)
	}
	code, loc, _ = post("/state-machines/new/delete", url.Values{"_csrf": {tok[1]}}, "")
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/state-machines?done=deleted") {
		t.Errorf("delete: %d %q", code, loc)
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	eng := newFakeEngine()
	ctx := context.Background()
	if _, err := eng.CreateStateMachine(ctx, &server.CreateStateMachineInput{Name: ptrTo("sm"), Definition: ptrTo(passDef), RoleArn: ptrTo(roleArn)}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		if _, err := eng.StartExecution(ctx, &server.StartExecutionInput{StateMachineArn: ptrTo(smArn)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 55; i++ {
		name := "m" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + string(rune('a'+i/26))
		if _, err := eng.CreateStateMachine(ctx, &server.CreateStateMachineInput{Name: &name, Definition: ptrTo(passDef), RoleArn: ptrTo(roleArn)}); err != nil {
			t.Fatal(err)
		}
	}
	h := newServer(t, eng).Handler()
	first := get(t, h, "/state-machines/sm").Body.String()
	if n := strings.Count(first, "/state-machines/sm/executions/"); n != 25 {
		t.Errorf("first page links %d executions, want 25", n)
	}
	next := regexp.MustCompile(`href="(/state-machines/sm\?token=[^"#]+)#executions"`).FindStringSubmatch(first)
	if next == nil {
		t.Fatalf("no next-page link")
	}
	second := get(t, h, strings.ReplaceAll(next[1], "&amp;", "&")).Body.String()
	if n := strings.Count(second, "/state-machines/sm/executions/"); n != 5 {
		t.Errorf("second page links %d executions, want 5", n)
	}
	list := get(t, h, "/state-machines").Body.String()
	if !strings.Contains(list, "56 total") || !strings.Contains(list, "page=2") {
		t.Errorf("machine list is not paginated")
	}
	if p2 := get(t, h, "/state-machines?page=2").Body.String(); strings.Count(p2, "<tr data-name=") != 6 {
		t.Errorf("page 2 has %d rows, want 6", strings.Count(p2, "<tr data-name="))
	}
}

func TestDiagramPreview(t *testing.T) {
	t.Parallel()
	eng := newFakeEngine()
	def := `{"StartAt":"Fan","States":{"Fan":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}],"Next":"Each"},` +
		`"Each":{"Type":"Map","ItemProcessor":{"StartAt":"Item","States":{"Item":{"Type":"Pass","End":true}}},"Next":"Pick"},` +
		`"Pick":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"Done"}],"Default":"Oops"},` +
		`"Oops":{"Type":"Fail","Error":"E"},"Done":{"Type":"Succeed"}}}`
	if _, err := eng.CreateStateMachine(context.Background(), &server.CreateStateMachineInput{Name: ptrTo("fan"), Definition: &def, RoleArn: ptrTo(roleArn)}); err != nil {
		t.Fatal(err)
	}
	body := get(t, newServer(t, eng).Handler(), "/state-machines/fan").Body.String()
	for _, w := range []string{"Branch 1 starts at</span> → A", "Branch 2 starts at</span> → B", "Each item starts at</span> → Item", "Choice 1</span> → Done", "Default</span> → Oops", "node node-parallel node-start"} {
		if !strings.Contains(body, w) {
			t.Errorf("diagram lacks %q", w)
		}
	}
}

func TestActivitiesPage(t *testing.T) {
	t.Parallel()
	eng := &fakeActivities{fakeEngine: newFakeEngine(), acts: map[string]*server.Activity{}}
	h := newServer(t, eng).Handler()
	if body := get(t, h, "/activities").Body.String(); !strings.Contains(body, "No activities yet") {
		t.Errorf("empty activities page: %.200s", body)
	}
	if _, err := eng.CreateActivity(context.Background(), &server.CreateActivityInput{Name: ptrTo("charge-card")}); err != nil {
		t.Fatal(err)
	}
	body := get(t, h, "/activities").Body.String()
	for _, w := range []string{"charge-card", "worker-&lt;1&gt;", ">2<"} {
		if !strings.Contains(body, w) {
			t.Errorf("activities page lacks %q", w)
		}
	}
}

// TestServeShutdown checks that Serve returns nil when its context ends,
// after canceling the server context for long-lived streams, and that a
// second Serve is refused.
func TestServeShutdown(t *testing.T) {
	t.Parallel()
	s := newServer(t, newFakeEngine())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v", err)
	}
	resp.Body.Close()
	if s.Context().Err() != nil {
		t.Fatal("server context canceled while serving")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	if s.Context().Err() == nil {
		t.Error("server context not canceled by shutdown")
	}
	if err := s.Serve(context.Background(), ln); err == nil {
		t.Error("second Serve accepted")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []server.Config{{Region: "US EAST"}, {Account: "12"}} {
		if _, err := server.New(cfg, newFakeEngine(), nil); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	if _, err := server.New(server.Config{}, nil, nil); err == nil {
		t.Errorf("New with nil engine accepted")
	}
}

// panicky is an engine whose DescribeStateMachine panics, standing in for
// a bug: the server must answer 500 in the right shape and keep serving.
type panicky struct{ *fakeEngine }

func (panicky) DescribeStateMachine(context.Context, string) (*server.StateMachine, error) {
	panic("engine bug")
}

func TestPanicBecomes500(t *testing.T) {
	t.Parallel()
	h := newServer(t, panicky{newFakeEngine()}).Handler()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"stateMachineArn":"`+smArn+`"}`))
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.DescribeStateMachine")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"__type":"InternalFailure"`) || strings.Contains(rec.Body.String(), "engine bug") {
		t.Errorf("API panic: %d %s", rec.Code, rec.Body.String())
	}
	page := get(t, h, "/state-machines/sm")
	if page.Code != 500 || !strings.Contains(page.Body.String(), "Something went wrong on the server") {
		t.Errorf("page panic: %d %.300s", page.Code, page.Body.String())
	}
	if rec := get(t, h, "/healthz"); rec.Code != 200 {
		t.Errorf("server stopped serving after a panic")
	}
}

// TestUnusualNames checks the stable URLs for names with characters AWS
// allows but URLs treat specially.
func TestUnusualNames(t *testing.T) {
	t.Parallel()
	eng := newFakeEngine()
	ctx := context.Background()
	for _, name := range []string{"ünï-1.0", "a+b=c@d!(e)'f'", "x.y_z"} {
		if _, err := eng.CreateStateMachine(ctx, &server.CreateStateMachineInput{Name: ptrTo(name), Definition: ptrTo(passDef), RoleArn: ptrTo(roleArn)}); err != nil {
			t.Fatal(err)
		}
		if _, err := eng.StartExecution(ctx, &server.StartExecutionInput{StateMachineArn: ptrTo("arn:aws:states:us-east-1:123456789012:stateMachine:" + name), Name: ptrTo("run+" + name)}); err != nil {
			t.Fatal(err)
		}
	}
	h := newServer(t, eng).Handler()
	list := get(t, h, "/state-machines").Body.String()
	for _, href := range regexp.MustCompile(`href="(/state-machines/[^"?#]+)"`).FindAllStringSubmatch(list, -1) {
		path := strings.ReplaceAll(href[1], "&amp;", "&")
		path = strings.ReplaceAll(path, "&#39;", "'")
		if rec := get(t, h, path); rec.Code != 200 {
			t.Errorf("GET %s (linked from the list): %d", path, rec.Code)
		}
	}
	if n := len(regexp.MustCompile(`href="/state-machines/[^"?#]+/executions/[^"?#]+"`).FindAllString(list, -1)); n != 3 {
		t.Errorf("list links %d executions, want 3", n)
	}
}
