package policydir

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.rego")
	os.WriteFile(file, []byte("package x\n"), 0o644)
	dirs, err := Resolve([]string{Builtin, dir})
	if err != nil {
		t.Fatal(err)
	}
	if !dirs[0].IsBuiltin() || dirs[0].Name != Builtin || dirs[1].IsBuiltin() || dirs[1].Name != dir {
		t.Errorf("dirs %+v", dirs)
	}
	for _, tt := range []struct{ name, want string }{
		{filepath.Join(dir, "nope"), "policy directory not found"},
		{file, "--policy must be a directory"},
	} {
		if _, err := Resolve([]string{tt.name}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	if got := OnDiskNames([]string{Builtin, "p", "q"}); !slices.Equal(got, []string{"p", "q"}) {
		t.Errorf("on disk %q", got)
	}
}

// Walk names files as messages show them, in lexical order, by suffix,
// without entering hidden directories; ReadFile reads what it named.
func TestWalkAndReadFile(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"b/p.rego": "package b\n", "a/p.rego": "package a\n", "a/p_test.rego": "package a\n",
		"a/x.yaml": "kind: X\n", ".git/q.rego": "package hidden\n",
	} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(text), 0o644)
	}
	d := OnDisk(dir)[0]
	var names []string
	if err := d.Walk(func(name string) error { names = append(names, name); return nil }, ".rego"); err != nil {
		t.Fatal(err)
	}
	slash := filepath.ToSlash(dir)
	if want := []string{slash + "/a/p.rego", slash + "/a/p_test.rego", slash + "/b/p.rego"}; !slices.Equal(names, want) {
		t.Errorf("walked %q, want %q", names, want)
	}
	if data, err := d.ReadFile(names[2]); err != nil || string(data) != "package b\n" {
		t.Errorf("read %q, %v", data, err)
	}
}

// The built-in library's files are named builtin/..., and read from the binary.
func TestBuiltin(t *testing.T) {
	dirs, err := Resolve([]string{Builtin})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	if err := dirs[0].Walk(func(name string) error { names = append(names, name); return nil }, ".rego"); err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("the built-in library holds no Rego")
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "builtin/rego/") {
			t.Errorf("name %q", n)
		}
	}
	data, err := dirs[0].ReadFile(names[0])
	if err != nil || !strings.Contains(string(data), "package ") {
		t.Errorf("read %s: %v", names[0], err)
	}
}
