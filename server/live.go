package server

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"stepwise/designer"
	"stepwise/views"
)

// registerLive mounts the live execution view's websocket. Without a hub
// (Config.Hub nil) the execution page keeps its reload-while-running
// behaviour and the endpoint answers 404.
func (s *Server) registerLive(e *echo.Echo) {
	e.GET("/state-machines/:name/executions/:exec/ws", s.watchExecution)
}

// watchExecution streams an execution's history over a websocket:
// ?after=<last event id the client has> (0 or absent for all).
func (s *Server) watchExecution(c echo.Context) error {
	if s.cfg.Hub == nil {
		return echo.NewHTTPError(http.StatusNotFound, "Live execution views are not enabled on this server.")
	}
	machine, name := param(c, "name"), param(c, "exec")
	after, err := parseAfter(c.QueryParam("after"))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "Watch "+name+": "+err.Error())
	}
	arn := s.executionARN(machine, name)
	if _, err := s.eng.DescribeExecution(c.Request().Context(), arn); err != nil {
		return s.uiError(c, err, "Execution "+name+" of "+machine)
	}
	// The watch ends with the request or when the server shuts down.
	ctx, cancel := context.WithCancel(c.Request().Context())
	defer cancel()
	stop := context.AfterFunc(s.base, cancel)
	defer stop()
	if err := s.cfg.Hub.ServeWatch(ctx, c.Response(), c.Request(), arn, after); err != nil {
		s.log.Debug("live: watch ended", "execution", arn, "err", err)
	}
	return nil
}

// mountLive puts the live view on the execution page, with its script and
// styles.
func (s *Server) mountLive(ctx context.Context, v *views.ExecutionView, machine, name, arn string) {
	v.Live = s.liveView(ctx, machine, name, arn)
	if v.Live != nil {
		v.Page.JSURL = s.assets.URL("live/live.js")
		v.Live.CSSURL = s.assets.URL("live/live.css")
	}
}

// livePage loads the live script (which includes app.js) on the state
// machine page, so its executions table follows running executions.
func (s *Server) livePage(p views.Page) views.Page {
	if s.cfg.Hub != nil {
		p.JSURL = s.assets.URL("live/live.js")
	}
	return p
}

// liveView is the live part of the execution page: the diagram of the
// definition the execution runs and the websocket URL. It is nil when the
// server has no hub or the definition cannot be drawn, and the page then
// falls back to reloading while the execution runs.
func (s *Server) liveView(ctx context.Context, machine, name, arn string) *views.LiveView {
	if s.cfg.Hub == nil {
		return nil
	}
	sm, err := s.eng.DescribeStateMachineForExecution(ctx, arn)
	if err != nil {
		s.log.Warn("live: no definition for execution", "execution", arn, "err", err)
		return nil
	}
	doc, err := designer.ParseDocument([]byte(sm.Definition), nil)
	if err != nil {
		s.log.Warn("live: definition cannot be drawn", "execution", arn, "err", err)
		return nil
	}
	return &views.LiveView{
		WSURL:    views.ExecutionURL(machine, name) + "/ws",
		Graph:    doc.Graph(nil),
		Retrying: retryingStates([]byte(sm.Definition)),
	}
}

// retryingStates names the states with a Retry field, so the page can show
// "retrying" while a failed attempt waits for its next one. The definition
// has been parsed before; anything unexpected yields no names.
func retryingStates(def []byte) []string {
	var root map[string]any
	if err := json.Unmarshal(def, &root); err != nil {
		return nil
	}
	var out []string
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		states, _ := m["States"].(map[string]any)
		for name, v := range states {
			st, _ := v.(map[string]any)
			if st == nil {
				continue
			}
			if r, _ := st["Retry"].([]any); len(r) > 0 {
				out = append(out, name)
			}
			if bs, _ := st["Branches"].([]any); bs != nil {
				for _, b := range bs {
					if bm, ok := b.(map[string]any); ok {
						walk(bm)
					}
				}
			}
			for _, k := range []string{"ItemProcessor", "Iterator"} {
				if p, ok := st[k].(map[string]any); ok {
					walk(p)
				}
			}
		}
	}
	walk(root)
	sort.Strings(out)
	return out
}
