package views_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"stepwise/views"
)

func TestExecutionPageEscapes(t *testing.T) {
	t.Parallel()
	evil := `<img src=x onerror=alert(1)>`
	v := views.ExecutionView{
		Page:        views.Page{Title: evil, CSSURL: "/static/app.css", JSURL: "/static/app.js", CSRF: `"><b>`},
		MachineName: "m", Name: "e", Status: "FAILED", Input: evil, Error: evil, Cause: evil,
		Start:  time.Unix(0, 0),
		Events: []views.EventRow{{ID: 1, Type: "ExecutionFailed", Details: evil, StateName: evil, Kind: "fail"}},
	}
	var buf bytes.Buffer
	if err := views.ExecutionPage(v).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	if strings.Contains(html, "<img") || strings.Contains(html, "<b>") {
		t.Errorf("user strings are not escaped:\n%s", html)
	}
	if !strings.Contains(html, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("escaped text missing")
	}
}

func TestURLs(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		views.MachineURL("orders"):              "/state-machines/orders",
		views.MachineURL("a.b-c_d"):             "/state-machines/a.b-c_d",
		views.MachineURL("ünï"):                 "/state-machines/%C3%BCn%C3%AF",
		views.ExecutionURL("orders", "run?1"):   "/state-machines/orders/executions/run%3F1",
		views.ExecutionURL("orders", "2026-01"): "/state-machines/orders/executions/2026-01",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestStateMachinesPageEmptyStates(t *testing.T) {
	t.Parallel()
	render := func(v views.StateMachinesView) string {
		var buf bytes.Buffer
		if err := views.StateMachinesPage(v).Render(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	if html := render(views.StateMachinesView{}); !strings.Contains(html, "No state machines yet") {
		t.Errorf("empty list has no empty state")
	}
	if html := render(views.StateMachinesView{Total: 3, Query: "zzz"}); !strings.Contains(html, "Nothing matches") {
		t.Errorf("empty search has no empty state")
	}
}
