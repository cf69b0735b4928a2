package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Paths in the file are relative to it; Load makes them relative to the
// working directory. builtin and bare exclude names stay as written.
func TestLoadResolvesPathsAgainstTheFile(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	write(t, wd, "sub/.guard.yaml", `
policies: [builtin, policies]
charts: [charts]
exclude: [docs, build/out]
severity: HIGH
vars: {region: europe-west1, replicas: 3, zones: [a, b]}
limits: {time: 90s, depth: "100"}
`)
	c, err := Load("sub/.guard.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"builtin", "sub/policies"}; !slices.Equal(c.Policies, want) {
		t.Errorf("policies %q, want %q", c.Policies, want)
	}
	if want := []string{"sub/charts"}; !slices.Equal(c.Charts, want) {
		t.Errorf("charts %q, want %q", c.Charts, want)
	}
	if want := []string{"docs", "sub/build/out"}; !slices.Equal(c.Exclude, want) {
		t.Errorf("exclude %q, want %q", c.Exclude, want)
	}
	if c.Severity != "HIGH" {
		t.Errorf("severity %q", c.Severity)
	}
	if want := []string{"region=europe-west1", "replicas=3", `zones=["a","b"]`}; !slices.Equal(c.VarFlags(), want) {
		t.Errorf("vars %q, want %q", c.VarFlags(), want)
	}
	if want := []string{"depth=100", "time=90s"}; !slices.Equal(c.LimitFlags(), want) {
		t.Errorf("limits %q, want %q", c.LimitFlags(), want)
	}
}

// Every mistake names the file and the line.
func TestLoadErrors(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"severity: HIGH\nformats: json\n", `.guard.yaml:2: unknown key "formats"`},
		{"severity: HIGH\nseverity: LOW\n", `.guard.yaml:2: key "severity" given twice`},
		{"policies: builtin\n", ".guard.yaml:1: policies: want a list of strings"},
		{"- a\n- b\n", ".guard.yaml:1: want a mapping of settings"},
		{"severity: [\n", ".guard.yaml:1: did not find expected node content"},
	} {
		dir := t.TempDir()
		p := write(t, dir, ".guard.yaml", tt.text)
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.text, err, tt.want)
		}
	}
	if c, err := Load(write(t, t.TempDir(), ".guard.yaml", "")); err != nil || c.Severity != "" {
		t.Errorf("an empty file: %+v, %v", c, err)
	}
}

// Without --config, the file is found in the working directory, else at the
// root of the repository; outside a repository there is none.
func TestFind(t *testing.T) {
	root := t.TempDir()
	write(t, root, ".git/HEAD", "ref: refs/heads/main\n")
	write(t, root, FileName, "severity: HIGH\n")
	write(t, root, "a/b/keep", "")
	t.Chdir(filepath.Join(root, "a/b"))
	got, err := Find("")
	if err != nil {
		t.Fatal(err)
	}
	if a, b := stat(t, got), stat(t, filepath.Join(root, FileName)); !os.SameFile(a, b) {
		t.Errorf("from a subdirectory: %q", got)
	}
	if _, err := Find("nope.yaml"); err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("a missing --config: %v", err)
	}
	t.Chdir(t.TempDir())
	if got, err := Find(""); err != nil || got != "" {
		t.Errorf("outside a repository: %q, %v", got, err)
	}
}

func stat(t *testing.T, p string) os.FileInfo {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Keys lists every setting once, as the README documents them.
func TestKeys(t *testing.T) {
	keys := Keys()
	for _, k := range []string{"policies", "severity", "exclude", "charts", "provider-schemas", "limits"} {
		if !slices.Contains(keys, k) {
			t.Errorf("keys %q lack %q", keys, k)
		}
	}
	if slices.Contains(keys, "-") || slices.Contains(keys, "") {
		t.Errorf("keys %q", keys)
	}
}
