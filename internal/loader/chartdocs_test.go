package loader

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	chartloader "helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"

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
	if want := []string{".:ConfigMap/split/first", ".:ConfigMap/split/second"}; !slices.Equal(names, want) {
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

// A dependency charts/ does not hold is found where `helm dependency build`
// would fetch it from: a file:// directory, else an archive in --charts at
// the version Chart.lock pins, else the highest Chart.yaml allows.
func TestChartDependenciesResolved(t *testing.T) {
	archives := t.TempDir()
	for _, v := range []string{"1.2.0", "1.3.0", "2.0.0"} {
		dir := testtree.Write(t, map[string]string{
			"Chart.yaml":        "apiVersion: v2\nname: sub\nversion: " + v + "\n",
			"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sub-{{ .Chart.Version }}\n",
		})
		ch, err := chartloader.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := chartutil.Save(ch, archives); err != nil { // sub-VERSION.tgz, as helm package
			t.Fatal(err)
		}
	}
	parent := "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: \"1.x\"\n    repository: https://charts.example.com\n"
	lock := "dependencies:\n  - name: sub\n    version: 1.2.0\n    repository: https://charts.example.com\ndigest: sha256:0\ngenerated: \"2026-12-01T00:00:00Z\"\n"
	local := testtree.Write(t, map[string]string{
		"parent/Chart.yaml":     "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: \"*\"\n    repository: file://../sub\n",
		"sub/Chart.yaml":        "apiVersion: v2\nname: sub\nversion: 0.9.0\n",
		"sub/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sub-{{ .Chart.Version }}\n",
	})
	for _, tt := range []struct {
		name   string
		chart  string
		files  map[string]string
		charts []string
		want   string
	}{
		{"the highest version the constraint allows", "", map[string]string{"Chart.yaml": parent}, []string{archives}, "sub-1.3.0"},
		{"the version Chart.lock pins", "", map[string]string{"Chart.yaml": parent, "Chart.lock": lock}, []string{archives}, "sub-1.2.0"},
		{"a file:// directory", local + "/parent", nil, nil, "sub-0.9.0"},
		{"not found: Helm's error and its fix", "", map[string]string{"Chart.yaml": parent}, nil, "missing in charts/ directory: sub (run `helm dependency build`"},
	} {
		dir := tt.chart
		if dir == "" {
			dir = testtree.Write(t, tt.files)
		}
		l, err := New(Options{WorkDir: dir, Charts: tt.charts})
		if err != nil {
			t.Fatal(err)
		}
		in, err := l.Load(context.Background(), []string{dir})
		var got []string
		if err != nil {
			got = append(got, err.Error())
		} else {
			for _, o := range in.Kubernetes.Objects {
				got = append(got, o.Name())
				// Located where a user can open it: the file:// chart's own
				// template, or the Chart.yaml entry asking for an archive.
				if _, serr := os.Stat(filepath.Join(dir, o.Source.File)); serr != nil && !filepath.IsAbs(o.Source.File) {
					t.Errorf("%s: %s at %s:%d, which does not exist", tt.name, o.Name(), o.Source.File, o.Source.Line)
				}
			}
		}
		if len(got) != 1 || !strings.Contains(got[0], tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// A rendered object points at the line of the template where it is
// written, its kind: line, past the {{ if }} that opens most templates.
func TestChartObjectLines(t *testing.T) {
	dir := testtree.Write(t, map[string]string{
		"Chart.yaml": "apiVersion: v2\nname: lines\nversion: 0.1.0\n",
		"templates/app.yaml": `{{- if true }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
---
apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  ports: [{port: 80}]
{{- end }}
`,
		"templates/config.yaml": `{{- range list "a" "b" "c" }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ . }}
{{- end }}
`,
		"templates/templated.yaml": `{{- $kind := "Secret" }}
apiVersion: v1
kind: {{ $kind }}
metadata:
  name: s
`,
	})
	in, _ := walk(t, dir)
	got := map[string]string{}
	for _, o := range in.Kubernetes.Objects {
		got[o.Kind()+"/"+o.Name()] = fmt.Sprintf("%s:%d", o.Source.File, o.Source.Line)
	}
	want := map[string]string{
		"ServiceAccount/app": "templates/app.yaml:3", "Service/app": "templates/app.yaml:8",
		"ConfigMap/a": "templates/config.yaml:4", "ConfigMap/b": "templates/config.yaml:4", "ConfigMap/c": "templates/config.yaml:4",
		"Secret/s": "templates/templated.yaml:3",
	}
	if !maps.Equal(got, want) {
		t.Errorf("lines %v, want %v", got, want)
	}
}
