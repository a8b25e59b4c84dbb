package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"
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
// JSON body the route answered.
type socketAnswer struct {
	ID     int64           `json:"id"`
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
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
	last map[string]json.RawMessage // the last draft view sent, in full (under mu)
}

// send writes an answer (push false) or a push of a draft view, shrunk
// against the last view this socket sent (see shrinkView).
func (s *draftSocket) send(a socketAnswer, push bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	body := a.Body
	if a.Status == http.StatusOK {
		var next map[string]json.RawMessage
		body, next = shrinkView(s.last, a.Body)
		if next != nil {
			s.last = next
		}
	}
	var msg []byte
	var err error
	if push {
		msg, err = json.Marshal(struct {
			Push json.RawMessage `json:"push"`
		}{body})
	} else {
		msg, err = json.Marshal(socketAnswer{ID: a.ID, Status: a.Status, Body: body})
	}
	if err != nil {
		return err
	}
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

// registerSocket adds <draft URL>/socket.
func (d *designerUI) registerSocket(g *echo.Group) {
	reg := &draftSockets{drafts: map[string]map[*draftSocket]struct{}{}}
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
	if _, err := d.open(c); err != nil {
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
		if ans.Status == http.StatusOK {
			for _, o := range reg.others(id, s) {
				if o.send(ans, true) != nil {
					_ = o.conn.Close() // its read loop ends and removes it
				}
			}
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
	req, err := http.NewRequestWithContext(up.Context(), http.MethodPost, draftURL(draft)+"/"+m.Path, bytes.NewReader(body))
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
	out := bytes.TrimSpace(w.body.Bytes())
	if !json.Valid(out) {
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

// shrinkView returns a draft view (an edit's answer) as a delta against
// prev, the last view sent on the socket, and the full view to remember.
// A 500-state draft's view is some 200 KB (the ASL, the graph, the
// diagnostics); an edit changes a few lines of it, and moving 200 KB
// through the browser's network process and JSON parser cost more than the
// edit. The delta is under "$delta": fields equal to prev's are named in
// "same"; the ASL text is a splice ("p" UTF-16 units kept from the start,
// "s" from the end, "t" between them); the diagnostics and each of the
// graph's arrays, when their length did not change, are their changed items
// ("n" length, "i" indexes, "v" items). A body that is not a view (no
// "version") passes unchanged and is not remembered.
func shrinkView(prev map[string]json.RawMessage, body json.RawMessage) (json.RawMessage, map[string]json.RawMessage) {
	var cur map[string]json.RawMessage
	if json.Unmarshal(body, &cur) != nil || cur["version"] == nil {
		return body, nil
	}
	// A layout-only answer ("sameAsl") has no ASL, graph or diagnostics
	// (null or left out): the page keeps its own, and so does the
	// remembered view.
	sameASL := string(cur["sameAsl"]) == "true"
	for _, k := range []string{"asl", "graph", "diagnostics"} {
		if _, ok := cur[k]; (!ok || sameASL) && prev[k] != nil {
			cur[k] = prev[k]
		}
	}
	if prev == nil {
		return body, cur
	}
	out := make(map[string]json.RawMessage, len(cur))
	delta := map[string]any{}
	var same []string
	for k, v := range cur {
		p, ok := prev[k]
		switch {
		case !ok || len(v) < 64 || string(bytes.TrimSpace(p)) == "null":
			out[k] = v
		case bytes.Equal(p, v):
			same = append(same, k)
		case k == "asl":
			var a, b string
			if json.Unmarshal(p, &a) != nil || json.Unmarshal(v, &b) != nil {
				out[k] = v
				continue
			}
			ps, ss, mid := splice(a, b)
			delta[k] = map[string]any{"p": ps, "s": ss, "t": mid}
		case k == "diagnostics":
			if d, ok := arrayDelta(p, v); ok {
				delta[k] = d
			} else {
				out[k] = v
			}
		case k == "graph":
			var pg, cg map[string]json.RawMessage
			if json.Unmarshal(p, &pg) != nil || json.Unmarshal(v, &cg) != nil {
				out[k] = v
				continue
			}
			g := map[string]any{}
			for gk, gv := range cg {
				if d, ok := arrayDelta(pg[gk], gv); ok {
					g[gk] = d
				} else {
					g[gk] = gv
				}
			}
			delta[k] = g
		default:
			out[k] = v
		}
	}
	slices.Sort(same)
	delta["same"] = same
	d, err := json.Marshal(delta)
	if err != nil {
		return body, cur
	}
	out["$delta"] = d
	b, err := json.Marshal(out)
	if err != nil {
		return body, cur
	}
	return b, cur
}

// arrayDelta is b as the items that differ from a's, when both are arrays
// of one length.
func arrayDelta(a, b json.RawMessage) (map[string]any, bool) {
	a, b = bytes.TrimSpace(a), bytes.TrimSpace(b)
	if len(a) == 0 || len(b) == 0 || a[0] != '[' || b[0] != '[' { // null is not an array to patch
		return nil, false
	}
	var pa, pb []json.RawMessage
	if json.Unmarshal(a, &pa) != nil || json.Unmarshal(b, &pb) != nil || len(pa) != len(pb) {
		return nil, false
	}
	idx := []int{}
	vals := []json.RawMessage{}
	for i := range pb {
		if !bytes.Equal(pa[i], pb[i]) {
			idx = append(idx, i)
			vals = append(vals, pb[i])
		}
	}
	if len(idx) > len(pb)/2 {
		return nil, false
	}
	return map[string]any{"n": len(pb), "i": idx, "v": vals}, true
}

// splice finds what b changes in a: the lengths, in UTF-16 code units (as
// JavaScript counts), of the common start and end, and b's text between.
func splice(a, b string) (prefix, suffix int, mid string) {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	for n > 0 && n < len(b) && !utf8.RuneStart(b[n]) {
		n--
	}
	for n > 0 && n < len(a) && !utf8.RuneStart(a[n]) {
		n--
	}
	m := 0
	for m < len(a)-n && m < len(b)-n && a[len(a)-1-m] == b[len(b)-1-m] {
		m++
	}
	for m > 0 && (!utf8.RuneStart(b[len(b)-m]) || !utf8.RuneStart(a[len(a)-m])) {
		m--
	}
	return utf16Len(a[:n]), utf16Len(a[len(a)-m:]), b[n : len(b)-m]
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
