package loader

import (
	"strings"
	"testing"

	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/testtree"
)

// A kind of input is a reader and its place in readers: the walk offers it
// every file, before the readers after it, and a file no reader claims is
// skipped by a walk.
func TestReadersClaimInOrder(t *testing.T) {
	saved := readers
	t.Cleanup(func() { readers = saved })
	// A reader of "*.pods" files (a name per line), and one that claims
	// ".yaml" before the manifest reader does.
	pods := reader{
		claims: func(name string) bool { return strings.HasSuffix(name, ".pods") || name == "first.yaml" },
		read: func(l *Loader, path string, _ bool) (*input.Input, error) {
			data, err := limits.ReadFile(path, l.opts.Limits, l.display)
			if err != nil {
				return nil, err
			}
			in := &input.Input{}
			for i, name := range strings.Fields(string(data)) {
				in.Kubernetes.Objects = append(in.Kubernetes.Objects, input.Object{
					Object: map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": name}},
					Source: input.Source{File: l.display(path), Line: i + 1},
				})
			}
			return in, nil
		},
	}
	readers = append([]reader{pods}, saved...)
	dir := testtree.Write(t, map[string]string{
		"team.pods":  "web\napi\n",
		"first.yaml": "db\n",
		"other.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
		"notes.txt":  "not an input\n",
	})
	in, _ := walk(t, dir)
	var got []string
	for _, o := range in.Kubernetes.Objects {
		got = append(got, o.ID+"@"+o.Source.File)
	}
	want := "ConfigMap/c@other.yaml Pod/api@team.pods Pod/db@first.yaml Pod/web@team.pods"
	if strings.Join(got, " ") != want {
		t.Errorf("objects %q, want %q", got, want)
	}
}
