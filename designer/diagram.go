package designer

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	fx "golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Scene is a drawn diagram: boxes, lines and text in diagram units. The
// SVG and PNG exports draw the same scene, so they show the same picture.
type Scene struct {
	W, H   float64
	Rects  []SceneRect
	Lines  []SceneLine
	Labels []SceneText
}

// SceneRect is a box; Dash draws its border dashed.
type SceneRect struct {
	X, Y, W, H, R float64
	Fill, Stroke  string
	Dash          bool
}

// SceneLine is a polyline with an arrow head at its end.
type SceneLine struct {
	Points []Point
	Stroke string
	Arrow  bool
}

// SceneText is one line of text; X is its centre when Center is set.
type SceneText struct {
	X, Y   float64 // baseline
	Text   string
	Size   float64
	Bold   bool
	Center bool
	Color  string
}

const (
	nodeW, nodeH   = 184.0, 52.0
	gapX, gapY     = 36.0, 56.0
	pad            = 24.0
	containerHead  = 26.0
	containerInset = 16.0
)

var typeColour = map[string]string{
	"Pass": "#64748b", "Task": "#2563eb", "Choice": "#d97706", "Wait": "#7c3aed",
	"Parallel": "#0891b2", "Map": "#059669", "Succeed": "#16a34a", "Fail": "#dc2626",
}

type box struct{ x, y, w, h float64 }

type layoutCtx struct {
	g        *Graph
	byCont   map[string][]*Node
	edges    map[string][]Edge // by container
	inner    map[string][]Container
	boxes    map[string]box // node path → box (absolute after place)
	contBox  map[string]box
	sizeMemo map[string][2]float64
}

// Scene lays the document's diagram out top to bottom (each container's
// states in ranks from its StartAt, Parallel branches and Map processors
// drawn inside their state) and returns it.
func (d *Document) Scene() *Scene {
	g := d.Graph(d.Validate())
	lc := &layoutCtx{g: g, byCont: map[string][]*Node{}, edges: map[string][]Edge{}, inner: map[string][]Container{},
		boxes: map[string]box{}, contBox: map[string]box{}, sizeMemo: map[string][2]float64{}}
	for i := range g.Nodes {
		n := &g.Nodes[i]
		lc.byCont[n.Container] = append(lc.byCont[n.Container], n)
	}
	for _, e := range g.Edges {
		lc.edges[e.Container] = append(lc.edges[e.Container], e)
	}
	for _, c := range g.Containers {
		lc.inner[c.State] = append(lc.inner[c.State], c)
	}
	w, h := lc.size("", 0)
	lc.place("", pad, pad+20, 0)
	sc := &Scene{W: math.Max(w+2*pad, 240), H: h + 2*pad + 40}
	lc.draw(sc)
	return sc
}

// ranks orders a container's states by their distance from its start.
func (lc *layoutCtx) ranks(cont string) [][]*Node {
	nodes := lc.byCont[cont]
	rank := map[string]int{}
	var queue []string
	for _, e := range lc.edges[cont] {
		if e.Kind == EdgeStart {
			rank[e.To] = 0
			queue = append(queue, e.To)
		}
	}
	next := map[string][]string{}
	for _, e := range lc.edges[cont] {
		if e.From != "" {
			next[e.From] = append(next[e.From], e.To)
		}
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, t := range next[p] {
			if _, seen := rank[t]; !seen {
				rank[t] = rank[p] + 1
				queue = append(queue, t)
			}
		}
	}
	maxR := -1
	for _, r := range rank {
		maxR = max(maxR, r)
	}
	var rows [][]*Node
	for _, n := range nodes {
		r, ok := rank[n.Path]
		if !ok {
			maxR++
			r = maxR
			rank[n.Path] = r
		}
		for len(rows) <= r {
			rows = append(rows, nil)
		}
		rows[r] = append(rows[r], n)
	}
	return rows
}

func (lc *layoutCtx) nodeSize(n *Node, depth int) (float64, float64) {
	cs := lc.inner[n.Path]
	if len(cs) == 0 || depth > maxNesting {
		return nodeW, nodeH
	}
	w, h := 0.0, 0.0
	for i, c := range cs {
		cw, ch := lc.size(c.ID, depth+1)
		if i > 0 {
			w += gapX / 2
		}
		w += cw + 2*containerInset
		h = math.Max(h, ch+containerHead+containerInset)
	}
	return math.Max(w+2*containerInset, nodeW), nodeH + h + containerInset
}

// size is the width and height a container's states need.
func (lc *layoutCtx) size(cont string, depth int) (float64, float64) {
	if s, ok := lc.sizeMemo[cont]; ok {
		return s[0], s[1]
	}
	w, h := 0.0, 0.0
	for i, row := range lc.ranks(cont) {
		rw, rh := 0.0, 0.0
		for j, n := range row {
			nw, nh := lc.nodeSize(n, depth)
			if j > 0 {
				rw += gapX
			}
			rw += nw
			rh = math.Max(rh, nh)
		}
		if i > 0 {
			h += gapY
		}
		w = math.Max(w, rw)
		h += rh
	}
	if w == 0 {
		w, h = nodeW, nodeH/2
	}
	lc.sizeMemo[cont] = [2]float64{w, h}
	return w, h
}

// place puts a container's states at x, y (top left).
func (lc *layoutCtx) place(cont string, x, y float64, depth int) {
	w, _ := lc.size(cont, depth)
	for _, row := range lc.ranks(cont) {
		rw, rh := 0.0, 0.0
		for j, n := range row {
			nw, nh := lc.nodeSize(n, depth)
			if j > 0 {
				rw += gapX
			}
			rw += nw
			rh = math.Max(rh, nh)
		}
		cx := x + (w-rw)/2
		for _, n := range row {
			nw, nh := lc.nodeSize(n, depth)
			lc.boxes[n.Path] = box{cx, y, nw, nh}
			ix := cx + containerInset
			for _, c := range lc.inner[n.Path] {
				cw, ch := lc.size(c.ID, depth+1)
				lc.contBox[c.ID] = box{ix, y + nodeH, cw + 2*containerInset, ch + containerHead + containerInset}
				lc.place(c.ID, ix+containerInset, y+nodeH+containerHead, depth+1)
				ix += cw + 2*containerInset + gapX/2
			}
			cx += nw + gapX
		}
		y += rh + gapY
	}
}

func (lc *layoutCtx) draw(sc *Scene) {
	for i := range lc.g.Nodes {
		n := &lc.g.Nodes[i]
		b := lc.boxes[n.Path]
		stroke := typeColour[n.Type]
		if stroke == "" {
			stroke = "#64748b"
		}
		border := "#cbd5e1"
		switch n.Problem {
		case "error":
			border = "#dc2626"
		case "warning":
			border = "#d97706"
		}
		sc.Rects = append(sc.Rects, SceneRect{X: b.x, Y: b.y, W: b.w, H: b.h, R: 8, Fill: "#ffffff", Stroke: border})
		sc.Rects = append(sc.Rects, SceneRect{X: b.x, Y: b.y + 6, W: 4, H: nodeH - 12, Fill: stroke})
		sc.Labels = append(sc.Labels,
			SceneText{X: b.x + 16, Y: b.y + 23, Text: clipText(n.Name, 24), Size: 13, Bold: true, Color: "#0f172a"},
			SceneText{X: b.x + 16, Y: b.y + 40, Text: n.Type, Size: 11, Color: stroke})
		lc.drawContainers(sc, n.Path)
	}
	for _, e := range lc.g.Edges {
		to, ok := lc.boxes[e.To]
		if !ok {
			continue
		}
		colour := "#64748b"
		if e.Kind == EdgeCatch {
			colour = "#dc2626"
		}
		end := Point{to.x + to.w/2, to.y}
		if e.From == "" {
			sc.Rects = append(sc.Rects, SceneRect{X: end.X - 6, Y: end.Y - 30, W: 12, H: 12, R: 6, Fill: "#0f172a"})
			sc.Lines = append(sc.Lines, SceneLine{Points: []Point{{end.X, end.Y - 18}, end}, Stroke: colour, Arrow: true})
			continue
		}
		from, ok := lc.boxes[e.From]
		if !ok {
			continue
		}
		var pts []Point
		if to.y > from.y+from.h {
			start := Point{from.x + from.w/2, from.y + from.h}
			midY := start.Y + gapY/2
			pts = []Point{start, {start.X, midY}, {end.X, midY}, end}
		} else {
			// A loop back or a sideways move: go round the right side.
			right := math.Max(from.x+from.w, to.x+to.w) + 14 + float64(e.Index%4)*6
			a := Point{from.x + from.w, from.y + from.h/2}
			b := Point{to.x + to.w, to.y + to.h/2}
			pts = []Point{a, {right, a.Y}, {right, b.Y}, b}
		}
		sc.Lines = append(sc.Lines, SceneLine{Points: pts, Stroke: colour, Arrow: true})
		if e.Label != "" {
			p := pts[1]
			sc.Labels = append(sc.Labels, SceneText{X: p.X + 6, Y: p.Y - 4, Text: clipText(e.Label, 28), Size: 10, Color: colour})
		}
	}
	for _, n := range lc.g.Nodes {
		if !n.End {
			continue
		}
		b := lc.boxes[n.Path]
		cx, y := b.x+b.w/2, b.y+b.h
		sc.Lines = append(sc.Lines, SceneLine{Points: []Point{{cx, y}, {cx, y + 14}}, Stroke: "#64748b"})
		sc.Rects = append(sc.Rects, SceneRect{X: cx - 6, Y: y + 14, W: 12, H: 12, R: 6, Fill: "#ffffff", Stroke: "#0f172a"})
	}
}

// drawContainers draws the branches or processor of the state at path,
// after the state's box and before the states inside them.
func (lc *layoutCtx) drawContainers(sc *Scene, path string) {
	for _, c := range lc.inner[path] {
		b, ok := lc.contBox[c.ID]
		if !ok {
			continue
		}
		label := "Branch " + strconv.Itoa(c.Index+1)
		if c.Kind == "processor" {
			label = "Item processor"
		}
		sc.Rects = append(sc.Rects, SceneRect{X: b.x, Y: b.y, W: b.w, H: b.h, R: 6, Fill: "#f8fafc", Stroke: "#94a3b8", Dash: true})
		sc.Labels = append(sc.Labels, SceneText{X: b.x + 10, Y: b.y + 17, Text: label, Size: 11, Color: "#475569"})
	}
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func f(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// SVG writes the scene as a standalone SVG document; all text is escaped.
func (sc *Scene) SVG() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="Go, Helvetica, Arial, sans-serif">`+"\n", f(sc.W), f(sc.H), f(sc.W), f(sc.H))
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>` + "\n")
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#f1f5f9"/>`+"\n")
	for _, r := range sc.Rects {
		fill, stroke := r.Fill, r.Stroke
		if fill == "" {
			fill = "none"
		}
		if stroke == "" {
			stroke = "none"
		}
		dash := ""
		if r.Dash {
			dash = ` stroke-dasharray="5 4"`
		}
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" rx="%s" fill="%s" stroke="%s"%s/>`+"\n", f(r.X), f(r.Y), f(r.W), f(r.H), f(r.R), fill, stroke, dash)
	}
	for _, l := range sc.Lines {
		pts := make([]string, len(l.Points))
		for i, p := range l.Points {
			pts[i] = f(p.X) + "," + f(p.Y)
		}
		marker := ""
		if l.Arrow {
			marker = ` marker-end="url(#arrow)"`
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="1.5"%s/>`+"\n", strings.Join(pts, " "), l.Stroke, marker)
	}
	for _, t := range sc.Labels {
		anchor, weight := "", ""
		if t.Center {
			anchor = ` text-anchor="middle"`
		}
		if t.Bold {
			weight = ` font-weight="600"`
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%s" fill="%s"%s%s>%s</text>`+"\n", f(t.X), f(t.Y), f(t.Size), t.Color, anchor, weight, html.EscapeString(t.Text))
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// maxPNGPixels bounds the rasterized image (about 64 MB of RGBA).
const maxPNGPixels = 16 << 20

// PNG rasterizes the scene at scale (2 for a sharp image on high-density
// screens), in pure Go; a huge diagram is scaled down to fit maxPNGPixels.
func (sc *Scene) PNG(scale float64) ([]byte, error) {
	if scale <= 0 {
		scale = 1
	}
	if px := sc.W * sc.H * scale * scale; px > maxPNGPixels {
		scale *= math.Sqrt(maxPNGPixels / px)
	}
	w, h := int(math.Ceil(sc.W*scale)), int(math.Ceil(sc.H*scale))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(hexColour("#f1f5f9")), image.Point{}, draw.Src)
	fill := func(path func(z *pen), c string) {
		p := &pen{}
		path(p)
		p.draw(img, hexColour(c))
	}
	s := float32(scale)
	for _, r := range sc.Rects {
		x0, y0, x1, y1 := float32(r.X)*s, float32(r.Y)*s, float32(r.X+r.W)*s, float32(r.Y+r.H)*s
		rad := float32(math.Min(r.R, math.Min(r.W, r.H)/2)) * s
		if r.Stroke != "" {
			fill(func(z *pen) { roundRect(z, x0, y0, x1, y1, rad) }, r.Stroke)
			lw := s
			x0, y0, x1, y1, rad = x0+lw, y0+lw, x1-lw, y1-lw, float32(math.Max(float64(rad-lw), 0))
		}
		if r.Fill != "" && x1 > x0 && y1 > y0 {
			fill(func(z *pen) { roundRect(z, x0, y0, x1, y1, rad) }, r.Fill)
		}
	}
	for _, l := range sc.Lines {
		for i := 1; i < len(l.Points); i++ {
			a, b := l.Points[i-1], l.Points[i]
			fill(func(z *pen) { segment(z, a, b, 1.5*scale, scale) }, l.Stroke)
		}
		if l.Arrow && len(l.Points) > 1 {
			a, b := l.Points[len(l.Points)-2], l.Points[len(l.Points)-1]
			fill(func(z *pen) { arrowHead(z, a, b, scale) }, l.Stroke)
		}
	}
	regular, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("designer: png: font: %w", err)
	}
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("designer: png: font: %w", err)
	}
	faces := map[[2]float64]font.Face{}
	defer func() {
		for _, fc := range faces {
			_ = fc.Close()
		}
	}()
	for _, t := range sc.Labels {
		key := [2]float64{t.Size, 0}
		ft := regular
		if t.Bold {
			key[1], ft = 1, bold
		}
		face := faces[key]
		if face == nil {
			if face, err = opentype.NewFace(ft, &opentype.FaceOptions{Size: t.Size * scale, DPI: 72, Hinting: font.HintingFull}); err != nil {
				return nil, fmt.Errorf("designer: png: font face: %w", err)
			}
			faces[key] = face
		}
		dr := &font.Drawer{Dst: img, Src: image.NewUniform(hexColour(t.Color)), Face: face}
		x := t.X * scale
		if t.Center {
			x -= float64(dr.MeasureString(t.Text)) / 64 / 2
		}
		dr.Dot = fx.Point26_6{X: fx.Int26_6(x * 64), Y: fx.Int26_6(t.Y * scale * 64)}
		dr.DrawString(t.Text)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("designer: png: encode: %w", err)
	}
	return buf.Bytes(), nil
}

func roundRect(z *pen, x0, y0, x1, y1, r float32) {
	const k = 0.5523 // cubic approximation of a quarter circle
	z.MoveTo(x0+r, y0)
	z.LineTo(x1-r, y0)
	z.CubeTo(x1-r+r*k, y0, x1, y0+r-r*k, x1, y0+r)
	z.LineTo(x1, y1-r)
	z.CubeTo(x1, y1-r+r*k, x1-r+r*k, y1, x1-r, y1)
	z.LineTo(x0+r, y1)
	z.CubeTo(x0+r-r*k, y1, x0, y1-r+r*k, x0, y1-r)
	z.LineTo(x0, y0+r)
	z.CubeTo(x0, y0+r-r*k, x0+r-r*k, y0, x0+r, y0)
	z.ClosePath()
}

func segment(z *pen, a, b Point, width, scale float64) {
	dx, dy := b.X-a.X, b.Y-a.Y
	l := math.Hypot(dx, dy)
	if l == 0 {
		return
	}
	nx, ny := -dy/l*width/2, dx/l*width/2
	// extend by half a width so corners meet
	ex, ey := dx/l*width/2/scale, dy/l*width/2/scale
	ax, ay := (a.X-ex)*scale, (a.Y-ey)*scale
	bx, by := (b.X+ex)*scale, (b.Y+ey)*scale
	z.MoveTo(float32(ax+nx), float32(ay+ny))
	z.LineTo(float32(bx+nx), float32(by+ny))
	z.LineTo(float32(bx-nx), float32(by-ny))
	z.LineTo(float32(ax-nx), float32(ay-ny))
	z.ClosePath()
}

func arrowHead(z *pen, a, b Point, scale float64) {
	dx, dy := b.X-a.X, b.Y-a.Y
	l := math.Hypot(dx, dy)
	if l == 0 {
		return
	}
	ux, uy := dx/l, dy/l
	const size = 8.0
	bx, by := b.X-ux*size, b.Y-uy*size
	z.MoveTo(float32(b.X*scale), float32(b.Y*scale))
	z.LineTo(float32((bx-uy*size/2)*scale), float32((by+ux*size/2)*scale))
	z.LineTo(float32((bx+uy*size/2)*scale), float32((by-ux*size/2)*scale))
	z.ClosePath()
}

func hexColour(s string) color.RGBA {
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	if err != nil || len(s) != 7 {
		return color.RGBA{0x64, 0x74, 0x8b, 0xff}
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}

// pen records a path and rasterizes it within its bounding box only, so
// drawing many small shapes on a big image stays cheap.
type pen struct {
	ops    []penOp
	minX   float32
	minY   float32
	maxX   float32
	maxY   float32
	opened bool
}

type penOp struct {
	kind byte // 'M', 'L', 'C', 'Z'
	pts  [3][2]float32
}

func (p *pen) see(x, y float32) {
	if !p.opened {
		p.minX, p.minY, p.maxX, p.maxY, p.opened = x, y, x, y, true
		return
	}
	p.minX, p.minY = min(p.minX, x), min(p.minY, y)
	p.maxX, p.maxY = max(p.maxX, x), max(p.maxY, y)
}

func (p *pen) MoveTo(x, y float32) {
	p.see(x, y)
	p.ops = append(p.ops, penOp{kind: 'M', pts: [3][2]float32{{x, y}}})
}

func (p *pen) LineTo(x, y float32) {
	p.see(x, y)
	p.ops = append(p.ops, penOp{kind: 'L', pts: [3][2]float32{{x, y}}})
}

func (p *pen) CubeTo(ax, ay, bx, by, cx, cy float32) {
	p.see(ax, ay)
	p.see(bx, by)
	p.see(cx, cy)
	p.ops = append(p.ops, penOp{kind: 'C', pts: [3][2]float32{{ax, ay}, {bx, by}, {cx, cy}}})
}

func (p *pen) ClosePath() { p.ops = append(p.ops, penOp{kind: 'Z'}) }

func (p *pen) draw(dst *image.RGBA, c color.RGBA) {
	if !p.opened {
		return
	}
	r := image.Rect(int(math.Floor(float64(p.minX))), int(math.Floor(float64(p.minY))),
		int(math.Ceil(float64(p.maxX)))+1, int(math.Ceil(float64(p.maxY)))+1).Intersect(dst.Bounds())
	if r.Empty() {
		return
	}
	ox, oy := float32(r.Min.X), float32(r.Min.Y)
	z := vector.NewRasterizer(r.Dx(), r.Dy())
	for _, o := range p.ops {
		switch o.kind {
		case 'M':
			z.MoveTo(o.pts[0][0]-ox, o.pts[0][1]-oy)
		case 'L':
			z.LineTo(o.pts[0][0]-ox, o.pts[0][1]-oy)
		case 'C':
			z.CubeTo(o.pts[0][0]-ox, o.pts[0][1]-oy, o.pts[1][0]-ox, o.pts[1][1]-oy, o.pts[2][0]-ox, o.pts[2][1]-oy)
		case 'Z':
			z.ClosePath()
		}
	}
	z.Draw(dst, r, image.NewUniform(c), image.Point{})
}
