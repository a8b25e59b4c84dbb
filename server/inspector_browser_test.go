package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"stepwise/engine"
	"stepwise/server"
)

// TestInspectorBrowser sets a Choice rule (an And of two comparisons), a
// Retry with backoff and a Catch through the inspector's structured editors
// only; the ASL must equal the golden file. It then tests the Task state from the inspector.
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

	// act selects the state, waits for its form, runs do on the element at
	// css inside the form and waits until the draft changed and the form
	// shows the new version.
	act := func(state, css, desc string, do func(sel string) []chromedp.Action[chromedp.Void]) {
		t.Helper()
		x, y := centerOf(t, ctx, sel("data-state-path", state))
		run(t, ctx, "select "+state, chromedp.MouseClickXY(x, y))
		waitJS(t, ctx, "inspector shows "+state, `document.querySelector("[data-inspector-form]")?.dataset.state === `+strconvQuote(state)+
			` && document.querySelector("[data-inspector] [data-inspector-name]").textContent === `+strconvQuote(state))
		settled := `document.querySelector("[data-inspector-form]")?.dataset.version === String(window.__dz.view.version) && !document.querySelector(".dz-status")?.textContent.includes("Saving")`
		waitJS(t, ctx, "inspector settled", settled)
		fsel := `[data-inspector-form] ` + css
		before := eval[float64](t, ctx, "version", `window.__dz.view.version`)
		run(t, ctx, desc, do(fsel)...)
		waitJS(t, ctx, "applied "+desc, `window.__dz.view.version > `+jsonNum(before))
		waitJS(t, ctx, "inspector reloaded", settled)
	}
	set := func(state, css, value string) {
		t.Helper()
		act(state, css, "set "+state+" "+css, func(fsel string) []chromedp.Action[chromedp.Void] {
			run(t, ctx, "set "+css, chromedp.Focus(chromedp.CSS(fsel)), chromedp.SetValue(chromedp.CSS(fsel), value))
			eval[bool](t, ctx, "change "+css, `document.querySelector(`+strconvQuote(fsel)+`).dispatchEvent(new Event("change", {bubbles: true}))`)
			return nil
		})
	}
	click := func(state, css string) {
		t.Helper()
		act(state, css, "click "+state+" "+css, func(fsel string) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS(fsel))}
		})
	}
	list := func(field, path, key string) string {
		return `[data-list=` + strconvQuote(field) + `][data-path=` + strconvQuote(path) + `][data-key=` + strconvQuote(key) + `]`
	}

	// The Choice rule builder: an And of two comparisons going to Failed.
	click("Check", `[data-list-editor="Choices"] > button[data-action="add"]`)
	set("Check", `select[data-path="/0"][data-action="kind"]`, "And")
	set("Check", list("Choices", "/0/And/0", "Variable"), "$.amount")
	set("Check", `select[data-path="/0/And/0"][data-action="operator"]`, "NumericGreaterThan")
	set("Check", list("Choices", "/0/And/0", "Operand"), "100")
	set("Check", list("Choices", "/0/And/1", "Variable"), "$.currency")
	set("Check", list("Choices", "/0/And/1", "Operand"), "EUR")
	set("Check", list("Choices", "/0", "Next"), "Failed")
	waitJS(t, ctx, "choice edge drawn", `!!document.querySelector('[data-edge-kind="choice"][data-edge-to="Failed"]')`)
	if got := eval[string](t, ctx, "rule summary", `document.querySelector("[data-rule-summary]").textContent`); got != `($.amount > 100 and $.currency == "EUR")` {
		t.Fatalf("rule summary %q", got)
	}
	shot(t, ctx, "inspector-choice-light.png")
	// A retrier with backoff; its schedule shows under it.
	click("Charge", `[data-list-editor="Retry"] > button[data-action="add"]`)
	set("Charge", list("Retry", "/0", "ErrorEquals"), "States.TaskFailed")
	set("Charge", list("Retry", "/0", "IntervalSeconds"), "2")
	set("Charge", list("Retry", "/0", "MaxAttempts"), "3")
	set("Charge", list("Retry", "/0", "BackoffRate"), "2")
	waitJS(t, ctx, "backoff schedule shown", `document.querySelector("[data-retry-schedule]")?.textContent === "States.TaskFailed: retries after 2s, 4s, 8s."`)
	// A catcher of every error to Failed.
	click("Charge", `[data-list-editor="Catch"] > button[data-action="add"]`)
	set("Charge", list("Catch", "/0", "ResultPath"), "$.error")
	set("Charge", list("Catch", "/0", "Next"), "Failed")
	waitJS(t, ctx, "catch edge drawn", `!!document.querySelector('[data-edge-kind="catch"][data-edge-to="Failed"]')`)
	partial := eval[int](t, ctx, "partial redraws", `window.__dz.perf.partial.length`)
	set("Charge", `[data-field="Comment"]`, "Charges the card")
	// The answer named the one state it changed: only that state was
	// redrawn, not the whole diagram.
	if got := eval[[]string](t, ctx, "partial redraws", `window.__dz.perf.partial`); !slices.Contains(got[partial:], "Charge") {
		t.Errorf("the Comment edit was not drawn by redrawing Charge alone (partial redraws since: %q)", got[partial:])
	}

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

	// The resource picker: a function with its name in Parameters.
	set("Charge", `select[data-field="Resource"]`, "arn:aws:states:::lambda:invoke")
	waitJS(t, ctx, "function fields", `!!document.querySelector('[data-resource-picker="lambda"] [data-param="FunctionName"]')`)
	set("Charge", `[data-param="FunctionName"]`, "charge-card")
	set("Charge", `[data-param="Payload"]`, `{"amount.$": "$.amount"}`)
	if got := getASL(t, base+c.draft); !strings.Contains(got, `"Resource":"arn:aws:states:::lambda:invoke","Parameters":{"ApiEndpoint":"https://example.com/charge","Method":"POST","FunctionName":"charge-card","Payload":{"amount.$":"$.amount"}}`) {
		t.Fatalf("after the resource picker: %s", got)
	}
	eval[bool](t, ctx, "scroll to the picker", `(document.querySelector("[data-resource-picker]").scrollIntoView(), true)`)
	shot(t, ctx, "inspector-resource-light.png")

	// Test the Task alone with a mocked error: the Catch takes it.
	run(t, ctx, "open test", chromedp.Click(chromedp.CSS(`[data-test-state] summary`)),
		chromedp.SetValue(chromedp.CSS(`[data-test-form] [name=input]`), `{"amount": 5}`),
		chromedp.SetValue(chromedp.CSS(`[data-test-form] [name=error]`), `States.TaskFailed`),
		chromedp.Click(chromedp.CSS(`[data-test-form] button[type=submit]`)))
	waitJS(t, ctx, "test result", `!!document.querySelector("[data-test-status]")`)
	if got := eval[string](t, ctx, "test status", `document.querySelector("[data-test-result]").textContent`); !strings.Contains(got, "RETRIABLE") || !strings.Contains(got, "States.TaskFailed") ||
		!strings.Contains(got, `After InputPath{"amount":5}`) || !strings.Contains(got, `After Parameters{"ApiEndpoint":"https://example.com/charge","Method":"POST","FunctionName":"charge-card","Payload":{"amount":5}}`) {
		t.Fatalf("test result: %s", got)
	}
	shot(t, ctx, "inspector-light.png")
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "inspector-dark.png")
}

func jsonNum(f float64) string { b, _ := json.Marshal(f); return string(b) }

func getASL(t *testing.T, draft string) string {
	t.Helper()
	resp, err := http.Get(draft + "/asl.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
