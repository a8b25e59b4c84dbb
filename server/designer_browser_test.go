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

	"stepwise/engine"
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
	deadline := time.Now().Add(15 * time.Second)
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
