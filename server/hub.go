package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"stepwise/engine"
)

// HistorySource reads an execution's stored history; engine.Store
// satisfies it. The hub replays from it when a watcher connects and when it
// sees a gap in the live stream.
type HistorySource interface {
	GetHistory(ctx context.Context, executionARN string, q engine.HistoryQuery) ([]engine.HistoryEvent, string, error)
}

// HubOptions tunes the hub; zero values take the defaults.
type HubOptions struct {
	// SendBuffer is how many live batches wait per watcher before the hub
	// drops it as too slow (it reconnects with its last event id); default 256.
	SendBuffer int
	// WriteWait bounds one websocket write; default 10s.
	WriteWait time.Duration
	// PongWait is how long a watcher may stay silent (no pong); default 60s.
	// Pings go out every PongWait*9/10.
	PongWait time.Duration
	// ReadLimit caps a message from the browser; default 512 bytes (it
	// sends nothing but control frames).
	ReadLimit int64
	// ReplayPage is the page size of history replays; default 500.
	ReplayPage int
	Logger     *slog.Logger
}

func (o HubOptions) withDefaults() HubOptions {
	if o.SendBuffer <= 0 {
		o.SendBuffer = 256
	}
	if o.WriteWait <= 0 {
		o.WriteWait = 10 * time.Second
	}
	if o.PongWait <= 0 {
		o.PongWait = 60 * time.Second
	}
	if o.ReadLimit <= 0 {
		o.ReadLimit = 512
	}
	if o.ReplayPage <= 0 {
		o.ReplayPage = 500
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Hub fans committed history events out to the websocket watchers of each
// execution. It is an engine.Publisher: set it in engine.Options.Publisher
// (chained with Metrics.Publisher). One topic per watched execution serves
// all its watchers; the engine's goroutine never blocks on a watcher: a
// watcher whose buffer is full is dropped and reconnects from its last id.
type Hub struct {
	src  HistorySource
	opts HubOptions
	up   websocket.Upgrader

	mu     sync.Mutex
	topics map[string]map[*watcher]struct{}
	closed bool
}

// NewHub returns a hub replaying from src.
func NewHub(src HistorySource, opts HubOptions) *Hub {
	opts = opts.withDefaults()
	return &Hub{
		src:  src,
		opts: opts,
		// CheckOrigin stays nil: gorilla's default refuses cross-origin
		// browsers (Origin must match Host).
		up: websocket.Upgrader{
			ReadBufferSize:  512,
			WriteBufferSize: 4096,
			WriteBufferPool: &sync.Pool{},
		},
		topics: map[string]map[*watcher]struct{}{},
	}
}

// wireEvent is one history event as the browser reads it.
type wireEvent struct {
	ID       int64           `json:"id"`
	Previous int64           `json:"previousEventId"`
	TS       int64           `json:"ts"` // unix milliseconds
	Type     string          `json:"type"`
	Details  json.RawMessage `json:"details,omitempty"`
}

// batch is events of one commit, each encoded once for every watcher.
type batch struct {
	ids    []int64
	frames [][]byte
}

func encodeEvents(evs []engine.HistoryEvent) batch {
	b := batch{ids: make([]int64, 0, len(evs)), frames: make([][]byte, 0, len(evs))}
	for _, e := range evs {
		d := e.Details
		if len(d) == 0 {
			d = nil
		}
		raw, err := json.Marshal(wireEvent{ID: e.ID, Previous: e.PreviousEventID, TS: e.Timestamp.UnixMilli(), Type: e.Type, Details: d})
		if err != nil {
			// Details that are not JSON: send the event without them.
			raw, _ = json.Marshal(wireEvent{ID: e.ID, Previous: e.PreviousEventID, TS: e.Timestamp.UnixMilli(), Type: e.Type})
		}
		b.ids = append(b.ids, e.ID)
		b.frames = append(b.frames, raw)
	}
	return b
}

// maxCoalesce bounds the events the write pump joins into one frame.
const maxCoalesce = 1000

// join returns b followed by nb, copying so neither (shared by every
// watcher) changes.
func (b batch) join(nb batch) batch {
	return batch{
		ids:    append(append(make([]int64, 0, len(b.ids)+len(nb.ids)), b.ids...), nb.ids...),
		frames: append(append(make([][]byte, 0, len(b.frames)+len(nb.frames)), b.frames...), nb.frames...),
	}
}

// message builds {"events":[...]} from the frames with ids above after.
func (b batch) message(after int64) ([]byte, int64) {
	out := []byte(`{"events":[`)
	n := 0
	last := after
	for i, id := range b.ids {
		if id <= last {
			continue
		}
		if n > 0 {
			out = append(out, ',')
		}
		out = append(out, b.frames[i]...)
		last = id
		n++
	}
	if n == 0 {
		return nil, after
	}
	return append(out, "]}"...), last
}

// watcher is one websocket connection to one execution.
type watcher struct {
	arn  string
	send chan batch
	gone chan struct{} // closed when the hub drops it
	once sync.Once
}

func (w *watcher) drop() { w.once.Do(func() { close(w.gone) }) }

// Publish implements engine.Publisher: it never blocks.
func (h *Hub) Publish(x *engine.Execution, events []engine.HistoryEvent) {
	if x == nil || len(events) == 0 {
		return
	}
	h.mu.Lock()
	subs := h.topics[x.ARN]
	if len(subs) == 0 {
		h.mu.Unlock()
		return
	}
	b := encodeEvents(events)
	for w := range subs {
		select {
		case w.send <- b:
		default:
			// Too slow: drop it rather than hold the engine up.
			delete(subs, w)
			w.drop()
		}
	}
	if len(subs) == 0 {
		delete(h.topics, x.ARN)
	}
	h.mu.Unlock()
}

func (h *Hub) subscribe(arn string) (*watcher, error) {
	w := &watcher{arn: arn, send: make(chan batch, h.opts.SendBuffer), gone: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, errors.New("hub: closed")
	}
	subs := h.topics[arn]
	if subs == nil {
		subs = map[*watcher]struct{}{}
		h.topics[arn] = subs
	}
	subs[w] = struct{}{}
	return w, nil
}

func (h *Hub) unsubscribe(w *watcher) {
	h.mu.Lock()
	if subs := h.topics[w.arn]; subs != nil {
		delete(subs, w)
		if len(subs) == 0 {
			delete(h.topics, w.arn)
		}
	}
	h.mu.Unlock()
	w.drop()
}

// Watchers reports how many watchers the execution has now.
func (h *Hub) Watchers(executionARN string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.topics[executionARN])
}

// Close drops every watcher and refuses new ones.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for arn, subs := range h.topics {
		for w := range subs {
			w.drop()
		}
		delete(h.topics, arn)
	}
}

// Close codes the browser reads: 1001 on shutdown, 1013 when dropped as
// slow (it reconnects at once with its last id), 1011 on a replay error.
const (
	closeSlow = websocket.CloseTryAgainLater
)

// ServeWatch upgrades the request to a websocket and streams the history
// of executionARN after event id after: first the stored events (replay),
// then live ones, each exactly once and in id order. It returns when the
// connection ends, the watcher is dropped or ctx (the server's base
// context) is canceled.
func (h *Hub) ServeWatch(ctx context.Context, rw http.ResponseWriter, r *http.Request, executionARN string, after int64) error {
	conn, err := h.up.Upgrade(rw, r, nil)
	if err != nil {
		// Upgrade has answered the client already.
		return fmt.Errorf("hub: upgrade for %s: %w", executionARN, err)
	}
	defer func() { _ = conn.Close() }()
	w, err := h.subscribe(executionARN)
	if err != nil {
		closeWith(conn, websocket.CloseGoingAway, "server shutting down", h.opts.WriteWait)
		return nil
	}
	defer h.unsubscribe(w)

	conn.SetReadLimit(h.opts.ReadLimit)
	_ = conn.SetReadDeadline(time.Now().Add(h.opts.PongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(h.opts.PongWait)) })
	readDone := make(chan struct{})
	go func() {
		// The read pump: control frames only; any error ends the watch.
		defer close(readDone)
		for {
			if _, _, err := conn.NextReader(); err != nil {
				return
			}
		}
	}()

	// Subscribed first, so nothing committed from now on is missed; the
	// replay covers what was committed before, and live events at or below
	// the last replayed id are skipped.
	last, err := h.replay(ctx, conn, executionARN, after)
	if err != nil {
		h.opts.Logger.Warn("hub: replay failed", "execution", executionARN, "err", err)
		closeWith(conn, websocket.CloseInternalServerErr, "history unavailable", h.opts.WriteWait)
		return nil
	}
	ping := time.NewTicker(h.opts.PongWait * 9 / 10)
	defer ping.Stop()
	for {
		select {
		case b := <-w.send:
			if len(b.ids) > 0 && b.ids[0] > last+1 {
				// A gap (events published out of order or before we
				// subscribed): read it from the store.
				if last, err = h.replay(ctx, conn, executionARN, last); err != nil {
					closeWith(conn, websocket.CloseInternalServerErr, "history unavailable", h.opts.WriteWait)
					return nil
				}
			}
			// Coalesce what else is waiting into the same frame: a watcher
			// that fell behind catches up with one write, not many.
			for more := true; more && len(b.ids) < maxCoalesce; {
				select {
				case nb := <-w.send:
					b = b.join(nb)
				default:
					more = false
				}
			}
			msg, nl := b.message(last)
			if msg == nil {
				continue
			}
			_ = conn.SetWriteDeadline(time.Now().Add(h.opts.WriteWait))
			if err := conn.WriteMessage(websocket.TextMessage, msg); err != nil {
				return nil
			}
			last = nl
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(h.opts.WriteWait)); err != nil {
				return nil
			}
		case <-w.gone:
			closeWith(conn, closeSlow, "too slow; reconnect with the last event id", h.opts.WriteWait)
			return nil
		case <-ctx.Done():
			closeWith(conn, websocket.CloseGoingAway, "server shutting down", h.opts.WriteWait)
			return nil
		case <-readDone:
			return nil
		}
	}
}

// replay writes the stored events after id after and returns the last id
// written.
func (h *Hub) replay(ctx context.Context, conn *websocket.Conn, arn string, after int64) (int64, error) {
	last := after
	for {
		evs, _, err := h.src.GetHistory(ctx, arn, engine.HistoryQuery{AfterID: last, Page: engine.Page{Limit: h.opts.ReplayPage}})
		if err != nil {
			return last, fmt.Errorf("hub: replay %s after %d: %w", arn, last, err)
		}
		if len(evs) == 0 {
			return last, nil
		}
		msg, nl := encodeEvents(evs).message(last)
		if msg != nil {
			_ = conn.SetWriteDeadline(time.Now().Add(h.opts.WriteWait))
			if err := conn.WriteMessage(websocket.TextMessage, msg); err != nil {
				return last, fmt.Errorf("hub: replay %s: write: %w", arn, err)
			}
		}
		if nl == last {
			return last, nil
		}
		// Read until an empty page: a store may cap pages below ReplayPage.
		last = nl
	}
}

func closeWith(conn *websocket.Conn, code int, text string, wait time.Duration) {
	_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(wait))
}

// parseAfter reads the ?after= event id; empty means 0.
func parseAfter(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("after=%q is not an event id (a whole number ≥ 0)", s)
	}
	return n, nil
}

// Disconnect drops every watcher of the execution, as if each were too
// slow: each closes with 1013 and reconnects from its last event id. It
// returns how many it dropped.
func (h *Hub) Disconnect(executionARN string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	subs := h.topics[executionARN]
	for w := range subs {
		w.drop()
	}
	delete(h.topics, executionARN)
	return len(subs)
}
