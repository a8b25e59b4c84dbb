package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"stepwise/engine/jsonv"
	"stepwise/views"
)

const (
	machinesPerPage   = 50
	executionsPerPage = 25
	maxListedMachines = 10000
	maxShownEvents    = 5000
	costPerTransition = 0.025 / 1000
)

func (s *Server) machineARN(name string) string {
	return "arn:aws:states:" + s.cfg.Region + ":" + s.cfg.Account + ":stateMachine:" + name
}

func (s *Server) executionARN(machine, execution string) string {
	return "arn:aws:states:" + s.cfg.Region + ":" + s.cfg.Account + ":execution:" + machine + ":" + execution
}

func (s *Server) defaultRoleARN() string {
	return "arn:aws:iam::" + s.cfg.Account + ":role/stepwise"
}

// param returns a decoded path parameter.
func param(c echo.Context, name string) string {
	v := c.Param(name)
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}

func errorCode(err error) string {
	e, _ := toAPIError(err)
	return e.Code
}

func errorMessage(err error) string {
	e, internal := toAPIError(err)
	if internal {
		return "The server failed to do this; the error is in the server log."
	}
	return e.Message
}

// uiError maps an engine error to an HTTP error for a page.
func (s *Server) uiError(c echo.Context, err error, what string) error {
	switch errorCode(err) {
	case ErrStateMachineDoesNotExist, ErrExecutionDoesNotExist, ErrActivityDoesNotExist, ErrResourceNotFound, ErrInvalidArn, ErrInvalidName:
		return echo.NewHTTPError(http.StatusNotFound, what+" does not exist.")
	}
	if _, internal := toAPIError(err); internal {
		return fmt.Errorf("%s: %w", what, err)
	}
	return echo.NewHTTPError(http.StatusBadRequest, errorMessage(err))
}

func ptr[T any](v T) *T { return &v }

func (s *Server) listAllMachines(c echo.Context) ([]StateMachineListItem, error) {
	var all []StateMachineListItem
	var token *string
	for len(all) < maxListedMachines {
		out, err := s.eng.ListStateMachines(c.Request().Context(), &ListStateMachinesInput{MaxResults: ptr(int32(1000)), NextToken: token})
		if err != nil {
			return nil, err
		}
		all = append(all, out.StateMachines...)
		if out.NextToken == "" {
			break
		}
		token = ptr(out.NextToken)
	}
	return all, nil
}

func (s *Server) pageStateMachines(c echo.Context) error {
	return s.renderMachines(c, http.StatusOK, views.CreateForm{Type: "STANDARD", Definition: sampleDefinition}, false)
}

const sampleDefinition = `{
  "Comment": "A first state machine: replace it with your own.",
  "StartAt": "Hello",
  "States": {
    "Hello": {
      "Type": "Pass",
      "Result": {"greeting": "Hello from Stepwise"},
      "End": true
    }
  }
}`

func (s *Server) renderMachines(c echo.Context, status int, form views.CreateForm, open bool) error {
	ctx := c.Request().Context()
	all, err := s.listAllMachines(c)
	if err != nil {
		return s.uiError(c, err, "The state machine list")
	}
	q := strings.TrimSpace(c.QueryParam("q"))
	typ := c.QueryParam("type")
	if typ != "STANDARD" && typ != "EXPRESS" {
		typ = ""
	}
	var rows []StateMachineListItem
	for _, m := range all {
		if q != "" && !strings.Contains(strings.ToLower(m.Name), strings.ToLower(q)) {
			continue
		}
		if typ != "" && m.Type != typ {
			continue
		}
		rows = append(rows, m)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	pageNo, _ := strconv.Atoi(c.QueryParam("page"))
	if pageNo < 1 {
		pageNo = 1
	}
	start := (pageNo - 1) * machinesPerPage
	if start > len(rows) {
		start = len(rows)
	}
	end := min(start+machinesPerPage, len(rows))
	v := views.StateMachinesView{
		Page:       s.page(c, "State machines", "state-machines"),
		Query:      q,
		Type:       typ,
		Total:      len(all),
		Create:     form,
		CreateOpen: open,
	}
	link := func(p int) string {
		qs := url.Values{}
		if q != "" {
			qs.Set("q", q)
		}
		if typ != "" {
			qs.Set("type", typ)
		}
		if p > 1 {
			qs.Set("page", strconv.Itoa(p))
		}
		if len(qs) == 0 {
			return "/state-machines"
		}
		return "/state-machines?" + qs.Encode()
	}
	if end < len(rows) {
		v.NextURL = link(pageNo + 1)
	}
	if pageNo > 1 {
		v.PrevURL = link(1)
	}
	for _, m := range rows[start:end] {
		r := views.StateMachineRow{Name: m.Name, Type: m.Type}
		if m.CreationDate != nil {
			r.Created = m.CreationDate.Time
		}
		if m.Type != "EXPRESS" {
			ex, err := s.eng.ListExecutions(ctx, &ListExecutionsInput{StateMachineArn: ptr(m.StateMachineArn), MaxResults: ptr(int32(1))})
			if err == nil && len(ex.Executions) > 0 {
				r.LastStatus = ex.Executions[0].Status
				r.LastExecution = ex.Executions[0].Name
				if ex.Executions[0].StartDate != nil {
					r.LastStart = ex.Executions[0].StartDate.Time
				}
			}
		}
		v.Rows = append(v.Rows, r)
	}
	switch c.QueryParam("done") {
	case "deleted":
		v.Flash, v.FlashOK = "Deleted state machine "+c.QueryParam("name")+".", true
	}
	return s.render(c, status, views.StateMachinesPage(v))
}

func (s *Server) createStateMachine(c echo.Context) error {
	form := views.CreateForm{
		Name:       strings.TrimSpace(c.FormValue("name")),
		Type:       c.FormValue("type"),
		Definition: c.FormValue("definition"),
	}
	if form.Type != "EXPRESS" {
		form.Type = "STANDARD"
	}
	switch {
	case form.Name == "":
		form.Error = "Enter a name."
	case !ValidName(form.Name):
		form.Error = "The name must be 1 to 80 characters without spaces, brackets, wildcards or any of \" # % \\ ^ | ~ ` $ & , ; : /."
	case !json.Valid([]byte(form.Definition)):
		form.Error = "The definition is not valid JSON."
	case len(form.Definition) > maxDefinition:
		form.Error = fmt.Sprintf("The definition is longer than %d characters.", maxDefinition)
	}
	if form.Error == "" {
		_, err := s.eng.CreateStateMachine(c.Request().Context(), &CreateStateMachineInput{
			Name: ptr(form.Name), Definition: ptr(form.Definition), RoleArn: ptr(s.defaultRoleARN()), Type: ptr(form.Type),
		})
		if err == nil {
			return c.Redirect(http.StatusSeeOther, views.MachineURL(form.Name)+"?done=created")
		}
		if _, internal := toAPIError(err); internal {
			return fmt.Errorf("create state machine %q: %w", form.Name, err)
		}
		form.Error = errorCode(err) + ": " + errorMessage(err)
	}
	return s.renderMachines(c, http.StatusBadRequest, form, true)
}

func (s *Server) deleteStateMachine(c echo.Context) error {
	name := param(c, "name")
	if err := s.eng.DeleteStateMachine(c.Request().Context(), s.machineARN(name)); err != nil {
		return s.uiError(c, err, "State machine "+name)
	}
	return c.Redirect(http.StatusSeeOther, "/state-machines?"+url.Values{"done": {"deleted"}, "name": {name}}.Encode())
}

func (s *Server) pageStateMachine(c echo.Context) error {
	return s.renderMachine(c, http.StatusOK, "", "{}", "")
}

func (s *Server) renderMachine(c echo.Context, status int, startName, startInput, startErr string) error {
	ctx := c.Request().Context()
	name := param(c, "name")
	sm, err := s.eng.DescribeStateMachine(ctx, s.machineARN(name))
	if err != nil {
		return s.uiError(c, err, "State machine "+name)
	}
	v := views.StateMachineView{
		Page:       s.livePage(s.page(c, sm.Name, "state-machines")),
		Name:       sm.Name,
		ARN:        sm.StateMachineArn,
		Type:       sm.Type,
		RoleARN:    sm.RoleArn,
		RevisionID: sm.RevisionID,
		Definition: prettyJSON(sm.Definition),
		StartName:  startName,
		StartInput: startInput,
		StartError: startErr,
		Versioning: "Versions and aliases are not supported by this engine yet.",
	}
	if _, ok := s.eng.(VersionEngine); ok {
		v.Versioning = "Publish versions and create aliases with the AWS API (PublishStateMachineVersion, CreateStateMachineAlias)."
	}
	if sm.CreationDate != nil {
		v.Created = sm.CreationDate.Time
	}
	if te, ok := s.eng.(TagEngine); ok {
		if tags, err := te.ListTagsForResource(ctx, sm.StateMachineArn); err == nil {
			for _, tg := range tags {
				v.Tags = append(v.Tags, str(tg.Key)+"="+str(tg.Value))
			}
		}
	}
	v.Diagram, err = diagram(sm.Definition)
	if err != nil {
		v.DiagramError = "No preview: " + err.Error()
	}
	filter := c.QueryParam("status")
	in := &ListExecutionsInput{StateMachineArn: ptr(sm.StateMachineArn), MaxResults: ptr(int32(executionsPerPage))}
	if contains([]string{"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}, filter) {
		in.StatusFilter = ptr(filter)
		v.StatusFilter = filter
	}
	if tok := c.QueryParam("token"); tok != "" {
		in.NextToken = ptr(tok)
		qs := url.Values{}
		if v.StatusFilter != "" {
			qs.Set("status", v.StatusFilter)
		}
		v.FirstURL = views.MachineURL(name) + "?" + qs.Encode() + "#executions"
	}
	if sm.Type != "EXPRESS" {
		out, err := s.eng.ListExecutions(ctx, in)
		if err != nil {
			if errorCode(err) != ErrInvalidToken {
				return s.uiError(c, err, "The executions of "+name)
			}
		} else {
			for _, e := range out.Executions {
				r := views.ExecutionRow{Name: e.Name, Status: e.Status}
				if e.StartDate != nil {
					r.Start = e.StartDate.Time
				}
				if e.StopDate != nil {
					r.Stop = e.StopDate.Time
					r.Duration = formatDuration(r.Stop.Sub(r.Start))
				}
				v.Executions = append(v.Executions, r)
			}
			if out.NextToken != "" {
				qs := url.Values{"token": {out.NextToken}}
				if v.StatusFilter != "" {
					qs.Set("status", v.StatusFilter)
				}
				v.NextURL = views.MachineURL(name) + "?" + qs.Encode() + "#executions"
			}
		}
	} else {
		v.Versioning += " Express executions are not recorded individually; use StartSyncExecution to see their result."
	}
	switch c.QueryParam("done") {
	case "created":
		v.Flash, v.FlashOK = "Created state machine "+name+".", true
	}
	return s.render(c, status, views.StateMachinePage(v))
}

func (s *Server) startExecution(c echo.Context) error {
	name := param(c, "name")
	execName := strings.TrimSpace(c.FormValue("name"))
	input := c.FormValue("input")
	if strings.TrimSpace(input) == "" {
		input = "{}"
	}
	fail := func(msg string) error {
		return s.renderMachine(c, http.StatusBadRequest, execName, input, msg)
	}
	if execName != "" && !ValidName(execName) {
		return fail("The execution name must be 1 to 80 characters without spaces, brackets, wildcards or any of \" # % \\ ^ | ~ ` $ & , ; : /.")
	}
	if len(input) > maxPayload {
		return fail(fmt.Sprintf("The input is %d bytes; the limit is %d.", len(input), maxPayload))
	}
	if !json.Valid([]byte(input)) {
		return fail("The input is not valid JSON.")
	}
	in := &StartExecutionInput{StateMachineArn: ptr(s.machineARN(name)), Input: ptr(input)}
	if execName != "" {
		in.Name = ptr(execName)
	}
	out, err := s.eng.StartExecution(c.Request().Context(), in)
	if err != nil {
		switch errorCode(err) {
		case ErrStateMachineDoesNotExist:
			return s.uiError(c, err, "State machine "+name)
		}
		if _, internal := toAPIError(err); internal {
			return fmt.Errorf("start execution of %q: %w", name, err)
		}
		return fail(errorCode(err) + ": " + errorMessage(err))
	}
	started := execName
	if a, err := ParseARN(out.ExecutionArn); err == nil && len(a.Parts) >= 2 {
		started = a.Parts[1]
	}
	return c.Redirect(http.StatusSeeOther, views.ExecutionURL(name, started))
}

func (s *Server) pageExecution(c echo.Context) error {
	ctx := c.Request().Context()
	machine, name := param(c, "name"), param(c, "exec")
	arn := s.executionARN(machine, name)
	ex, err := s.eng.DescribeExecution(ctx, arn)
	if err != nil {
		return s.uiError(c, err, "Execution "+name+" of "+machine)
	}
	v := views.ExecutionView{
		Page:        s.page(c, name, "state-machines"),
		MachineName: machine,
		Name:        ex.Name,
		ARN:         ex.ExecutionArn,
		Status:      ex.Status,
		CanStop:     ex.Status == "RUNNING",
	}
	s.mountLive(ctx, &v, machine, name, arn)
	if ex.StartDate != nil {
		v.Start = ex.StartDate.Time
	}
	if ex.StopDate != nil {
		v.Stop = ex.StopDate.Time
		v.Duration = formatDuration(v.Stop.Sub(v.Start))
	} else if !v.Start.IsZero() {
		v.Duration = formatDuration(time.Since(v.Start)) + " so far"
	}
	if ex.Input != nil {
		v.Input = prettyJSON(*ex.Input)
	}
	if ex.Output != nil {
		v.Output = prettyJSON(*ex.Output)
	}
	if ex.Error != nil {
		v.Error = *ex.Error
	}
	if ex.Cause != nil {
		v.Cause = *ex.Cause
	}
	if ex.RedriveCount != nil {
		v.RedriveCount = int(*ex.RedriveCount)
	}
	if _, ok := s.eng.(RedriveEngine); ok {
		v.CanRedrive = ex.Status == "FAILED" || ex.Status == "TIMED_OUT" || ex.Status == "ABORTED"
		if ex.RedriveStatus == "NOT_REDRIVABLE" {
			v.CanRedrive = false
			v.RedriveNote = "Redrive is not possible: " + ex.RedriveStatusReason
		}
	} else if ex.Status != "RUNNING" && ex.Status != "SUCCEEDED" {
		v.RedriveNote = "Redrive is not supported by this engine yet."
	}
	events, trunc, err := s.history(c, arn)
	if err != nil {
		return s.uiError(c, err, "The history of "+name)
	}
	v.EventsTrunc = trunc
	types := map[string]bool{}
	for _, e := range events {
		row := views.EventRow{ID: e.ID, Previous: e.PreviousEventID, Type: e.Type, Kind: eventKind(e.Type)}
		if e.Timestamp != nil {
			row.Time = e.Timestamp.Time
			if !v.Start.IsZero() {
				row.Elapsed = formatDuration(row.Time.Sub(v.Start))
			}
		}
		if len(e.Details) > 0 {
			row.Details = prettyJSON(string(e.Details))
			var d struct {
				Name string `json:"name"`
			}
			if json.Unmarshal(e.Details, &d) == nil {
				row.StateName = d.Name
			}
		}
		if strings.HasSuffix(e.Type, "StateEntered") {
			v.Transitions++
		}
		types[e.Type] = true
		v.Events = append(v.Events, row)
	}
	for t := range types {
		v.EventTypes = append(v.EventTypes, t)
	}
	sort.Strings(v.EventTypes)
	v.Cost = formatCost(v.Transitions)
	switch c.QueryParam("done") {
	case "stopped":
		v.Flash, v.FlashOK = "Stop requested.", true
	case "redriven":
		v.Flash, v.FlashOK = "Redrive started.", true
	}
	if msg := c.QueryParam("failed"); msg != "" {
		switch msg {
		case "stop":
			v.Flash = "The execution could not be stopped: it is no longer running."
		case "redrive":
			v.Flash = "The execution could not be redriven."
		}
	}
	return s.render(c, http.StatusOK, views.ExecutionPage(v))
}

// history reads up to maxShownEvents events of an execution.
func (s *Server) history(c echo.Context, arn string) ([]HistoryEvent, bool, error) {
	var events []HistoryEvent
	var token *string
	for {
		out, err := s.eng.GetExecutionHistory(c.Request().Context(), &GetExecutionHistoryInput{
			ExecutionArn: ptr(arn), MaxResults: ptr(int32(1000)), NextToken: token, IncludeExecutionData: ptr(true),
		})
		if err != nil {
			return nil, false, err
		}
		events = append(events, out.Events...)
		if out.NextToken == "" {
			return events, false, nil
		}
		if len(events) >= maxShownEvents {
			return events, true, nil
		}
		token = ptr(out.NextToken)
	}
}

func (s *Server) stopExecution(c echo.Context) error {
	machine, name := param(c, "name"), param(c, "exec")
	_, err := s.eng.StopExecution(c.Request().Context(), &StopExecutionInput{ExecutionArn: ptr(s.executionARN(machine, name))})
	target := views.ExecutionURL(machine, name)
	if err != nil {
		if errorCode(err) == ErrExecutionDoesNotExist {
			return s.uiError(c, err, "Execution "+name)
		}
		if _, internal := toAPIError(err); internal {
			return fmt.Errorf("stop execution %q: %w", name, err)
		}
		return c.Redirect(http.StatusSeeOther, target+"?failed=stop")
	}
	return c.Redirect(http.StatusSeeOther, target+"?done=stopped")
}

func (s *Server) redriveExecution(c echo.Context) error {
	machine, name := param(c, "name"), param(c, "exec")
	target := views.ExecutionURL(machine, name)
	r, ok := s.eng.(RedriveEngine)
	if !ok {
		return c.Redirect(http.StatusSeeOther, target+"?failed=redrive")
	}
	if _, err := r.RedriveExecution(c.Request().Context(), &RedriveExecutionInput{ExecutionArn: ptr(s.executionARN(machine, name))}); err != nil {
		if _, internal := toAPIError(err); internal {
			return fmt.Errorf("redrive execution %q: %w", name, err)
		}
		return c.Redirect(http.StatusSeeOther, target+"?failed=redrive")
	}
	return c.Redirect(http.StatusSeeOther, target+"?done=redriven")
}

func (s *Server) pageActivities(c echo.Context) error {
	v := views.ActivitiesView{Page: s.page(c, "Activities", "activities")}
	ae, ok := s.eng.(ActivityEngine)
	if ok {
		v.Supported = true
		in := &ListActivitiesInput{MaxResults: ptr(int32(100))}
		if tok := c.QueryParam("token"); tok != "" {
			in.NextToken = ptr(tok)
		}
		out, err := ae.ListActivities(c.Request().Context(), in)
		if err != nil {
			return s.uiError(c, err, "The activity list")
		}
		mon, _ := s.eng.(ActivityMonitor)
		for _, a := range out.Activities {
			row := views.ActivityRow{Name: a.Name, ARN: a.ActivityArn}
			if a.CreationDate != nil {
				row.Created = a.CreationDate.Time
			}
			if mon != nil {
				if st, err := mon.ActivityStatus(c.Request().Context(), a.ActivityArn); err == nil && st != nil {
					row.Known = true
					row.Pending = st.PendingTasks
					for _, w := range st.Workers {
						row.Workers = append(row.Workers, views.Worker{Name: w.Name, LastSeen: w.LastSeen})
					}
				}
			}
			v.Rows = append(v.Rows, row)
		}
		if out.NextToken != "" {
			v.NextURL = "/activities?" + url.Values{"token": {out.NextToken}}.Encode()
		}
	}
	return s.render(c, http.StatusOK, views.ActivitiesPage(v))
}

func eventKind(t string) string {
	switch {
	case strings.HasSuffix(t, "Failed"), strings.HasSuffix(t, "TimedOut"), strings.HasSuffix(t, "Aborted"):
		return "fail"
	case strings.HasSuffix(t, "Succeeded"):
		return "ok"
	default:
		return "info"
	}
}

// prettyJSON indents JSON text keeping key order and number text; text
// that is not JSON is returned unchanged.
func prettyJSON(s string) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(s), "", "  "); err != nil {
		return s
	}
	return buf.String()
}

func formatDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "—"
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}

// formatCost prices n state transitions at AWS's $0.025 per 1,000.
func formatCost(n int) string {
	c := float64(n) * costPerTransition
	if c >= 0.01 {
		return "$" + strconv.FormatFloat(c, 'f', 4, 64)
	}
	return "$" + strconv.FormatFloat(c, 'f', 6, 64)
}

// diagram lists a definition's top-level states in definition order with
// their transitions, for the read-only preview.
func diagram(definition string) ([]views.DiagramNode, error) {
	v, err := jsonv.DecodeString(definition)
	if err != nil {
		return nil, errors.New("the definition is not valid JSON")
	}
	root, ok := v.(*jsonv.Object)
	if !ok {
		return nil, errors.New("the definition is not a JSON object")
	}
	startAt, _ := getString(root, "StartAt")
	statesV, _ := root.Get("States")
	states, ok := statesV.(*jsonv.Object)
	if !ok {
		return nil, errors.New("the definition has no States object")
	}
	var nodes []views.DiagramNode
	for _, m := range states.Members() {
		st, ok := m.Value.(*jsonv.Object)
		if !ok {
			continue
		}
		n := views.DiagramNode{Name: m.Key, Start: m.Key == startAt}
		n.Type, _ = getString(st, "Type")
		n.Comment, _ = getString(st, "Comment")
		if end, ok := st.Get("End"); ok && end == true {
			n.End = true
		}
		if n.Type == "Succeed" || n.Type == "Fail" {
			n.End = true
		}
		if next, ok := getString(st, "Next"); ok {
			n.Edges = append(n.Edges, views.DiagramEdge{Label: "Next", Target: next})
		}
		if ch, ok := st.Get("Choices"); ok {
			if arr, ok := ch.([]any); ok {
				for i, rule := range arr {
					if r, ok := rule.(*jsonv.Object); ok {
						if next, ok := getString(r, "Next"); ok {
							n.Edges = append(n.Edges, views.DiagramEdge{Label: "Choice " + strconv.Itoa(i+1), Target: next})
						}
					}
				}
			}
		}
		if br, ok := st.Get("Branches"); ok {
			if arr, ok := br.([]any); ok {
				for i, b := range arr {
					if bo, ok := b.(*jsonv.Object); ok {
						if start, ok := getString(bo, "StartAt"); ok {
							n.Edges = append(n.Edges, views.DiagramEdge{Label: "Branch " + strconv.Itoa(i+1) + " starts at", Target: start})
						}
					}
				}
			}
		}
		for _, key := range []string{"ItemProcessor", "Iterator"} {
			if ip, ok := st.Get(key); ok {
				if po, ok := ip.(*jsonv.Object); ok {
					if start, ok := getString(po, "StartAt"); ok {
						n.Edges = append(n.Edges, views.DiagramEdge{Label: "Each item starts at", Target: start})
					}
				}
			}
		}
		if def, ok := getString(st, "Default"); ok {
			n.Edges = append(n.Edges, views.DiagramEdge{Label: "Default", Target: def})
		}
		if cs, ok := st.Get("Catch"); ok {
			if arr, ok := cs.([]any); ok {
				for _, cc := range arr {
					if r, ok := cc.(*jsonv.Object); ok {
						if next, ok := getString(r, "Next"); ok {
							label := "Catch"
							if ee, ok := r.Get("ErrorEquals"); ok {
								if list, ok := ee.([]any); ok {
									var names []string
									for _, x := range list {
										if s, ok := x.(string); ok {
											names = append(names, s)
										}
									}
									label += " " + strings.Join(names, ", ")
								}
							}
							n.Edges = append(n.Edges, views.DiagramEdge{Label: label, Target: next})
						}
					}
				}
			}
		}
		nodes = append(nodes, n)
	}
	// The start state first, the others in definition order.
	sort.SliceStable(nodes, func(i, j int) bool { return nodes[i].Start && !nodes[j].Start })
	return nodes, nil
}

func getString(o *jsonv.Object, key string) (string, bool) {
	v, ok := o.Get(key)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}
