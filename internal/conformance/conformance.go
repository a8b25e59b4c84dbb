// Package conformance locates the shared conformance corpus
// (../shared/conformance, or the folder named by $STEPWISE_CONFORMANCE) for
// tests. The corpus is data recorded from real AWS and is never copied into
// this repository; where it is absent the tests that need it skip.
package conformance

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvVar names the environment variable that overrides the corpus location.
const EnvVar = "STEPWISE_CONFORMANCE"

// Dir returns the conformance folder, or "" when it cannot be found.
func Dir() string {
	if d := os.Getenv(EnvVar); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
		return ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	// Walk up to the module root (the folder with go.mod), then look beside it.
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared", "conformance")
			if st, err := os.Stat(d); err == nil && st.IsDir() {
				return d
			}
			return ""
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}

// Require returns the subfolder sub of the conformance corpus, or skips t with
// a message saying where the corpus was looked for.
func Require(t testing.TB, sub string) string {
	t.Helper()
	d := Dir()
	if d == "" {
		t.Skipf("conformance corpus not found: set %s or place it at ../shared/conformance beside the repository", EnvVar)
	}
	p := filepath.Join(d, sub)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("conformance corpus has no %s (looked in %s)", sub, d)
	}
	return p
}
