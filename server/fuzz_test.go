package server_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"stepwise/server"
)

// FuzzParseARN checks that ParseARN never panics and that what it accepts
// formats back to the same text.
func FuzzParseARN(f *testing.F) {
	for _, s := range []string{smArn, execArn, actArn, verArn, "arn:aws:states:us-east-1:123456789012:express:sm:e:uuid", "arn:aws:states:us-east-1:123456789012:mapRun:sm/label:id", "arn:", "", "arn:aws:states:::::", "arn:aws-cn:states:cn-north-1:123456789012:stateMachine:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := server.ParseARN(s)
		if err != nil {
			var e *server.Error
			if !errors.As(err, &e) || e.Code != "InvalidArn" {
				t.Fatalf("ParseARN(%q) error %v is not InvalidArn", s, err)
			}
			return
		}
		if a.String() != s {
			t.Fatalf("ParseARN(%q).String() = %q", s, a.String())
		}
	})
}

// FuzzAPI sends arbitrary bodies to every operation: the answer is never a
// 5xx, and an error always has AWS's shape.
func FuzzAPI(f *testing.F) {
	s, err := server.New(server.Config{}, newFakeEngine(), nil)
	if err != nil {
		f.Fatal(err)
	}
	h := s.Handler()
	ops := sortedOps(samples())
	for i, op := range ops {
		f.Add(uint8(i), mustJSON(samples()[op]))
	}
	f.Add(uint8(0), `{"name":"a","definition":"{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}","roleArn":"arn:aws:iam::1:role/r"}`)
	f.Add(uint8(3), `{"maxResults":-5,"nextToken":"tok-0"}`)
	f.Fuzz(func(t *testing.T, opIndex uint8, body string) {
		op := ops[int(opIndex)%len(ops)]
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "AWSStepFunctions."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d %s", op, body, rec.Code, rec.Body.String())
		}
		if rec.Code >= 400 {
			var e struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Type == "" || e.Message == "" {
				t.Fatalf("%s %q: error body %s", op, body, rec.Body.String())
			}
		} else if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %q: response is not JSON: %s", op, body, rec.Body.String())
		}
	})
}

// FuzzStateMachinePage renders a machine page for arbitrary definitions
// (the diagram preview parses them): never a 5xx.
func FuzzStateMachinePage(f *testing.F) {
	for _, d := range []string{passDef, waitDef, failDef, `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","IsPresent":true,"Next":"D"}],"Default":"D"},"D":{"Type":"Task","Resource":"x","Catch":[{"ErrorEquals":["States.ALL"],"Next":"D"}],"End":true}}}`, `[]`, `{"States":5}`, `{"States":{"A":7}}`} {
		f.Add(d)
	}
	eng := newFakeEngine()
	s, err := server.New(server.Config{}, eng, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, def string) {
		eng.mu.Lock()
		eng.machines[smArn] = &server.StateMachine{StateMachineArn: smArn, Name: "sm", Definition: def, Type: "STANDARD"}
		eng.mu.Unlock()
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/state-machines/sm", nil))
		if rec.Code != 200 {
			t.Fatalf("definition %q: status %d", def, rec.Code)
		}
	})
}

// FuzzTimestamp checks Timestamp's JSON round trip at millisecond precision.
func FuzzTimestamp(f *testing.F) {
	for _, s := range []string{"0", "1767323045.5", "-1", "1e3", "null", `"x"`, "1.0000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var ts server.Timestamp
		if err := json.Unmarshal([]byte(s), &ts); err != nil {
			return
		}
		b, err := json.Marshal(ts)
		if err != nil {
			t.Fatalf("Marshal(%q): %v", s, err)
		}
		var back server.Timestamp
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("round trip of %q via %s: %v", s, b, err)
		}
		if back.UnixMilli() != ts.UnixMilli() && !ts.IsZero() {
			t.Fatalf("round trip of %q: %v != %v", s, back.Time, ts.Time)
		}
	})
}
