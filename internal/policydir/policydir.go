// Package policydir names where policies are read from: directories on disk,
// or the library built into guard ("builtin").
package policydir

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/policies"
)

// Builtin is the name that stands for the library built into guard, on the
// command line (--policy builtin) and in the config file. A directory on
// disk called builtin is ./builtin.
const Builtin = "builtin"

// Dir is one policy directory.
type Dir struct {
	// Name is how its files are named in messages and reports: the
	// directory's path, or "builtin" (files "builtin/rego/...").
	Name string
	// fsys holds the built-in library; nil for a directory on disk, which
	// is read with guard's limits (a FIFO or a device is refused).
	fsys fs.FS
}

// IsBuiltin says whether d is the library built into guard.
func (d Dir) IsBuiltin() bool { return d.fsys != nil }

// Resolve turns --policy values into directories: "builtin" is the built-in
// library, anything else a directory that must exist.
func Resolve(names []string) ([]Dir, error) {
	dirs := make([]Dir, 0, len(names))
	for _, n := range names {
		if n == Builtin {
			dirs = append(dirs, Dir{Name: Builtin, fsys: policies.Library})
			continue
		}
		st, err := os.Stat(n)
		if err != nil {
			return nil, fmt.Errorf("%s: policy directory not found (pass --policy DIR, or --policy builtin for the built-in library)", n)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("%s: --policy must be a directory", n)
		}
		dirs = append(dirs, Dir{Name: n})
	}
	return dirs, nil
}

// OnDisk names directories on disk without checking them (guard test).
func OnDisk(names ...string) []Dir {
	dirs := make([]Dir, len(names))
	for i, n := range names {
		dirs[i] = Dir{Name: n}
	}
	return dirs
}

// OnDiskNames are the names among --policy values that are directories on
// disk: a directory walk of the inputs leaves them out.
func OnDiskNames(names []string) []string {
	var out []string
	for _, n := range names {
		if n != Builtin {
			out = append(out, n)
		}
	}
	return out
}

// Walk calls fn for every file under d whose name has one of the suffixes,
// in lexical order, with the file's name as messages show it. Directories
// whose names start with a dot are not entered.
func (d Dir) Walk(fn func(name string) error, suffixes ...string) error {
	want := func(p string) bool {
		for _, s := range suffixes {
			if strings.HasSuffix(p, s) {
				return true
			}
		}
		return false
	}
	if d.IsBuiltin() {
		return fs.WalkDir(d.fsys, ".", func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() || !want(p) {
				return nil
			}
			return fn(path.Join(Builtin, p))
		})
	}
	return filepath.WalkDir(d.Name, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %v", filepath.ToSlash(p), limits.PathCause(err))
		}
		if e.IsDir() && strings.HasPrefix(e.Name(), ".") && p != d.Name {
			return filepath.SkipDir
		}
		if e.IsDir() || !want(p) {
			return nil
		}
		return fn(filepath.ToSlash(p))
	})
}

// ReadFile reads a file that Walk named.
func (d Dir) ReadFile(name string) ([]byte, error) {
	if d.IsBuiltin() {
		return fs.ReadFile(d.fsys, strings.TrimPrefix(name, Builtin+"/"))
	}
	return limits.ReadFile(filepath.FromSlash(name), limits.Default, filepath.ToSlash)
}
