package designer_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"image/png"
	"os"
	"strings"
	"testing"

	"stepwise/designer"
)

// FiftyStates is a 50-state machine with a Choice loop, a Parallel and a
// Map, and names that need escaping.
func fiftyStates() string {
	var b strings.Builder
	b.WriteString(`{"StartAt":"Step 1 <start> & go","States":{`)
	name := func(i int) string {
		if i == 1 {
			return "Step 1 <start> & go"
		}
		return fmt.Sprintf("Step %d", i)
	}
	for i := 1; i <= 45; i++ {
		switch {
		case i == 10:
			fmt.Fprintf(&b, `%q:{"Type":"Choice","Choices":[{"Variable":"$.again","BooleanEquals":true,"Next":%q}],"Default":%q},`, name(i), name(2), name(i+1))
		case i == 20:
			fmt.Fprintf(&b, `%q:{"Type":"Parallel","Branches":[{"StartAt":"Left A","States":{"Left A":{"Type":"Pass","Next":"Left B"},"Left B":{"Type":"Pass","End":true}}},{"StartAt":"Right A","States":{"Right A":{"Type":"Wait","Seconds":1,"End":true}}}],"Next":%q},`, name(i), name(i+1))
		case i == 30:
			fmt.Fprintf(&b, `%q:{"Type":"Map","ItemProcessor":{"StartAt":"Per item","States":{"Per item":{"Type":"Task","Resource":"arn:aws:states:::http:invoke","Parameters":{"ApiEndpoint":"https://example.com","Method":"GET"},"End":true}}},"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Failed"}],"Next":%q},`, name(i), name(i+1))
		case i == 45:
			fmt.Fprintf(&b, `%q:{"Type":"Succeed"},`, name(i))
		default:
			fmt.Fprintf(&b, `%q:{"Type":"Pass","Next":%q},`, name(i), name(i+1))
		}
	}
	b.WriteString(`"Failed":{"Type":"Fail","Error":"Oops"}}}`)
	return b.String()
}

func TestDiagramSVGAndPNG(t *testing.T) {
	t.Parallel()
	doc, err := designer.ParseDocument([]byte(fiftyStates()), nil)
	if err != nil {
		t.Fatal(err)
	}
	names := doc.Names()
	if len(names) != 50 {
		t.Fatalf("the machine has %d states, want 50", len(names))
	}
	sc := doc.Scene()
	svg := sc.SVG()
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Fatalf("the SVG is not well-formed XML: %v", err)
	}
	for _, n := range names {
		if !bytes.Contains(svg, []byte(">"+html.EscapeString(n)+"<")) {
			t.Errorf("the SVG lacks the state name %q", n)
		}
	}
	if bytes.Contains(svg, []byte("<start>")) {
		t.Error("a state name is not escaped")
	}
	data, err := sc.PNG(1)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < int(sc.W) || b.Dy() < int(sc.H) {
		t.Errorf("PNG is %v, scene %.0fx%.0f", b, sc.W, sc.H)
	}
	// Node boxes are white on a grey background: some pixel must be white.
	r, g, bl, _ := img.At(int(sc.W/2), 24+20+10).RGBA()
	if r>>8 != 0xff || g>>8 != 0xff || bl>>8 != 0xff {
		t.Errorf("the first state's box is not drawn at the top centre: %x %x %x", r>>8, g>>8, bl>>8)
	}
	if dir := os.Getenv("STEPWISE_DIAGRAM_OUT"); dir != "" {
		_ = os.WriteFile(dir+"/fifty.svg", svg, 0o644)
		_ = os.WriteFile(dir+"/fifty.png", data, 0o644)
	}
}

func TestDiagramEmpty(t *testing.T) {
	t.Parallel()
	sc := designer.NewDocument().Scene()
	if _, err := sc.PNG(2); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(sc.SVG(), []byte("<svg")) {
		t.Error("no svg")
	}
}
