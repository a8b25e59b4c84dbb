package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// findChromium returns the browser binary, from $STEPWISE_CHROMIUM or PATH.
func findChromium() string {
	if p := os.Getenv("STEPWISE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts a headless chromium for the test. Without one it skips,
// unless CI=true, where a missing browser is a failure.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := findChromium()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("browser tests: no chromium found (set STEPWISE_CHROMIUM or install chromium); CI=true requires them")
		}
		t.Skip("browser tests skipped: no chromium binary found (install chromium or set STEPWISE_CHROMIUM)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// The first run starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium %s: %v", path, err)
	}
	return ctx
}

// tab opens a new tab of the browser for one subtest; it accepts every
// confirm() dialog (delete, stop).
func tab(t *testing.T, browserCtx context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	// Uncaught exceptions in the page go to the test's output (shown when
	// it fails), with the test's name.
	name := t.Name()
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	go func() {
		for e, err := range exceptions {
			if err != nil {
				return
			}
			d := e.ExceptionDetails
			desc := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				desc = d.Exception.Description
			}
			fmt.Fprintf(os.Stderr, "%s: page exception: %s\n", name, desc)
		}
	}()
	_, _ = chromedp.Call(ctx, runtime.Enable, cdp.Empty{})
	return ctx
}

func screenshotDir(t *testing.T) string {
	if d := os.Getenv("STEPWISE_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err == nil {
			return d
		}
	}
	d, err := os.MkdirTemp("", "stepwise-screenshots-")
	if err != nil {
		return os.TempDir()
	}
	return d
}

// run runs browser actions; on failure it saves a full-page screenshot
// and names its path in the failure.
func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		fail(t, ctx, step, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, step, expr string) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](expr))
	if err != nil {
		fail(t, ctx, step, err)
	}
	return v
}

func fail(t *testing.T, ctx context.Context, step string, err error) {
	t.Helper()
	file := filepath.Join(screenshotDir(t), strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()+"-"+step)+".png")
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if png, serr := chromedp.Run(sctx, chromedp.FullScreenshot(100)); serr == nil {
		if werr := os.WriteFile(file, png, 0o644); werr == nil {
			t.Fatalf("%s: %v (screenshot: %s)", step, err, file)
		}
	}
	t.Fatalf("%s: %v (no screenshot could be taken)", step, err)
}

func text(t *testing.T, ctx context.Context, step, sel string) string {
	t.Helper()
	run(t, ctx, step, chromedp.WaitVisible(chromedp.CSS(sel)))
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		fail(t, ctx, step, err)
	}
	return s
}

// clear empties a form field the way a user would, firing its input event.
func clear(sel string) chromedp.Action[chromedp.Void] {
	js, _ := json.Marshal(sel)
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`(() => { const el = document.querySelector(`+string(js)+`); el.value = ""; el.dispatchEvent(new Event("input")); return true })()`)(ctx, t)
		return err
	})
}

func wantContains(t *testing.T, ctx context.Context, step, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			fail(t, ctx, step, fmt.Errorf("page text does not contain %q; it reads: %.400q", w, got))
		}
	}
}

// TestBrowser opens every page in one headless chromium, one tab per subtest.
func TestBrowser(t *testing.T) {
	b := browser(t)
	t.Run("Pages", func(t *testing.T) { browserPages(t, tab(t, b)) })
	t.Run("EmptyState", func(t *testing.T) { browserEmptyState(t, tab(t, b)) })
	t.Run("CreateStartStopDelete", func(t *testing.T) { browserCreateStartStopDelete(t, tab(t, b)) })
	t.Run("RealEngine", func(t *testing.T) { browserRealEngine(t, tab(t, b)) })
}

func browserPages(t *testing.T, ctx context.Context) {
	eng := newFakeEngine()
	base := serve(t, newServer(t, eng))
	c := sdkClient(base)
	seedMachines(t, c)

	run(t, ctx, "open root", chromedp.Navigate(base+"/"))
	got := text(t, ctx, "list", "main")
	wantContains(t, ctx, "list", got, "State machines", "sm", "waiter", "failer", "Succeeded", "Failed", "Running", "STANDARD", "EXPRESS")

	// The search filters on the server.
	run(t, ctx, "search", chromedp.Navigate(base+"/state-machines?q=wait"))
	got = text(t, ctx, "search results", "#sm-table")
	wantContains(t, ctx, "search results", got, "waiter")
	if strings.Contains(got, "failer") {
		fail(t, ctx, "search results", fmt.Errorf("search for 'wait' still lists failer"))
	}

	run(t, ctx, "open machine", chromedp.Navigate(base+"/state-machines/sm"))
	wantContains(t, ctx, "machine", text(t, ctx, "machine", "main"), "sm", `"StartAt": "P"`, "Executions", "e1", "Start execution", "Diagram", "Pass")

	run(t, ctx, "open execution", chromedp.Navigate(base+"/state-machines/sm/executions/e1"))
	wantContains(t, ctx, "execution", text(t, ctx, "execution", "main"), "Succeeded", "ExecutionStarted", "ExecutionSucceeded", "State transitions", "$0.000025")
	// Event filter hides rows client-side.
	run(t, ctx, "event filter", chromedp.SetValue(chromedp.CSS(`select[data-event-type]`), "ExecutionSucceeded"))
	visible := eval[int](t, ctx, "event filter", `document.querySelector('select[data-event-type]').dispatchEvent(new Event('change')); document.querySelectorAll('#events-table tbody tr:not([hidden])').length`)
	if visible != 1 {
		fail(t, ctx, "event filter", fmt.Errorf("%d rows visible after filtering on one type, want 1", visible))
	}

	run(t, ctx, "open failed execution", chromedp.Navigate(base+"/state-machines/failer/executions/f1"))
	wantContains(t, ctx, "failed execution", text(t, ctx, "failed execution", "main"), "Failed", "Boom", "it broke")

	run(t, ctx, "missing machine", chromedp.Navigate(base+"/state-machines/nope"))
	wantContains(t, ctx, "missing machine", text(t, ctx, "missing machine", "main"), "Page not found", "nope does not exist")

	run(t, ctx, "activities", chromedp.Navigate(base+"/activities"))
	wantContains(t, ctx, "activities", text(t, ctx, "activities", "main"), "Activities are not available yet")
}

func browserEmptyState(t *testing.T, ctx context.Context) {
	base := serve(t, newServer(t, newFakeEngine()))
	run(t, ctx, "open", chromedp.Navigate(base+"/state-machines"))
	wantContains(t, ctx, "empty", text(t, ctx, "empty", "main"), "No state machines yet", "Create state machine")
}

// browserCreateStartStopDelete walks the main flows through the forms:
// create a machine, start an execution with browser-validated JSON, stop a
// running one, delete a machine.
func browserCreateStartStopDelete(t *testing.T, ctx context.Context) {
	base := serve(t, newServer(t, newFakeEngine()))

	run(t, ctx, "open list", chromedp.Navigate(base+"/state-machines"),
		chromedp.SetValue(chromedp.CSS(`input[name=name]`), "from-ui"),
		chromedp.SetValue(chromedp.CSS(`textarea[name=definition]`), waitDef),
		chromedp.Click(chromedp.CSS(`#create button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=machine-name]`)))
	wantContains(t, ctx, "created", text(t, ctx, "created", "main"), "Created state machine from-ui", `"Seconds": 100`)

	// Invalid JSON is caught in the browser: the button is disabled and the problem shown.
	run(t, ctx, "bad json",
		clear(`textarea[name=input]`),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=input]`), `{"a":`))
	disabled := eval[bool](t, ctx, "bad json", `document.querySelector('[data-testid=start-submit]').disabled`)
	if !disabled {
		fail(t, ctx, "bad json", fmt.Errorf("start button enabled with invalid JSON"))
	}
	wantContains(t, ctx, "bad json", text(t, ctx, "bad json", `[data-json-error=input]`), "Not valid JSON")

	run(t, ctx, "start",
		clear(`textarea[name=input]`),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=input]`), `{"order": 7}`),
		chromedp.SetValue(chromedp.CSS(`#start input[name=name]`), "run-1"),
		chromedp.Click(chromedp.CSS(`[data-testid=start-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=execution-status]`)))
	wantContains(t, ctx, "running", text(t, ctx, "running", "main"), "run-1", "Running", `"order": 7`)

	// The running page reloads itself; a click that lands during a reload
	// is lost, so try again on a fresh page.
	for attempt := 1; ; attempt++ {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := chromedp.Do(sctx,
			chromedp.Click(chromedp.CSS(`form[action$="/stop"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`.flash`)))
		cancel()
		if err == nil {
			break
		}
		if attempt == 3 {
			fail(t, ctx, "stop", err)
		}
		run(t, ctx, "reopen running", chromedp.Navigate(base+"/state-machines/from-ui/executions/run-1"))
	}
	wantContains(t, ctx, "stopped", text(t, ctx, "stopped", "main"), "Stop requested", "Aborted", "ExecutionAborted")

	run(t, ctx, "delete",
		chromedp.Navigate(base+"/state-machines"),
		chromedp.Click(chromedp.CSS(`tr[data-name="from-ui"] form button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	wantContains(t, ctx, "deleted", text(t, ctx, "deleted", "main"), "Deleted state machine from-ui", "No state machines yet")
}

// TestScreenshots saves every page at 1280 and 390 px, light and dark, to
// $STEPWISE_SCREENSHOTS_ALL when it is set (for looking at the design).
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("STEPWISE_SCREENSHOTS_ALL")
	if dir == "" {
		t.Skip("set STEPWISE_SCREENSHOTS_ALL to a directory to save screenshots of every page")
	}
	ctx := tab(t, browser(t))
	eng := newFakeEngine()
	base := serve(t, newServer(t, eng))
	seedMachines(t, sdkClient(base))
	pages := map[string]string{
		"list":       "/state-machines",
		"machine":    "/state-machines/sm",
		"execution":  "/state-machines/sm/executions/e1",
		"failed":     "/state-machines/failer/executions/f1",
		"activities": "/activities",
		"notfound":   "/state-machines/nope",
	}
	for name, path := range pages {
		for _, w := range []int64{1280, 390} {
			for _, scheme := range []string{"light", "dark"} {
				if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: w, Height: 900, DeviceScaleFactor: 1, Mobile: w < 600}); err != nil {
					t.Fatal(err)
				}
				if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
					t.Fatal(err)
				}
				run(t, ctx, name, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main")))
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				file := filepath.Join(dir, fmt.Sprintf("%s-%d-%s.png", name, w, scheme))
				if err := os.WriteFile(file, png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
