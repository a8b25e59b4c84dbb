package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"stepwise/designer"
)

// The designer's socket, <draft URL>/socket, carries the page's edits and
// brings it other windows' changes of the same draft.
//
// Over HTTP every edit paid the browser's fetch overhead, which in headless
// Chromium on a two-core machine is about 10 ms at the median and 20 ms at
// the 98th percentile for an empty answer: the whole budget of an edit's
// round trip. A message on an open websocket costs 1–2 ms. Each message is
// a request to one of the draft's POST routes and is served by the very
// same handlers and middleware (CSRF, same origin, body limit) as over
// HTTP, so the two ways cannot drift apart; the page falls back to HTTP
// while the socket is down. After an edit succeeds, the draft's other
// sockets get the answer pushed, so another window shows it at once.

// socketRoutes are the draft routes a socket message may name: the edits.
// Saving, running and testing stay HTTP requests.
var socketRoutes = map[string]bool{
	"ops": true, "import": true, "inspector/field": true, "inspector/list": true, "inspector/param": true,
}

// socketRequest is one message from the page.
type socketRequest struct {
	ID   int64           `json:"id"`
	Path string          `json:"path"` // relative to the draft URL, e.g. "ops"
	CSRF string          `json:"csrf"` // the page's CSRF token, as the X-CSRF-Token header
	Body json.RawMessage `json:"body"`
}

// socketAnswer answers the request with the same id: the HTTP status and
// JSON body the route answered, or the draft view it answered with (sent as
// a delta against the last view the socket sent).
type socketAnswer struct {
	ID     int64
	Status int
	Body   json.RawMessage
	View   *designer.View
}

// viewSink is how a handler serving a socket message hands its answer's
// draft view to the socket (see designerUI.answer), which sends it as a
// delta instead of the view's JSON.
type viewSink struct{ view *designer.View }

type viewSinkKey struct{}

// socketView returns the sink of a request that came over a socket, or nil.
func socketView(r *http.Request) *viewSink {
	s, _ := r.Context().Value(viewSinkKey{}).(*viewSink)
	return s
}

const (
	socketWriteWait = 5 * time.Second
	socketPongWait  = 60 * time.Second
	socketReadLimit = 4<<20 + 4096 // the edit routes' body limit and the envelope
)

// draftSockets is the open sockets of each draft.
type draftSockets struct {
	mu     sync.Mutex
	drafts map[string]map[*draftSocket]struct{}
}

// draftSocket is one page's connection; writes are serialized.
type draftSocket struct {
	conn *websocket.Conn
	mu   sync.Mutex
	last *designer.View // the draft view the page holds (under mu)
	buf  []byte         // the message being written (under mu)
}

// send writes an answer (push false) or a push of a draft view. A view is
// sent as a delta against the last one this socket sent (see
// designer.View.AppendDeltaJSON): a 500-state draft's view is some 200 KB,
// a field edit's delta under 1 KB.
func (s *draftSocket) send(a socketAnswer, push bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := envelope(s.buf[:0], a.ID, a.Status, push)
	if a.View != nil {
		out, held, err := a.View.AppendDeltaJSON(msg, s.last)
		if err != nil {
			// Not JSON (a position that is not a number): the page keeps
			// what it has; the one who asked is told.
			if push {
				return nil
			}
			msg = envelope(msg[:0], a.ID, http.StatusInternalServerError, false)
			msg = append(msg, errorBody("The answer could not be encoded: "+err.Error())...)
			return s.sendNow(append(msg, '}'))
		}
		s.last = held
		u, _ := json.Marshal(draftURL(a.View.ID))
		msg = append(out[:len(out)-1], `,"url":`...) // replaces the closing brace
		msg = append(msg, u...)
		msg = append(msg, '}')
	} else {
		// Our own JSON (an error answer): the envelope is built around it.
		msg = append(msg, a.Body...)
		if a.Status == http.StatusOK {
			// Not a view the socket made: the next one goes in full.
			s.last = nil
		}
	}
	msg = append(msg, '}')
	if cap(msg) <= maxPooledAnswer {
		s.buf = msg
	}
	return s.sendNow(msg)
}

// envelope opens a message: {"push": or {"id":…,"status":…,"body":, to be
// followed by the body and a closing brace.
func envelope(msg []byte, id int64, status int, push bool) []byte {
	if push {
		return append(msg, `{"push":`...)
	}
	msg = append(msg, `{"id":`...)
	msg = strconv.AppendInt(msg, id, 10)
	msg = append(msg, `,"status":`...)
	msg = strconv.AppendInt(msg, int64(status), 10)
	return append(msg, `,"body":`...)
}

func (s *draftSocket) sendNow(msg []byte) error {
	_ = s.conn.SetWriteDeadline(time.Now().Add(socketWriteWait))
	return s.conn.WriteMessage(websocket.TextMessage, msg)
}

func (s *draftSocket) control(kind int, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn.WriteControl(kind, data, time.Now().Add(socketWriteWait))
}

func (r *draftSockets) add(draft string, s *draftSocket) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.drafts[draft] == nil {
		r.drafts[draft] = map[*draftSocket]struct{}{}
	}
	r.drafts[draft][s] = struct{}{}
}

func (r *draftSockets) remove(draft string, s *draftSocket) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.drafts[draft], s)
	if len(r.drafts[draft]) == 0 {
		delete(r.drafts, draft)
	}
}

// others returns the draft's sockets except from.
func (r *draftSockets) others(draft string, from *draftSocket) []*draftSocket {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*draftSocket, 0, len(r.drafts[draft]))
	for s := range r.drafts[draft] {
		if s != from {
			out = append(out, s)
		}
	}
	return out
}

// edited answers a successful edit with the draft's new view and shows it
// in the draft's other pages: an edit that came over a socket is pushed by
// that socket's loop once its own answer is sent; any other (an HTTP POST,
// when a page's socket is down) is pushed here.
func (d *designerUI) edited(c echo.Context, v *designer.View) error {
	if socketView(c.Request()) == nil {
		d.sockets.push(v, nil)
	}
	return d.answer(c, http.StatusOK, v)
}

// push sends v to the sockets of its draft but from.
func (r *draftSockets) push(v *designer.View, from *draftSocket) {
	for _, o := range r.others(v.ID, from) {
		if o.send(socketAnswer{Status: http.StatusOK, View: v}, true) != nil {
			_ = o.conn.Close() // its read loop ends and removes it
		}
	}
}

// registerSocket adds <draft URL>/socket.
func (d *designerUI) registerSocket(g *echo.Group) {
	reg := d.sockets
	up := &websocket.Upgrader{
		ReadBufferSize:  4096,
		WriteBufferSize: 16384,
		// CheckOrigin stays nil: gorilla's default refuses a page from
		// another origin (Origin must match Host).
	}
	g.GET("/designer/drafts/:id/socket", func(c echo.Context) error { return d.socket(c, up, reg) })
}

func (d *designerUI) socket(c echo.Context, up *websocket.Upgrader, reg *draftSockets) error {
	id := param(c, "id")
	// The draft must exist; its view is not needed (the page has it).
	if _, _, err := d.ed.Document(c.Request().Context(), id); designer.IsNotFound(err) {
		return echo.NewHTTPError(http.StatusNotFound, "This draft does not exist (it may have been deleted).")
	} else if err != nil {
		return err
	}
	r := c.Request()
	conn, err := up.Upgrade(c.Response(), r, nil)
	if err != nil {
		return nil // Upgrade has answered the client
	}
	s := &draftSocket{conn: conn}
	reg.add(id, s)
	defer reg.remove(id, s)
	defer func() { _ = conn.Close() }()
	// The socket starts with the draft's current view, in full: the page
	// catches up with what it missed while it had no socket, and the
	// answer to its first edit is a delta like the others.
	if v, err := d.ed.Open(r.Context(), id); err == nil {
		if s.send(socketAnswer{Status: http.StatusOK, View: v}, true) != nil {
			return nil
		}
	}

	// The socket ends with the request: when the server shuts down it says
	// so, and the page falls back to HTTP until it reconnects.
	done := make(chan struct{})
	defer close(done)
	go func() {
		ping := time.NewTicker(socketPongWait * 9 / 10)
		defer ping.Stop()
		for {
			select {
			case <-done:
				return
			case <-r.Context().Done():
				_ = s.control(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"))
				_ = conn.Close()
				return
			case <-ping.C:
				if s.control(websocket.PingMessage, nil) != nil {
					return
				}
			}
		}
	}()

	conn.SetReadLimit(socketReadLimit)
	_ = conn.SetReadDeadline(time.Now().Add(socketPongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(socketPongWait)) })
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			return nil
		}
		_ = conn.SetReadDeadline(time.Now().Add(socketPongWait))
		var req socketRequest
		var ans socketAnswer
		if err := json.Unmarshal(msg, &req); err != nil {
			ans = socketAnswer{Status: http.StatusBadRequest, Body: errorBody("The message is not JSON: " + err.Error())}
		} else {
			ans = serveSocketRequest(c.Echo(), r, id, req)
		}
		if s.send(ans, false) != nil {
			return nil
		}
		if ans.View != nil {
			reg.push(ans.View, s)
		}
	}
}

// serveSocketRequest serves one message as the POST request it stands for,
// through the server's router and middleware, with the upgrade request's
// cookies, origin and address.
func serveSocketRequest(e *echo.Echo, up *http.Request, draft string, m socketRequest) socketAnswer {
	if !socketRoutes[m.Path] {
		return socketAnswer{ID: m.ID, Status: http.StatusNotFound, Body: errorBody("There is no edit " + strconv.Quote(m.Path) + " on this socket.")}
	}
	body := []byte(m.Body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	sink := &viewSink{}
	ctx := context.WithValue(up.Context(), viewSinkKey{}, sink)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, draftURL(draft)+"/"+m.Path, bytes.NewReader(body))
	if err != nil {
		return socketAnswer{ID: m.ID, Status: http.StatusBadRequest, Body: errorBody("The request is not valid: " + err.Error())}
	}
	req.Host = up.Host
	req.RemoteAddr = up.RemoteAddr
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", m.CSRF)
	for _, h := range []string{"Origin", "Cookie", "User-Agent"} {
		if v := up.Header.Get(h); v != "" {
			req.Header.Set(h, v)
		}
	}
	if up.Header.Get("Origin") != "" {
		// The upgrade checked that the page is this server's own (Origin
		// equals Host), which is what Sec-Fetch-Site tells the CSRF check
		// over HTTP; browsers do not send it on a websocket handshake.
		// Without an Origin (not a browser), the token and cookie decide.
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	w := &answerWriter{header: http.Header{}}
	e.ServeHTTP(w, req)
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	if sink.view != nil && status == http.StatusOK {
		return socketAnswer{ID: m.ID, Status: status, View: sink.view}
	}
	out := bytes.TrimSpace(w.body.Bytes())
	// The edit routes answer JSON; anything else is the UI's error page.
	if len(out) == 0 || (out[0] != '{' && out[0] != '[') {
		// An error page (the UI's error handler writes HTML): its gist.
		msg := http.StatusText(status)
		if status == http.StatusForbidden {
			msg = "The page expired or did not come from this site. Reload the page and try again."
		}
		out = errorBody(msg)
	}
	return socketAnswer{ID: m.ID, Status: status, Body: out}
}

func errorBody(msg string) json.RawMessage {
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	return b
}

// answerWriter collects a handler's answer to a socket message.
type answerWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *answerWriter) Header() http.Header { return w.header }

func (w *answerWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *answerWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}
