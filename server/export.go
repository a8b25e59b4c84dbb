package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"stepwise/designer"
)

// registerExports adds the draft's exports (ASL as JSON and YAML, the
// diagram as SVG and PNG) and its import endpoint to the designer's group.
func (d *designerUI) registerExports(g *echo.Group) {
	g.GET("/designer/drafts/:id/asl.yaml", d.aslYAML)
	g.GET("/designer/drafts/:id/diagram.svg", d.diagramSVG)
	g.GET("/designer/drafts/:id/diagram.png", d.diagramPNG)
	g.POST("/designer/drafts/:id/import", d.importASL)
	d.registerInspector(g)
}

func (d *designerUI) exportDoc(c echo.Context) (*designer.Document, *designer.Draft, error) {
	doc, dr, err := d.ed.Document(c.Request().Context(), param(c, "id"))
	if designer.IsNotFound(err) {
		return nil, nil, echo.NewHTTPError(http.StatusNotFound, "This draft does not exist.")
	}
	if err != nil {
		return nil, nil, err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	if c.QueryParam("download") != "" {
		name := dr.Machine
		if name == "" {
			name = "state-machine"
		}
		ext := c.Path()[strings.LastIndex(c.Path(), "/")+1:]
		ext = ext[strings.Index(ext, ".")+1:]
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+"."+ext+`"`)
	}
	return doc, dr, nil
}

func (d *designerUI) aslYAML(c echo.Context) error {
	doc, _, err := d.exportDoc(c)
	if err != nil {
		return err
	}
	y, err := doc.ExportDefinition(designer.FormatYAML)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/yaml; charset=utf-8", y)
}

func (d *designerUI) diagramSVG(c echo.Context) error {
	doc, _, err := d.exportDoc(c)
	if err != nil {
		return err
	}
	// The SVG is a document of its own: no scripts run from it.
	c.Response().Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	return c.Blob(http.StatusOK, "image/svg+xml", doc.Scene().SVG())
}

func (d *designerUI) diagramPNG(c echo.Context) error {
	doc, _, err := d.exportDoc(c)
	if err != nil {
		return err
	}
	scale := 2.0
	if s, err := strconv.ParseFloat(c.QueryParam("scale"), 64); err == nil && s > 0 && s <= 4 {
		scale = s
	}
	b, err := doc.Scene().PNG(scale)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "image/png", b)
}

// importRequest is the body of POST <draft>/import: a definition pasted or
// uploaded as JSON or YAML ("" format detects it).
type importRequest struct {
	Version int64  `json:"version"`
	Text    string `json:"text"`
	Format  string `json:"format"`
}

// importASL replaces the draft's definition with an imported one, as one
// undoable operation.
func (d *designerUI) importASL(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "Could not read the request.")
	}
	var req importRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return c.JSON(http.StatusBadRequest, opFailure{Error: "The request is not JSON: " + err.Error()})
	}
	def, err := designer.ImportDefinition([]byte(req.Text), req.Format)
	if err != nil {
		return c.JSON(http.StatusUnprocessableEntity, opFailure{Error: strings.TrimPrefix(err.Error(), "designer: ")})
	}
	ctx := c.Request().Context()
	v, err := d.ed.Apply(ctx, param(c, "id"), req.Version, designer.Op{Op: designer.OpReplace, ASL: string(def)})
	var oe *designer.OpError
	switch {
	case err == nil:
		return d.edited(c, v)
	case designer.IsNotFound(err):
		return c.JSON(http.StatusNotFound, opFailure{Error: "This draft does not exist."})
	case designer.IsConflict(err):
		return c.JSON(http.StatusConflict, opFailure{Error: "The draft was changed in another window; reload and import again."})
	case errors.As(err, &oe):
		return c.JSON(http.StatusUnprocessableEntity, opFailure{Error: strings.TrimPrefix(oe.Error(), "designer: ")})
	}
	return err
}
