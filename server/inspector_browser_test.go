package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"stepwise/engine"
	"stepwise/server"
)

// TestInspectorBrowser sets a Choice rule (an And of two comparisons), a
// Retry with backoff and a Catch through the inspector only; the ASL must
// equal the golden file. It then tests the Task state from the inspector.
func TestInspectorBrowser(t *testing.T) {
	t.Parallel()
	bctx := browser(t)
	// The real engine tests the state.
	base := serve(t, newServer(t, server.NewEngineAdapter(engine.New(engine.Options{Store: engine.NewMemStore()}))))
	c := openDesigner(t, base, "/designer/new")
	start := "StartAt: Check\nStates:\n  Check:\n    Type: Choice\n    Choices: []\n    Default: Charge\n  Charge:\n    Type: Task\n    Resource: arn:aws:states:::http:invoke\n    Parameters: {ApiEndpoint: 'https://example.com/charge', Method: POST}\n    Next: Done\n  Done:\n    Type: Succeed\n  Failed:\n    Type: Fail\n"
	if st, a := c.post("/import", map[string]any{"version": 1, "text": start}); st != 200 {
		t.Fatalf("import: %d %s", st, a.Error)
	}
	ctx := openDesignerTab(t, bctx, base+c.draft)

	edit := func(state, field, value string) {
		t.Helper()
		x, y := centerOf(t, ctx, sel("data-state-path", state))
		run(t, ctx, "select "+state, chromedp.MouseClickXY(x, y))
		waitJS(t, ctx, "inspector shows "+state, `document.querySelector("[data-inspector-form]")?.dataset.state === `+strconvQuote(state)+
			` && document.querySelector("[data-inspector] [data-inspector-name]").textContent === `+strconvQuote(state))
		settled := `document.querySelector("[data-inspector-form]")?.dataset.version === String(window.__dz.view.version) && !document.querySelector(".dz-status")?.textContent.includes("Saving")`
		waitJS(t, ctx, "inspector settled", settled)
		fsel := `[data-inspector-form] [data-field=` + strconvQuote(field) + `]`
		before := eval[float64](t, ctx, "version", `window.__dz.view.version`)
		run(t, ctx, "set "+state+"."+field, chromedp.Focus(chromedp.CSS(fsel)), chromedp.SetValue(chromedp.CSS(fsel), value))
		eval[bool](t, ctx, "change "+field, `document.querySelector(`+strconvQuote(fsel)+`).dispatchEvent(new Event("change", {bubbles: true}))`)
		waitJS(t, ctx, "applied "+field, `window.__dz.view.version > `+jsonNum(before))
		waitJS(t, ctx, "inspector reloaded", settled)
	}
	edit("Check", "Choices", `[{"And": [{"Variable": "$.amount", "NumericGreaterThan": 100}, {"Variable": "$.currency", "StringEquals": "EUR"}], "Next": "Failed"}]`)
	waitJS(t, ctx, "choice edge drawn", `!!document.querySelector('[data-edge-kind="choice"][data-edge-to="Failed"]')`)
	edit("Charge", "Retry", `[{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2}]`)
	waitJS(t, ctx, "backoff schedule shown", `document.querySelector("[data-inspector-form]").textContent.includes("States.TaskFailed: retries after 2s, 4s, 8s.")`)
	edit("Charge", "Catch", `[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}]`)
	waitJS(t, ctx, "catch edge drawn", `!!document.querySelector('[data-edge-kind="catch"][data-edge-to="Failed"]')`)
	edit("Charge", "Comment", "Charges the card")

	resp, err := http.Get(base + c.draft + "/asl.json")
	if err != nil {
		t.Fatal(err)
	}
	asl, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	golden := filepath.Join("testdata", "designer", "inspector.asl.json")
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

	// Test the Task alone with a mocked error: the Catch takes it.
	run(t, ctx, "open test", chromedp.Click(chromedp.CSS(`[data-test-state] summary`)),
		chromedp.SetValue(chromedp.CSS(`[data-test-form] [name=input]`), `{"amount": 5}`),
		chromedp.SetValue(chromedp.CSS(`[data-test-form] [name=error]`), `States.TaskFailed`),
		chromedp.Click(chromedp.CSS(`[data-test-form] button[type=submit]`)))
	waitJS(t, ctx, "test result", `!!document.querySelector("[data-test-status]")`)
	if got := eval[string](t, ctx, "test status", `document.querySelector("[data-test-result]").textContent`); !strings.Contains(got, "RETRIABLE") || !strings.Contains(got, "States.TaskFailed") {
		t.Fatalf("test result: %s", got)
	}
	shot(t, ctx, "inspector-light.png")
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "inspector-dark.png")
}

func jsonNum(f float64) string { b, _ := json.Marshal(f); return string(b) }
