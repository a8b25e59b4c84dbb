package server_test

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"stepwise/designer"
	"stepwise/engine"
	"stepwise/engine/sqlite"
	"stepwise/server"
)

// bigDefinition generates a workflow of n states: a chain of Pass and Task
// states with a Choice every 25 states that may skip one.
func bigDefinition(n int) string {
	var b strings.Builder
	b.WriteString(`{"Comment":"generated","StartAt":"S0","States":{`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		next := fmt.Sprintf("S%d", i+1)
		switch {
		case i == n-1:
			fmt.Fprintf(&b, `"S%d":{"Type":"Succeed"}`, i)
		case i%25 == 24 && i+2 < n:
			fmt.Fprintf(&b, `"S%d":{"Type":"Choice","Choices":[{"Variable":"$.skip","BooleanEquals":true,"Next":"S%d"}],"Default":"%s"}`, i, i+2, next)
		case i%3 == 1:
			fmt.Fprintf(&b, `"S%d":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f%d","Payload.$":"$"},"Next":"%s"}`, i, i, next)
		default:
			fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Result":{"i":%d},"ResultPath":"$.r%d","Next":"%s"}`, i, i, i%7, next)
		}
	}
	b.WriteString(`}}`)
	return b.String()
}

// dragFPS drags the state at path by (300, 200) in 120 mouse moves while a
// requestAnimationFrame loop counts frames, and returns frames per second.
func dragFPS(t *testing.T, ctx context.Context, path string) float64 {
	t.Helper()
	x, y := centerOf(t, ctx, sel("data-state-path", path))
	eval[bool](t, ctx, "start frame counter", `(() => { window.__frames = []; let last = 0; const f = (now) => { if (last) window.__frames.push(now - last); last = now; if (!window.__stopFrames) requestAnimationFrame(f); }; window.__stopFrames = false; requestAnimationFrame(f); return true; })()`)
	start := time.Now()
	run(t, ctx, "drag "+path, dzDrag(x, y, x+300, y+200, 120))
	elapsed := time.Since(start)
	frames := eval[[]float64](t, ctx, "frames", `(window.__stopFrames = true, window.__frames)`)
	var total float64
	for _, f := range frames {
		total += f
	}
	fps := float64(len(frames)) / (total / 1000)
	t.Logf("drag of %s: %d frames in %.0f ms (%.1f fps, p95 frame %.1f ms, worst %.1f ms); 120 mouse moves took %v", path, len(frames), total, fps, percentile(frames, 0.95), percentile(frames, 1), elapsed.Round(time.Millisecond))
	return fps
}

func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[min(len(s)-1, int(math.Ceil(p*float64(len(s))))-1)]
}

// TestDesignerBrowserPerformance imports a generated 500-state definition,
// lays it out and renders it, drags a node and edits, and checks the issue's
// budgets: ready in ≤ 1 s, dragging at ≥ 50 frames per second, and an edit's
// round trip ≤ 20 ms at p99. The figures are logged for the report.
func TestDesignerBrowserPerformance(t *testing.T) {
	if os.Getenv("STEPWISE_PERF") == "" {
		t.Skip("performance measurement: set STEPWISE_PERF=1 to run it (and STEPWISE_PERF_BUDGETS=1 for the issue's strict budgets)")
	}
	t.Parallel()
	bctx := browser(t)
	s, eng := productServer(t)
	base := serve(t, s)
	def := createBig(t, eng, 500)
	// Warm the browser (first start compiles and caches the bundle), then
	// measure a fresh import.
	warm := openDesignerTab(t, bctx, base+"/designer/new")
	// Control: the same drag on a one-state diagram measures what this
	// machine's browser manages at all (the budget compares against it).
	wx, wy := centerOf(t, warm, "[data-canvas]")
	px, py := centerOf(t, warm, sel("data-palette-item", "Pass"))
	run(t, warm, "drop a Pass", dzDrag(px, py, wx, wy, 8))
	waitJS(t, warm, "Pass dropped", `!!document.querySelector('[data-state-path="Pass"]')`)
	t.Logf("control: the empty designer page is ready %.0f ms after navigation start", eval[float64](t, warm, "control ready", `window.__dz.readyAt`))
	controlFPS := dragFPS(t, warm, "Pass")
	t.Logf("control: dragging the only state of a one-state diagram runs at %.1f fps on this machine", controlFPS)
	// Import: the 500-state definition from a file, through the toolbar's
	// Import…, into the open designer: timed from reading the file to the
	// first paint of the laid-out diagram.
	file := filepath.Join(t.TempDir(), "big.asl.json")
	if err := os.WriteFile(file, []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, warm, "import a file", chromedp.SetUploadFiles(chromedp.CSS(`[data-import]`), []string{file}))
	waitJS(t, warm, "imported", `window.__dz.perf.imports.length >= 1`)
	imported := eval[float64](t, warm, "import time", `window.__dz.perf.imports[0]`)
	if n := eval[int](t, warm, "nodes", `document.querySelectorAll("[data-state-path]").length`); n != 500 {
		t.Fatalf("after the import %d states are drawn, want 500", n)
	}
	t.Logf("500-state import into an open designer (file read, import, validation, layout, render, first paint): %.0f ms", imported)

	ctx := openDesignerTab(t, bctx, base+"/state-machines/big/designer")
	readyAt := eval[float64](t, ctx, "ready time", `window.__dz.readyAt`)
	layout := eval[float64](t, ctx, "layout time", `window.__dz.perf.layouts[0] || 0`)
	nodes := eval[int](t, ctx, "nodes", `document.querySelectorAll("[data-state-path]").length`)
	nav := eval[[]float64](t, ctx, "navigation timing", `(() => { const n = performance.getEntriesByType("navigation")[0]; return [n.requestStart, n.responseStart, n.responseEnd, n.domContentLoadedEventEnd, window.__dz.perf.renders[0] || 0]; })()`)
	t.Logf("500-state import: ready %.0f ms after navigation start (request sent %.0f, first byte %.0f, page received %.0f, DOM ready %.0f; layout %.0f ms, layout+render %.0f ms), %d nodes rendered",
		readyAt, nav[0], nav[1], nav[2], nav[3], layout, nav[4], nodes)
	t.Logf("marks: %s", eval[string](t, ctx, "marks", `JSON.stringify(performance.getEntriesByType("mark").map(m => m.name + "@" + Math.round(m.startTime)))`))
	if nodes != 500 {
		t.Fatalf("%d nodes rendered, want 500", nodes)
	}
	// The budgets hold on an idle machine; a shared CI runner gets
	// the loose limits, which still catch a pathology (ELK on 500 states took
	// over 10 s). STEPWISE_PERF_BUDGETS=1 applies the budgets.
	strict := os.Getenv("STEPWISE_PERF_BUDGETS") != ""
	budget := func(name string, got, want, loose float64, higherIsBetter bool) {
		t.Helper()
		limit := loose
		if strict {
			limit = want
		}
		if (higherIsBetter && got < limit) || (!higherIsBetter && got > limit) {
			t.Errorf("%s is %.1f; the limit is %.1f (budget %.1f)", name, got, limit, want)
		}
	}
	budget("import into an open designer, layout and render (ms)", imported, 1000, 10000, false)

	// Drag a node for a second with a frame counter running.
	eval[bool](t, ctx, "fit", `(document.querySelector('[data-action="fit"]').click(), true)`)
	waitJS(t, ctx, "settled", `window.__dz.perf.ops.length >= 1`)
	x, y := centerOf(t, ctx, sel("data-state-path", "S10"))
	eval[bool](t, ctx, "mark", `(performance.mark("test-drag"), true)`)
	fps := dragFPS(t, ctx, "S10")
	t.Logf("marks after drag: %s", eval[string](t, ctx, "marks", `JSON.stringify(performance.getEntriesByType("mark").map(m => m.name + "@" + Math.round(m.startTime)))`))
	t.Logf("after drag: %s", eval[string](t, ctx, "after drag", `JSON.stringify({v: window.__dz.view.version, ops: window.__dz.perf.ops, sel: document.querySelectorAll(".dz-node.selected").length, pos: window.__dz.positions["S10"], at: document.elementFromPoint(`+fmt.Sprint(x)+`,`+fmt.Sprint(y)+`)?.outerHTML?.slice(0,200)})`))
	work := eval[[]float64](t, ctx, "frame work", `window.__dz.perf.frameWork`)
	t.Logf("drag: script time per frame p50 %.2f ms, p99 %.2f ms over %d frames", percentile(work, 0.5), percentile(work, 0.99), len(work))
	budget("drag frame rate (fps)", fps, 50, 5, true)

	// Edit round trips from the page once it has settled (the code view
	// loads after the diagram, when the page is idle). The loops run in the
	// page, so the test's own polling does not share its main thread: 200
	// keyboard moves of the selection, then 200 edits of a field in the
	// inspector, each sent when the previous one is answered and the page
	// has had 30 ms (a key repeat) or 100 ms (tabbing between fields).
	waitJS(t, ctx, "drag saved", `window.__dz.perf.ops.length >= 2`)
	waitJS(t, ctx, "code view loaded", `performance.getEntriesByName("dz-code").length > 0`)
	t.Logf("code view loaded %.0f ms after navigation start", eval[float64](t, ctx, "code view", `performance.getEntriesByName("dz-code")[0].startTime`))
	inPage := func(step, loop string) []float64 {
		t.Helper()
		lctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
		defer cancel()
		v, err := chromedp.Run(lctx, chromedp.Evaluate[[]float64](`(async () => {
			const p = window.__dz.perf, out = [];
			const answered = () => new Promise((r) => { p.notify = r; });
			const pause = (ms) => new Promise((r) => setTimeout(r, ms));
			`+loop+`
			p.notify = null;
			return out;
		})()`, chromedp.EvalAwaitPromise))
		if err != nil {
			fail(t, ctx, step, err)
		}
		return v
	}
	ops := inPage("keyboard moves", `const canvas = document.querySelector("[data-canvas]");
		for (let i = 0; i < 200; i++) {
			const a = answered();
			canvas.dispatchEvent(new KeyboardEvent("keydown", { key: i % 2 ? "ArrowUp" : "ArrowDown", bubbles: true }));
			await a;
			out.push(p.ops[p.ops.length - 1]);
			await pause(30);
		}`)
	p50, p99 := percentile(ops, 0.5), percentile(ops, 0.99)
	t.Logf("move round trip in the browser (500 states, key to answer applied): p50 %.1f ms, p99 %.1f ms over %d moves", p50, p99, len(ops))
	budget("move round trip p99 (ms)", p99, 20, 2000, false)

	waitJS(t, ctx, "inspector shows S10", `!!document.querySelector('[data-inspector-form][data-state="S10"] [data-field="Comment"]')`)
	edits := inPage("field edits", `for (let i = 0; i < 200; i++) {
			const f = document.querySelector('[data-inspector-form] [data-field="Comment"]');
			const a = answered();
			f.value = "note " + i;
			f.dispatchEvent(new Event("change", { bubbles: true }));
			await a;
			out.push(p.edits[p.edits.length - 1]);
			await pause(100);
		}`)
	if got := eval[string](t, ctx, "asl", `JSON.parse(window.__dz.view.asl).States.S10.Comment`); got != "note 199" {
		t.Errorf("after the edits S10's Comment is %q, want %q", got, "note 199")
	}
	e50, e99 := percentile(edits, 0.5), percentile(edits, 0.99)
	t.Logf("field edit round trip in the browser (500 states, inspector change to answer applied: ASL, diagnostics, canvas): p50 %.1f ms, p99 %.1f ms over %d edits", e50, e99, len(edits))
	budget("field edit round trip p99 (ms)", e99, 20, 2000, false)
	t.Logf("edits sent: %s", eval[string](t, ctx, "via", `JSON.stringify({socket: window.__dz.perf.viaSocket, http: window.__dz.perf.viaHTTP})`))
	if dir := os.Getenv("STEPWISE_SCREENSHOTS"); dir != "" {
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			_ = os.WriteFile(filepath.Join(dir, "designer-500.png"), png, 0o644)
		}
	}
}

// productServer is the server wired as cmd/stepwise wires it: the real
// engine on a SQLite file (synchronous FULL, the default) that also keeps
// the designer's drafts (at the default DraftSynchronous, NORMAL), so
// every edit is committed to disk.
func productServer(t testing.TB) (*server.Server, server.Engine) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "stepwise.db"), sqlite.Options{Synchronous: "FULL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	eng := engine.New(engine.Options{Store: db, Logger: testLogger(t), Integrations: []engine.Integration{engine.CallbackIntegration{}}})
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Stop)
	adapter := server.NewEngineAdapter(eng).WithDraftStore(db.Drafts())
	s, err := server.New(server.Config{}, adapter, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	return s, adapter
}

// createBig creates the state machine "big" of n generated states and
// returns its definition.
func createBig(t testing.TB, eng server.Engine, n int) string {
	t.Helper()
	name, def, role := "big", bigDefinition(n), "arn:aws:iam::123456789012:role/r"
	if _, err := eng.CreateStateMachine(context.Background(), &server.CreateStateMachineInput{Name: &name, Definition: &def, RoleArn: &role}); err != nil {
		t.Fatal(err)
	}
	return def
}

// BenchmarkDesignerOp measures the op endpoint on a 500-state draft: apply
// a move, validate, store, answer with graph, ASL and diagnostics. It
// reports the p99 latency.
func BenchmarkDesignerOp(b *testing.B) {
	eng := newFakeEngine()
	s, err := server.New(server.Config{}, eng, testLogger(nil))
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	name, def, role := "big", bigDefinition(500), "arn:aws:iam::123456789012:role/r"
	if _, err := eng.CreateStateMachine(context.Background(), &server.CreateStateMachineInput{Name: &name, Definition: &def, RoleArn: &role}); err != nil {
		b.Fatal(err)
	}
	c := openDesigner(b, hs.URL, "/state-machines/big/designer")
	version := int64(1)
	lat := make([]float64, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		st, a := c.op(version, designer.Op{Op: "move", Positions: map[string]designer.Point{"S10": {X: float64(i), Y: 1}}})
		lat = append(lat, float64(time.Since(t0).Microseconds())/1000)
		if st != 200 {
			b.Fatalf("op: %d %s", st, a.Error)
		}
		version = a.Version
	}
	b.ReportMetric(percentile(lat, 0.99), "p99-ms")
	b.ReportMetric(percentile(lat, 0.5), "p50-ms")
}

// BenchmarkDesignerOpEdit is BenchmarkDesignerOp for an operation that
// changes the ASL (a field set), so the answer includes re-validation and
// the ASL text.
func BenchmarkDesignerOpEdit(b *testing.B) {
	eng := newFakeEngine()
	s, err := server.New(server.Config{}, eng, testLogger(nil))
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	name, def, role := "big", bigDefinition(500), "arn:aws:iam::123456789012:role/r"
	if _, err := eng.CreateStateMachine(context.Background(), &server.CreateStateMachineInput{Name: &name, Definition: &def, RoleArn: &role}); err != nil {
		b.Fatal(err)
	}
	c := openDesigner(b, hs.URL, "/state-machines/big/designer")
	version := int64(1)
	lat := make([]float64, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		st, a := c.op(version, designer.Op{Op: "set", State: "S10", Pointer: "/Comment", Value: []byte(fmt.Sprintf(`"note %d"`, i))})
		lat = append(lat, float64(time.Since(t0).Microseconds())/1000)
		if st != 200 {
			b.Fatalf("op: %d %s", st, a.Error)
		}
		version = a.Version
	}
	b.ReportMetric(percentile(lat, 0.99), "p99-ms")
	b.ReportMetric(percentile(lat, 0.5), "p50-ms")
}
