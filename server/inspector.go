package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"stepwise/designer"
	"stepwise/engine"
	"stepwise/views"
)

// registerInspector adds the inspector's routes: the form of one state, a
// field change (applied as a designer operation), and testing one state.
func (d *designerUI) registerInspector(g *echo.Group) {
	g.GET("/designer/drafts/:id/inspector", d.inspector)
	g.POST("/designer/drafts/:id/inspector/field", d.inspectorField)
	g.POST("/designer/drafts/:id/inspector/list", d.inspectorList)
	g.POST("/designer/drafts/:id/inspector/param", d.inspectorParam)
	g.POST("/designer/drafts/:id/test-state", d.testState)
}

func (d *designerUI) inspector(c echo.Context) error {
	v, err := d.open(c)
	if err != nil {
		return err
	}
	in, err := v.Doc.Inspect(c.QueryParam("state"), v.Diagnostics)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, strings.TrimPrefix(err.Error(), "designer: "))
	}
	lists, err := v.Doc.StructuredLists(in.State)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return d.s.render(c, http.StatusOK, views.Inspector(views.InspectorView{DraftURL: draftURL(v.ID), Version: v.Version, In: in, Lists: lists}))
}

// fieldRequest is the body of POST <draft>/inspector/field.
type fieldRequest struct {
	Version int64  `json:"version"`
	State   string `json:"state"`
	Field   string `json:"field"`
	Kind    string `json:"kind"`
	Text    string `json:"text"`
	// Rename, when set, renames the state instead.
	Rename string `json:"rename"`
}

func (d *designerUI) inspectorField(c echo.Context) error {
	var req fieldRequest
	if err := json.NewDecoder(c.Request().Body).Decode(&req); err != nil {
		return c.JSON(http.StatusBadRequest, opFailure{Error: "The request is not JSON: " + err.Error()})
	}
	var op designer.Op
	if req.Rename != "" {
		op = designer.Op{Op: designer.OpRename, State: req.State, To: strings.TrimSpace(req.Rename)}
	} else {
		var err error
		if op, err = designer.FieldOp(req.State, req.Field, req.Kind, req.Text); err != nil {
			return c.JSON(http.StatusUnprocessableEntity, opFailure{Error: strings.TrimPrefix(err.Error(), "designer: ")})
		}
	}
	return d.applyInspectorOp(c, req.Version, op)
}

// listRequest is the body of POST <draft>/inspector/list: a change made in
// the structured editors of Choices, Retry or Catch.
type listRequest struct {
	Version int64 `json:"version"`
	designer.ListEdit
}

func (d *designerUI) inspectorList(c echo.Context) error {
	var req listRequest
	if err := json.NewDecoder(c.Request().Body).Decode(&req); err != nil {
		return c.JSON(http.StatusBadRequest, opFailure{Error: "The request is not JSON: " + err.Error()})
	}
	doc, _, err := d.ed.Document(c.Request().Context(), param(c, "id"))
	if designer.IsNotFound(err) {
		return c.JSON(http.StatusNotFound, opFailure{Error: "This draft does not exist."})
	}
	if err != nil {
		return err
	}
	op, err := doc.ListOp(req.ListEdit)
	if err != nil {
		return c.JSON(http.StatusUnprocessableEntity, opFailure{Error: strings.TrimPrefix(err.Error(), "designer: ")})
	}
	return d.applyInspectorOp(c, req.Version, op)
}

// paramRequest is the body of POST <draft>/inspector/param: a field the
// Task resource picker sets in Parameters or Arguments.
type paramRequest struct {
	Version int64  `json:"version"`
	State   string `json:"state"`
	Key     string `json:"key"`
	Text    string `json:"text"`
}

func (d *designerUI) inspectorParam(c echo.Context) error {
	var req paramRequest
	if err := json.NewDecoder(c.Request().Body).Decode(&req); err != nil {
		return c.JSON(http.StatusBadRequest, opFailure{Error: "The request is not JSON: " + err.Error()})
	}
	doc, _, err := d.ed.Document(c.Request().Context(), param(c, "id"))
	if designer.IsNotFound(err) {
		return c.JSON(http.StatusNotFound, opFailure{Error: "This draft does not exist."})
	}
	if err != nil {
		return err
	}
	op, err := doc.ParamOp(req.State, req.Key, req.Text)
	if err != nil {
		return c.JSON(http.StatusUnprocessableEntity, opFailure{Error: strings.TrimPrefix(err.Error(), "designer: ")})
	}
	return d.applyInspectorOp(c, req.Version, op)
}

// applyInspectorOp applies an inspector's operation to the draft at the
// version the form showed, answering with the new draft view.
func (d *designerUI) applyInspectorOp(c echo.Context, version int64, op designer.Op) error {
	ctx := c.Request().Context()
	v, err := d.ed.Apply(ctx, param(c, "id"), version, op)
	var oe *designer.OpError
	switch {
	case err == nil:
		return c.JSON(http.StatusOK, viewJSON(v))
	case designer.IsNotFound(err):
		return c.JSON(http.StatusNotFound, opFailure{Error: "This draft does not exist."})
	case designer.IsConflict(err):
		cur, oerr := d.ed.Open(ctx, param(c, "id"))
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

// testRequest is the body of POST <draft>/test-state.
type testRequest struct {
	State  string `json:"state"`
	Input  string `json:"input"`
	Result string `json:"result"`
	Error  string `json:"error"`
	Cause  string `json:"cause"`
}

func (d *designerUI) testState(c echo.Context) error {
	var req testRequest
	if err := json.NewDecoder(c.Request().Body).Decode(&req); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The request is not JSON.")
	}
	doc, _, err := d.ed.Document(c.Request().Context(), param(c, "id"))
	if designer.IsNotFound(err) {
		return echo.NewHTTPError(http.StatusNotFound, "This draft does not exist.")
	}
	if err != nil {
		return err
	}
	show := func(v views.TestResultView) error { return d.s.render(c, http.StatusOK, views.TestResult(v)) }
	def, err := doc.StateJSON(req.State)
	if err != nil {
		return show(views.TestResultView{Problem: strings.TrimPrefix(err.Error(), "designer: ")})
	}
	te, ok := d.s.eng.(MockedTestStateEngine)
	if !ok {
		return show(views.TestResultView{Problem: "This server's engine cannot test states."})
	}
	in := engine.TestStateInput{Definition: def, Input: strings.TrimSpace(req.Input), InspectionLevel: "DEBUG"}
	if strings.Contains(def, `"Type":"Task"`) {
		in.Mock = &engine.TestStateMock{Result: strings.TrimSpace(req.Result), Error: strings.TrimSpace(req.Error), Cause: strings.TrimSpace(req.Cause)}
		if in.Mock.Result == "" && in.Mock.Error == "" {
			in.Mock.Result = "{}"
		}
	}
	out, err := te.TestStateMocked(c.Request().Context(), in)
	if err != nil {
		return show(views.TestResultView{Problem: errorMessage(err)})
	}
	v := views.TestResultView{Status: out.Status, Error: out.Error, Cause: out.Cause, NextState: out.NextState}
	if out.HasOutput {
		v.Output = out.Output
	}
	if i := out.Inspection; i != nil {
		for _, s := range [][2]string{{"After InputPath", i.AfterInputPath}, {"After Parameters", i.AfterParameters},
			{"Result", i.Result}, {"After ResultSelector", i.AfterResultSelector}, {"After ResultPath", i.AfterResultPath}} {
			if s[1] != "" {
				v.Steps = append(v.Steps, s)
			}
		}
	}
	return show(v)
}
