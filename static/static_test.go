package static_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"testing/fstest"

	"stepwise/static"
)

func TestAssets(t *testing.T) {
	t.Parallel()
	a, err := static.FromFS(fstest.MapFS{
		"app.js":               {Data: []byte("console.log(1)")},
		"app.css":              {Data: []byte("body{}")},
		"designer/d.js":        {Data: []byte("x")},
		"chunks/c-AB12CD34.js": {Data: []byte("export const c = 1")},
		".hidden":              {Data: []byte("no")},
	})
	if err != nil {
		t.Fatal(err)
	}
	js := a.URL("app.js")
	if !regexp.MustCompile(`^/static/app\.[0-9a-f]{12}\.js$`).MatchString(js) {
		t.Fatalf("URL(app.js) = %q", js)
	}
	if a.URL("app.css") == a.URL("app.js") || a.URL("nope.js") != "/static/nope.js" {
		t.Errorf("URLs: %q %q", a.URL("app.css"), a.URL("nope.js"))
	}
	cases := []struct {
		method, path string
		status       int
		cache, ctype string
	}{
		{"GET", js, 200, "public, max-age=31536000, immutable", "text/javascript; charset=utf-8"},
		{"HEAD", js, 200, "public, max-age=31536000, immutable", "text/javascript; charset=utf-8"},
		{"GET", "/static/app.js", 200, "no-cache", "text/javascript; charset=utf-8"},
		{"GET", a.URL("app.css"), 200, "public, max-age=31536000, immutable", "text/css; charset=utf-8"},
		{"GET", a.URL("designer/d.js"), 200, "public, max-age=31536000, immutable", "text/javascript; charset=utf-8"},
		{"GET", "/static/chunks/c-AB12CD34.js", 200, "public, max-age=31536000, immutable", "text/javascript; charset=utf-8"},
		{"GET", "/static/.hidden", 404, "", ""},
		{"GET", "/static/nope.js", 404, "", ""},
		{"POST", js, 405, "", ""},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		if rec.Code != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, rec.Code, c.status)
			continue
		}
		if c.status != http.StatusOK {
			continue
		}
		if got := rec.Header().Get("Cache-Control"); got != c.cache {
			t.Errorf("%s %s: Cache-Control %q", c.method, c.path, got)
		}
		if got := rec.Header().Get("Content-Type"); got != c.ctype {
			t.Errorf("%s %s: Content-Type %q", c.method, c.path, got)
		}
		if c.method == "HEAD" && rec.Body.Len() != 0 {
			t.Errorf("HEAD has a body")
		}
	}
}

func TestEmbeddedBundle(t *testing.T) {
	t.Parallel()
	a, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"app.js", "app.css"} {
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, httptest.NewRequest("GET", a.URL(name), nil))
		if rec.Code != 200 || rec.Body.Len() == 0 {
			t.Errorf("embedded %s: %d, %d bytes", name, rec.Code, rec.Body.Len())
		}
	}
}
