package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"stepwise/designer"
	"stepwise/server"
)

// handlerClient drives the designer's handlers in process, without a
// network or a client-side decode, so a benchmark measures the server's own
// work: routing, CSRF, apply, validate, store and encoding the answer.
type handlerClient struct {
	tb     testing.TB
	h      http.Handler
	cookie *http.Cookie
	token  string
	draft  string
}

func openDesignerHandler(tb testing.TB, h http.Handler, path string) *handlerClient {
	tb.Helper()
	c := &handlerClient{tb: tb, h: h}
	for range 3 { // the machine's page redirects to its draft
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if c.cookie != nil {
			req.AddCookie(c.cookie)
		}
		h.ServeHTTP(rec, req)
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == "stepwise_csrf" {
				c.cookie = ck
			}
		}
		if rec.Code == http.StatusSeeOther {
			path = rec.Header().Get("Location")
			continue
		}
		if rec.Code != http.StatusOK {
			tb.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
		}
		m := csrfRe.FindSubmatch(rec.Body.Bytes())
		if m == nil || c.cookie == nil {
			tb.Fatalf("GET %s: no CSRF token", path)
		}
		c.token, c.draft = string(m[1]), path
		return c
	}
	tb.Fatalf("GET %s: too many redirects", path)
	return nil
}

// op posts one operation (version 0: no version check) and returns the
// status and the answer's bytes.
func (c *handlerClient) op(op designer.Op) (int, []byte) {
	body, err := json.Marshal(map[string]any{"version": 0, "op": op})
	if err != nil {
		c.tb.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, c.draft+"/ops", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.token)
	req.AddCookie(c.cookie)
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// bigDraft opens a draft of the generated n-state definition.
func bigDraft(tb testing.TB, n int) *handlerClient {
	tb.Helper()
	eng := newFakeEngine()
	s, err := server.New(server.Config{}, eng, testLogger(nil))
	if err != nil {
		tb.Fatal(err)
	}
	name, def, role := "big", bigDefinition(n), "arn:aws:iam::123456789012:role/r"
	if _, err := eng.CreateStateMachine(context.Background(), &server.CreateStateMachineInput{Name: &name, Definition: &def, RoleArn: &role}); err != nil {
		tb.Fatal(err)
	}
	return openDesignerHandler(tb, s.Handler(), "/state-machines/big/designer")
}

// handlerOps are the gestures BenchmarkDesignerHandler measures; each step
// i returns the measured operation and, optionally, an unmeasured one that
// puts the draft back so every iteration starts from the same document.
var handlerOps = []struct {
	name string
	step func(i int) (measured designer.Op, undo *designer.Op)
}{
	{"move", func(i int) (designer.Op, *designer.Op) {
		return designer.Op{Op: "move", Positions: map[string]designer.Point{"S10": {X: float64(i), Y: 1}}}, nil
	}},
	{"set", func(i int) (designer.Op, *designer.Op) {
		return designer.Op{Op: "set", State: "S10", Pointer: "/Comment", Value: []byte(fmt.Sprintf(`"note %d"`, i))}, nil
	}},
	{"rename", func(i int) (designer.Op, *designer.Op) {
		if i%2 == 0 {
			return designer.Op{Op: "rename", State: "S10", To: "Renamed"}, nil
		}
		return designer.Op{Op: "rename", State: "Renamed", To: "S10"}, nil
	}},
	{"connect", func(i int) (designer.Op, *designer.Op) {
		return designer.Op{Op: "connect", From: "S10", Port: "next", To: fmt.Sprintf("S%d", 11+i%2)}, nil
	}},
	{"insert", func(i int) (designer.Op, *designer.Op) {
		return designer.Op{Op: "insert", Type: "Pass", Name: "Inserted", From: "S10", Port: "next", Pos: &designer.Point{X: 1, Y: 2}},
			&designer.Op{Op: "delete", States: []string{"Inserted"}}
	}},
	{"delete", func(i int) (designer.Op, *designer.Op) {
		// Deletes S10 (its predecessor is re-pointed at S11); the undo
		// brings it back.
		return designer.Op{Op: "delete", States: []string{"S10"}}, &designer.Op{Op: "undo"}
	}},
}

// BenchmarkDesignerHandler measures the server side of an edit on a
// 500-state draft, per gesture, with the handler called in process (no
// network, no client decode). It reports p50 and p99 latency.
func BenchmarkDesignerHandler(b *testing.B) {
	for _, hop := range handlerOps {
		b.Run(hop.name, func(b *testing.B) {
			c := bigDraft(b, 500)
			lat := make([]float64, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				op, undo := hop.step(i)
				t0 := time.Now()
				st, body := c.op(op)
				lat = append(lat, float64(time.Since(t0).Microseconds())/1000)
				if st != http.StatusOK {
					b.Fatalf("%s: %d %s", op.Op, st, body)
				}
				if undo != nil {
					b.StopTimer()
					if st, body := c.op(*undo); st != http.StatusOK {
						b.Fatalf("%s: %d %s", undo.Op, st, body)
					}
					b.StartTimer()
				}
			}
			b.ReportMetric(percentile(lat, 0.99), "p99-ms")
			b.ReportMetric(percentile(lat, 0.5), "p50-ms")
		})
	}
}

// TestDesignerAnswerEncoding checks the op answer as the browser reads it:
// application/json, one JSON object ending in a newline, with the graph,
// ASL, diagnostics, layout and the draft's URL.
func TestDesignerAnswerEncoding(t *testing.T) {
	t.Parallel()
	c := bigDraft(t, 30)
	for _, op := range []designer.Op{
		{Op: "set", State: "S3", Pointer: "/Comment", Value: []byte(`"<&> \u2028"`)},
		{Op: "move", Positions: map[string]designer.Point{"S3": {X: 1.5, Y: -2e-7}}},
		{Op: "set", State: "S4", Pointer: "/ResultPath", Value: []byte(`"$$.x"`)},
	} {
		req := httptest.NewRequest(http.MethodPost, c.draft+"/ops", strings.NewReader(mustJSON(map[string]any{"version": 0, "op": op})))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", c.token)
		req.AddCookie(c.cookie)
		rec := httptest.NewRecorder()
		c.h.ServeHTTP(rec, req)
		body := rec.Body.Bytes()
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" || !bytes.HasSuffix(body, []byte("}\n")) {
			t.Fatalf("%s: %d %q %s", op.Op, rec.Code, rec.Header().Get("Content-Type"), body)
		}
		var a struct {
			Version     int64           `json:"version"`
			Graph       *designer.Graph `json:"graph"`
			ASL         string          `json:"asl"`
			Diagnostics []any           `json:"diagnostics"`
			SameASL     bool            `json:"sameAsl"`
			Layout      designer.Layout `json:"layout"`
			URL         string          `json:"url"`
		}
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatalf("%s: %v in %s", op.Op, err, body)
		}
		if a.URL != c.draft || a.Version == 0 {
			t.Fatalf("%s: url %q version %d, want %q", op.Op, a.URL, a.Version, c.draft)
		}
		switch op.Op {
		case "move":
			if !a.SameASL || a.Graph != nil || a.Layout.Positions["S3"] != op.Positions["S3"] {
				t.Fatalf("move answer: %s", body)
			}
		default:
			if a.Graph == nil || len(a.Graph.Nodes) != 30 || !strings.Contains(a.ASL, `"S3": {`) || a.Diagnostics == nil {
				t.Fatalf("%s answer: %s", op.Op, body)
			}
		}
		if op.Pointer == "/ResultPath" && len(a.Diagnostics) == 0 {
			t.Fatalf("no diagnostic for a bad ResultPath: %s", body)
		}
	}
}
