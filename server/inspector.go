package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"stepwise/designer"
	"stepwise/engine"
	"stepwise/engine/asl"
	"stepwise/engine/jsonv"
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
	g.POST("/designer/drafts/:id/run", d.runDraft)
	d.registerSocket(g)
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
		return d.edited(c, v)
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
		for _, s := range [][2]string{{"Input", i.Input}, {"After InputPath", i.AfterInputPath}, {"After Parameters", i.AfterParameters},
			{"Result", i.Result}, {"After ResultSelector", i.AfterResultSelector}, {"After ResultPath", i.AfterResultPath},
			{"Variables", i.Variables}} {
			if s[1] != "" {
				v.Steps = append(v.Steps, s)
			}
		}
	}
	return show(v)
}

// runRequest is the body of POST <draft>/run.
type runRequest struct {
	Input string `json:"input"`
}

// runDraft saves the draft as its state machine's definition and starts an
// execution of it with the given input; the answer names the execution's
// live page.
func (d *designerUI) runDraft(c echo.Context) error {
	ctx := c.Request().Context()
	var req runRequest
	if err := json.NewDecoder(c.Request().Body).Decode(&req); err != nil {
		return c.JSON(http.StatusBadRequest, opFailure{Error: "The request is not JSON."})
	}
	input := strings.TrimSpace(req.Input)
	if input == "" {
		input = "{}"
	}
	if _, err := jsonv.DecodeString(input); err != nil {
		return c.JSON(http.StatusUnprocessableEntity, opFailure{Error: "The input is not valid JSON: " + err.Error()})
	}
	doc, dr, err := d.ed.Document(ctx, param(c, "id"))
	if designer.IsNotFound(err) {
		return c.JSON(http.StatusNotFound, opFailure{Error: "This draft does not exist."})
	}
	if err != nil {
		return err
	}
	if dr.Machine == "" {
		return c.JSON(http.StatusUnprocessableEntity, opFailure{Error: "Create the state machine first."})
	}
	def := doc.Text()
	if _, diags := asl.Parse([]byte(def)); diags.HasErrors() {
		return c.JSON(http.StatusUnprocessableEntity, opFailure{Error: "Fix the problems marked in red before running: " + diags.Errors()[0].Message})
	}
	arn := d.s.machineARN(dr.Machine)
	if _, err := d.s.eng.UpdateStateMachine(ctx, &UpdateStateMachineInput{StateMachineArn: &arn, Definition: &def}); err != nil {
		return d.saveError(c, err)
	}
	out, err := d.s.eng.StartExecution(ctx, &StartExecutionInput{StateMachineArn: &arn, Input: &input})
	if err != nil {
		return d.saveError(c, err)
	}
	exec := out.ExecutionArn[strings.LastIndexByte(out.ExecutionArn, ':')+1:]
	return c.JSON(http.StatusOK, map[string]string{"executionArn": out.ExecutionArn,
		"url": "/state-machines/" + url.PathEscape(dr.Machine) + "/executions/" + url.PathEscape(exec)})
}
