package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"stepwise/engine"
	"stepwise/server"
)

const hubARN = "arn:aws:states:us-east-1:123456789012:execution:m:x"

// history is a HistorySource the test appends to, standing in for the
// store; delay slows each read so live events arrive during a replay.
type history struct {
	mu     sync.Mutex
	events []engine.HistoryEvent
	delay  time.Duration
}

func (h *history) GetHistory(ctx context.Context, arn string, q engine.HistoryQuery) ([]engine.HistoryEvent, string, error) {
	if arn != hubARN {
		return nil, "", errors.New("no such execution")
	}
	time.Sleep(h.delay)
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []engine.HistoryEvent
	for _, e := range h.events {
		if e.ID > q.AfterID && (q.Limit == 0 || len(out) < q.Limit) {
			out = append(out, e)
		}
	}
	return out, "", nil
}

// commit appends n events and returns them, as the engine's commit does.
func (h *history) commit(n int, size int) []engine.HistoryEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	var evs []engine.HistoryEvent
	for i := 0; i < n; i++ {
		id := int64(len(h.events) + 1)
		e := engine.HistoryEvent{ID: id, PreviousEventID: id - 1, Timestamp: time.Now(), Type: "PassStateEntered",
			Details: json.RawMessage(fmt.Sprintf(`{"name":"S","input":%q}`, strings.Repeat("x", size)))}
		h.events = append(h.events, e)
		evs = append(evs, e)
	}
	return evs
}

var execX = &engine.Execution{ARN: hubARN}

type hubBundle struct {
	hub    *server.Hub
	src    *history
	url    string
	cancel context.CancelFunc
}

func setupHub(t testing.TB, opts server.HubOptions) *hubBundle {
	t.Helper()
	src := &history{}
	hub := server.NewHub(src, opts)
	base, cancel := context.WithCancel(context.Background())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var after int64
		fmt.Sscan(r.URL.Query().Get("after"), &after)
		_ = hub.ServeWatch(base, w, r, hubARN, after)
	}))
	t.Cleanup(func() { cancel(); srv.Close() })
	return &hubBundle{hub: hub, src: src, url: "ws" + strings.TrimPrefix(srv.URL, "http"), cancel: cancel}
}

func dial(t testing.TB, url string, after int64) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(fmt.Sprintf("%s/?after=%d", url, after), nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

type frame struct {
	Events []struct {
		ID int64 `json:"id"`
	} `json:"events"`
}

// readUntil reads frames until it has event id last, returning the ids in
// the order received; the close error when the server closes first.
func readUntil(c *websocket.Conn, last int64, timeout time.Duration) ([]int64, error) {
	var ids []int64
	_ = c.SetReadDeadline(time.Now().Add(timeout))
	for {
		_, msg, err := c.ReadMessage()
		if err != nil {
			return ids, err
		}
		var f frame
		if err := json.Unmarshal(msg, &f); err != nil {
			return ids, fmt.Errorf("frame %s: %w", msg, err)
		}
		for _, e := range f.Events {
			ids = append(ids, e.ID)
		}
		if len(ids) > 0 && ids[len(ids)-1] >= last {
			return ids, nil
		}
	}
}

func wantRange(t *testing.T, ids []int64, from, to int64) {
	t.Helper()
	if int64(len(ids)) != to-from+1 {
		t.Fatalf("got %d events %v, want ids %d..%d once each", len(ids), ids, from, to)
	}
	for i, id := range ids {
		if id != from+int64(i) {
			t.Fatalf("event %d has id %d, want %d (ids %v)", i, id, from+int64(i), ids)
		}
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestHubReplayThenLive commits while watchers connect (the store read is
// slowed so live events land during the replay) and checks each watcher
// gets every event after its id exactly once, in order.
func TestHubReplayThenLive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		before       int
		after        int64
		replayDelay  time.Duration
		page         int
		during, last int
	}{
		{"from the start", 5, 0, 20 * time.Millisecond, 0, 200, 205},
		{"after an id", 10, 7, 20 * time.Millisecond, 0, 100, 110},
		{"replay in pages", 1200, 3, 0, 100, 50, 1250},
		{"nothing stored yet", 0, 0, 0, 0, 30, 30},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupHub(t, server.HubOptions{ReplayPage: tc.page})
			b.src.delay = tc.replayDelay
			if tc.before > 0 {
				b.hub.Publish(execX, b.src.commit(tc.before, 10))
			}
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < tc.during; i++ {
					b.hub.Publish(execX, b.src.commit(1, 10))
					if i%10 == 0 {
						time.Sleep(time.Millisecond)
					}
				}
			}()
			c := dial(t, b.url, tc.after)
			ids, err := readUntil(c, int64(tc.last), 10*time.Second)
			wg.Wait()
			if err != nil {
				t.Fatalf("read: %v (got %v)", err, ids)
			}
			wantRange(t, ids, tc.after+1, int64(tc.last))
			// Nothing more arrives: no duplicates after the last id.
			_ = c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			if _, msg, err := c.ReadMessage(); err == nil {
				t.Fatalf("extra frame after the last event: %s", msg)
			}
		})
	}
}

// TestHubGapFilledFromStore: events committed but never published (for
// example the first events of an execution) are read from the store when a
// later live batch shows the gap.
func TestHubGapFilledFromStore(t *testing.T) {
	t.Parallel()
	b := setupHub(t, server.HubOptions{})
	c := dial(t, b.url, 0)
	waitFor(t, "watcher subscribed", func() bool { return b.hub.Watchers(hubARN) == 1 })
	b.src.commit(4, 1) // not published
	b.hub.Publish(execX, b.src.commit(2, 1))
	ids, err := readUntil(c, 6, 5*time.Second)
	if err != nil {
		t.Fatalf("read: %v (got %v)", err, ids)
	}
	wantRange(t, ids, 1, 6)
}

// TestHubSlowWatcherDropped: a watcher that does not read fills its
// buffer; Publish never blocks, the hub drops it with 1013, and it
// reconnects with its last id and gets the rest exactly once.
func TestHubSlowWatcherDropped(t *testing.T) {
	t.Parallel()
	b := setupHub(t, server.HubOptions{SendBuffer: 4, WriteWait: 2 * time.Second})
	fast := dial(t, b.url, 0)
	slow := dial(t, b.url, 0)
	waitFor(t, "two watchers", func() bool { return b.hub.Watchers(hubARN) == 2 })
	var fastIDs []int64
	var fastErr error
	done := make(chan struct{})
	const total = 200
	go func() {
		defer close(done)
		// A reader that keeps up; if the race detector slows it enough to
		// be dropped too, it reconnects from its last id like the page.
		c := fast
		for {
			ids, err := readUntil(c, total, 20*time.Second)
			fastIDs = append(fastIDs, ids...)
			var ce *websocket.CloseError
			if err == nil || !errors.As(err, &ce) || ce.Code != websocket.CloseTryAgainLater {
				fastErr = err
				return
			}
			var last int64
			if len(fastIDs) > 0 {
				last = fastIDs[len(fastIDs)-1]
			}
			nc, _, err := websocket.DefaultDialer.Dial(fmt.Sprintf("%s/?after=%d", b.url, last), nil)
			if err != nil {
				fastErr = err
				return
			}
			defer nc.Close()
			c = nc
		}
	}()
	start := time.Now()
	var maxPublish time.Duration
	for i := 0; i < total; i++ {
		t0 := time.Now()
		b.hub.Publish(execX, b.src.commit(1, 32<<10)) // 32 KiB: the socket buffers fill fast
		maxPublish = max(maxPublish, time.Since(t0))
		if i%20 == 0 {
			time.Sleep(time.Millisecond) // let the fast reader keep up
		}
	}
	<-done
	if fastErr != nil {
		t.Fatalf("fast watcher: %v", fastErr)
	}
	wantRange(t, fastIDs, 1, total)
	// Publish never waits for a watcher; a write to the stuck one would
	// hold it for WriteWait (2s).
	if maxPublish > time.Second {
		t.Fatalf("Publish blocked for %v (total %v)", maxPublish, time.Since(start))
	}
	waitFor(t, "slow watcher dropped", func() bool { return b.hub.Watchers(hubARN) <= 1 })

	// The slow one reads what reached it, then the close frame.
	got, err := readUntil(slow, total, 10*time.Second)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseTryAgainLater {
		t.Fatalf("slow watcher ended with %v after %d events, want close 1013", err, len(got))
	}
	if len(got) == total {
		t.Fatalf("slow watcher got everything; it was not slow")
	}
	wantRange(t, got, 1, int64(len(got)))
	again := dial(t, b.url, int64(len(got)))
	rest, err := readUntil(again, total, 10*time.Second)
	if err != nil {
		t.Fatalf("reconnected watcher: %v", err)
	}
	wantRange(t, rest, int64(len(got))+1, total)
}

// TestHubShutdown: canceling the server's base context closes every
// watcher with 1001 (going away); a closed hub refuses new watchers.
func TestHubShutdown(t *testing.T) {
	t.Parallel()
	b := setupHub(t, server.HubOptions{})
	c := dial(t, b.url, 0)
	waitFor(t, "watcher subscribed", func() bool { return b.hub.Watchers(hubARN) == 1 })
	b.cancel()
	_, _, err := c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("read after shutdown: %v, want close 1001", err)
	}
	waitFor(t, "watcher gone", func() bool { return b.hub.Watchers(hubARN) == 0 })

	b2 := setupHub(t, server.HubOptions{})
	b2.hub.Close()
	c2 := dial(t, b2.url, 0)
	_, _, err = c2.ReadMessage()
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("read from a closed hub: %v, want close 1001", err)
	}
}

// TestHubChecks: a cross-origin browser is refused (gorilla's default
// same-origin check), pings are answered, and a message over the read
// limit ends the watch.
func TestHubChecks(t *testing.T) {
	t.Parallel()
	b := setupHub(t, server.HubOptions{ReadLimit: 64, PongWait: time.Second})
	h := http.Header{"Origin": {"http://evil.example"}}
	if c, resp, err := websocket.DefaultDialer.Dial(b.url+"/", h); err == nil {
		c.Close()
		t.Fatalf("cross-origin dial succeeded")
	} else if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin dial: %v, want 403", err)
	}

	c := dial(t, b.url, 0)
	pinged := make(chan struct{}, 1)
	c.SetPingHandler(func(string) error {
		select {
		case pinged <- struct{}{}:
		default:
		}
		return c.WriteControl(websocket.PongMessage, nil, time.Now().Add(time.Second))
	})
	go func() {
		for {
			if _, _, err := c.NextReader(); err != nil {
				return
			}
		}
	}()
	select {
	case <-pinged:
	case <-time.After(5 * time.Second):
		t.Fatalf("no ping within 5s")
	}
	// Answered pings keep the watch open past PongWait.
	time.Sleep(1500 * time.Millisecond)
	if n := b.hub.Watchers(hubARN); n != 1 {
		t.Fatalf("watchers after pongs = %d, want 1", n)
	}
	if err := c.WriteMessage(websocket.TextMessage, []byte(strings.Repeat("x", 100))); err != nil {
		t.Fatalf("write: %v", err)
	}
	waitFor(t, "watch ended by the read limit", func() bool { return b.hub.Watchers(hubARN) == 0 })
}

// TestLiveEndpoint checks the server's route: bad ids, unknown executions
// and a server without a hub.
func TestLiveEndpoint(t *testing.T) {
	t.Parallel()
	url, eng, _ := liveServer(t)
	startWaits(t, eng, "ep")
	noHub, _ := realServer(t)
	tests := []struct {
		name, url string
		status    int
	}{
		{"bad after", url + "/state-machines/ep/executions/run-1/ws?after=x", http.StatusBadRequest},
		{"negative after", url + "/state-machines/ep/executions/run-1/ws?after=-1", http.StatusBadRequest},
		{"unknown execution", url + "/state-machines/ep/executions/nope/ws", http.StatusNotFound},
		{"not a websocket", url + "/state-machines/ep/executions/run-1/ws", http.StatusBadRequest},
		{"no hub", noHub + "/state-machines/ep/executions/run-1/ws", http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, err := http.Get(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("GET %s: %d, want %d", tc.url, resp.StatusCode, tc.status)
			}
		})
	}
	// A real watch of the real engine ends with ExecutionSucceeded.
	ws := "ws" + strings.TrimPrefix(url, "http") + "/state-machines/ep/executions/run-1/ws?after=0"
	hdr := http.Header{"Origin": {url}}
	c, _, err := websocket.DefaultDialer.Dial(ws, hdr)
	if err != nil {
		t.Fatalf("dial %s: %v", ws, err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(15 * time.Second))
	var types []string
	for len(types) == 0 || types[len(types)-1] != "ExecutionSucceeded" {
		_, msg, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v after %v", err, types)
		}
		var f struct {
			Events []struct {
				Type string `json:"type"`
			} `json:"events"`
		}
		if err := json.Unmarshal(msg, &f); err != nil {
			t.Fatal(err)
		}
		for _, e := range f.Events {
			types = append(types, e.Type)
		}
	}
	if types[0] != "ExecutionStarted" {
		t.Fatalf("first event %s, want ExecutionStarted (all: %v)", types[0], types)
	}
}
