package server_test

import (
	"bytes"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// fiftyStateYAML is a 50-state machine as YAML: a chain with a Choice
// loop, a Parallel and a Map, one name that needs escaping.
func fiftyStateYAML() (string, []string) {
	var b strings.Builder
	var names []string
	b.WriteString("StartAt: \"Step 1 <start> & go\"\nStates:\n")
	name := func(i int) string {
		if i == 1 {
			return "Step 1 <start> & go"
		}
		return fmt.Sprintf("Step %d", i)
	}
	for i := 1; i <= 45; i++ {
		names = append(names, name(i))
		fmt.Fprintf(&b, "  %q:\n", name(i))
		switch {
		case i == 10:
			fmt.Fprintf(&b, "    Type: Choice\n    Choices:\n      - Variable: $.again\n        BooleanEquals: true\n        Next: %q\n    Default: %q\n", name(2), name(i+1))
		case i == 20:
			fmt.Fprintf(&b, "    Type: Parallel\n    Branches:\n      - StartAt: Left A\n        States:\n          Left A: {Type: Pass, Next: Left B}\n          Left B: {Type: Pass, End: true}\n      - StartAt: Right A\n        States:\n          Right A: {Type: Wait, Seconds: 1, End: true}\n    Next: %q\n", name(i+1))
		case i == 30:
			fmt.Fprintf(&b, "    Type: Map\n    ItemProcessor:\n      StartAt: Per item\n      States:\n        Per item: {Type: Pass, End: true}\n    Catch:\n      - ErrorEquals: [States.ALL]\n        Next: Failed\n    Next: %q\n", name(i+1))
		case i == 45:
			b.WriteString("    Type: Succeed\n")
		default:
			fmt.Fprintf(&b, "    Type: Pass\n    Next: %q\n", name(i+1))
		}
	}
	b.WriteString("  Failed:\n    Type: Fail\n    Error: Oops\n")
	return b.String(), append(names, "Failed", "Left A", "Left B", "Right A", "Per item")
}

func getExport(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return resp, body
}

func TestDesignerImportAndExports(t *testing.T) {
	t.Parallel()
	base := serve(t, newServer(t, newFakeEngine()))
	c := openDesigner(t, base, "/designer/new")
	yml, names := fiftyStateYAML()
	st, a := c.post("/import", map[string]any{"version": 1, "text": yml})
	if st != 200 || len(a.Graph.Nodes) != 50 {
		t.Fatalf("import: %d %+v", st, a.Error)
	}
	st, a = c.post("/import", map[string]any{"version": 2, "text": "StartAt: [\n"})
	if st != 422 || !strings.Contains(a.Error, "YAML") {
		t.Fatalf("bad import: %d %q", st, a.Error)
	}

	resp, body := getExport(t, base+c.draft+"/asl.yaml")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
		t.Errorf("asl.yaml content type %s", ct)
	}
	if !strings.Contains(string(body), "Left A:\n") {
		t.Errorf("asl.yaml:\n%s", body)
	}
	// Importing the export gives the same ASL.
	_, before := getExport(t, base+c.draft+"/asl.json")
	if st, _ := c.post("/import", map[string]any{"version": 2, "text": string(body), "format": "yaml"}); st != 200 {
		t.Fatalf("re-import: %d", st)
	}
	if _, after := getExport(t, base+c.draft+"/asl.json"); !bytes.Equal(before, after) {
		t.Errorf("YAML round trip changed the ASL:\n%s\n%s", before, after)
	}

	resp, svg := getExport(t, base+c.draft+"/diagram.svg")
	if resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("svg content type %s", resp.Header.Get("Content-Type"))
	}
	for _, n := range names {
		if !bytes.Contains(svg, []byte(strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;").Replace(n))) {
			t.Errorf("diagram.svg lacks %q", n)
		}
	}
	resp, pngData := getExport(t, base+c.draft+"/diagram.png?scale=1")
	if resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("png content type %s", resp.Header.Get("Content-Type"))
	}
	if _, err := png.Decode(bytes.NewReader(pngData)); err != nil {
		t.Errorf("diagram.png: %v", err)
	}
	resp, _ = getExport(t, base+c.draft+"/asl.yaml?download=1")
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="state-machine.yaml"` {
		t.Errorf("download disposition %q", cd)
	}
	if r, err := http.Get(base + "/designer/drafts/nope/diagram.svg"); err != nil || r.StatusCode != 404 {
		t.Errorf("missing draft: %v %v", r.StatusCode, err)
	}
}

// TestDesignerBrowserSVGExport opens the exported SVG of a 50-state
// machine in the browser: it must render and show every state name.
func TestDesignerBrowserSVGExport(t *testing.T) {
	t.Parallel()
	bctx := browser(t)
	base := serve(t, newServer(t, newFakeEngine()))
	c := openDesigner(t, base, "/designer/new")
	yml, names := fiftyStateYAML()
	if st, a := c.post("/import", map[string]any{"version": 1, "text": yml}); st != 200 {
		t.Fatalf("import: %d %s", st, a.Error)
	}
	ctx := tab(t, bctx)
	run(t, ctx, "open svg", chromedp.Navigate(base+c.draft+"/diagram.svg"))
	got := eval[[]string](t, ctx, "rendered names", `[...document.querySelectorAll("text")].filter(e => { const b = e.getBBox(); return b.width > 0 && b.height > 0; }).map(e => e.textContent)`)
	have := map[string]bool{}
	for _, g := range got {
		have[g] = true
	}
	for _, n := range names {
		if !have[n] {
			fail(t, ctx, "name "+n, fmt.Errorf("the SVG in the browser does not show %q", n))
		}
	}
	if len(names) != 50 {
		t.Fatalf("%d names", len(names))
	}
}
