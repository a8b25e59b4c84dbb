package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"stepwise/engine"
	"stepwise/server"
)

// liveServer runs the real engine on a memory store with the hub as its
// publisher (through the metrics), as cmd/stepwise wires it.
func liveServer(t *testing.T, integrations ...engine.Integration) (string, *engine.Engine, *server.Hub) {
	t.Helper()
	store := engine.NewMemStore()
	hub := server.NewHub(store, server.HubOptions{Logger: testLogger(t)})
	m := server.NewMetrics()
	eng := engine.New(engine.Options{Store: store, Logger: testLogger(t), Publisher: m.Publisher(hub), Integrations: integrations})
	if err := eng.Start(context.Background()); err != nil {
		t.Fatalf("engine Start: %v", err)
	}
	t.Cleanup(eng.Stop)
	s, err := server.New(server.Config{Metrics: m, Hub: hub}, server.NewEngineAdapter(eng).WithMetrics(context.Background(), m), testLogger(t))
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	return serve(t, s), eng, hub
}

const waitsDefinition = `{
  "StartAt": "First",
  "States": {
    "First": {"Type": "Wait", "Seconds": 3, "Next": "Second"},
    "Second": {"Type": "Wait", "Seconds": 2, "Next": "Done"},
    "Done": {"Type": "Pass", "Result": {"ok": true}, "End": true}
  }
}`

func startWaits(t *testing.T, eng *engine.Engine, machine string) *engine.Execution {
	t.Helper()
	ctx := context.Background()
	sm, err := eng.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: machine, Definition: waitsDefinition, RoleARN: "arn:aws:iam::123456789012:role/r"})
	if err != nil {
		t.Fatalf("create %s: %v", machine, err)
	}
	x, err := eng.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN, Name: "run-1", Input: `{}`})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	return x
}

const snapshotJS = `JSON.stringify({
  exec: document.querySelector("[data-execution-status]").dataset.executionStatus,
  states: Object.fromEntries([...document.querySelectorAll("[data-state-path]")].map(e => [e.dataset.statePath, e.dataset.status])),
  marker: window.__noReload === 1
})`

type liveSnap struct {
	Exec   string            `json:"exec"`
	States map[string]string `json:"states"`
	Marker bool              `json:"marker"`
}

// watchUntilDone polls the page's hooks until the execution's status is
// final, returning every distinct snapshot in order.
func watchUntilDone(t *testing.T, ctx context.Context, during func(i int)) []liveSnap {
	t.Helper()
	var snaps []liveSnap
	last := ""
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		raw := eval[string](t, ctx, "snapshot", snapshotJS)
		if raw != last {
			var s liveSnap
			if err := json.Unmarshal([]byte(raw), &s); err != nil {
				t.Fatalf("snapshot %s: %v", raw, err)
			}
			snaps = append(snaps, s)
			last = raw
			if s.Exec != "running" {
				return snaps
			}
		}
		if during != nil {
			during(i)
		}
		time.Sleep(40 * time.Millisecond)
	}
	fail(t, ctx, "execution did not finish in the view", fmt.Errorf("snapshots: %+v", snaps))
	return nil
}

// TestLiveBrowser watches an execution with Wait states turn its states
// from running to succeeded in order, without reloading the page, and then
// cuts the websocket mid-run and checks that the view holds every event
// exactly once after reconnecting.
func TestLiveBrowser(t *testing.T) {
	t.Parallel()
	b := browser(t)
	url, eng, hub := liveServer(t)

	t.Run("StatesTurnInOrder", func(t *testing.T) {
		ctx := tab(t, b)
		x := startWaits(t, eng, "waits-order")
		run(t, ctx, "open execution page", chromedp.Navigate(url+"/state-machines/waits-order/executions/run-1"), chromedp.WaitReady(chromedp.CSS(`[data-state-path="First"]`)))
		eval[bool](t, ctx, "mark page", `(window.__noReload = 1) === 1`)
		snaps := watchUntilDone(t, ctx, nil)
		final := snaps[len(snaps)-1]
		if final.Exec != "succeeded" || !final.Marker {
			fail(t, ctx, "final status", fmt.Errorf("final snapshot %+v (marker false means the page reloaded)", final))
		}
		for _, p := range []string{"First", "Second", "Done"} {
			if final.States[p] != "succeeded" {
				fail(t, ctx, "final states", fmt.Errorf("state %s is %q at the end: %+v", p, final.States[p], final))
			}
		}
		// Watched live: the page showed a state running and then the end,
		// without reloading. (On a loaded machine the page may open after
		// First is done, so which state is seen running is not fixed.)
		sawRunning := false
		for _, s := range snaps {
			if s.States["First"] == "running" || s.States["Second"] == "running" {
				sawRunning = true
			}
			if s.States["Second"] == "running" && s.States["First"] != "succeeded" {
				fail(t, ctx, "order", fmt.Errorf("Second running while First is %q", s.States["First"]))
			}
			if !s.Marker {
				fail(t, ctx, "no reload", fmt.Errorf("the page reloaded"))
			}
		}
		if !sawRunning {
			fail(t, ctx, "saw a running state", fmt.Errorf("no snapshot showed a running state: %+v", snaps))
		}
		// In order: every status change the page made, as the events came.
		log := eval[string](t, ctx, "status log", `window.__live.log.join(" ")`)
		if want := "First:running First:succeeded Second:running Second:succeeded Done:running Done:succeeded"; log != want {
			fail(t, ctx, "order", fmt.Errorf("status changes %q, want %q", log, want))
		}
		checkEventsOnce(t, ctx, eng, x.ARN)
		if got := eval[string](t, ctx, "status badge", `document.querySelector("[data-testid=execution-status] [data-status]").dataset.status`); got != "SUCCEEDED" {
			fail(t, ctx, "status badge", fmt.Errorf("badge says %s after the end", got))
		}
		wantContains(t, ctx, "output", text(t, ctx, "output", "[data-testid=execution-output]"), `"ok": true`)
		jsClick(t, ctx, "select a state", `[data-state-path="Second"]`)
		waitJS(t, ctx, "run details", `document.querySelector("[data-live-detail] [data-run='1']") !== null`)
		shot(t, ctx, "live-execution.png")
	})

	t.Run("ParallelMapRetryCatch", func(t *testing.T) {
		browserShapes(t, tab(t, b))
	})

	t.Run("MachinePageFollowsRunningExecutions", func(t *testing.T) {
		ctx := tab(t, b)
		startWaits(t, eng, "waits-list")
		run(t, ctx, "open machine page", chromedp.Navigate(url+"/state-machines/waits-list"), chromedp.WaitReady(chromedp.CSS(`#exec-table [data-status="RUNNING"]`)))
		eval[bool](t, ctx, "mark page", `(window.__noReload = 1) === 1`)
		waitJS(t, ctx, "row turns succeeded", `document.querySelector('#exec-table [data-status="SUCCEEDED"]') !== null`)
		if !eval[bool](t, ctx, "no reload", `window.__noReload === 1`) {
			fail(t, ctx, "no reload", fmt.Errorf("the machine page reloaded"))
		}
	})

	t.Run("ReconnectKeepsEveryEventOnce", func(t *testing.T) {
		ctx := tab(t, b)
		x := startWaits(t, eng, "waits-cut")
		run(t, ctx, "open execution page", chromedp.Navigate(url+"/state-machines/waits-cut/executions/run-1"), chromedp.WaitReady(chromedp.CSS(`[data-state-path="First"]`)))
		waitJS(t, ctx, "connected", `document.querySelector("[data-live]").dataset.connection === "open"`)
		cut := 0
		snaps := watchUntilDone(t, ctx, func(i int) {
			// Cut the socket twice mid-run: once while First waits, once
			// while Second does.
			if i == 5 || i == 40 {
				cut += hub.Disconnect(x.ARN)
			}
		})
		if final := snaps[len(snaps)-1]; final.Exec != "succeeded" {
			fail(t, ctx, "final status", fmt.Errorf("final snapshot %+v", final))
		}
		if cut == 0 {
			t.Fatalf("no watcher was connected to cut")
		}
		reconnects := eval[int](t, ctx, "reconnects", `window.__live.reconnects`)
		if reconnects < 1 {
			fail(t, ctx, "reconnects", fmt.Errorf("the page did not reconnect after %d cuts", cut))
		}
		if d := eval[int](t, ctx, "duplicates", `window.__live.duplicates`); d != 0 {
			fail(t, ctx, "duplicates", fmt.Errorf("the server sent %d events twice", d))
		}
		checkEventsOnce(t, ctx, eng, x.ARN)
	})
}

// checkEventsOnce compares the live table's event ids with the stored
// history: every event once, in order.
func checkEventsOnce(t *testing.T, ctx context.Context, eng *engine.Engine, arn string) {
	t.Helper()
	evs, _, err := eng.GetExecutionHistory(context.Background(), arn, engine.HistoryQuery{}, false)
	if err != nil {
		t.Fatalf("history: %v", err)
	}
	want := make([]string, len(evs))
	for i, e := range evs {
		want[i] = fmt.Sprint(e.ID)
	}
	// The last event can arrive a moment after the status flips.
	var got string
	for i := 0; i < 50; i++ {
		got = eval[string](t, ctx, "table ids", `[...document.querySelectorAll("[data-live-events] tbody tr")].map(r => r.dataset.eventId).join(",")`)
		if got == strings.Join(want, ",") {
			return
		}
		time.Sleep(40 * time.Millisecond)
	}
	fail(t, ctx, "every event once", fmt.Errorf("table ids %s, stored %s", got, strings.Join(want, ",")))
}

const shapesDefinition = `{
  "StartAt": "Fan",
  "States": {
    "Fan": {"Type": "Parallel", "Next": "Each", "Branches": [
      {"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 1, "End": true}}},
      {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}
    ]},
    "Each": {"Type": "Map", "ItemsPath": "$", "Next": "Flaky",
      "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": true}}}},
    "Flaky": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"}, "Next": "Broken",
      "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 2}]},
    "Broken": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "g"}, "End": true,
      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}]},
    "Recover": {"Type": "Pass", "End": true}
  }
}`

// browserShapes runs Parallel, Map, a retried Task and a caught failure
// and checks the statuses, the Map's progress and a state's run details.
func browserShapes(t *testing.T, ctx context.Context) {
	cfg, err := engine.ParseMockConfig([]byte(`{
	  "StateMachines": {"shapes": {"TestCases": {"T": {"Flaky": "FlakyResp", "Broken": "BrokenResp"}}}},
	  "MockedResponses": {
	    "FlakyResp": {"0": {"Throw": {"Error": "Lambda.Unknown", "Cause": "first try fails"}}, "1": {"Return": {"StatusCode": 200, "Payload": {"ok": 1}}}},
	    "BrokenResp": {"0": {"Throw": {"Error": "Custom.Broken", "Cause": "always broken"}}}
	  }
	}`))
	if err != nil {
		t.Fatal(err)
	}
	url, eng, _ := liveServer(t, &engine.MockIntegration{Config: cfg})
	bg := context.Background()
	sm, err := eng.CreateStateMachine(bg, engine.CreateStateMachineInput{Name: "shapes", Definition: shapesDefinition, RoleARN: "arn:aws:iam::123456789012:role/r"})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	x, err := eng.StartExecution(bg, engine.StartExecutionInput{StateMachineARN: sm.ARN, Name: "run-1", Input: `{}`, TestCase: "T"})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	run(t, ctx, "open execution page", chromedp.Navigate(url+"/state-machines/shapes/executions/run-1"), chromedp.WaitReady(chromedp.CSS(`[data-state-name="Fan"]`)))
	byName := `Object.fromEntries([...document.querySelectorAll("[data-state-name]")].map(e => [e.dataset.stateName, e.dataset.status]))`
	// Every status Flaky's box shows is recorded in the page (polling from
	// here could miss the 1 s retry interval on a loaded machine).
	eval[bool](t, ctx, "watch Flaky", `(() => {
		window.__flaky = [];
		const seen = (e) => { if (e.dataset && e.dataset.stateName === "Flaky") window.__flaky.push(e.dataset.status); };
		new MutationObserver((ms) => { for (const m of ms) { seen(m.target); m.addedNodes.forEach((n) => { seen(n); n.querySelectorAll?.("[data-state-name]").forEach(seen); }); } })
			.observe(document.body, { attributes: true, attributeFilter: ["data-status"], childList: true, subtree: true });
		document.querySelectorAll("[data-state-name]").forEach(seen);
		return true;
	})()`)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(30 * time.Millisecond) {
		if eval[string](t, ctx, "exec status", `document.querySelector("[data-execution-status]").dataset.executionStatus`) != "running" {
			break
		}
	}
	want := map[string]string{"Fan": "succeeded", "A": "succeeded", "B": "succeeded", "Each": "succeeded", "Item": "succeeded",
		"Flaky": "succeeded", "Broken": "caught", "Recover": "succeeded"}
	got := eval[map[string]string](t, ctx, "final statuses", byName)
	for k, v := range want {
		if got[k] != v {
			fail(t, ctx, "final statuses", fmt.Errorf("state %s is %q, want %q (all: %v)", k, got[k], v, got))
		}
	}
	if shown := eval[[]string](t, ctx, "Flaky's statuses", `window.__flaky`); !slices.Contains(shown, "retrying") {
		fail(t, ctx, "retrying", fmt.Errorf("Flaky never showed retrying during its 1 s retry interval (it showed %v)", shown))
	}
	if p := eval[string](t, ctx, "paths", `[...document.querySelectorAll("[data-state-path]")].map(e => e.dataset.statePath).join(",")`); !strings.Contains(p, "/A") || !strings.Contains(p, "/Item") {
		fail(t, ctx, "nested paths", fmt.Errorf("state paths %s: branch and iteration states should carry their container path", p))
	}
	mapText := eval[string](t, ctx, "map progress", `(() => { const g = document.querySelector('[data-state-name="Each"]'); return g.dataset.mapDone + "/" + g.dataset.mapTotal + "/" + g.dataset.mapFailed + " " + g.textContent })()`)
	wantContains(t, ctx, "map progress", mapText, "2/2/0", "2 of 2 done")
	wantContains(t, ctx, "retry count", eval[string](t, ctx, "flaky text", `document.querySelector('[data-state-name="Flaky"]').textContent`), "1 retry")
	jsClick(t, ctx, "select Broken", `[data-state-name="Broken"]`)
	wantContains(t, ctx, "Broken details", text(t, ctx, "details", "[data-live-detail]"), "caught", "Custom.Broken", "always broken")
	jsClick(t, ctx, "select Item", `[data-state-name="Item"]`)
	wantContains(t, ctx, "Item details", text(t, ctx, "details", "[data-live-detail]"), "Run 1", "Run 2")
	// Open the Map's second iteration: Item shows that iteration's run only.
	jsClick(t, ctx, "select Each", `[data-state-name="Each"]`)
	jsClick(t, ctx, "open iteration 1", `[data-live-detail] button[data-iter="Each#1"]`)
	jsClick(t, ctx, "select Item in iteration", `[data-state-name="Item"]`)
	itemText := text(t, ctx, "iteration details", "[data-live-detail]")
	wantContains(t, ctx, "iteration details", itemText, "Run 1", "iteration 1")
	if strings.Contains(itemText, "Run 2") {
		fail(t, ctx, "iteration details", fmt.Errorf("the focused iteration shows another iteration's run: %q", itemText))
	}
	checkEventsOnce(t, ctx, eng, x.ARN)
}

// jsClick clicks the element the way a user's click reaches the page's
// handlers, without depending on what overlaps it on screen.
func jsClick(t *testing.T, ctx context.Context, step, sel string) {
	t.Helper()
	q, _ := json.Marshal(sel)
	waitJS(t, ctx, step, `(() => { const el = document.querySelector(`+string(q)+`); if (!el) return false; el.dispatchEvent(new MouseEvent("click", {bubbles: true})); return true })()`)
}
