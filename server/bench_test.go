package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"stepwise/engine"
	"stepwise/server"
)

func benchHandler(b *testing.B) http.Handler {
	b.Helper()
	eng := engine.New(engine.Options{Store: engine.NewMemStore(), Logger: testLogger(nil)})
	if err := eng.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(eng.Stop)
	s, err := server.New(server.Config{}, server.NewEngineAdapter(eng), nil)
	if err != nil {
		b.Fatal(err)
	}
	return s.Handler()
}

func apiCall(b *testing.B, h http.Handler, op, body string) {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "AWSStepFunctions."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("%s: %d %s", op, rec.Code, rec.Body.String())
	}
}

// BenchmarkAPIStartSyncExecution measures the API layer around the engine:
// decode, validate, run a one-state EXPRESS machine, encode.
func BenchmarkAPIStartSyncExecution(b *testing.B) {
	h := benchHandler(b)
	apiCall(b, h, "CreateStateMachine", `{"name":"sm","type":"EXPRESS","definition":"{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}","roleArn":"arn:aws:iam::123456789012:role/r"}`)
	body := `{"stateMachineArn":"` + smArn + `","input":"{\"a\":1}"}`
	b.ReportAllocs()
	for b.Loop() {
		apiCall(b, h, "StartSyncExecution", body)
	}
}

// BenchmarkAPIDescribeStateMachine measures a read through the API layer.
func BenchmarkAPIDescribeStateMachine(b *testing.B) {
	h := benchHandler(b)
	apiCall(b, h, "CreateStateMachine", `{"name":"sm","definition":"{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}","roleArn":"arn:aws:iam::123456789012:role/r"}`)
	body := `{"stateMachineArn":"` + smArn + `"}`
	b.ReportAllocs()
	for b.Loop() {
		apiCall(b, h, "DescribeStateMachine", body)
	}
}
