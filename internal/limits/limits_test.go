package limits

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestSet(t *testing.T) {
	l := Default
	for _, kv := range []string{"file-size=3MiB", "depth=7", "documents=9", "module-depth=4", "instances=11", "time=90s"} {
		if err := l.Set(kv); err != nil {
			t.Fatalf("%s: %v", kv, err)
		}
	}
	want := Limits{FileSize: 3 << 20, Depth: 7, Documents: 9, ModuleDepth: 4, Instances: 11, Time: 90 * time.Second}
	if l != want {
		t.Errorf("limits %+v, want %+v", l, want)
	}
	for _, tt := range []struct{ kv, want string }{
		{"depth", "expected name=value"},
		{"depth=0", "not a positive whole number"},
		{"depth=x", "not a positive whole number"},
		{"time=-1s", "not a positive duration"},
		{"speed=3", `unknown limit (names: file-size, depth`},
	} {
		if err := l.Set(tt.kv); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.kv, err, tt.want)
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.yaml")
	os.WriteFile(small, []byte("12345"), 0o644)
	show := func(p string) string { return filepath.Base(p) }
	if data, err := ReadFile(small, Limits{FileSize: 5}, show); err != nil || string(data) != "12345" {
		t.Errorf("at the limit: %q, %v", data, err)
	}
	if _, err := ReadFile(small, Limits{FileSize: 4}, show); err == nil || err.Error() != "small.yaml: file is more than the limit of 4 bytes (raise it with --limit file-size=N)" {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "none"), Default, show); err == nil || err.Error() != "none: no such file or directory" {
		t.Errorf("missing: %v", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if _, err := ReadFile(fifo, Default, show); err == nil || !strings.Contains(err.Error(), "fifo: not a regular file") {
		t.Errorf("a FIFO is read: %v", err)
	}
	if _, err := Regular(fifo); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Regular(fifo): %v", err)
	}
}

func TestCheckText(t *testing.T) {
	for _, tt := range []struct {
		src  string
		want string
	}{
		{"a: 1\nb: 2\n", ""},
		{"a: 1\nb: \x00\n", "f.yaml:2: binary data (a NUL byte), not text"},
		{"a: 1\n\nb: \xff\n", "f.yaml:3: invalid UTF-8 (byte 0xff); files must be UTF-8"},
	} {
		err := CheckText([]byte(tt.src), "f.yaml")
		if got := errText(err); got != tt.want {
			t.Errorf("%q: %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestCheckNesting(t *testing.T) {
	l := Limits{Depth: 3}
	if err := l.CheckNesting([]byte("a = [[[1]]]\nb = ((1))"), "x.tf"); err != nil {
		t.Errorf("within the limit: %v", err)
	}
	err := l.CheckNesting([]byte("a = 1\nb = [[{(1)}]]"), "x.tf")
	if got, want := errText(err), "x.tf:2: brackets nested more than the limit of 3 (raise it with --limit depth=N)"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

// Doing records into the Progress its context carries, and into nothing
// without one.
func TestProgress(t *testing.T) {
	Doing(context.Background(), "nothing to record into")
	p := &Progress{}
	ctx := WithProgress(context.Background(), p)
	if p.String() != "" {
		t.Errorf("before anything: %q", p)
	}
	Doing(ctx, "reading stacks/base")
	Doing(ctx, "evaluating the policies")
	if p.String() != "evaluating the policies" {
		t.Errorf("progress %q", p)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
