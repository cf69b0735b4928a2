package loader

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/acme/guard/internal/testtree"
)

// A "---" followed by {{- ... -}} renders as "---apiVersion: ...", as in
// cert-manager's chart: Helm splits the documents there, and so does guard.
func TestChartDocumentsSplitAsHelm(t *testing.T) {
	dir := testtree.Write(t, map[string]string{
		"Chart.yaml": "apiVersion: v2\nname: split\nversion: 0.1.0\n",
		"templates/configmaps.yaml": `---
{{- if true -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: first
{{- end }}
---
{{- if true -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: second
{{- end }}
`,
	})
	in, _ := walk(t, dir)
	var names []string
	for _, o := range in.Kubernetes.Objects {
		names = append(names, o.ID)
	}
	slices.Sort(names)
	if want := []string{".:ConfigMap/default/first", ".:ConfigMap/default/second"}; !slices.Equal(names, want) {
		t.Errorf("objects %v, want %v", names, want)
	}
}

// A library chart renders nothing, as Helm installs none: it is named in a
// note, and is no error and no empty read.
func TestLibraryChartIsNoError(t *testing.T) {
	dir := testtree.Write(t, map[string]string{
		"Chart.yaml":           "apiVersion: v2\nname: common\nversion: 1.0.0\ntype: library\n",
		"templates/_names.tpl": "{{- define \"common.name\" -}}{{ .Chart.Name }}{{- end -}}\n",
	})
	l, err := New(Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	in, err := l.Load(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if l.ReadNothing(in) {
		t.Error("a library chart counts as nothing read (a mistyped path)")
	}
	if notes := l.Notes(); len(notes) != 1 || !strings.Contains(notes[0], "library chart: nothing to render") {
		t.Errorf("notes %q", notes)
	}
}
