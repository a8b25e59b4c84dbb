package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"

	"stepwise/designer"
	"stepwise/server"
)

// designerClient is a browser-like client of the designer: it keeps the
// CSRF cookie and sends the page's token with every operation.
type designerClient struct {
	t     testing.TB
	base  string
	http  *http.Client
	token string
	draft string // draft URL
}

var csrfRe = regexp.MustCompile(`data-csrf="([^"]+)"`)

func openDesigner(t testing.TB, base, path string) *designerClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &designerClient{t: t, base: base, http: &http.Client{Jar: jar}}
	resp, err := c.http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	m := csrfRe.FindSubmatch(body)
	if m == nil {
		t.Fatalf("GET %s: no CSRF token in the page", path)
	}
	c.token = string(m[1])
	c.draft = strings.TrimPrefix(resp.Request.URL.Path, "")
	if !strings.HasPrefix(c.draft, "/designer/drafts/") {
		t.Fatalf("GET %s ended at %s, not a draft", path, c.draft)
	}
	return c
}

type draftAnswer struct {
	Version int64 `json:"version"`
	ASL     string
	Graph   designer.Graph
	Error   string           `json:"error"`
	Draft   *json.RawMessage `json:"draft"`
	Machine string           `json:"machine"`
}

func (c *designerClient) post(path string, body any) (int, draftAnswer) {
	c.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, c.base+c.draft+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var a draftAnswer
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &a); err != nil {
		c.t.Fatalf("POST %s: %d %s", path, resp.StatusCode, raw)
	}
	return resp.StatusCode, a
}

func (c *designerClient) op(version int64, op designer.Op) (int, draftAnswer) {
	return c.post("/ops", map[string]any{"version": version, "op": op})
}

func TestDesignerHTTP(t *testing.T) {
	t.Parallel()
	eng := newFakeEngine()
	base := serve(t, newServer(t, eng))
	c := openDesigner(t, base, "/designer/new")

	st, a := c.op(1, designer.Op{Op: "add", Type: "Pass", Pos: &designer.Point{X: 1, Y: 2}})
	if st != 200 || a.Version != 2 || len(a.Graph.Nodes) != 1 || a.Graph.Nodes[0].Name != "Pass" {
		t.Fatalf("add: %d %+v", st, a)
	}
	// A stale version is a conflict answered with the current draft.
	st, a = c.op(1, designer.Op{Op: "add", Type: "Wait"})
	if st != http.StatusConflict || a.Draft == nil {
		t.Fatalf("stale op: %d %+v", st, a)
	}
	// A refused operation says why.
	st, a = c.op(2, designer.Op{Op: "connect", From: "Pass", Port: "default", To: "Pass"})
	if st != http.StatusUnprocessableEntity || !strings.Contains(a.Error, "Default") {
		t.Fatalf("bad op: %d %+v", st, a)
	}
	// Without the CSRF header the request is refused.
	resp, err := c.http.Post(c.base+c.draft+"/ops", "application/json", strings.NewReader(`{"version":2,"op":{"op":"undo"}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("POST without token: %d", resp.StatusCode)
	}
	// asl.json serves the draft's ASL.
	resp, err = http.Get(base + c.draft + "/asl.json")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `{"Comment":"A description of my state machine","StartAt":"Pass","States":{"Pass":{"Type":"Pass","End":true}}}`; string(body) != want || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("asl.json: %s (%s)", body, resp.Header.Get("Content-Type"))
	}
	// The state endpoint says "no change" to a current tab.
	resp, _ = http.Get(base + c.draft + "/state?since=2")
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("state since current: %d", resp.StatusCode)
	}
	// Save creates the machine; the draft then belongs to it.
	st, a = c.post("/save", map[string]string{"name": "orders", "type": "STANDARD"})
	if st != 200 || a.Machine != "orders" {
		t.Fatalf("save: %d %+v", st, a)
	}
	sm, err := eng.DescribeStateMachine(context.Background(), "arn:aws:states:us-east-1:123456789012:stateMachine:orders")
	if err != nil || !strings.Contains(sm.Definition, `"Pass"`) {
		t.Fatalf("saved machine: %v %v", sm, err)
	}
	// The machine's designer opens the same draft; saving again updates it.
	c2 := openDesigner(t, base, "/state-machines/orders/designer")
	if c2.draft != c.draft {
		t.Fatalf("machine designer opened %s, want %s", c2.draft, c.draft)
	}
	if st, _ := c2.op(2, designer.Op{Op: "set", State: "Pass", Pointer: "/Comment", Value: json.RawMessage(`"hi"`)}); st != 200 {
		t.Fatalf("set: %d", st)
	}
	if st, a := c2.post("/save", map[string]string{}); st != 200 || a.Machine != "orders" {
		t.Fatalf("save again: %d %+v", st, a)
	}
	sm, _ = eng.DescribeStateMachine(context.Background(), "arn:aws:states:us-east-1:123456789012:stateMachine:orders")
	if !strings.Contains(sm.Definition, `"hi"`) {
		t.Fatalf("updated definition: %s", sm.Definition)
	}
	// An existing machine without a draft gets one from its definition.
	name, def, role := "imported", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"End":true}}}`, "arn:aws:iam::123456789012:role/r"
	if _, err := eng.CreateStateMachine(context.Background(), &server.CreateStateMachineInput{Name: &name, Definition: &def, RoleArn: &role}); err != nil {
		t.Fatal(err)
	}
	c3 := openDesigner(t, base, "/state-machines/imported/designer")
	resp, _ = http.Get(base + c3.draft + "/asl.json")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != def {
		t.Fatalf("imported draft: %s", body)
	}
	// Unknown drafts and machines are 404.
	for _, p := range []string{"/designer/drafts/nope", "/designer/drafts/nope/asl.json", "/state-machines/nope/designer"} {
		resp, _ := http.Get(base + p)
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
	}
}
