package loader

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"
	chartloader "helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/releaseutil"
	"helm.sh/helm/v3/pkg/strvals"
	"sigs.k8s.io/yaml"

	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/manifest"
)

func isChart(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "Chart.yaml"))
	return err == nil && !st.IsDir()
}

// loadChart renders a chart checked on its own: default values plus --values
// files and --set values, release name = chart name, namespace --namespace
// (default: the chart's name), as `helm template` does.
func (l *Loader) loadChart(dir string) (*input.Input, error) {
	vals := map[string]any{}
	for _, f := range l.opts.Values {
		data, err := limits.ReadFile(f, l.opts.Limits, l.display)
		if err != nil {
			return nil, inputError(err)
		}
		v, err := chartutil.ReadValues(data)
		if err != nil {
			return nil, errorf("%s: %v", l.display(f), err)
		}
		l.read(f)
		vals = mergeValues(vals, v.AsMap())
	}
	for _, s := range l.opts.Sets {
		if err := strvals.ParseInto(s, vals); err != nil {
			return nil, errorf("--set %s: %v", s, err)
		}
	}
	ch, err := l.loadChartDir(dir)
	if err != nil {
		return nil, err
	}
	if ch.Metadata.Type == "library" {
		// Helm installs no library chart: its templates render only
		// through the charts that depend on it.
		l.note("%s: library chart: nothing to render (it is checked through the charts that depend on it)", l.display(dir))
		l.mu.Lock()
		l.libraries++
		l.mu.Unlock()
		return &input.Input{}, nil
	}
	// helm template renders in "default" without --namespace, but a chart
	// is installed where its user says (helm install -n), which guard
	// cannot know: the release's own namespace, named after it, stands for
	// it, so that what a chart puts in .Release.Namespace is not judged as
	// if it ran in default (K8S-007). A namespace the chart writes stays.
	ns := l.opts.Namespace
	if ns == "" {
		ns = ch.Name()
	}
	rel := &input.Release{Name: ch.Name(), Namespace: ns, Chart: l.display(dir)}
	objs, err := l.render(dir, ch, rel, vals, nil)
	if err != nil {
		return nil, err
	}
	return &input.Input{Kubernetes: input.Kubernetes{Objects: objs}}, nil
}

// loadChartDir loads a chart directory or archive (.tgz) as `helm template`
// and `helm install` do, refusing what they refuse: a dependency Chart.yaml
// lists that charts/ lacks is an error there, so it is one here (never a
// chart rendered without it).
func (l *Loader) loadChartDir(dir string) (*chart.Chart, error) {
	var ch *chart.Chart
	var err error
	if st, serr := os.Stat(dir); serr == nil && !st.IsDir() {
		// An archive, read once within the limits (a regular file, its size).
		data, rerr := limits.ReadFile(dir, l.opts.Limits, l.display)
		if rerr != nil {
			return nil, inputError(rerr)
		}
		ch, err = chartloader.LoadArchive(bytes.NewReader(data))
		l.read(dir)
	} else {
		if cerr := l.checkChartFiles(dir); cerr != nil {
			return nil, cerr
		}
		ch, err = chartloader.Load(dir)
		if err == nil {
			// Helm read the chart's files (those .helmignore leaves in).
			for _, f := range ch.Raw {
				l.read(filepath.Join(dir, filepath.FromSlash(f.Name)))
			}
		}
	}
	if err != nil {
		return nil, errorf("%s: cannot load chart: %v", l.display(dir), err)
	}
	if err := l.addDependencies(ch, dir); err != nil {
		return nil, err
	}
	if err := checkDependencies(ch); err != nil {
		return nil, errorf("%s: %v", l.display(dir), err)
	}
	return ch, nil
}

// repositoryChart finds the archive of a chart that comes from a repository
// (chartRef "kyverno", "oci://host/charts/kyverno", or a URL of the .tgz):
// NAME-VERSION.tgz in the --charts directories, then in Helm's repository
// cache, where `helm pull` and `helm dependency build` leave it. When none
// is found, searched says where guard looked.
func (l *Loader) repositoryChart(chartRef, version string) (found, searched string) {
	base := chartRef[strings.LastIndex(chartRef, "/")+1:]
	file := base + "-" + version + ".tgz"
	switch {
	case strings.HasSuffix(base, ".tgz"):
		file = base
	case version == "":
		return "", "its version is not pinned, so guard cannot tell which archive would be installed"
	}
	dirs := l.chartDirs()
	for _, d := range dirs {
		p := filepath.Join(d, file)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, ""
		}
	}
	return "", fmt.Sprintf("%s is not in %s (guard never downloads; give a directory holding it with --charts)", file, strings.Join(dirs, ", "))
}

// addDependencies adds to ch the dependencies Chart.yaml lists that its
// charts/ directory lacks, where guard finds them as `helm dependency build`
// would put them there: a file:// repository's chart directory (relative to
// the chart's), else the archive NAME-VERSION.tgz in the --charts
// directories or Helm's repository cache, at the version Chart.lock pins,
// else the highest that Chart.yaml's version constraint allows. What is not
// found stays missing (checkDependencies says so, with Helm's words).
func (l *Loader) addDependencies(ch *chart.Chart, dir string) error {
	for _, req := range ch.Metadata.Dependencies {
		if slices.ContainsFunc(ch.Dependencies(), func(d *chart.Chart) bool { return d.Name() == req.Name }) {
			continue
		}
		path := ""
		if local, ok := strings.CutPrefix(req.Repository, "file://"); ok {
			if st, err := os.Stat(dir); err == nil && st.IsDir() {
				path = filepath.Join(dir, local)
			}
		} else {
			path = l.dependencyArchive(req.Name, lockedVersion(ch, req.Name, req.Version))
		}
		if path == "" {
			continue
		}
		sub, err := l.loadChartDir(path)
		if err != nil {
			return err
		}
		ch.AddDependency(sub)
		l.place(dir, req.Name, path)
	}
	return nil
}

// placement is where the templates of a dependency guard added are: the
// directory of a file:// dependency, or, for an archive (nothing a user can
// open at a line), the Chart.yaml entry that asks for it.
type placement struct {
	dir   string
	entry input.Source
}

// place records where a dependency of the chart in dir came from, by the
// directory Helm's engine names its templates under (dir/charts/name).
func (l *Loader) place(dir, name, from string) {
	p := placement{}
	if st, err := os.Stat(from); err == nil && st.IsDir() {
		p.dir = from
	} else {
		p.entry = input.Source{File: l.display(filepath.Join(dir, "Chart.yaml")), Line: 1}
		if src, err := os.ReadFile(filepath.Join(dir, "Chart.yaml")); err == nil {
			entry := regexp.MustCompile(`(?m)^[ \t]+-?[ \t]*name:[ \t]*["']?` + regexp.QuoteMeta(name) + `["']?[ \t]*$`)
			if loc := entry.FindIndex(src); loc != nil {
				p.entry.Line = 1 + bytes.Count(src[:loc[0]], []byte("\n"))
			}
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.placed == nil {
		l.placed = map[string]placement{}
	}
	l.placed[filepath.Join(dir, "charts", name)] = p
}

// templateFile is where a rendered template is written (path as Helm's
// engine names it below dir), and, for one inside an archive, the source
// that stands for it.
func (l *Loader) templateFile(dir, rest string) (string, *input.Source) {
	file := filepath.Join(dir, filepath.FromSlash(rest))
	l.mu.Lock()
	defer l.mu.Unlock()
	// A file:// dependency's own dependencies are placed below its directory:
	// follow the placements until none applies.
	for moved := true; moved; {
		moved = false
		for root, p := range l.placed {
			inner, ok := strings.CutPrefix(file, root+string(filepath.Separator))
			if !ok {
				continue
			}
			if p.dir == "" {
				return file, &p.entry
			}
			file, moved = filepath.Join(p.dir, inner), true
			break
		}
	}
	return file, nil
}

// lockedVersion is the version Chart.lock pins for a dependency, else its
// constraint in Chart.yaml.
func lockedVersion(ch *chart.Chart, name, constraint string) string {
	if ch.Lock != nil {
		for _, d := range ch.Lock.Dependencies {
			if d.Name == name {
				return d.Version
			}
		}
	}
	return constraint
}

// dependencyArchive is the archive of the highest version of chart name that
// the constraint allows, in the --charts directories or Helm's cache ("" if
// none).
func (l *Loader) dependencyArchive(name, constraint string) string {
	c, err := semver.NewConstraint(constraint)
	if err != nil {
		return ""
	}
	var best *semver.Version
	found := ""
	for _, d := range l.chartDirs() {
		archives, _ := filepath.Glob(filepath.Join(d, name+"-*.tgz"))
		for _, a := range archives {
			v, err := semver.NewVersion(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(a), name+"-"), ".tgz"))
			if err != nil || !c.Check(v) || best != nil && !v.GreaterThan(best) {
				continue
			}
			best, found = v, a
		}
	}
	return found
}

// chartDirs are where chart archives are looked for: the --charts
// directories, then Helm's repository cache.
func (l *Loader) chartDirs() []string {
	dirs := append([]string{}, l.opts.Charts...)
	if l.opts.HelmCache != "" {
		dirs = append(dirs, l.opts.HelmCache)
	}
	return dirs
}

// checkDependencies refuses what `helm template` and `helm install` refuse
// (helm.sh/helm/v3/pkg/action.CheckDependencies, same message): a dependency
// Chart.yaml lists that charts/ does not hold; for the chart and each of its
// subcharts. It is written out here because importing Helm's action package
// for these lines doubles the packages the loader (and each instrumented
// fuzz build) compiles.
func checkDependencies(ch *chart.Chart) error {
	var missing []string
	for _, req := range ch.Metadata.Dependencies {
		if !slices.ContainsFunc(ch.Dependencies(), func(d *chart.Chart) bool { return d.Name() == req.Name }) {
			missing = append(missing, req.Name)
		}
	}
	if len(missing) > 0 {
		// Helm's own words, and its hint.
		return fmt.Errorf("chart %s: found in Chart.yaml, but missing in charts/ directory: %s (run `helm dependency build` in the chart's directory to fetch them, or give a directory holding their archives with --charts)", ch.Name(), strings.Join(missing, ", "))
	}
	for _, sub := range ch.Dependencies() {
		if err := checkDependencies(sub); err != nil {
			return err
		}
	}
	return nil
}

// checkChartFiles refuses a chart holding anything but regular files and
// directories (Helm's loader would block forever on a FIFO) or more than
// the file-size limit in all.
func (l *Loader) checkChartFiles(dir string) error {
	var total int64
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return errorf("%s: %v", l.display(path), limits.PathCause(err))
		}
		if d.IsDir() {
			return nil
		}
		st, err := limits.Regular(path)
		if err != nil {
			return errorf("%s: %v (in chart %s)", l.display(path), limits.PathCause(err), l.display(dir))
		}
		if total += st.Size(); total > l.opts.Limits.FileSize {
			return errorf("%s: chart files are %s", l.display(dir), limits.Exceeded("file-size", fmt.Sprintf("%d bytes", l.opts.Limits.FileSize)))
		}
		return nil
	})
}

// render renders a chart in-process (no cluster, no network) and decodes its
// manifests, each remembering its template file, or at when given.
func (l *Loader) render(dir string, ch *chart.Chart, rel *input.Release, vals map[string]any, at *input.Source) ([]input.Object, error) {
	limits.Doing(l.ctx, "rendering the chart "+l.display(dir))
	if err := chartutil.ProcessDependenciesWithMerge(ch, vals); err != nil {
		return nil, errorf("%s: %v", l.display(dir), err)
	}
	caps := capabilities()
	if kv := ch.Metadata.KubeVersion; kv != "" && !chartutil.IsCompatibleRange(kv, caps.KubeVersion.String()) {
		return nil, errorf("%s: chart requires kubeVersion %s, incompatible with Kubernetes %s", l.display(dir), kv, caps.KubeVersion.String())
	}
	opts := chartutil.ReleaseOptions{Name: rel.Name, Namespace: rel.Namespace, Revision: 1, IsInstall: true}
	renderVals, err := chartutil.ToRenderValues(ch, vals, opts, caps)
	if err != nil {
		return nil, errorf("%s: values: %v", l.display(dir), err)
	}
	rendered, err := engine.Render(ch, renderVals)
	if err != nil {
		return nil, errorf("%s: render: %v", l.display(dir), err)
	}
	names := slices.Sorted(maps.Keys(rendered))
	sources := templateSources(ch, ch.Name())
	var objs []input.Object
	for _, name := range names {
		base := filepath.Base(name)
		if strings.HasPrefix(base, "_") || strings.HasSuffix(name, "NOTES.txt") || strings.TrimSpace(rendered[name]) == "" {
			continue
		}
		// "app/templates/x.yaml" -> "<dir>/templates/x.yaml"
		rest := name[strings.Index(name, "/")+1:]
		file, entry := l.templateFile(dir, rest)
		docs, err := manifest.Decode(l.display(file), []byte(splitAsHelm(rendered[name])), manifest.FromTemplate, l.opts.Limits)
		if err != nil {
			return nil, err
		}
		lines := objectLines(sources[name], docs)
		for i := range docs {
			docs[i].Source.Line = lines[i]
			switch {
			case at != nil:
				docs[i].Source = *at
			case entry != nil: // a template inside an archive
				docs[i].Source = *entry
			}
			if isHelmTest(docs[i].Object) {
				continue
			}
			setDefaultNamespace(docs[i].Object, rel.Namespace)
			r := *rel
			docs[i].Release = &r
			objs = append(objs, docs[i])
		}
	}
	return objs, nil
}

// splitAsHelm separates a template's output into documents as Helm does
// before it installs them (releaseutil.SplitManifests): a "---" followed
// by a document on the same line ("---apiVersion: v1", which a
// {{- ... -}} after the separator renders) starts a document there.
func splitAsHelm(out string) string {
	docs := releaseutil.SplitManifests(out)
	keys := slices.Collect(maps.Keys(docs))
	sort.Sort(releaseutil.BySplitManifestsOrder(keys))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, docs[k])
	}
	return strings.Join(parts, "\n---\n")
}

// KubeVersion is the Kubernetes version charts render for (.Capabilities.KubeVersion):
// what the platform's clusters run, not the client library's default.
const KubeVersion = "v1.33.0"

func capabilities() *chartutil.Capabilities {
	caps := chartutil.DefaultCapabilities.Copy()
	kv, err := chartutil.ParseKubeVersion(KubeVersion)
	if err == nil {
		caps.KubeVersion = *kv
	}
	return caps
}

// templateSources are the chart's templates and its subcharts', by the name
// Helm's engine renders them under ("app/templates/x.yaml",
// "app/charts/sub/templates/y.yaml"): read from the chart as loaded,
// directory or archive alike.
func templateSources(ch *chart.Chart, prefix string) map[string][]byte {
	out := map[string][]byte{}
	for _, t := range ch.Templates {
		out[prefix+"/"+t.Name] = t.Data
	}
	for _, sub := range ch.Dependencies() {
		maps.Copy(out, templateSources(sub, prefix+"/charts/"+sub.Name()))
	}
	return out
}

var (
	kindLine    = regexp.MustCompile(`(?m)^kind:[ \t]*(.*?)[ \t]*$`)
	literalKind = regexp.MustCompile(`^["']?([A-Za-z0-9]+)["']?$`)
)

// objectLines are the lines of a template's source where its rendered
// objects are written: each object's `kind:` line. Objects of a kind the
// template writes as often as it renders them are paired in order; objects
// of a kind written once (a range renders several) share that line; a kind
// the template does not write out (kind: {{ ... }}) is at its first `kind:`
// line, or line 1 without one.
func objectLines(src []byte, docs []input.Object) []int {
	byKind := map[string][]int{}
	first := 1
	for n, m := range kindLine.FindAllSubmatchIndex(src, -1) {
		line := 1 + bytes.Count(src[:m[0]], []byte("\n"))
		if n == 0 {
			first = line
		}
		if k := literalKind.FindSubmatch(src[m[2]:m[3]]); k != nil {
			byKind[string(k[1])] = append(byKind[string(k[1])], line)
		}
	}
	rendered := map[string]int{}
	for _, d := range docs {
		rendered[d.Kind()]++
	}
	seen := map[string]int{}
	lines := make([]int, len(docs))
	for i, d := range docs {
		written := byKind[d.Kind()]
		switch {
		case len(written) == rendered[d.Kind()]:
			lines[i] = written[seen[d.Kind()]]
		case len(written) > 0:
			lines[i] = written[min(seen[d.Kind()], len(written)-1)]
		default:
			lines[i] = first
		}
		seen[d.Kind()]++
	}
	return lines
}

func isHelmTest(obj map[string]any) bool {
	ann, _ := meta(obj)["annotations"].(map[string]any)
	hook, _ := ann["helm.sh/hook"].(string)
	return strings.Contains(hook, "test")
}

func setDefaultNamespace(obj map[string]any, ns string) {
	kind, _ := obj["kind"].(string)
	if input.ClusterScoped(kind) {
		return
	}
	m := meta(obj)
	if m == nil {
		m = map[string]any{}
		obj["metadata"] = m
	}
	if s, _ := m["namespace"].(string); s == "" {
		m["namespace"] = ns
	}
}

func meta(obj map[string]any) map[string]any {
	m, _ := obj["metadata"].(map[string]any)
	return m
}

// renderReleases renders the local chart of every helm_release with the
// values, set, set_list and set_sensitive that release passes, in its
// namespace, so checking a stack covers the manifests each region gets.
// baseDir is the stack's root, against which relative chart paths resolve.
func (l *Loader) renderReleases(resources []input.Resource, baseDir string) ([]input.Object, error) {
	var objs []input.Object
	for _, r := range resources {
		if r.Type != "helm_release" || r.Mode != "managed" || r.Action == "delete" {
			continue
		}
		chartRef, _ := r.Values["chart"].(string)
		if isUnknown(r.Unknown, "chart") || chartRef == "" {
			return nil, errorf("%s: %s: the chart is not known before apply, so its manifests cannot be checked", where(r.Source), r.Address)
		}
		var dir string
		var archive bool
		if repo, _ := r.Values["repository"].(string); repo != "" || strings.Contains(chartRef, "://") {
			version, _ := r.Values["version"].(string)
			found, searched := l.repositoryChart(chartRef, version)
			if found == "" {
				l.mu.Lock()
				l.notes = append(l.notes, fmt.Sprintf("%s: %s: chart %q comes from a repository and %s; its manifests are not checked", where(r.Source), r.Address, chartRef, searched))
				l.mu.Unlock()
				continue
			}
			dir, archive = found, true
		} else {
			dir = chartRef
			if !filepath.IsAbs(dir) {
				dir = filepath.Join(baseDir, filepath.FromSlash(chartRef))
			}
			if _, err := os.Stat(dir); err != nil {
				return nil, errorf("%s: %s: chart %s not found (relative to %s); pass the stack's sources with --source", where(r.Source), r.Address, chartRef, l.display(baseDir))
			}
		}
		vals, err := releaseValues(r)
		if err != nil {
			return nil, errorf("%s: %s: %v", where(r.Source), r.Address, err)
		}
		ch, err := l.loadChartDir(dir)
		if err != nil {
			return nil, err
		}
		name, _ := r.Values["name"].(string)
		ns, _ := r.Values["namespace"].(string)
		if ns == "" {
			ns = "default"
		}
		region := ""
		if i := strings.Index(r.Provider, "."); i >= 0 {
			region = r.Provider[i+1:]
		}
		abs, _ := filepath.Abs(dir)
		l.mu.Lock()
		l.released[abs] = true
		l.mu.Unlock()
		rel := &input.Release{Name: name, Namespace: ns, Chart: l.display(dir), Region: region, Resource: r.Address, Stack: r.Stack}
		var at *input.Source
		if archive {
			// The archive is nobody's source: what the user can change is
			// the release, so findings point at it.
			at = &r.Source
		}
		rendered, err := l.render(dir, ch, rel, vals, at)
		if err != nil {
			return nil, err
		}
		objs = append(objs, rendered...)
	}
	return objs, nil
}

// releaseValues merges a helm_release's values documents in order, then its
// set, set_list and set_sensitive entries, as the helm provider does.
func releaseValues(r input.Resource) (map[string]any, error) {
	for _, attr := range []string{"values", "set", "set_list", "set_sensitive"} {
		if isUnknown(r.Unknown, attr) {
			return nil, fmt.Errorf("%s is not known before apply, so the chart cannot be rendered as it will be deployed", attr)
		}
	}
	vals := map[string]any{}
	docs, _ := r.Values["values"].([]any)
	for i, d := range docs {
		s, _ := d.(string)
		var m map[string]any
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			return nil, fmt.Errorf("values[%d]: %v", i, err)
		}
		vals = mergeValues(vals, m)
	}
	for _, attr := range []string{"set", "set_list", "set_sensitive"} {
		entries, _ := r.Values[attr].([]any)
		for _, e := range entries {
			m, _ := e.(map[string]any)
			name, _ := m["name"].(string)
			var err error
			switch v := m["value"].(type) {
			case []any: // set_list
				items := make([]string, len(v))
				for i, it := range v {
					items[i] = strvalsEscape(fmt.Sprint(it))
				}
				err = strvals.ParseInto(name+"={"+strings.Join(items, ",")+"}", vals)
			default:
				value := fmt.Sprint(v)
				if t, _ := m["type"].(string); t == "string" {
					err = strvals.ParseIntoString(name+"="+value, vals)
				} else {
					err = strvals.ParseInto(name+"="+strvalsEscape(value), vals)
				}
			}
			if err != nil {
				return nil, fmt.Errorf("%s %q: %v", attr, name, err)
			}
		}
	}
	return vals, nil
}

// strvalsEscape escapes the characters strvals treats as syntax in a value.
func strvalsEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `,`, `\,`).Replace(s)
}

// mergeValues deep-merges src into dst: maps merge, anything else replaces,
// as Helm merges successive values files.
func mergeValues(dst, src map[string]any) map[string]any {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				dst[k] = mergeValues(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
	return dst
}

// isUnknown says whether an unknown mirror marks attr (or part of it) unknown.
func isUnknown(unknown map[string]any, attr string) bool {
	return containsTrue(unknown[attr])
}

func containsTrue(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case []any:
		for _, e := range t {
			if containsTrue(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range t {
			if containsTrue(e) {
				return true
			}
		}
	}
	return false
}

// where is "file:line" (or "file") for messages about an input item.
func where(src input.Source) string {
	if src.Line > 0 {
		return fmt.Sprintf("%s:%d", src.File, src.Line)
	}
	return src.File
}

// chartReader reads a chart directory as a whole. A chart the user named is
// rendered now; one a walk meets is rendered once the walk knows whether a
// helm_release renders it (then with that release's values).
var chartReader = reader{
	enter: func(l *Loader, dir string, explicit bool) (*input.Input, []string, bool, error) {
		if !isChart(dir) {
			return nil, nil, false, nil
		}
		if explicit {
			in, err := l.loadChart(dir)
			return in, nil, true, err
		}
		abs, _ := filepath.Abs(dir)
		l.mu.Lock()
		l.walked = append(l.walked, abs)
		l.mu.Unlock()
		return nil, nil, true, nil
	},
}
