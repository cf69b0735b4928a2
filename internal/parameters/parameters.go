// Package parameters holds the policy library's parameters: the values of a
// policy directory that is a Helm chart (guard's built-in library is one,
// guard-policies), overridden by the user's (.guard.yaml parameters). The
// chart's Kyverno policies are rendered with them, as the cluster installs
// the chart; the Rego policies read them as data.guard.parameters. One
// source, so that CI and admission judge with the same choices.
package parameters

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	chartloader "helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/policydir"
)

// ProfilesKey is the chart value that enables profiles: the named sets of
// policies (annotated with a profile) installed beside the default set.
const ProfilesKey = "profiles"

// Input is what the user chose: parameter values, where they were read
// (for messages), and profiles to enable.
type Input struct {
	Values   map[string]any
	File     string
	Profiles []string
}

// Set is the parameters in effect.
type Set struct {
	values   map[string]any // every chart's defaults, then the user's
	defaults map[string]any
	user     map[string]bool
	profiles []string
	charts   map[string]*chart.Chart // by policy directory name
	// renderValues are each chart's values as Helm renders them, checked
	// against its schema once, in Load.
	renderValues map[string]chartutil.Values
}

// Load reads the charts among dirs and merges the user's values over their
// defaults. A value that no chart defines, or of the wrong type (the
// chart's values.schema.json), is an error naming where it was set. Without
// a chart among dirs, no parameter or profile applies.
func Load(dirs []policydir.Dir, in Input) (*Set, error) {
	s := &Set{values: map[string]any{}, defaults: map[string]any{}, user: map[string]bool{}, charts: map[string]*chart.Chart{}, renderValues: map[string]chartutil.Values{}}
	for _, d := range dirs {
		ch, err := loadChart(d)
		if err != nil {
			return nil, err
		}
		if ch == nil {
			continue
		}
		s.charts[d.Name] = ch
		for k, v := range ch.Values {
			if k != ProfilesKey {
				s.defaults[k] = v
			}
		}
	}
	// Profiles are enabled by .guard.yaml's profiles and by a profiles
	// value in the parameters file alike.
	profiles := slices.Clone(in.Profiles)
	if p, ok := in.Values[ProfilesKey].([]any); ok {
		for _, v := range p {
			if name, ok := v.(string); ok {
				profiles = append(profiles, name)
			}
		}
	}
	slices.Sort(profiles)
	s.profiles = slices.Compact(profiles)
	// Parameters are a policy chart's values: where none is in use (a
	// --policy directory of one's own), none applies, though the
	// repository's .guard.yaml may name them for the library it uses.
	if len(s.charts) == 0 {
		return s, nil
	}
	where := in.File
	if where == "" {
		where = "parameters"
	}
	for _, k := range slices.Sorted(maps.Keys(in.Values)) {
		if k == ProfilesKey {
			continue
		}
		if _, ok := s.defaults[k]; !ok {
			return nil, fmt.Errorf("%s: unknown parameter %s (parameters: %s)", where, k, strings.Join(slices.Sorted(maps.Keys(s.defaults)), ", "))
		}
		s.user[k] = true
	}
	maps.Copy(s.values, s.defaults)
	for k, v := range in.Values {
		if k != ProfilesKey {
			s.values[k] = v
		}
	}
	// Each chart checks its values as Helm would on install.
	for _, name := range slices.Sorted(maps.Keys(s.charts)) {
		ch := s.charts[name]
		opts := chartutil.ReleaseOptions{Name: ch.Name(), Namespace: "kyverno", Revision: 1, IsInstall: true}
		vals, err := chartutil.ToRenderValues(ch, s.chartValues(), opts, chartutil.DefaultCapabilities)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", where, diag.OneLine(err.Error()))
		}
		s.renderValues[name] = vals
	}
	return s, nil
}

// loadChart loads the chart at the root of d, nil when d is no chart. Only
// the files the chart installs are read: .helmignore's patterns are the
// chart's, and guard needs the chart's metadata, values, schema, templates
// and the Kyverno policy files they read.
func loadChart(d policydir.Dir) (*chart.Chart, error) {
	root := d.Name + "/"
	var files []*chartloader.BufferedFile
	err := d.Walk(func(name string) error {
		rel := strings.TrimPrefix(name, root)
		if !chartFile(rel) {
			return nil
		}
		data, err := d.ReadFile(name)
		if err != nil {
			return err
		}
		files = append(files, &chartloader.BufferedFile{Name: rel, Data: data})
		return nil
	}, ".yaml", ".yml", ".json", ".tpl", ".txt")
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(files, func(f *chartloader.BufferedFile) bool { return f.Name == "Chart.yaml" }) {
		return nil, nil
	}
	ch, err := chartloader.LoadFiles(files)
	if err != nil {
		return nil, fmt.Errorf("%s: policy chart: %v", d.Name, err)
	}
	return ch, nil
}

// chartFile says which files of a policy directory its chart is made of.
func chartFile(rel string) bool {
	switch {
	case rel == "Chart.yaml", rel == "values.yaml", rel == "values.schema.json":
		return true
	case strings.HasPrefix(rel, "templates/"):
		return true
	case strings.HasPrefix(rel, "kyverno/"):
		return path.Base(rel) == "policy.yaml"
	}
	return false
}

func (s *Set) chartValues() map[string]any {
	vals := maps.Clone(s.values)
	profiles := make([]any, len(s.profiles))
	for i, p := range s.profiles {
		profiles[i] = p
	}
	vals[ProfilesKey] = profiles
	return vals
}

// Values are the parameters in effect, for the Rego policies' data.
func (s *Set) Values() map[string]any { return maps.Clone(s.values) }

// Profiles are the profiles enabled, sorted.
func (s *Set) Profiles() []string { return s.profiles }

// HasCharts says whether a policy chart is in use: without one, no policy
// takes parameters or belongs to a profile guard could check.
func (s *Set) HasCharts() bool { return s != nil && len(s.charts) > 0 }

// Enabled says whether a policy of profile (none: "") is in use. Without
// a set (a test suite's policies) every policy is.
func (s *Set) Enabled(profile string) bool {
	return s == nil || profile == "" || slices.Contains(s.profiles, profile)
}

// Parameter is one parameter as `guard policies` shows it.
type Parameter struct {
	Name    string `json:"name"`
	Value   any    `json:"value"`
	Default any    `json:"default"`
	// Set says the user chose the value (else it is the default).
	Set bool `json:"set"`
}

// Describe describes the named parameters.
func (s *Set) Describe(names []string) []Parameter {
	out := make([]Parameter, 0, len(names))
	for _, n := range names {
		out = append(out, Parameter{Name: n, Value: s.values[n], Default: s.defaults[n], Set: s.user[n]})
	}
	return out
}

// IsChart says whether the policy directory d is a chart: its Kyverno
// policies are what Render returns, not its files.
func (s *Set) IsChart(d policydir.Dir) bool { return s != nil && s.charts[d.Name] != nil }

// Rendered is one policy file of a chart, as the chart installs it.
type Rendered struct {
	// File is the policy's file in the directory ("builtin/kyverno/x/policy.yaml").
	File string
	// Line is the line of the policy's kind in its file.
	Line int
	Data []byte
}

// Render renders the chart of d with the parameters, as Helm would install
// it. Each document is named by the file it came from: the chart's
// template writes a "# From: PATH" line before each one.
func (s *Set) Render(d policydir.Dir) ([]Rendered, error) {
	ch := s.charts[d.Name]
	out, err := engine.Render(ch, s.renderValues[d.Name])
	if err != nil {
		return nil, fmt.Errorf("%s: policy chart: %s", d.Name, diag.OneLine(err.Error()))
	}
	var docs []Rendered
	for _, name := range slices.Sorted(maps.Keys(out)) {
		if strings.HasPrefix(path.Base(name), "_") {
			continue
		}
		for _, doc := range strings.Split(out[name], "\n---\n") {
			doc = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(doc), "---"))
			if doc == "" {
				continue
			}
			// The template names each document's policy file first.
			file, body := name, doc
			if from, rest, ok := strings.Cut(doc, "\n"); ok && strings.HasPrefix(from, "# From: ") {
				file, body = strings.TrimSpace(strings.TrimPrefix(from, "# From: ")), rest
			}
			docs = append(docs, Rendered{File: d.Name + "/" + file, Line: kindLine(ch, file), Data: []byte(body)})
		}
	}
	return docs, nil
}

// kindLine is the line of the first top-level kind in the chart's file
// (1 when there is none): where a policy's errors and findings point.
func kindLine(ch *chart.Chart, file string) int {
	for _, f := range ch.Files {
		if f.Name != file {
			continue
		}
		for i, line := range strings.Split(string(f.Data), "\n") {
			if strings.HasPrefix(line, "kind:") {
				return i + 1
			}
		}
	}
	return 1
}

// Defaults are the default parameters of the policy charts that hold dirs
// (each dir, or the nearest directory above it, with a Chart.yaml): what
// the policies' tests run with.
func Defaults(dirs []string) (*Set, error) {
	var charts []policydir.Dir
	seen := map[string]bool{}
	for _, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			continue
		}
		for dir := abs; ; dir = filepath.Dir(dir) {
			if st, err := os.Stat(filepath.Join(dir, "Chart.yaml")); err == nil && !st.IsDir() {
				if !seen[dir] {
					seen[dir] = true
					charts = append(charts, policydir.OnDisk(filepath.ToSlash(dir))...)
				}
				break
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	return Load(charts, Input{})
}
