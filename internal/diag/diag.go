// Package diag is guard's one error type for input it cannot use: a policy,
// plan, stack, chart, manifest or test suite that is broken. It says where
// (the file and, when known, the line) and what, on one line; the command
// prints it and exits 2.
package diag

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Error is broken input at File (and Line, when known).
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.File == "":
		return e.Msg
	case e.Line == 0:
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// OneLine folds a multi-line message (Helm's, CEL's and YAML's errors have
// several lines) into one, so that every message is one line in a CI log.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Shown is how messages and reports name a file: relative to the working
// directory wd when inside it, else absolute, with forward slashes, so that
// output does not depend on the machine.
func Shown(wd, path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(abs)
}
