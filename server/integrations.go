package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"stepwise/engine/registry"
	"stepwise/views"
)

// registerIntegrations adds the functions and connections pages and their
// JSON API:
//
//	GET    /api/functions               → {"functions": [Function...]}
//	GET    /api/functions/:name         → Function
//	PUT    /api/functions/:name         ← {"url", "description", "timeoutSeconds"} → Function
//	DELETE /api/functions/:name         → 204
//	GET    /api/connections             → {"connections": [Connection...]} (no secrets)
//	GET    /api/connections/:name       → Connection (no secrets)
//	PUT    /api/connections/:name       ← {"authType", "description", "apiKey": {"name", "value"},
//	                                       "basic": {"username", "password"}, "oauth": {"authorizationEndpoint",
//	                                       "httpMethod", "clientId", "clientSecret", "scope"}, "headers": {...}}
//	DELETE /api/connections/:name       → 204
//
// Errors are {"code": "...", "message": "..."} with 400, 404, 415 or 501.
// Writes must be JSON, which a cross-site HTML form cannot send, and the
// same-origin middleware refuses browsers' cross-site requests.
func (s *Server) registerIntegrations(e *echo.Echo) {
	h := &integrationsUI{s: s, reg: s.cfg.Integrations}
	api := e.Group("/api")
	api.Use(middleware.BodyLimit("64K"))
	api.GET("/functions", h.apiListFunctions)
	api.GET("/functions/:name", h.apiGetFunction)
	api.PUT("/functions/:name", h.apiPutFunction)
	api.DELETE("/functions/:name", h.apiDeleteFunction)
	api.GET("/connections", h.apiListConnections)
	api.GET("/connections/:name", h.apiGetConnection)
	api.PUT("/connections/:name", h.apiPutConnection)
	api.DELETE("/connections/:name", h.apiDeleteConnection)

	g := e.Group("")
	g.Use(middleware.BodyLimit("64K"))
	g.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
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
	g.GET("/functions", h.pageFunctions)
	g.POST("/functions", h.createFunction)
	g.POST("/functions/:name/delete", h.deleteFunction)
	g.GET("/connections", h.pageConnections)
	g.POST("/connections", h.createConnection)
	g.POST("/connections/:name/delete", h.deleteConnection)
}

type integrationsUI struct {
	s   *Server
	reg registry.Registry
}

func (h *integrationsUI) functionARN(name string) string {
	return "arn:aws:lambda:" + h.s.cfg.Region + ":" + h.s.cfg.Account + ":function:" + name
}

func (h *integrationsUI) connectionARN(c registry.Connection) string {
	return "arn:aws:events:" + h.s.cfg.Region + ":" + h.s.cfg.Account + ":connection/" + c.Name + "/" + c.ID
}

// ---- pages ----

func (h *integrationsUI) pageFunctions(c echo.Context) error {
	return h.renderFunctions(c, http.StatusOK, views.FunctionsView{})
}

func (h *integrationsUI) renderFunctions(c echo.Context, status int, v views.FunctionsView) error {
	v.Page = h.s.page(c, "Functions", "integrations")
	v.Configured = h.reg != nil
	if h.reg != nil {
		fns, err := h.reg.ListFunctions(c.Request().Context())
		if err != nil {
			return fmt.Errorf("list functions: %w", err)
		}
		for _, f := range fns {
			v.Rows = append(v.Rows, views.FunctionRow{Name: f.Name, ARN: h.functionARN(f.Name), URL: f.URL,
				Description: f.Description, TimeoutSeconds: f.TimeoutSeconds, Created: f.CreatedAt})
		}
	}
	switch c.QueryParam("done") {
	case "registered":
		v.Flash, v.FlashOK = "Registered function "+c.QueryParam("name")+".", true
	case "deleted":
		v.Flash, v.FlashOK = "Deleted function "+c.QueryParam("name")+".", true
	}
	return h.s.render(c, status, views.FunctionsPage(v))
}

func (h *integrationsUI) createFunction(c echo.Context) error {
	form := views.FunctionForm{
		Name:        strings.TrimSpace(c.FormValue("name")),
		URL:         strings.TrimSpace(c.FormValue("url")),
		Description: strings.TrimSpace(c.FormValue("description")),
		Timeout:     strings.TrimSpace(c.FormValue("timeout")),
	}
	if h.reg == nil {
		return echo.NewHTTPError(http.StatusNotImplemented, "This server has no integration registry.")
	}
	f := registry.Function{Name: form.Name, URL: form.URL, Description: form.Description}
	if form.Timeout != "" {
		n, err := strconv.Atoi(form.Timeout)
		if err != nil {
			form.Error = "The timeout must be a whole number of seconds."
			return h.renderFunctions(c, http.StatusBadRequest, views.FunctionsView{Form: form})
		}
		f.TimeoutSeconds = n
	}
	if err := f.Validate(); err != nil {
		form.Error = err.Error()
		return h.renderFunctions(c, http.StatusBadRequest, views.FunctionsView{Form: form})
	}
	if err := h.reg.PutFunction(c.Request().Context(), f); err != nil {
		return fmt.Errorf("register function %q: %w", f.Name, err)
	}
	return c.Redirect(http.StatusSeeOther, "/functions?"+url.Values{"done": {"registered"}, "name": {f.Name}}.Encode())
}

func (h *integrationsUI) deleteFunction(c echo.Context) error {
	if h.reg == nil {
		return echo.NewHTTPError(http.StatusNotImplemented, "This server has no integration registry.")
	}
	name := param(c, "name")
	if err := h.reg.DeleteFunction(c.Request().Context(), name); err != nil {
		if errors.Is(err, registry.ErrNotFound) {
			return echo.NewHTTPError(http.StatusNotFound, "Function "+name+" does not exist.")
		}
		return fmt.Errorf("delete function %q: %w", name, err)
	}
	return c.Redirect(http.StatusSeeOther, "/functions?"+url.Values{"done": {"deleted"}, "name": {name}}.Encode())
}

func (h *integrationsUI) pageConnections(c echo.Context) error {
	return h.renderConnections(c, http.StatusOK, views.ConnectionsView{})
}

func connectionSummary(c registry.Connection) string {
	switch c.AuthType {
	case registry.AuthAPIKey:
		return "header " + c.APIKeyName
	case registry.AuthBasic:
		return "user " + c.Username
	case registry.AuthOAuth:
		return "client " + c.ClientID + " at " + c.AuthorizationEndpoint
	}
	return ""
}

func (h *integrationsUI) renderConnections(c echo.Context, status int, v views.ConnectionsView) error {
	v.Page = h.s.page(c, "Connections", "integrations")
	v.Configured = h.reg != nil
	if h.reg != nil {
		conns, err := h.reg.ListConnections(c.Request().Context())
		if err != nil {
			return fmt.Errorf("list connections: %w", err)
		}
		for _, cn := range conns {
			v.Rows = append(v.Rows, views.ConnectionRow{Name: cn.Name, ARN: h.connectionARN(cn), AuthType: string(cn.AuthType),
				Summary: connectionSummary(cn), Description: cn.Description, Created: cn.CreatedAt})
		}
	}
	switch c.QueryParam("done") {
	case "created":
		v.Flash, v.FlashOK = "Saved connection "+c.QueryParam("name")+".", true
	case "deleted":
		v.Flash, v.FlashOK = "Deleted connection "+c.QueryParam("name")+".", true
	}
	return h.s.render(c, status, views.ConnectionsPage(v))
}

func (h *integrationsUI) createConnection(c echo.Context) error {
	if h.reg == nil {
		return echo.NewHTTPError(http.StatusNotImplemented, "This server has no integration registry.")
	}
	form := views.ConnectionForm{
		Name:                  strings.TrimSpace(c.FormValue("name")),
		Description:           strings.TrimSpace(c.FormValue("description")),
		AuthType:              c.FormValue("auth_type"),
		APIKeyName:            strings.TrimSpace(c.FormValue("api_key_name")),
		Username:              c.FormValue("username"),
		AuthorizationEndpoint: strings.TrimSpace(c.FormValue("authorization_endpoint")),
		HTTPMethod:            c.FormValue("http_method"),
		ClientID:              c.FormValue("client_id"),
		Scope:                 c.FormValue("scope"),
	}
	cn := registry.Connection{Name: form.Name, Description: form.Description, AuthType: registry.AuthType(form.AuthType)}
	switch cn.AuthType {
	case registry.AuthAPIKey:
		cn.APIKeyName, cn.APIKeyValue = form.APIKeyName, c.FormValue("api_key_value")
	case registry.AuthBasic:
		cn.Username, cn.Password = form.Username, c.FormValue("password")
	case registry.AuthOAuth:
		cn.AuthorizationEndpoint, cn.HTTPMethod, cn.ClientID, cn.ClientSecret, cn.Scope =
			form.AuthorizationEndpoint, form.HTTPMethod, form.ClientID, c.FormValue("client_secret"), form.Scope
	}
	if err := validateConnection(&cn); err != nil {
		// The secrets are not echoed back: the form asks for them again.
		form.Error = err.Error() + " Secrets are not kept after an error; enter them again."
		return h.renderConnections(c, http.StatusBadRequest, views.ConnectionsView{Form: form})
	}
	if err := h.reg.PutConnection(c.Request().Context(), cn); err != nil {
		return fmt.Errorf("save connection %q: %w", cn.Name, err)
	}
	return c.Redirect(http.StatusSeeOther, "/connections?"+url.Values{"done": {"created"}, "name": {cn.Name}}.Encode())
}

// validateConnection adds the server's check of the OAuth endpoint URL to
// the registry's own validation.
func validateConnection(cn *registry.Connection) error {
	if err := cn.Validate(); err != nil {
		return err
	}
	if cn.AuthType == registry.AuthOAuth {
		u, err := url.Parse(cn.AuthorizationEndpoint)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("connection %q: the token endpoint must be an absolute http:// or https:// URL", cn.Name)
		}
		switch strings.ToUpper(cn.HTTPMethod) {
		case "", "GET", "POST", "PUT":
		default:
			return fmt.Errorf("connection %q: the token endpoint method must be GET, POST or PUT", cn.Name)
		}
	}
	return nil
}

func (h *integrationsUI) deleteConnection(c echo.Context) error {
	if h.reg == nil {
		return echo.NewHTTPError(http.StatusNotImplemented, "This server has no integration registry.")
	}
	name := param(c, "name")
	if err := h.reg.DeleteConnection(c.Request().Context(), name); err != nil {
		if errors.Is(err, registry.ErrNotFound) {
			return echo.NewHTTPError(http.StatusNotFound, "Connection "+name+" does not exist.")
		}
		return fmt.Errorf("delete connection %q: %w", name, err)
	}
	return c.Redirect(http.StatusSeeOther, "/connections?"+url.Values{"done": {"deleted"}, "name": {name}}.Encode())
}

// ---- JSON API ----

type apiFunction struct {
	Name           string    `json:"name"`
	ARN            string    `json:"arn"`
	URL            string    `json:"url"`
	Description    string    `json:"description,omitempty"`
	TimeoutSeconds int       `json:"timeoutSeconds,omitempty"`
	CreatedAt      time.Time `json:"createdAt"`
}

type apiConnection struct {
	Name                  string            `json:"name"`
	ARN                   string            `json:"arn"`
	AuthType              string            `json:"authType"`
	Description           string            `json:"description,omitempty"`
	APIKeyName            string            `json:"apiKeyName,omitempty"`
	Username              string            `json:"username,omitempty"`
	AuthorizationEndpoint string            `json:"authorizationEndpoint,omitempty"`
	HTTPMethod            string            `json:"httpMethod,omitempty"`
	ClientID              string            `json:"clientId,omitempty"`
	Scope                 string            `json:"scope,omitempty"`
	Headers               map[string]string `json:"headers,omitempty"`
	CreatedAt             time.Time         `json:"createdAt"`
}

type apiConnectionInput struct {
	AuthType    string `json:"authType"`
	Description string `json:"description"`
	APIKey      *struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"apiKey"`
	Basic *struct {
		Username string `json:"username"`
		Password string `json:"password"`
	} `json:"basic"`
	OAuth *struct {
		AuthorizationEndpoint string `json:"authorizationEndpoint"`
		HTTPMethod            string `json:"httpMethod"`
		ClientID              string `json:"clientId"`
		ClientSecret          string `json:"clientSecret"`
		Scope                 string `json:"scope"`
	} `json:"oauth"`
	Headers map[string]string `json:"headers"`
}

func apiError(c echo.Context, status int, code, msg string) error {
	return c.JSON(status, map[string]string{"code": code, "message": msg})
}

func (h *integrationsUI) unavailable(c echo.Context) error {
	return apiError(c, http.StatusNotImplemented, "NotConfigured", "This server has no integration registry.")
}

func (h *integrationsUI) notFoundOr(c echo.Context, err error, what string) error {
	if errors.Is(err, registry.ErrNotFound) {
		return apiError(c, http.StatusNotFound, "ResourceNotFound", what+" does not exist.")
	}
	return fmt.Errorf("%s: %w", what, err)
}

// decodeJSON reads a JSON body strictly: JSON content type, known fields.
func decodeJSON(c echo.Context, v any) error {
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type"))
	if mt != "application/json" {
		return apiError(c, http.StatusUnsupportedMediaType, "UnsupportedMediaType", "Send the body as application/json.")
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return apiError(c, http.StatusRequestEntityTooLarge, "ValidationException", "The body is too large.")
		}
		return apiError(c, http.StatusBadRequest, "SerializationException", "The body is not the expected JSON: "+err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apiError(c, http.StatusBadRequest, "SerializationException", "The body has data after its JSON value.")
	}
	return nil
}

// written reports whether decodeJSON already answered the request.
func written(c echo.Context) bool { return c.Response().Committed }

func (h *integrationsUI) toAPIFunction(f registry.Function) apiFunction {
	return apiFunction{Name: f.Name, ARN: h.functionARN(f.Name), URL: f.URL, Description: f.Description,
		TimeoutSeconds: f.TimeoutSeconds, CreatedAt: f.CreatedAt.UTC()}
}

func (h *integrationsUI) toAPIConnection(cn registry.Connection) apiConnection {
	return apiConnection{Name: cn.Name, ARN: h.connectionARN(cn), AuthType: string(cn.AuthType), Description: cn.Description,
		APIKeyName: cn.APIKeyName, Username: cn.Username, AuthorizationEndpoint: cn.AuthorizationEndpoint,
		HTTPMethod: cn.HTTPMethod, ClientID: cn.ClientID, Scope: cn.Scope, Headers: cn.Headers, CreatedAt: cn.CreatedAt.UTC()}
}

func (h *integrationsUI) apiListFunctions(c echo.Context) error {
	if h.reg == nil {
		return h.unavailable(c)
	}
	fns, err := h.reg.ListFunctions(c.Request().Context())
	if err != nil {
		return fmt.Errorf("list functions: %w", err)
	}
	out := make([]apiFunction, 0, len(fns))
	for _, f := range fns {
		out = append(out, h.toAPIFunction(f))
	}
	return c.JSON(http.StatusOK, map[string]any{"functions": out})
}

func (h *integrationsUI) apiGetFunction(c echo.Context) error {
	if h.reg == nil {
		return h.unavailable(c)
	}
	name := param(c, "name")
	f, err := h.reg.GetFunction(c.Request().Context(), name)
	if err != nil {
		return h.notFoundOr(c, err, "Function "+name)
	}
	return c.JSON(http.StatusOK, h.toAPIFunction(f))
}

func (h *integrationsUI) apiPutFunction(c echo.Context) error {
	if h.reg == nil {
		return h.unavailable(c)
	}
	var in struct {
		URL            string `json:"url"`
		Description    string `json:"description"`
		TimeoutSeconds int    `json:"timeoutSeconds"`
	}
	if err := decodeJSON(c, &in); err != nil || written(c) {
		return err
	}
	f := registry.Function{Name: param(c, "name"), URL: in.URL, Description: in.Description, TimeoutSeconds: in.TimeoutSeconds}
	if err := f.Validate(); err != nil {
		return apiError(c, http.StatusBadRequest, "ValidationException", err.Error())
	}
	ctx := c.Request().Context()
	if err := h.reg.PutFunction(ctx, f); err != nil {
		return fmt.Errorf("register function %q: %w", f.Name, err)
	}
	stored, err := h.reg.GetFunction(ctx, f.Name)
	if err != nil {
		return fmt.Errorf("register function %q: %w", f.Name, err)
	}
	return c.JSON(http.StatusOK, h.toAPIFunction(stored))
}

func (h *integrationsUI) apiDeleteFunction(c echo.Context) error {
	if h.reg == nil {
		return h.unavailable(c)
	}
	name := param(c, "name")
	if err := h.reg.DeleteFunction(c.Request().Context(), name); err != nil {
		return h.notFoundOr(c, err, "Function "+name)
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *integrationsUI) apiListConnections(c echo.Context) error {
	if h.reg == nil {
		return h.unavailable(c)
	}
	conns, err := h.reg.ListConnections(c.Request().Context())
	if err != nil {
		return fmt.Errorf("list connections: %w", err)
	}
	out := make([]apiConnection, 0, len(conns))
	for _, cn := range conns {
		out = append(out, h.toAPIConnection(cn))
	}
	return c.JSON(http.StatusOK, map[string]any{"connections": out})
}

func (h *integrationsUI) apiGetConnection(c echo.Context) error {
	if h.reg == nil {
		return h.unavailable(c)
	}
	name := param(c, "name")
	cn, err := h.reg.GetConnection(c.Request().Context(), name)
	if err != nil {
		return h.notFoundOr(c, err, "Connection "+name)
	}
	return c.JSON(http.StatusOK, h.toAPIConnection(cn))
}

func (h *integrationsUI) apiPutConnection(c echo.Context) error {
	if h.reg == nil {
		return h.unavailable(c)
	}
	var in apiConnectionInput
	if err := decodeJSON(c, &in); err != nil || written(c) {
		return err
	}
	cn := registry.Connection{Name: param(c, "name"), Description: in.Description, AuthType: registry.AuthType(in.AuthType), Headers: in.Headers}
	switch cn.AuthType {
	case registry.AuthAPIKey:
		if in.APIKey != nil {
			cn.APIKeyName, cn.APIKeyValue = in.APIKey.Name, in.APIKey.Value
		}
	case registry.AuthBasic:
		if in.Basic != nil {
			cn.Username, cn.Password = in.Basic.Username, in.Basic.Password
		}
	case registry.AuthOAuth:
		if in.OAuth != nil {
			cn.AuthorizationEndpoint, cn.HTTPMethod, cn.ClientID, cn.ClientSecret, cn.Scope =
				in.OAuth.AuthorizationEndpoint, in.OAuth.HTTPMethod, in.OAuth.ClientID, in.OAuth.ClientSecret, in.OAuth.Scope
		}
	}
	if err := validateConnection(&cn); err != nil {
		return apiError(c, http.StatusBadRequest, "ValidationException", err.Error())
	}
	ctx := c.Request().Context()
	if err := h.reg.PutConnection(ctx, cn); err != nil {
		return fmt.Errorf("save connection %q: %w", cn.Name, err)
	}
	stored, err := h.reg.GetConnection(ctx, cn.Name)
	if err != nil {
		return fmt.Errorf("save connection %q: %w", cn.Name, err)
	}
	return c.JSON(http.StatusOK, h.toAPIConnection(stored))
}

func (h *integrationsUI) apiDeleteConnection(c echo.Context) error {
	if h.reg == nil {
		return h.unavailable(c)
	}
	name := param(c, "name")
	if err := h.reg.DeleteConnection(c.Request().Context(), name); err != nil {
		return h.notFoundOr(c, err, "Connection "+name)
	}
	return c.NoContent(http.StatusNoContent)
}
