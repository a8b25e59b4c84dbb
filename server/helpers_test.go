package server_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"stepwise/server"
)

const (
	testAccount = "123456789012"
	smArn       = "arn:aws:states:us-east-1:123456789012:stateMachine:sm"
	execArn     = "arn:aws:states:us-east-1:123456789012:execution:sm:e1"
	actArn      = "arn:aws:states:us-east-1:123456789012:activity:act"
	verArn      = smArn + ":1"
	aliasArn    = smArn + ":prod"
	roleArn     = "arn:aws:iam::123456789012:role/test"
	passDef     = `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`
	waitDef     = `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}}`
	failDef     = `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"it broke"}}}`
)

func testLogger(testing.TB) *slog.Logger {
	if os.Getenv("STEPWISE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func newServer(t *testing.T, eng server.Engine) *server.Server {
	t.Helper()
	s, err := server.New(server.Config{}, eng, testLogger(t))
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	return s
}

// serve starts s on 127.0.0.1:0 and returns its base URL; the server is
// shut down when the test ends.
func serve(t *testing.T, s *server.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("Serve did not return after shutdown")
		}
	})
	url := "http://" + ln.Addr().String()
	for i := 0; i < 100; i++ {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return url
}
