package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"stepwise/engine/registry"
	"stepwise/static"
	"stepwise/views"
)

// Config configures the server.
type Config struct {
	Addr    string // listen address; default 127.0.0.1:8080
	Region  string // region in ARNs; default us-east-1
	Account string // account id in ARNs; default 123456789012
	// ShutdownTimeout bounds graceful shutdown; default 10s.
	ShutdownTimeout time.Duration
	// Metrics are the collectors /metrics serves; New creates them when nil.
	// Create them first (NewMetrics) to hand Metrics.Publisher to the engine.
	Metrics *Metrics
	// Integrations stores functions and connections for /functions, /connections and /api/; nil disables them.
	Integrations registry.Registry
	// Hub serves the live execution view's websockets; nil disables it.
	// Create it (NewHub) before the engine and set it as the engine's
	// publisher (through Metrics.Publisher(hub)).
	Hub *Hub
}

func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Account == "" {
		c.Account = "123456789012"
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
	return c
}

// Server is the Stepwise HTTP application.
type Server struct {
	cfg     Config
	eng     Engine
	log     *slog.Logger
	e       *echo.Echo
	ops     map[string]opFunc
	metrics *Metrics
	assets  *static.Assets

	// base is the parent context of every request; canceling it ends
	// long-lived streams before the HTTP server shuts down.
	base       context.Context
	cancelBase context.CancelFunc
	serveOnce  sync.Once
}

// New builds the server around an engine.
func New(cfg Config, eng Engine, logger *slog.Logger) (*Server, error) {
	if eng == nil {
		return nil, errors.New("server: New: engine is nil")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	if !validRegion(cfg.Region) {
		return nil, fmt.Errorf("server: New: region %q is not a valid AWS region name", cfg.Region)
	}
	if !validAccount(cfg.Account) {
		return nil, fmt.Errorf("server: New: account %q must be 12 digits", cfg.Account)
	}
	assets, err := static.New()
	if err != nil {
		return nil, fmt.Errorf("server: New: %w", err)
	}
	base, cancel := context.WithCancel(context.Background())
	metrics := cfg.Metrics
	if metrics == nil {
		metrics = NewMetrics()
	}
	s := &Server{
		cfg: cfg, eng: eng, log: logger, ops: operations(), metrics: metrics,
		assets: assets, base: base, cancelBase: cancel,
	}
	s.e = s.routes()
	return s, nil
}

// Handler returns the HTTP handler (for httptest and embedding).
func (s *Server) Handler() http.Handler { return s.e }

// Metrics returns the collectors the engine wiring feeds.
func (s *Server) Metrics() *Metrics { return s.metrics }

// Context is canceled when the server starts shutting down; long-lived
// streams (websockets) derive from it so they end first.
func (s *Server) Context() context.Context { return s.base }

// ListenAndServe listens on cfg.Addr and serves until ctx ends.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("server: listen on %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends, then shuts down gracefully: it cancels
// long-lived streams, then lets in-flight requests finish within
// ShutdownTimeout. It returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	started := false
	s.serveOnce.Do(func() { started = true })
	if !started {
		return errors.New("server: Serve called twice")
	}
	// echo's Shutdown stops e.Server, so that is the server to configure.
	hs := s.e.Server
	hs.ReadHeaderTimeout = 10 * time.Second
	hs.ReadTimeout = 2 * time.Minute
	hs.IdleTimeout = 2 * time.Minute
	hs.BaseContext = func(net.Listener) context.Context { return s.base }
	s.e.Listener = ln
	errc := make(chan error, 1)
	go func() { errc <- s.e.StartServer(hs) }()
	s.log.Info("server: listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		s.cancelBase()
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("server: serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("server: shutting down")
	s.cancelBase()
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := s.e.Shutdown(sctx); err != nil {
		return fmt.Errorf("server: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: serve: %w", err)
	}
	return nil
}

func isAPIRequest(c echo.Context) bool {
	return c.Request().URL.Path == "/" && c.Request().Method == http.MethodPost
}

func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.StdLogger = slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: false,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("server: panic", "method", c.Request().Method, "path", c.Request().URL.Path, "error", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod: true, LogURIPath: true, LogStatus: true, LogLatency: true, LogError: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelDebug
			if v.Status >= 500 {
				level = slog.LevelError
			}
			s.log.Log(c.Request().Context(), level, "http request", "method", v.Method, "path", v.URIPath, "status", v.Status, "latency", v.Latency, "target", c.Request().Header.Get("X-Amz-Target"))
			return nil
		},
	}))
	e.Use(securityHeaders)
	e.Use(s.sameOrigin)

	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.metrics.Registry(), promhttp.HandlerOpts{})))
	e.GET(static.Prefix+"*", echo.WrapHandler(s.assets))
	e.HEAD(static.Prefix+"*", echo.WrapHandler(s.assets))
	e.POST("/", s.handleAPI)

	ui := e.Group("")
	ui.Use(middleware.BodyLimit("4M"))
	ui.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf",
		CookieName:     "stepwise_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteStrictMode,
		ContextKey:     "csrf",
		ErrorHandler: func(err error, c echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden, "The form expired or did not come from this site. Reload the page and try again.")
		},
	}))
	ui.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/state-machines") })
	ui.GET("/state-machines", s.pageStateMachines)
	ui.POST("/state-machines", s.createStateMachine)
	ui.GET("/state-machines/:name", s.pageStateMachine)
	ui.POST("/state-machines/:name/delete", s.deleteStateMachine)
	ui.POST("/state-machines/:name/executions", s.startExecution)
	ui.GET("/state-machines/:name/executions/:exec", s.pageExecution)
	ui.POST("/state-machines/:name/executions/:exec/stop", s.stopExecution)
	ui.POST("/state-machines/:name/executions/:exec/redrive", s.redriveExecution)
	ui.GET("/activities", s.pageActivities)
	s.registerDesigner(e)
	s.registerIntegrations(e)
	s.registerLive(e)
	return e
}

// securityHeaders sets a strict CSP (no inline scripts or styles) and the
// usual hardening headers on every response.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		return next(c)
	}
}

// sameOrigin refuses state-changing requests that a browser sent from
// another site: the Origin header, when present, must name this host.
// Non-browser clients (AWS SDKs, the CLI) send no Origin.
func (s *Server) sameOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		origin := r.Header.Get("Origin")
		crossSite := r.Header.Get("Sec-Fetch-Site") == "cross-site"
		if origin == "" && !crossSite {
			return next(c)
		}
		if !crossSite {
			if u, err := url.Parse(origin); err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host) {
				return next(c)
			}
		}
		if isAPIRequest(c) {
			return s.writeAPIError(c, "", &Error{Code: ErrAccessDenied, Message: "Requests from another site's web page are refused (Origin " + quoteValue(origin) + ")"})
		}
		return echo.NewHTTPError(http.StatusForbidden, "This form was sent from another site and was refused.")
	}
}

// handleError writes errors that escaped a handler: AWS's shape for the
// API, an error page for the UI.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := http.StatusInternalServerError
	msg := "Something went wrong on the server. The error is in the server log."
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
		if m, ok := he.Message.(string); ok {
			msg = m
		} else {
			msg = http.StatusText(status)
		}
	}
	if status >= 500 {
		s.log.Error("server: request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "error", err)
	}
	if isAPIRequest(c) {
		code := ErrValidation
		if status >= 500 {
			code = ErrInternalFailure
		}
		_ = writeAWSJSON(c, status, struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}{code, msg})
		return
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	heading := http.StatusText(status)
	if status == http.StatusNotFound {
		heading = "Page not found"
		if he != nil && he.Message == "Not Found" {
			msg = "There is no page at " + c.Request().URL.Path + "."
		}
	}
	s.renderStatus(c, status, views.ErrorPage(views.ErrorView{
		Page:    s.page(c, heading, ""),
		Status:  status,
		Heading: heading,
		Message: msg,
	}))
}

// render writes a templ component into a buffer first, so a render error
// still becomes a proper 500 page instead of half a page.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	var buf bytes.Buffer
	if err := comp.Render(c.Request().Context(), &buf); err != nil {
		return fmt.Errorf("server: render %s: %w", c.Request().URL.Path, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

func (s *Server) renderStatus(c echo.Context, status int, comp templ.Component) {
	var buf bytes.Buffer
	if err := comp.Render(c.Request().Context(), &buf); err != nil {
		s.log.Error("server: render error page", "error", err)
		_ = c.String(http.StatusInternalServerError, "internal error")
		return
	}
	_ = c.HTMLBlob(status, buf.Bytes())
}

func (s *Server) page(c echo.Context, title, section string) views.Page {
	token, _ := c.Get("csrf").(string)
	return views.Page{
		Title:   title,
		Section: section,
		CSRF:    token,
		CSSURL:  s.assets.URL("app.css"),
		JSURL:   s.assets.URL("app.js"),
	}
}
