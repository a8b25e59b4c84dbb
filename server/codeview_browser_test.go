package server_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestCodeViewBrowser types in the code view: a change shows on the canvas;
// an error marks its state and underlines its span.
func TestCodeViewBrowser(t *testing.T) {
	t.Parallel()
	bctx := browser(t)
	base := serve(t, newServer(t, newFakeEngine()))
	c := openDesigner(t, base, "/designer/new")
	start := "StartAt: Charge\nStates:\n  Charge:\n    Type: Task\n    Resource: arn:aws:states:::http:invoke\n    Parameters: {ApiEndpoint: 'https://example.com/charge', Method: POST}\n    Next: Done\n  Done:\n    Type: Succeed\n"
	if st, a := c.post("/import", map[string]any{"version": 1, "text": start}); st != 200 {
		t.Fatalf("import: %d %s", st, a.Error)
	}
	ctx := openDesignerTab(t, bctx, base+c.draft)
	// cm() is the code view's shadow root, where the editor lives.
	eval[bool](t, ctx, "cm helper", `(window.cm = () => document.querySelector("[data-code-view]").shadowRoot, true)`)
	waitJS(t, ctx, "code view shows the ASL", `!!cm()?.querySelector(".cm-content")?.textContent.includes('"Succeed"')`)

	if d := eval[string](t, ctx, "styled", `getComputedStyle(cm().querySelector(".cm-gutters")).display`); d != "flex" {
		t.Errorf("the editor is not styled: gutters display %s", d)
	}
	// selectText puts the selection on the n-th occurrence of s in the code view.
	selectText := func(s string, n int) {
		t.Helper()
		ok := eval[bool](t, ctx, "select "+s, `(() => { const v = window.__dz.code; const d = v.state.doc.toString(); let i = -1;
			for (let k = 0; k <= `+jsonNum(float64(n))+`; k++) { i = d.indexOf(`+strconvQuote(s)+`, i + 1); if (i < 0) return false; }
			v.focus(); v.dispatch({selection: {anchor: i, head: i + `+jsonNum(float64(len(s)))+`}}); return true; })()`)
		if !ok {
			t.Fatalf("%q is not in the code view", s)
		}
	}
	// Type a change: Done becomes a Pass state that ends.
	selectText(`"Succeed"`, 0)
	run(t, ctx, "type a change", chromedp.KeyEvent(`"Pass", "End": true`))
	waitJS(t, ctx, "canvas shows the change", `document.querySelector('[data-state-path="Done"]')?.textContent.includes("Pass")`)
	waitJS(t, ctx, "no problems", `window.__dz.view.diagnostics.length === 0`)

	// Introduce an error: Charge goes to a state that does not exist.
	selectText(`"Done"`, 0)
	run(t, ctx, "type an error", chromedp.KeyEvent(`"Nowhere"`))
	waitJS(t, ctx, "state marked", `!!document.querySelector('[data-state-path="Charge"] .dz-marker-error')`)
	waitJS(t, ctx, "span underlined", `[...cm().querySelectorAll(".cm-lintRange-error")].some(e => e.textContent.includes("Nowhere"))`)
	// A problem in the list selects its state.
	run(t, ctx, "pick problem", chromedp.Click(chromedp.CSS(`[data-problems] [data-diag-state="Charge"]`)))
	waitJS(t, ctx, "state selected", `!!document.querySelector('.dz-node.selected[data-state-path="Charge"]')`)
	shot(t, ctx, "codeview-light.png")
}
