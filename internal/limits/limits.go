// Package limits bounds what guard reads, so that no input can exhaust memory,
// overflow a stack or block guard forever: only regular files are read, and
// file size, nesting depth, document count, module depth and Terraform
// expansion have limits the user can raise (--limit name=value).
package limits

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Limits are the bounds of one run.
type Limits struct {
	// FileSize is the largest file guard reads, in bytes.
	FileSize int64
	// Depth is the deepest nesting of brackets (HCL) or of collections (YAML,
	// JSON) a file may have.
	Depth int
	// Documents is the most YAML documents (and List items) one file may hold.
	Documents int
	// ModuleDepth is how deeply Terraform module calls may nest.
	ModuleDepth int
	// Instances is the most resource and module instances one Terraform
	// stack's count and for_each may expand to.
	Instances int
	// Time is the longest a run may take: an expression can be slow beyond
	// any size limit (Terraform's toset of a 150,000-element tuple is
	// quadratic in go-cty), and a gate that never returns is no gate.
	Time time.Duration
}

// Default are the limits without --limit: far above any real platform (a
// 100,000-resource plan is about 450 MB), far below what exhausts a CI runner.
var Default = Limits{FileSize: 2 << 30, Depth: 500, Documents: 1000000, ModuleDepth: 32, Instances: 100000, Time: 10 * time.Minute}

// names are the --limit keys, in the order help lists them.
var names = []string{"file-size", "depth", "documents", "module-depth", "instances", "time"}

// Names lists the limits --limit can raise.
func Names() []string { return slices.Clone(names) }

// Set applies one "name=value" (file-size accepts a KiB/MiB/GiB suffix).
func (l *Limits) Set(kv string) error {
	name, value, ok := strings.Cut(kv, "=")
	if !ok {
		return fmt.Errorf("--limit %q: expected name=value (names: %s)", kv, strings.Join(names, ", "))
	}
	if name == "time" {
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 {
			return fmt.Errorf("--limit time: %q is not a positive duration (e.g. 90s, 15m)", value)
		}
		l.Time = d
		return nil
	}
	mult := int64(1)
	if name == "file-size" {
		for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
			if strings.HasSuffix(value, suffix) {
				value, mult = strings.TrimSuffix(value, suffix), m
			}
		}
	}
	n, err := strconv.ParseInt(value, 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("--limit %s: %q is not a positive whole number", name, value)
	}
	switch name {
	case "file-size":
		l.FileSize = n * mult
	case "depth":
		l.Depth = int(n)
	case "documents":
		l.Documents = int(n)
	case "module-depth":
		l.ModuleDepth = int(n)
	case "instances":
		l.Instances = int(n)
	default:
		return fmt.Errorf("--limit %q: unknown limit (names: %s)", name, strings.Join(names, ", "))
	}
	return nil
}

// Exceeded is the message tail naming the limit and how to raise it.
func Exceeded(name string, value any) string {
	return fmt.Sprintf("more than the limit of %v (raise it with --limit %s=N)", value, name)
}

// ErrNotRegular is returned for a path that is not a regular file (a FIFO,
// a device, a socket): reading one could block forever or never end.
var ErrNotRegular = errors.New("not a regular file")

// Regular says whether path (following symlinks) is a regular file.
func Regular(path string) (fs.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return st, ErrNotRegular
	}
	return st, nil
}

// ReadFile reads a regular file of at most l.FileSize bytes. Errors name the
// file as display shows it.
func ReadFile(path string, l Limits, display func(string) string) ([]byte, error) {
	if _, err := Regular(path); err != nil {
		return nil, fmt.Errorf("%s: %v", display(path), PathCause(err))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", display(path), PathCause(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, l.FileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", display(path), PathCause(err))
	}
	if int64(len(data)) > l.FileSize {
		return nil, fmt.Errorf("%s: file is %s", display(path), Exceeded("file-size", fmt.Sprintf("%d bytes", l.FileSize)))
	}
	return data, nil
}

// PathCause is an error without the *fs.PathError wrapping that repeats the
// path: messages name the file as guard shows it, then the cause.
func PathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// CheckText refuses what no text format can hold: a NUL byte (a binary
// file) or bytes that are not UTF-8, naming the line.
func CheckText(src []byte, name string) error {
	if i := indexNUL(src); i >= 0 {
		return fmt.Errorf("%s:%d: binary data (a NUL byte), not text", name, line(src, i))
	}
	if utf8.Valid(src) {
		return nil
	}
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			return fmt.Errorf("%s:%d: invalid UTF-8 (byte 0x%02x); files must be UTF-8", name, line(src, i), src[i])
		}
		i += size
	}
	return nil
}

func indexNUL(src []byte) int {
	for i, c := range src {
		if c == 0 {
			return i
		}
	}
	return -1
}

func line(src []byte, offset int) int {
	return 1 + strings.Count(string(src[:offset]), "\n")
}

// CheckNesting refuses brackets nested deeper than l.Depth, before a
// recursive parser meets them (100,000 open parentheses overflow the
// goroutine stack, which no recover() catches). Every bracket counts, in
// strings and comments too, since a string's interpolation is parsed as
// deeply as code: a real file stays far below the limit all the same.
func (l Limits) CheckNesting(src []byte, name string) error {
	depth := 0
	for i, c := range src {
		switch c {
		case '(', '[', '{':
			depth++
			if depth > l.Depth {
				return fmt.Errorf("%s:%d: brackets nested %s", name, line(src, i), Exceeded("depth", l.Depth))
			}
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}

// Progress is what a run is busy with ("reading stacks/base"), for the
// message when it runs out of time. Inputs load concurrently: the last to
// say wins.
type Progress struct{ what atomic.Value }

// String is what the run was last busy with ("" before anything).
func (p *Progress) String() string {
	s, _ := p.what.Load().(string)
	return s
}

type progressKey struct{}

// WithProgress is ctx carrying p: Doing records into it.
func WithProgress(ctx context.Context, p *Progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

// Doing records what the run of ctx is busy with now, if ctx carries a Progress.
func Doing(ctx context.Context, what string) {
	if p, ok := ctx.Value(progressKey{}).(*Progress); ok {
		p.what.Store(what)
	}
}
