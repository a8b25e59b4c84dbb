package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"stepwise/designer"
	"stepwise/engine/asl"
	"stepwise/views"
)

// DraftStoreProvider is implemented by engines that persist designer drafts
// (the SQLite wiring returns db.Drafts()). Without it drafts live in memory
// and are lost on restart.
type DraftStoreProvider interface {
	DraftStore() designer.DraftStore
}

// designerUI holds the designer's handlers.
type designerUI struct {
	s  *Server
	ed *designer.Editor
	// bufs recycles the buffers answers are encoded into (*[]byte): an
	// answer on a large draft is a few hundred kilobytes.
	bufs sync.Pool
	// sockets are the open sockets of each draft's pages.
	sockets *draftSockets
}

// registerDesigner adds the designer's routes: the page for a new or an
// existing machine, the draft page, its operations endpoint, its ASL, its
// state (for other tabs) and save.
func (s *Server) registerDesigner(e *echo.Echo) {
	var store designer.DraftStore
	if p, ok := s.eng.(DraftStoreProvider); ok {
		store = p.DraftStore()
	}
	if store == nil {
		s.log.Warn("server: the engine keeps no designer drafts; drafts are kept in memory and lost on restart")
		store = designer.NewMemStore()
	}
	d := &designerUI{s: s, ed: designer.NewEditor(store, nil), sockets: &draftSockets{drafts: map[string]map[*draftSocket]struct{}{}}}
	g := e.Group("")
	g.Use(middleware.BodyLimit("4M"))
	// The same double-submit cookie as the rest of the UI; the canvas sends
	// the token in a header because its requests are JSON, not forms.
	g.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "header:X-CSRF-Token,form:_csrf",
		CookieName:     "stepwise_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteStrictMode,
		ContextKey:     "csrf",
		ErrorHandler: func(err error, c echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden, "The page expired or did not come from this site. Reload the page and try again.")
		},
	}))
	g.GET("/designer/new", d.newDraft)
	g.GET("/state-machines/:name/designer", d.machineDraft)
	g.GET("/designer/drafts/:id", d.page)
	g.GET("/designer/drafts/:id/state", d.state)
	g.GET("/designer/drafts/:id/asl.json", d.aslJSON)
	g.POST("/designer/drafts/:id/ops", d.ops)
	g.POST("/designer/drafts/:id/save", d.save)
	d.registerExports(g)
}

func draftURL(id string) string { return "/designer/drafts/" + url.PathEscape(id) }

func (d *designerUI) newDraft(c echo.Context) error {
	v, err := d.ed.Create(c.Request().Context(), "", nil)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, draftURL(v.ID))
}

func (d *designerUI) machineDraft(c echo.Context) error {
	ctx := c.Request().Context()
	name := param(c, "name")
	sm, err := d.s.eng.DescribeStateMachine(ctx, d.s.machineARN(name))
	if err != nil {
		return d.s.uiError(c, err, "State machine "+strconv.Quote(name))
	}
	if dr, err := d.ed.Store().FindDraft(ctx, name); err == nil {
		return c.Redirect(http.StatusSeeOther, draftURL(dr.ID))
	} else if !designer.IsNotFound(err) {
		return err
	}
	def, err := designer.ImportDefinition([]byte(sm.Definition), "")
	if err != nil {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "The designer cannot open this definition: "+err.Error())
	}
	v, err := d.ed.Create(ctx, name, def)
	if err != nil {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "The designer cannot open this definition: "+err.Error())
	}
	return c.Redirect(http.StatusSeeOther, draftURL(v.ID))
}

func (d *designerUI) open(c echo.Context) (*designer.View, error) {
	v, err := d.ed.Open(c.Request().Context(), param(c, "id"))
	if designer.IsNotFound(err) {
		return nil, echo.NewHTTPError(http.StatusNotFound, "This draft does not exist (it may have been deleted).")
	}
	return v, err
}

func (d *designerUI) page(c echo.Context) error {
	v, err := d.open(c)
	if err != nil {
		return err
	}
	p := d.s.page(c, "Designer", "state-machines")
	p.Wide = true
	p.JSURL = d.s.assets.URL("designer/designer.js")
	title := "New state machine"
	if v.Machine != "" {
		title = v.Machine
	}
	p.Title = title + " · Designer"
	return d.s.render(c, http.StatusOK, views.DesignerPage(views.DesignerView{
		Page:      p,
		Title:     title,
		Machine:   v.Machine,
		DraftURL:  draftURL(v.ID),
		DesignCSS: d.s.assets.URL("designer/designer.css"),
		WorkerURL: d.s.assets.URL("designer/elk-worker.js"),
		Types:     designer.StateTypes,
		Patterns:  toViewPatterns(designer.Patterns()),
		Initial:   viewJSON(v),
	}))
}

func toViewPatterns(ps []designer.Pattern) []views.DesignerPattern {
	out := make([]views.DesignerPattern, len(ps))
	for i, p := range ps {
		out[i] = views.DesignerPattern{ID: p.ID, Title: p.Title}
	}
	return out
}

// draftJSON is the answer to every designer request.
type draftJSON struct {
	*designer.View
	URL string `json:"url"`
}

func viewJSON(v *designer.View) draftJSON { return draftJSON{View: v, URL: draftURL(v.ID)} }

// maxPooledAnswer is the largest answer buffer kept for reuse.
const maxPooledAnswer = 8 << 20

// answer writes the draft as c.JSON(code, viewJSON(v)) would, byte for
// byte, but encodes it with designer.View.AppendJSON: on a large draft the
// reflection-based encoder was a good part of every edit's time.
//
// An edit that came over the draft's socket hands the view to the socket
// instead, which sends it as a delta (designer_socket.go).
func (d *designerUI) answer(c echo.Context, code int, v *designer.View) error {
	if sink := socketView(c.Request()); sink != nil && code == http.StatusOK {
		sink.view = v
		return c.NoContent(code)
	}
	if _, pretty := c.QueryParams()["pretty"]; pretty || c.Echo().Debug {
		return c.JSON(code, viewJSON(v))
	}
	bp, _ := d.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer func() {
		if cap(*bp) <= maxPooledAnswer {
			d.bufs.Put(bp)
		}
	}()
	buf, err := v.AppendJSON((*bp)[:0])
	if err != nil {
		return c.JSON(code, viewJSON(v)) // encoding/json reports it its way
	}
	u, err := json.Marshal(draftURL(v.ID))
	if err != nil {
		return err
	}
	buf = append(buf[:len(buf)-1], `,"url":`...) // replaces the closing brace
	buf = append(buf, u...)
	buf = append(buf, "}\n"...)
	*bp = buf
	return c.Blob(code, echo.MIMEApplicationJSON, buf)
}

func (d *designerUI) state(c echo.Context) error {
	v, err := d.open(c)
	if err != nil {
		return err
	}
	if since, err := strconv.ParseInt(c.QueryParam("since"), 10, 64); err == nil && since == v.Version {
		return c.NoContent(http.StatusNoContent)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return d.answer(c, http.StatusOK, v)
}

func (d *designerUI) aslJSON(c echo.Context) error {
	doc, _, err := d.ed.Document(c.Request().Context(), param(c, "id"))
	if designer.IsNotFound(err) {
		return echo.NewHTTPError(http.StatusNotFound, "This draft does not exist.")
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSONBlob(http.StatusOK, doc.ASL())
}

// opRequest is the body of POST <draft>/ops.
type opRequest struct {
	Version int64           `json:"version"`
	Op      json.RawMessage `json:"op"`
}

type opFailure struct {
	Error string     `json:"error"`
	Draft *draftJSON `json:"draft,omitempty"`
}

func (d *designerUI) ops(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "Could not read the request.")
	}
	var req opRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return c.JSON(http.StatusBadRequest, opFailure{Error: "The request is not JSON: " + err.Error()})
	}
	op, err := designer.ParseOp(req.Op)
	if err != nil {
		return c.JSON(http.StatusBadRequest, opFailure{Error: err.Error()})
	}
	ctx := c.Request().Context()
	id := param(c, "id")
	v, err := d.ed.Apply(ctx, id, req.Version, op)
	var oe *designer.OpError
	switch {
	case err == nil:
		return d.edited(c, v)
	case designer.IsNotFound(err):
		return c.JSON(http.StatusNotFound, opFailure{Error: "This draft does not exist."})
	case designer.IsConflict(err):
		// Another tab changed the draft: answer with the current draft so
		// this tab can show it.
		cur, oerr := d.ed.Open(ctx, id)
		if oerr != nil {
			return oerr
		}
		j := viewJSON(cur)
		return c.JSON(http.StatusConflict, opFailure{Error: "The draft was changed in another window; showing the current version.", Draft: &j})
	case errors.As(err, &oe):
		return c.JSON(http.StatusUnprocessableEntity, opFailure{Error: strings.TrimPrefix(oe.Error(), "designer: ")})
	}
	return err
}

// saveRequest is the body of POST <draft>/save.
type saveRequest struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type saveAnswer struct {
	Machine string `json:"machine"`
	URL     string `json:"url"`
	Created bool   `json:"created"`
}

func (d *designerUI) save(c echo.Context) error {
	ctx := c.Request().Context()
	var req saveRequest
	if err := c.Bind(&req); err != nil {
		return c.JSON(http.StatusBadRequest, opFailure{Error: "The request is not JSON."})
	}
	doc, dr, err := d.ed.Document(ctx, param(c, "id"))
	if designer.IsNotFound(err) {
		return c.JSON(http.StatusNotFound, opFailure{Error: "This draft does not exist."})
	}
	if err != nil {
		return err
	}
	def := doc.Text()
	if _, diags := asl.Parse([]byte(def)); diags.HasErrors() {
		return c.JSON(http.StatusUnprocessableEntity, opFailure{Error: "Fix the problems marked in red before saving: " + diags.Errors()[0].Message})
	}
	if dr.Machine != "" {
		arn := d.s.machineARN(dr.Machine)
		if _, err := d.s.eng.UpdateStateMachine(ctx, &UpdateStateMachineInput{StateMachineArn: &arn, Definition: &def}); err != nil {
			return d.saveError(c, err)
		}
		return c.JSON(http.StatusOK, saveAnswer{Machine: dr.Machine, URL: "/state-machines/" + url.PathEscape(dr.Machine)})
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		return c.JSON(http.StatusUnprocessableEntity, opFailure{Error: "Give the new state machine a name."})
	}
	if !ValidName(name) {
		return c.JSON(http.StatusUnprocessableEntity, opFailure{Error: "A state machine name has 1 to 80 letters, digits, '-' or '_'."})
	}
	typ := strings.ToUpper(strings.TrimSpace(req.Type))
	switch typ {
	case "":
		typ = "STANDARD"
	case "STANDARD", "EXPRESS":
	default:
		return c.JSON(http.StatusUnprocessableEntity, opFailure{Error: "The type is STANDARD or EXPRESS."})
	}
	role := d.s.defaultRoleARN()
	if _, err := d.s.eng.CreateStateMachine(ctx, &CreateStateMachineInput{Name: &name, Definition: &def, RoleArn: &role, Type: &typ}); err != nil {
		return d.saveError(c, err)
	}
	if err := d.ed.SetMachine(ctx, dr.ID, name); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, saveAnswer{Machine: name, URL: "/state-machines/" + url.PathEscape(name), Created: true})
}

func (d *designerUI) saveError(c echo.Context, err error) error {
	if _, internal := toAPIError(err); internal {
		return err
	}
	return c.JSON(http.StatusUnprocessableEntity, opFailure{Error: errorMessage(err)})
}
