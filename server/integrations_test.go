package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"stepwise/engine/registry"
	"stepwise/server"
)

func integrationsServer(t *testing.T, reg registry.Registry) *httptest.Server {
	t.Helper()
	s, err := server.New(server.Config{Integrations: reg}, newFakeEngine(), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv
}

func TestIntegrationsAPI(t *testing.T) {
	t.Parallel()
	reg := registry.NewMem()
	srv := integrationsServer(t, reg)
	do := func(method, path, ctype, body string, hdr ...string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		name, method, path, ctype, body string
		hdr                             []string
		status                          int
		contains                        []string
		absent                          []string
	}{
		{"empty list", "GET", "/api/functions", "", "", nil, 200, []string{`"functions":[]`}, nil},
		{"register", "PUT", "/api/functions/resize", "application/json", `{"url":"https://fn.example/resize","timeoutSeconds":30}`, nil, 200,
			[]string{`"name":"resize"`, `"arn":"arn:aws:lambda:us-east-1:123456789012:function:resize"`, `"timeoutSeconds":30`}, nil},
		{"get", "GET", "/api/functions/resize", "", "", nil, 200, []string{`"url":"https://fn.example/resize"`}, nil},
		{"list", "GET", "/api/functions", "", "", nil, 200, []string{`"name":"resize"`}, nil},
		{"bad url", "PUT", "/api/functions/x", "application/json", `{"url":"ftp://x"}`, nil, 400, []string{"ValidationException", "http://"}, nil},
		{"bad name", "PUT", "/api/functions/a%20b", "application/json", `{"url":"https://x"}`, nil, 400, []string{"ValidationException"}, nil},
		{"not JSON content type", "PUT", "/api/functions/x", "application/x-www-form-urlencoded", `url=https://x`, nil, 415, []string{"application/json"}, nil},
		{"unknown field", "PUT", "/api/functions/x", "application/json", `{"uri":"https://x"}`, nil, 400, []string{"SerializationException"}, nil},
		{"trailing data", "PUT", "/api/functions/x", "application/json", `{"url":"https://x"} {}`, nil, 400, []string{"after its JSON"}, nil},
		{"cross-site", "PUT", "/api/functions/x", "application/json", `{"url":"https://x"}`, []string{"Origin", "https://evil.example"}, 403, nil, nil},
		{"missing", "GET", "/api/functions/nope", "", "", nil, 404, []string{"ResourceNotFound"}, nil},
		{"create connection", "PUT", "/api/connections/pay", "application/json",
			`{"authType":"OAUTH_CLIENT_CREDENTIALS","oauth":{"authorizationEndpoint":"https://auth.example/token","clientId":"cid","clientSecret":"TOPSECRET"}}`, nil, 200,
			[]string{`"arn":"arn:aws:events:us-east-1:123456789012:connection/pay/`, `"clientId":"cid"`}, []string{"TOPSECRET"}},
		{"api key connection", "PUT", "/api/connections/key", "application/json", `{"authType":"API_KEY","apiKey":{"name":"X-Key","value":"KEYSECRET"}}`, nil, 200,
			[]string{`"apiKeyName":"X-Key"`}, []string{"KEYSECRET"}},
		{"list connections hides secrets", "GET", "/api/connections", "", "", nil, 200, []string{`"name":"key"`, `"name":"pay"`}, []string{"KEYSECRET", "TOPSECRET"}},
		{"get connection hides secrets", "GET", "/api/connections/pay", "", "", nil, 200, []string{`"authType":"OAUTH_CLIENT_CREDENTIALS"`}, []string{"TOPSECRET"}},
		{"incomplete connection", "PUT", "/api/connections/b", "application/json", `{"authType":"BASIC","basic":{"username":"u"}}`, nil, 400, []string{"password"}, nil},
		{"bad auth type", "PUT", "/api/connections/b", "application/json", `{"authType":"NONE"}`, nil, 400, []string{"API_KEY"}, nil},
		{"bad token endpoint", "PUT", "/api/connections/b", "application/json", `{"authType":"OAUTH_CLIENT_CREDENTIALS","oauth":{"authorizationEndpoint":"file:///x","clientId":"a","clientSecret":"b"}}`, nil, 400, []string{"token endpoint"}, nil},
		{"delete function", "DELETE", "/api/functions/resize", "", "", nil, 204, nil, nil},
		{"delete again", "DELETE", "/api/functions/resize", "", "", nil, 404, nil, nil},
		{"delete connection", "DELETE", "/api/connections/key", "", "", nil, 204, nil, nil},
	}
	// The steps build on each other: run in order.
	for _, tc := range tests {
		code, body := do(tc.method, tc.path, tc.ctype, tc.body, tc.hdr...)
		if code != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, code, tc.status, body)
		}
		for _, s := range tc.contains {
			if !strings.Contains(body, s) {
				t.Errorf("%s: %s lacks %s", tc.name, body, s)
			}
		}
		for _, s := range tc.absent {
			if strings.Contains(body, s) {
				t.Errorf("%s: %s shows %s", tc.name, body, s)
			}
		}
	}
	c, err := reg.GetConnection(t.Context(), "pay")
	if err != nil || c.ClientSecret != "TOPSECRET" {
		t.Errorf("stored connection: %v", err)
	}
}

func TestIntegrationsAPINotConfigured(t *testing.T) {
	t.Parallel()
	srv := integrationsServer(t, nil)
	resp, err := http.Get(srv.URL + "/api/functions")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotImplemented {
		t.Errorf("status %d", resp.StatusCode)
	}
	resp, err = http.Get(srv.URL + "/functions")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "not available") {
		t.Errorf("page %d %s", resp.StatusCode, b)
	}
}

func TestIntegrationsPages(t *testing.T) {
	t.Parallel()
	reg := registry.NewMem()
	srv := integrationsServer(t, reg)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) string {
		t.Helper()
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	page := get("/functions")
	if !strings.Contains(page, "No functions yet") || !strings.Contains(page, `href="/functions" class="nav-link active"`) {
		t.Errorf("empty functions page: %s", page)
	}
	tok := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if tok == nil {
		t.Fatal("no CSRF token")
	}
	post := func(path string, form url.Values) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(b)
	}
	if code, _, _ := post("/functions", url.Values{"name": {"f"}, "url": {"https://x.example/f"}}); code != http.StatusForbidden {
		t.Errorf("post without token: %d", code)
	}
	code, _, body := post("/functions", url.Values{"_csrf": {tok[1]}, "name": {"f"}, "url": {"nope"}})
	if code != 400 || !strings.Contains(body, "must be an absolute") || !strings.Contains(body, `value="nope"`) {
		t.Errorf("invalid function: %d", code)
	}
	code, loc, _ := post("/functions", url.Values{"_csrf": {tok[1]}, "name": {"f"}, "url": {"https://x.example/f"}, "timeout": {"12"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/functions?done=registered") {
		t.Fatalf("register: %d %s", code, loc)
	}
	page = get(loc)
	if !strings.Contains(page, "Registered function f.") || !strings.Contains(page, "https://x.example/f") || !strings.Contains(page, "arn:aws:lambda:us-east-1:123456789012:function:f") {
		t.Errorf("functions page after register lacks the row")
	}
	code, loc, _ = post("/functions/f/delete", url.Values{"_csrf": {tok[1]}})
	if code != http.StatusSeeOther || !strings.Contains(loc, "deleted") {
		t.Errorf("delete: %d %s", code, loc)
	}
	if code, _, _ := post("/functions/f/delete", url.Values{"_csrf": {tok[1]}}); code != 404 {
		t.Errorf("delete missing: %d", code)
	}

	// Connections: secrets are accepted, stored and never rendered back,
	// not even after a validation error.
	code, _, body = post("/connections", url.Values{"_csrf": {tok[1]}, "name": {"c"}, "auth_type": {"BASIC"}, "username": {"me"}, "password": {""}})
	if code != 400 || !strings.Contains(body, "password") {
		t.Errorf("incomplete connection: %d", code)
	}
	code, _, body = post("/connections", url.Values{"_csrf": {tok[1]}, "name": {"bad name"}, "auth_type": {"API_KEY"}, "api_key_name": {"X-K"}, "api_key_value": {"SECRET-1"}})
	if code != 400 || strings.Contains(body, "SECRET-1") {
		t.Errorf("invalid connection: %d, secret echoed: %v", code, strings.Contains(body, "SECRET-1"))
	}
	code, loc, _ = post("/connections", url.Values{"_csrf": {tok[1]}, "name": {"c"}, "auth_type": {"API_KEY"}, "api_key_name": {"X-K"}, "api_key_value": {"SECRET-2"}})
	if code != http.StatusSeeOther {
		t.Fatalf("create connection: %d", code)
	}
	page = get(loc)
	if !strings.Contains(page, "header X-K") || strings.Contains(page, "SECRET-2") || !strings.Contains(page, "arn:aws:events:us-east-1:123456789012:connection/c/") {
		t.Errorf("connections page: secret shown or row missing")
	}
	if c, err := reg.GetConnection(t.Context(), "c"); err != nil || c.APIKeyValue != "SECRET-2" {
		t.Errorf("stored: %v", err)
	}
	if code, _, _ = post("/connections/c/delete", url.Values{"_csrf": {tok[1]}}); code != http.StatusSeeOther {
		t.Errorf("delete connection: %d", code)
	}
	var list struct{ Connections []json.RawMessage }
	resp, _ := client.Get(srv.URL + "/api/connections")
	_ = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if len(list.Connections) != 0 {
		t.Errorf("connections left: %d", len(list.Connections))
	}
}
