// Package testtree writes the small trees of files that tests read: one
// helper for the loader's, the Terraform evaluator's and the acceptance
// tests.
package testtree

import (
	"os"
	"path/filepath"
	"testing"
)

// Write writes files (slash-separated path -> content) into a new
// temporary directory and returns it.
func Write(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
