package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// Prefix is the URL path the assets are served under.
const Prefix = "/static/"

// Assets serves the embedded bundle. Each file is reachable under its
// hashed name (app.3f9c2d1a.js, cached for a year, immutable) and its plain
// name (cached briefly, for tools and tests).
type Assets struct {
	files  map[string]asset // by served name (hashed and plain)
	hashed map[string]string
}

type asset struct {
	data      []byte
	mediaType string
	immutable bool
}

// New reads the embedded bundle and computes the hashed names.
func New() (*Assets, error) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, fmt.Errorf("static: open embedded dist: %w", err)
	}
	return FromFS(sub)
}

// FromFS builds Assets from any file system (tests use fstest.MapFS).
func FromFS(fsys fs.FS) (*Assets, error) {
	a := &Assets{files: map[string]asset{}, hashed: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("static: read %s: %w", p, err)
		}
		sum := sha256.Sum256(data)
		ext := path.Ext(p)
		hashedName := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:])[:12] + ext
		mt := mime.TypeByExtension(ext)
		if mt == "" {
			mt = "application/octet-stream"
		}
		// esbuild names split chunks by their content (chunks/name-HASH.js)
		// and entries import them by that name: they never change either.
		a.files[p] = asset{data: data, mediaType: mt, immutable: strings.HasPrefix(p, "chunks/")}
		a.files[hashedName] = asset{data: data, mediaType: mt, immutable: true}
		a.hashed[p] = hashedName
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static: walk bundle: %w", err)
	}
	return a, nil
}

// URL returns the hashed URL of a bundle file such as "app.js", or the
// plain URL when the file is not in the bundle.
func (a *Assets) URL(name string) string {
	if h, ok := a.hashed[name]; ok {
		return Prefix + h
	}
	return Prefix + name
}

// ServeHTTP serves a request whose path starts with Prefix.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, Prefix)
	f, ok := a.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.mediaType)
	h.Set("X-Content-Type-Options", "nosniff")
	if f.immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("Content-Length", fmt.Sprint(len(f.data)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(f.data)
}
