package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"stepwise/engine"
	"stepwise/server"
)

// dzDrag presses the left button at (x0, y0), moves to (x1, y1) in steps and
// releases it, as a user's mouse drag.
func dzDrag(x0, y0, x1, y1 float64, steps int) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		pressed := func(p *input.DispatchMouseEventParams) {
			p.Button = input.MouseButtonLeft
			p.Buttons = 1
			p.ClickCount = 1
		}
		if _, err := chromedp.MouseEvent(chromedp.MouseMoved, x0, y0)(ctx, t); err != nil {
			return err
		}
		if _, err := chromedp.MouseEvent(chromedp.MousePressed, x0, y0, pressed)(ctx, t); err != nil {
			return err
		}
		for i := 1; i <= steps; i++ {
			f := float64(i) / float64(steps)
			if _, err := chromedp.MouseEvent(chromedp.MouseMoved, x0+(x1-x0)*f, y0+(y1-y0)*f, func(p *input.DispatchMouseEventParams) { p.Button = input.MouseButtonLeft; p.Buttons = 1 })(ctx, t); err != nil {
				return err
			}
		}
		_, err := chromedp.MouseEvent(chromedp.MouseReleased, x1, y1, pressed)(ctx, t)
		return err
	})
}

// centerOf returns the viewport centre of the first element matching sel.
func centerOf(t *testing.T, ctx context.Context, sel string) (float64, float64) {
	t.Helper()
	js, _ := json.Marshal(sel)
	xy := eval[[]float64](t, ctx, "locate "+sel, `(() => { const el = document.querySelector(`+string(js)+`); if (!el) return []; const r = el.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
	if len(xy) != 2 {
		fail(t, ctx, "locate "+sel, fmt.Errorf("no element matches %s", sel))
	}
	return xy[0], xy[1]
}

// waitJS waits until the JavaScript expression is true.
func waitJS(t *testing.T, ctx context.Context, step, expr string) {
	t.Helper()
	deadline := time.Now().Add(40 * time.Second)
	for time.Now().Before(deadline) {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(sctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	fail(t, ctx, step, fmt.Errorf("timed out waiting for %s", expr))
}

func sel(attr, v string) string { return "[" + attr + "=" + strconvQuote(v) + "]" }

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

func openDesignerTab(t *testing.T, bctx context.Context, url string) context.Context {
	t.Helper()
	ctx := tab(t, bctx)
	run(t, ctx, "open designer", chromedp.Navigate(url))
	waitJS(t, ctx, "designer ready", `!!(window.__dz && window.__dz.ready)`)
	return ctx
}

// TestDesignerBrowserBuild builds a workflow with mouse gestures only: six
// states dragged from the palette and connected port to state. The ASL
// must equal the golden file and run successfully; a reload restores the
// draft and its layout.
func TestDesignerBrowserBuild(t *testing.T) {
	t.Parallel()
	bctx := browser(t)
	base := serve(t, newServer(t, newFakeEngine()))
	ctx := openDesignerTab(t, bctx, base+"/designer/new")
	draftURL := eval[string](t, ctx, "draft url", `location.pathname`)

	cx, cy := centerOf(t, ctx, "[data-canvas]")
	canvas := eval[[]float64](t, ctx, "canvas rect", `(() => { const r = document.querySelector("[data-canvas]").getBoundingClientRect(); return [r.x, r.y]; })()`)
	_ = cx
	_ = cy
	drops := []struct {
		typ  string
		x, y float64
	}{
		{"Pass", 330, 70}, {"Choice", 330, 190}, {"Wait", 170, 320}, {"Fail", 500, 320}, {"Task", 170, 440}, {"Succeed", 170, 560},
	}
	for _, d := range drops {
		px, py := centerOf(t, ctx, sel("data-palette-item", d.typ))
		run(t, ctx, "drag "+d.typ, dzDrag(px, py, canvas[0]+d.x, canvas[1]+d.y, 12))
		waitJS(t, ctx, "dropped "+d.typ, `!!document.querySelector('[data-state-path="`+d.typ+`"][data-state-type="`+d.typ+`"]')`)
	}
	connects := []struct{ from, port, to, kind string }{
		{"Pass", "next", "Choice", "next"},
		{"Choice", "choice-0", "Wait", "choice"},
		{"Choice", "default", "Fail", "default"},
		{"Wait", "next", "Task", "next"},
		{"Task", "next", "Succeed", "next"},
	}
	for _, c := range connects {
		px, py := centerOf(t, ctx, sel("data-state-path", c.from)+" "+sel("data-port", c.port))
		tx, ty := centerOf(t, ctx, sel("data-state-path", c.to))
		run(t, ctx, "connect "+c.from+" "+c.port, dzDrag(px, py, tx, ty, 10))
		waitJS(t, ctx, "edge "+c.from+"→"+c.to, `!!document.querySelector('[data-edge-from="`+c.from+`"][data-edge-to="`+c.to+`"][data-edge-kind="`+c.kind+`"]')`)
	}
	if errs := eval[int](t, ctx, "diagnostics", `window.__dz.view.diagnostics.filter(d => d.severity === "ERROR").length`); errs != 0 {
		fail(t, ctx, "diagnostics", fmt.Errorf("%d errors: %s", errs, eval[string](t, ctx, "diags", `JSON.stringify(window.__dz.view.diagnostics)`)))
	}
	if dir := os.Getenv("STEPWISE_SCREENSHOTS"); dir != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err == nil {
			_ = os.WriteFile(filepath.Join(dir, "designer-built.png"), png, 0o644)
		}
	}

	// The ASL equals the golden file.
	resp, err := http.Get(base + draftURL + "/asl.json")
	if err != nil {
		t.Fatal(err)
	}
	asl, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	golden := filepath.Join("testdata", "designer", "browser-workflow.asl.json")
	if os.Getenv("STEPWISE_UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, append(asl, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (set STEPWISE_UPDATE_GOLDEN=1 to write it)", err)
	}
	if string(asl) != strings.TrimSpace(string(want)) {
		t.Fatalf("ASL differs from %s:\n got %s\nwant %s", golden, asl, want)
	}

	// A reload restores the draft and its layout.
	before := eval[string](t, ctx, "positions", `JSON.stringify(window.__dz.positions)`)
	run(t, ctx, "reload", chromedp.Reload())
	waitJS(t, ctx, "ready after reload", `!!(window.__dz && window.__dz.ready)`)
	if after := eval[string](t, ctx, "positions after reload", `JSON.stringify(window.__dz.positions)`); after != before {
		t.Fatalf("layout after reload:\n got %s\nwant %s", after, before)
	}
	if n := eval[int](t, ctx, "nodes after reload", `document.querySelectorAll("[data-state-path]").length`); n != 6 {
		t.Fatalf("%d states after reload, want 6", n)
	}

	// The workflow runs successfully in the engine, the Task answered by a mock.
	runWorkflow(t, string(asl))
}

func runWorkflow(t *testing.T, definition string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := engine.ParseMockConfig([]byte(`{
	  "StateMachines": {"built": {"TestCases": {"Happy": {"Task": "LambdaOK"}}}},
	  "MockedResponses": {"LambdaOK": {"0": {"Return": {"StatusCode": 200, "Payload": {"ok": true}}}}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	e := engine.New(engine.Options{Store: engine.NewMemStore(), Clock: engine.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true),
		Integrations: []engine.Integration{&engine.MockIntegration{Config: cfg}}})
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	sm, err := e.CreateStateMachine(ctx, engine.CreateStateMachineInput{Name: "built", Definition: definition, RoleARN: "arn:aws:iam::123456789012:role/r"})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	x, err := e.StartExecution(ctx, engine.StartExecutionInput{StateMachineARN: sm.ARN, Input: `{"value":"yes"}`, TestCase: "Happy"})
	if err != nil {
		t.Fatal(err)
	}
	done, err := e.Wait(ctx, x.ARN)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != engine.Succeeded {
		t.Fatalf("execution %s: %s", done.Status, done.Error)
	}
}

// TestDesignerBrowserKeyboardAndTabs opens an existing machine with
// Parallel and Map containers (laid out by ELK), walks it with the
// keyboard, deletes and undoes, and checks that a second tab on the same
// draft follows the first.
func TestDesignerBrowserKeyboardAndTabs(t *testing.T) {
	t.Parallel()
	bctx := browser(t)
	eng := newFakeEngine()
	base := serve(t, newServer(t, eng))
	name, role := "containers", "arn:aws:iam::123456789012:role/r"
	def := `{"StartAt":"Prepare","States":{"Prepare":{"Type":"Pass","Next":"Fan out"},` +
		`"Fan out":{"Type":"Parallel","Branches":[{"StartAt":"Left","States":{"Left":{"Type":"Pass","End":true}}},{"StartAt":"Right","States":{"Right":{"Type":"Wait","Seconds":1,"Next":"Right done"},"Right done":{"Type":"Pass","End":true}}}],` +
		`"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Failed"}],"Next":"Each item"},` +
		`"Each item":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"Handle","States":{"Handle":{"Type":"Pass","End":true}}},"Next":"Done"},` +
		`"Done":{"Type":"Succeed"},"Failed":{"Type":"Fail","Error":"Oops"}}}`
	if _, err := eng.CreateStateMachine(context.Background(), &server.CreateStateMachineInput{Name: &name, Definition: &def, RoleArn: &role}); err != nil {
		t.Fatal(err)
	}
	ctx := openDesignerTab(t, bctx, base+"/state-machines/containers/designer")
	if n := eval[int](t, ctx, "lanes", `document.querySelectorAll("[data-lane]").length`); n != 3 {
		t.Fatalf("%d lanes, want 3 (two branches and a processor)", n)
	}
	if n := eval[int](t, ctx, "states", `document.querySelectorAll("[data-state-path]").length`); n != 9 {
		t.Fatalf("%d states, want 9", n)
	}
	if !eval[bool](t, ctx, "nested path", `!!document.querySelector('[data-state-path="Fan out/1/Right done"][data-state-type="Pass"]')`) {
		t.Fatal("no state with path Fan out/1/Right done")
	}
	if !eval[bool](t, ctx, "catch edge", `!!document.querySelector('[data-edge-from="Fan out"][data-edge-to="Failed"][data-edge-kind="catch"]')`) {
		t.Fatal("no catch edge from Fan out to Failed")
	}
	// ELK placed every state and the places were stored.
	waitJS(t, ctx, "layout stored", `Object.keys(window.__dz.view.layout.positions).length === 9`)
	shot(t, ctx, "designer-containers.png")

	// Dropping a palette item on a transition inserts it into the flow.
	mid := eval[[]float64](t, ctx, "edge midpoint", `(() => {
		const p = document.querySelector('[data-edge-from="Prepare"][data-edge-to="Fan out"] .dz-edge-line');
		const pt = p.getPointAtLength(p.getTotalLength() / 2).matrixTransform(p.getScreenCTM());
		return [pt.x, pt.y];
	})()`)
	wx, wy := centerOf(t, ctx, sel("data-palette-item", "Wait"))
	run(t, ctx, "drop Wait on the edge", dzDrag(wx, wy, mid[0], mid[1], 12))
	waitJS(t, ctx, "inserted", `!!document.querySelector('[data-edge-from="Prepare"][data-edge-to="Wait"][data-edge-kind="next"]') && !!document.querySelector('[data-edge-from="Wait"][data-edge-to="Fan out"]')`)
	// A pattern dropped on empty canvas adds its states.
	cv := eval[[]float64](t, ctx, "canvas rect", `(() => { const r = document.querySelector("[data-canvas]").getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })()`)
	px, py := centerOf(t, ctx, sel("data-palette-pattern", "retry-backoff"))
	run(t, ctx, "drop pattern", dzDrag(px, py, cv[0]+cv[2]-120, cv[1]+80, 12))
	waitJS(t, ctx, "pattern added", `!!document.querySelector('[data-state-path="Call service"][data-state-type="Task"]')`)
	run(t, ctx, "undo pattern", chromedp.KeyEvent("z", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	run(t, ctx, "undo insert", chromedp.KeyEvent("z", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	waitJS(t, ctx, "both undone", `!document.querySelector('[data-state-path="Call service"]') && !document.querySelector('[data-state-path="Wait"]') && !!document.querySelector('[data-edge-from="Prepare"][data-edge-to="Fan out"]')`)

	draftURL := eval[string](t, ctx, "url", `location.pathname`)
	other := openDesignerTab(t, bctx, base+draftURL)

	// Keyboard: focus the canvas, Tab to the first state, Delete, Ctrl+Z.
	eval[bool](t, ctx, "focus canvas", `(document.querySelector("[data-canvas]").focus(), true)`)
	run(t, ctx, "tab", chromedp.KeyEvent("\t"))
	waitJS(t, ctx, "announced", `document.querySelector("[data-announce]").textContent.includes("Pass state Prepare")`)
	run(t, ctx, "delete", chromedp.KeyEvent(kb.Delete))
	waitJS(t, ctx, "deleted", `!document.querySelector('[data-state-path="Prepare"]') && !!document.querySelector('[data-edge-kind="start"][data-edge-to="Fan out"]')`)
	// The other tab follows: the edit is pushed to it over its socket.
	waitJS(t, other, "other tab updated", `!document.querySelector('[data-state-path="Prepare"]')`)
	waitJS(t, other, "other tab got the edit pushed", `window.__dz.perf.pushes >= 1`)
	run(t, ctx, "undo", chromedp.KeyEvent("z", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	waitJS(t, ctx, "undone", `!!document.querySelector('[data-state-path="Prepare"]') && !!document.querySelector('[data-edge-kind="start"][data-edge-to="Prepare"]')`)
	// Arrow keys move the selection and keep it selected.
	run(t, ctx, "select", chromedp.KeyEvent("\t"))
	before := eval[float64](t, ctx, "x before", `window.__dz.positions[[...document.querySelectorAll(".dz-node.selected")][0].dataset.statePath].x`)
	run(t, ctx, "arrow right", chromedp.KeyEvent(kb.ArrowRight))
	waitJS(t, ctx, "moved", fmt.Sprintf(`window.__dz.positions[[...document.querySelectorAll(".dz-node.selected")][0]?.dataset.statePath]?.x === %v`, before+10))
	// Enter opens the inspector panel.
	run(t, ctx, "enter", chromedp.KeyEvent("\r"))
	waitJS(t, ctx, "inspector focused", `document.activeElement === document.querySelector("[data-inspector]")`)
	waitJS(t, other, "other tab follows undo", `!!document.querySelector('[data-state-path="Prepare"]')`)
}

func shot(t *testing.T, ctx context.Context, file string) {
	t.Helper()
	dir := os.Getenv("STEPWISE_SCREENSHOTS")
	if dir == "" {
		return
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(dir, file), png, 0o644)
	}
}
