package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"stepwise/designer"
	"stepwise/server"
)

// dialDraft opens the draft's socket with the client's cookies, as the page
// does.
func dialDraft(t testing.TB, c *designerClient, origin string) *websocket.Conn {
	t.Helper()
	u, _ := url.Parse(c.base + c.draft + "/socket")
	u.Scheme = "ws"
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	for _, ck := range c.http.Jar.Cookies(&url.URL{Scheme: "http", Host: u.Host, Path: "/"}) {
		h.Add("Cookie", ck.Name+"="+ck.Value)
	}
	conn, resp, err := websocket.DefaultDialer.Dial(u.String(), h)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", u, err, status)
	}
	t.Cleanup(func() { _ = conn.Close() })
	// The socket starts with the draft's current view, in full.
	var first struct {
		Version int64  `json:"version"`
		ASL     string `json:"asl"`
		Delta   any    `json:"$delta"`
	}
	if err := json.Unmarshal(readSocket(t, conn).Push, &first); err != nil || first.Version < 1 || first.ASL == "" || first.Delta != nil {
		t.Fatalf("the socket's first message is not the draft's full view (%v): version %d", err, first.Version)
	}
	return conn
}

type socketAnswer struct {
	ID     int64           `json:"id"`
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
	Push   json.RawMessage `json:"push"`
}

func readSocket(t testing.TB, conn *websocket.Conn) socketAnswer {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var a socketAnswer
	if err := conn.ReadJSON(&a); err != nil {
		t.Fatalf("read socket: %v", err)
	}
	return a
}

// TestDesignerSocket sends edits over the draft's socket: each answer is
// what the same request over HTTP answers, the draft's other sockets get it
// pushed, and bad messages get clear errors.
func TestDesignerSocket(t *testing.T) {
	t.Parallel()
	base := serve(t, newServer(t, newFakeEngine()))
	c := openDesigner(t, base, "/designer/new")
	a := dialDraft(t, c, base)
	b := dialDraft(t, c, base)
	// A socket joins its draft once the server reads from it: one round
	// trip on b makes sure it gets a's edits pushed.
	if err := b.WriteMessage(websocket.TextMessage, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if got := readSocket(t, b); got.Status != 400 {
		t.Fatalf("b's first answer: %d %s", got.Status, got.Body)
	}

	add := func(name string, version int64) map[string]any {
		return map[string]any{"version": version, "op": designer.Op{Op: "add", Type: "Pass", Name: name, Pos: &designer.Point{X: 10, Y: 20}}}
	}
	cases := []struct {
		name       string
		msg        any
		wantStatus int
		wantError  string // in the answer's error
		wantPush   bool
	}{
		{"an operation", map[string]any{"id": 1, "path": "ops", "csrf": c.token, "body": add("First", 1)}, 200, "", true},
		{"a stale version", map[string]any{"id": 2, "path": "ops", "csrf": c.token, "body": add("Second", 1)}, 409, "changed in another window", false},
		{"an inspector field", map[string]any{"id": 3, "path": "inspector/field", "csrf": c.token, "body": map[string]any{"version": 2, "state": "First", "field": "Comment", "kind": "string", "text": "hello"}}, 200, "", true},
		{"an unknown route", map[string]any{"id": 4, "path": "save", "csrf": c.token, "body": map[string]any{}}, 404, `no edit "save"`, false},
		{"an unknown operation", map[string]any{"id": 6, "path": "ops", "csrf": c.token, "body": map[string]any{"version": 3, "op": map[string]any{"op": "explode"}}}, 422, "explode", false},
		{"not JSON", "{", 400, "not JSON", false},
	}
	for _, tc := range cases {
		if s, ok := tc.msg.(string); ok {
			if err := a.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
				t.Fatal(err)
			}
		} else if err := a.WriteJSON(tc.msg); err != nil {
			t.Fatal(err)
		}
		got := readSocket(t, a)
		if got.Status != tc.wantStatus {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, got.Status, tc.wantStatus, got.Body)
			continue
		}
		var body struct {
			Error   string `json:"error"`
			Version int64  `json:"version"`
			ASL     string `json:"asl"`
		}
		if err := json.Unmarshal(got.Body, &body); err != nil {
			t.Errorf("%s: answer body is not JSON: %s", tc.name, got.Body)
		}
		if !strings.Contains(body.Error, tc.wantError) {
			t.Errorf("%s: error %q, want it to contain %q", tc.name, body.Error, tc.wantError)
		}
		if tc.wantPush {
			p := readSocket(t, b)
			if string(p.Push) != string(got.Body) {
				t.Errorf("%s: the other socket got %.200s, want the answer pushed", tc.name, p.Push)
			}
		}
	}
	// The socket's edits are the draft's: HTTP sees them.
	resp, err := c.http.Get(c.base + c.draft + "/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		Version int64  `json:"version"`
		ASL     string `json:"asl"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || v.Version != 3 || !strings.Contains(v.ASL, `"Comment": "hello"`) {
		t.Errorf("state after the socket's edits: %v version %d\n%s", err, v.Version, v.ASL)
	}
	// An edit over HTTP (a page whose socket is down) is pushed to every
	// socket of the draft.
	if st, ans := c.op(3, designer.Op{Op: "add", Type: "Pass", Name: "ByHTTP", Pos: &designer.Point{X: 1, Y: 2}}); st != 200 {
		t.Fatalf("HTTP edit: %d %s", st, ans.Error)
	}
	for name, conn := range map[string]*websocket.Conn{"a": a, "b": b} {
		var p struct {
			Version int64  `json:"version"`
			ASL     string `json:"asl"`
		}
		if err := json.Unmarshal(readSocket(t, conn).Push, &p); err != nil || p.Version != 4 {
			t.Errorf("socket %s after an HTTP edit: push of version %d (%v), want 4", name, p.Version, err)
		}
	}
}

// TestDesignerSocketRefusesOtherOrigins: a page from another site cannot
// open a draft's socket.
func TestDesignerSocketRefusesOtherOrigins(t *testing.T) {
	t.Parallel()
	base := serve(t, newServer(t, newFakeEngine()))
	c := openDesigner(t, base, "/designer/new")
	u, _ := url.Parse(c.base + c.draft + "/socket")
	u.Scheme = "ws"
	h := http.Header{}
	h.Set("Origin", "http://evil.example")
	_, resp, err := websocket.DefaultDialer.Dial(u.String(), h)
	if err == nil {
		t.Fatal("a socket from another origin was accepted")
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin dial: %v %v, want 403", err, resp)
	}
}

// TestDesignerSocketCSRF: a client that is not a browser page (no Origin on
// the handshake) must send the CSRF token with each message, as over HTTP.
func TestDesignerSocketCSRF(t *testing.T) {
	t.Parallel()
	base := serve(t, newServer(t, newFakeEngine()))
	c := openDesigner(t, base, "/designer/new")
	conn := dialDraft(t, c, "")
	op := map[string]any{"version": 1, "op": designer.Op{Op: "add", Type: "Pass", Name: "P", Pos: &designer.Point{X: 1, Y: 2}}}
	cases := []struct {
		name   string
		csrf   string
		status int
	}{
		{"without the token", "", 403},
		{"with a wrong token", "nope", 403},
		{"with the token", c.token, 200},
	}
	for i, tc := range cases {
		if err := conn.WriteJSON(map[string]any{"id": i, "path": "ops", "csrf": tc.csrf, "body": op}); err != nil {
			t.Fatal(err)
		}
		if got := readSocket(t, conn); got.Status != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, got.Status, tc.status, got.Body)
		}
	}
}

// BenchmarkDesignerSocketEdit measures a field edit of a 500-state draft
// over the socket, from sending the message to reading the answer (a
// delta), and reports p50 and p99 in milliseconds: with drafts in memory
// (the fake engine) and in SQLite as the product keeps them.
func BenchmarkDesignerSocketEdit(b *testing.B) {
	for _, store := range []string{"memory", "sqlite"} {
		b.Run(store, func(b *testing.B) {
			var (
				s   *server.Server
				eng server.Engine
			)
			if store == "sqlite" {
				s, eng = productServer(b)
			} else {
				eng = newFakeEngine()
				var err error
				if s, err = server.New(server.Config{}, eng, testLogger(b)); err != nil {
					b.Fatal(err)
				}
			}
			benchSocketEdit(b, s, eng)
		})
	}
}

func benchSocketEdit(b *testing.B, s *server.Server, eng server.Engine) {
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	createBig(b, eng, 500)
	c := openDesigner(b, hs.URL, "/state-machines/big/designer")
	conn := dialDraft(b, c, hs.URL)
	version := int64(1)
	lat := make([]float64, 0, b.N)
	size := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		msg := map[string]any{"id": i, "path": "inspector/field", "csrf": c.token, "body": map[string]any{"version": version, "state": "S10", "field": "Comment", "kind": "string", "text": fmt.Sprintf("note %d", i)}}
		if err := conn.WriteJSON(msg); err != nil {
			b.Fatal(err)
		}
		_, raw, err := conn.ReadMessage()
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, float64(time.Since(t0).Microseconds())/1000)
		size += len(raw)
		var a struct {
			Status int `json:"status"`
			Body   struct {
				Version int64 `json:"version"`
			} `json:"body"`
		}
		if err := json.Unmarshal(raw, &a); err != nil || a.Status != 200 {
			b.Fatalf("answer %d: %v %.300s", a.Status, err, raw)
		}
		version = a.Body.Version
	}
	b.ReportMetric(percentile(lat, 0.5), "p50-ms")
	b.ReportMetric(percentile(lat, 0.99), "p99-ms")
	b.ReportMetric(float64(size)/float64(b.N), "bytes/answer")
}
