package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestRunFromDesignerBrowser starts an execution from the designer: the Run
// dialog saves the draft and opens the new execution's live page, whose
// output reflects both the input typed and the edit made before running.
func TestRunFromDesignerBrowser(t *testing.T) {
	t.Parallel()
	bctx := browser(t)
	base, _, _ := liveServer(t)
	c := openDesigner(t, base, "/designer/new")
	start := "StartAt: Greet\nStates:\n  Greet:\n    Type: Pass\n    Parameters: {greeting: hello, 'who.$': $.name}\n    End: true\n"
	if st, a := c.post("/import", map[string]any{"version": 1, "text": start}); st != 200 {
		t.Fatalf("import: %d %s", st, a.Error)
	}
	if st, a := c.post("/save", map[string]any{"name": "greeter", "type": "STANDARD"}); st != 200 {
		t.Fatalf("save: %d %s", st, a.Error)
	}
	// An edit the saved definition does not have yet: Run must save it.
	if st, a := c.post("/inspector/field", map[string]any{"version": 2, "state": "Greet", "field": "Comment", "kind": "string", "text": "Says hello"}); st != 200 {
		t.Fatalf("edit: %d %s", st, a.Error)
	}
	if st, a := c.post("/run", map[string]any{"input": "{"}); st != 422 || !strings.Contains(a.Error, "not valid JSON") {
		t.Fatalf("run with bad input: %d %s", st, a.Error)
	}
	ctx := openDesignerTab(t, bctx, base+c.draft)
	run(t, ctx, "open run dialog", chromedp.Click(chromedp.CSS(`[data-run]`)))
	waitJS(t, ctx, "dialog open", `document.querySelector("[data-run-dialog]").open`)
	run(t, ctx, "bad input", chromedp.SetValue(chromedp.CSS(`[data-run-form] [name=input]`), `{"name":`),
		chromedp.Click(chromedp.CSS(`[data-run-form] button[type=submit]`)))
	waitJS(t, ctx, "input refused", `document.querySelector("[data-run-error]").textContent.includes("not valid JSON")`)
	shot(t, ctx, "run-dialog-light.png")
	run(t, ctx, "start", chromedp.SetValue(chromedp.CSS(`[data-run-form] [name=input]`), `{"name": "Ada"}`),
		chromedp.Click(chromedp.CSS(`[data-run-form] button[type=submit]`)))
	waitJS(t, ctx, "execution page", `location.pathname.startsWith("/state-machines/greeter/executions/")`)
	waitJS(t, ctx, "execution succeeded", `document.body.textContent.includes("Ada") && document.body.textContent.includes("hello")`)
	if got := getASL(t, base+c.draft); !strings.Contains(got, `"Comment":"Says hello"`) {
		t.Fatalf("draft %s", got)
	}
	resp, err := http.Get(base + "/state-machines/greeter")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "Says hello") {
		t.Fatalf("the saved definition lacks the edit made before Run")
	}
}
