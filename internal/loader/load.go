// Package loader reads every kind of input guard checks (Terraform plan JSON,
// Terraform HCL directories, Helm charts, Kubernetes YAML) into one input.Input.
//
// Kinds are detected from content and structure, not from names alone: a
// directory with *.tf files is a Terraform stack, one with Chart.yaml is a
// chart, a JSON file with format_version and planned changes is a plan, a YAML
// or JSON document with apiVersion and kind is a manifest.
package loader

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/evidence"
	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/providerschema"
	"github.com/acme/guard/internal/terraform"
)

// Options are the user's choices that change what the inputs evaluate to.
type Options struct {
	// VarFiles and Vars set root variables of HCL stacks, after terraform.tfvars
	// and *.auto.tfvars, in this order.
	VarFiles []string
	Vars     []string // "name=value"
	// Values are extra values files for charts checked directly (not through a helm_release).
	Values []string
	// Sets are --set values for charts checked directly (Helm's syntax), after Values.
	Sets []string
	// Namespace is the release namespace of charts checked directly
	// (helm template --namespace); default: the chart's name.
	Namespace string
	// Sources are the HCL roots of plans, for source locations and local
	// chart paths: each plan is matched to the one that declares its
	// resources. When empty, a plan's own directory is used if it holds *.tf files.
	Sources []string
	// Limits bound what is read (zero: limits.Default).
	Limits limits.Limits
	// Skip are directories a directory walk does not enter (policy directories).
	Skip []string
	// Charts are directories holding chart archives (NAME-VERSION.tgz) for
	// helm_releases whose chart comes from a repository; HelmCache is
	// searched after them. Never the network.
	Charts []string
	// Exclude are globs (doublestar syntax) of files and directories a
	// directory walk leaves out: a pattern with a slash is matched against
	// the path relative to the working directory, one without against the
	// name at any depth. Paths named explicitly are always read.
	Exclude []string
	// ProviderSchemas are files of `terraform providers schema -json`: they
	// win over the built-in schemas for their providers.
	ProviderSchemas []string
	// WorkDir is the directory paths are shown relative to; default: the current one.
	WorkDir string
	// HelmCache is Helm's repository cache, searched for chart archives
	// after Charts (the command passes $HELM_CACHE_HOME/repository).
	HelmCache string
	// Reading, when set, is told the size of each plan and manifest file
	// before it is decoded (the command sizes Go's memory limit by the
	// input). It is called from concurrent loads.
	Reading func(bytes int64)
	// Evidence, when set, records every file read into the input, for a
	// report that names each with its digest.
	Evidence *evidence.Files
}

// Error is a failure to read an input: guard must stop (exit 2), never report clean.
type Error = diag.Error

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// inputError makes any error from reading an input an *Error (exit 2).
func inputError(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Msg: err.Error()}
}

// reading tells Options.Reading the size of a file about to be decoded.
func (l *Loader) reading(bytes int64) {
	if l.opts.Reading != nil {
		l.opts.Reading(bytes)
	}
}

// note records something the user should know that is no error.
func (l *Loader) note(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.notes = append(l.notes, fmt.Sprintf(format, args...))
}

// Loader reads inputs with one set of options.
type Loader struct {
	// ctx is the run's, while Load runs: its deadline stops the reading
	// between inputs, and its Progress hears what is being read.
	ctx     context.Context
	opts    Options
	cwd     string
	configs *terraform.Configs
	skip    map[string]bool
	notes   []string
	// released are the chart directories a helm_release rendered; walked are
	// the charts a directory walk found, rendered on their own only if no
	// release renders them (a chart whose values come from its releases need
	// not render with its defaults alone).
	released map[string]bool
	// placed are the chart dependencies added from elsewhere than a
	// chart's charts/ directory (see place).
	placed map[string]placement
	walked []string
	// libraries counts the library charts met: read, with nothing to render.
	libraries int
	// errs are the inputs that could not be read: each is reported, and
	// the rest of the inputs are still checked (see Incomplete).
	errs []error
	// modules are the Terraform module directories met, by their path with
	// links resolved: which of them are roots is known only once the whole
	// tree has been walked (see roots).
	modules map[string]moduleDir
	// mu guards notes, errs, released, walked and modules: paths load concurrently.
	mu sync.Mutex
}

// moduleDir is a directory of Terraform files met while loading.
type moduleDir struct {
	path string
	// explicit: the user named it (or one of its .tf files): a root, even
	// if another module of the tree calls it.
	explicit bool
	// planned: a plan beside its sources stands for it: the sources only
	// give locations, and are never evaluated.
	planned bool
}

// New returns a Loader.
func New(opts Options) (*Loader, error) {
	cwd := opts.WorkDir
	if cwd == "" {
		var err error
		if cwd, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	cwd, _ = filepath.Abs(cwd)
	if opts.Limits == (limits.Limits{}) {
		opts.Limits = limits.Default
	}
	l := &Loader{opts: opts, cwd: cwd, skip: map[string]bool{}, released: map[string]bool{}, modules: map[string]moduleDir{}}
	l.configs = terraform.NewConfigs(l.display, opts.Limits)
	l.configs.Read = l.read
	if len(opts.ProviderSchemas) > 0 {
		schemas, err := providerschema.New(opts.ProviderSchemas)
		if err != nil {
			return nil, &Error{Msg: err.Error()}
		}
		l.configs.UseSchemas(schemas)
	}
	for _, s := range opts.Skip {
		if abs, err := filepath.Abs(s); err == nil {
			l.skip[abs] = true
		}
	}
	return l, nil
}

// ReadNothing says whether the inputs held nothing guard reads: no
// resource, no object, and no library chart (which renders nothing, and is
// no mistyped path).
func (l *Loader) ReadNothing(in *input.Input) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(in.Terraform.Resources) == 0 && len(in.Kubernetes.Objects) == 0 && l.libraries == 0
}

// Notes are things the user should know that are not errors (a remote chart
// that was not rendered). Sorted, so deterministic whatever order the paths
// finished loading in.
func (l *Loader) Notes() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	notes := append([]string(nil), l.notes...)
	sort.Strings(notes) // paths load concurrently: no order to keep
	return notes
}

// read records that the file at path went into the input.
func (l *Loader) read(path string) { l.opts.Evidence.Read(path, l.display(path)) }

// display is how a path is shown: relative to the working directory when
// inside it, with forward slashes, so output does not depend on the machine.
func (l *Loader) display(path string) string { return diag.Shown(l.cwd, path) }

// Incomplete is the error of a Load that could not read some of its inputs:
// each input that fails is one error, and the rest were read.
type Incomplete struct{ Errs []error }

func (e *Incomplete) Error() string {
	msg := e.Errs[0].Error()
	if n := len(e.Errs) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more inputs that could not be read)", n)
	}
	return msg
}

// Messages are the errors' messages, one per input that could not be read.
func (e *Incomplete) Messages() []string {
	var out []string
	for _, err := range e.Errs {
		out = append(out, err.Error())
	}
	return out
}

// fail records an input that could not be read; the others still are.
func (l *Loader) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

// Load reads every path and returns the merged, finalized input. Every file
// of a walked tree is read by the reader of its kind; the Terraform roots
// among the module directories met are evaluated once the walk is over. An
// input that cannot be read (a root, a chart, a file) does not stop the
// others: Load returns what it read and an *Incomplete naming each failure.
func (l *Loader) Load(ctx context.Context, paths []string) (*input.Input, error) {
	l.ctx = ctx
	// Paths load concurrently (a large plan and many manifests take about
	// as long each); they merge in the order given, and Finalize sorts.
	in := &input.Input{}
	l.each(paths, func(p string) (*input.Input, error) { return l.loadPath(p, true) }, in)
	l.each(l.roots(), l.loadStack, in)
	sort.Strings(l.walked)
	for _, dir := range l.walked {
		if l.released[dir] || ctx.Err() != nil {
			continue
		}
		part, err := l.loadChart(dir)
		if err != nil {
			l.fail(err)
			continue
		}
		in.Merge(part)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	in.Kubernetes.Objects = append(in.Kubernetes.Objects, derivedObjects(in.Kubernetes.Objects)...)
	in.Finalize()
	if len(l.errs) > 0 {
		// Sorted and each once: inputs load concurrently, and a module two
		// roots call fails for both.
		seen := map[string]bool{}
		var errs []error
		for _, err := range l.errs {
			if !seen[err.Error()] {
				seen[err.Error()] = true
				errs = append(errs, err)
			}
		}
		sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
		return in, &Incomplete{Errs: errs}
	}
	return in, nil
}

// each loads every path with load, at most one per CPU at a time, and
// merges the parts into in in the order of paths. A panic in a load becomes
// an error naming the path (a bug all the same): in a goroutine of its own
// it would end the process with a goroutine dump.
func (l *Loader) each(paths []string, load func(string) (*input.Input, error), in *input.Input) {
	parts := make([]*input.Input, len(paths))
	errs := diag.Each(len(paths), runtime.GOMAXPROCS(0), func(i int) string {
		return fmt.Sprintf("%s: while reading it", l.display(paths[i]))
	}, func(i int) (err error) {
		if err := l.ctx.Err(); err != nil {
			return nil // Load reports the deadline
		}
		parts[i], err = load(paths[i])
		return err
	})
	for i := range paths {
		if errs[i] != nil {
			l.fail(errs[i])
		}
		if parts[i] != nil {
			in.Merge(parts[i]) // a root whose module is missing still has its own resources
		}
	}
}

// addModule records a directory of Terraform files met while loading.
func (l *Loader) addModule(dir string, explicit, planned bool) {
	abs, _ := filepath.Abs(dir)
	key := abs
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		key = real
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	m, seen := l.modules[key]
	if !seen {
		m.path = abs
	}
	m.explicit = m.explicit || explicit
	m.planned = m.planned || planned
	l.modules[key] = m
}

// roots are the module directories evaluated as root modules, sorted: those
// the user named, and those of a walk that no other module met calls by a
// local path (a module called from the tree is evaluated through its caller,
// with the caller's arguments, as Terraform does; checking it again on its
// own would repeat its findings with its variables unset). A directory a
// plan stands for is no root: the plan is read instead.
func (l *Loader) roots() []string {
	called := map[string]bool{}
	for key := range l.modules {
		for _, dir := range l.configs.LocalCalls(l.modules[key].path) {
			called[dir] = true
		}
	}
	var roots []string
	for key, m := range l.modules {
		if !m.planned && (m.explicit || !called[key]) {
			roots = append(roots, m.path)
		}
	}
	sort.Strings(roots)
	return roots
}

// loadPath reads one path. explicit is true for paths the user named: an
// explicit file that is no known kind is an error, while a walk skips it.
func (l *Loader) loadPath(path string, explicit bool) (*input.Input, error) {
	st, err := os.Stat(path)
	if err != nil {
		if !explicit {
			l.note("%s: skipped: %v", l.display(path), limits.PathCause(err))
			return &input.Input{}, nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errorf("%s: no such file or directory", l.display(path))
		}
		return nil, errorf("%s: %v", l.display(path), limits.PathCause(err))
	}
	if !st.IsDir() {
		if !st.Mode().IsRegular() {
			if explicit {
				return nil, errorf("%s: %v (guard reads regular files and directories only)", l.display(path), limits.ErrNotRegular)
			}
			l.note("%s: skipped: %v", l.display(path), limits.ErrNotRegular)
			return &input.Input{}, nil
		}
		return l.loadFile(path, explicit)
	}
	return l.loadDir(path, explicit)
}

// loadDir walks a directory: every file and subdirectory is read by the
// reader of its kind, whatever lies beside it (see readers). A chart is
// rendered whole; a directory of Terraform files is recorded as a module
// (see roots), and a plan JSON beside them stands for them.
func (l *Loader) loadDir(dir string, explicit bool) (*input.Input, error) {
	in := &input.Input{}
	taken := map[string]bool{}
	for _, r := range readers {
		if r.enter == nil {
			continue
		}
		part, files, whole, err := r.enter(l, dir, explicit)
		if err != nil {
			return nil, err
		}
		if part != nil {
			in.Merge(part)
		}
		for _, f := range files {
			taken[f] = true
		}
		if whole {
			return in, nil
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, errorf("%s: %v", l.display(dir), limits.PathCause(err))
	}
	for _, e := range entries {
		name := e.Name()
		full := filepath.Join(dir, name)
		if taken[full] || l.excluded(full) {
			continue
		}
		if e.Type()&fs.ModeSymlink != 0 {
			// A walk does not follow links to directories (a link to an
			// ancestor would never end); linked files are read.
			if st, err := os.Stat(full); err == nil && st.IsDir() {
				l.note("%s: skipped: a symbolic link to a directory (name it to check it)", l.display(full))
				continue
			}
		}
		if e.IsDir() {
			if l.skipDir(full, name) {
				continue
			}
			part, err := l.loadDir(full, false)
			if err != nil {
				l.fail(err)
				continue
			}
			in.Merge(part)
			continue
		}
		part, err := l.loadPath(full, false)
		if err != nil {
			l.fail(err)
			continue
		}
		in.Merge(part)
	}
	return in, nil
}

// excluded says whether a path met in a directory walk matches --exclude.
func (l *Loader) excluded(path string) bool {
	shown := l.display(path)
	for _, g := range l.opts.Exclude {
		target := shown
		if !strings.Contains(g, "/") {
			target = filepath.Base(path)
		}
		if ok, _ := doublestar.Match(g, target); ok {
			return true
		}
	}
	return false
}

// skipDir says which directories a walk does not enter: hidden ones (.git,
// .terraform: a walk never reads what tools keep for themselves), the
// policy directories, and testdata, vendor and node_modules (test fixtures
// and other people's code), which a note names.
func (l *Loader) skipDir(full, name string) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	if name == "testdata" || name == "vendor" || name == "node_modules" {
		l.note("%s: skipped: a walk does not enter %s directories (name it to check it)", l.display(full), name)
		return true
	}
	abs, _ := filepath.Abs(full)
	return l.skip[abs]
}

// planFile is a plan JSON found in a directory, decoded.
type planFile struct {
	path string
	plan *terraform.Plan
}

// plansIn lists the plan JSON files directly inside dir, read once.
func (l *Loader) plansIn(dir string) ([]planFile, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(files)
	var plans []planFile
	for _, f := range files {
		if strings.HasSuffix(f, ".tf.json") || strings.HasSuffix(f, ".tfvars.json") || l.excluded(f) {
			continue
		}
		plan, err := l.readPlan(f)
		if err != nil {
			return nil, err
		}
		if plan != nil {
			plans = append(plans, planFile{path: f, plan: plan})
		}
	}
	return plans, nil
}

// readPlan streams path as a plan; nil without error when it is no plan
// (or not even valid JSON: the caller's manifest reading reports that).
func (l *Loader) readPlan(path string) (*terraform.Plan, error) {
	if st, err := os.Stat(path); err == nil {
		l.reading(st.Size())
	}
	plan, err := terraform.ReadPlan(path, l.opts.Limits)
	var se *terraform.SyntaxError
	switch {
	case err == nil:
		l.read(path)
		return plan, nil
	case errors.Is(err, terraform.NotPlan), errors.As(err, &se):
		return nil, nil
	case errors.Is(err, limits.ErrNotRegular):
		return nil, errorf("%s: %v", l.display(path), err)
	}
	return nil, errorf("%s: not a valid Terraform plan: %v", l.display(path), err)
}

// loadFile reads one file with the first reader that claims it; a file
// no reader claims is skipped by a walk, and an error when named.
func (l *Loader) loadFile(path string, explicit bool) (*input.Input, error) {
	name := filepath.Base(path)
	for _, r := range readers {
		if r.claims != nil && r.claims(name) {
			return r.read(l, path, explicit)
		}
	}
	if explicit {
		return nil, errorf("%s: not %s", l.display(path), anyKind)
	}
	return &input.Input{}, nil
}

// readDocument reads a JSON or YAML file: a plan, streamed (hundreds of MB
// at scale), else Kubernetes manifests.
func (l *Loader) readDocument(path string, explicit bool) (*input.Input, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".json" {
		plan, err := l.readPlan(path)
		if err != nil {
			return nil, err
		}
		if plan != nil {
			return l.loadPlan(path, plan)
		}
	}
	data, err := limits.ReadFile(path, l.opts.Limits, l.display)
	if err != nil {
		return nil, inputError(err)
	}
	if ext != ".json" { // a JSON file was sized as a plan
		l.reading(int64(len(data)))
	}
	if ext == ".json" {
		if err := checkJSON(data); err != nil {
			if explicit || looksLikeJSONInput(data) {
				return nil, errorf("%s:%d: malformed JSON: %s", l.display(path), err.line, err.msg)
			}
			l.note("%s: skipped: not valid JSON (%s at line %d), and it names no plan or manifest key", l.display(path), err.msg, err.line)
			return &input.Input{}, nil
		}
	}
	objs, err := l.parseManifests(path, data, explicit)
	if err != nil {
		return nil, err
	}
	if len(objs) == 0 {
		if explicit {
			return nil, errorf("%s: no Kubernetes object (apiVersion and kind) and not a Terraform plan", l.display(path))
		}
		l.note("%s: skipped: no Kubernetes object (apiVersion and kind) and not a Terraform plan", l.display(path))
	} else {
		l.read(path)
	}
	return &input.Input{Kubernetes: input.Kubernetes{Objects: objs}}, nil
}

// autoLoaded says whether Terraform reads a variables file of this name from
// the root module's directory by itself.
func autoLoaded(name string) bool {
	return name == "terraform.tfvars" || name == "terraform.tfvars.json" ||
		strings.HasSuffix(name, ".auto.tfvars") || strings.HasSuffix(name, ".auto.tfvars.json")
}

// looksLikeJSONInput says whether a broken JSON file found by a walk was meant
// as an input: it mentions a plan's or a manifest's keys.
func looksLikeJSONInput(data []byte) bool {
	return bytes.Contains(data, []byte(`"format_version"`)) || bytes.Contains(data, []byte(`"apiVersion"`))
}

// jsonError is a JSON syntax error with its line.
type jsonError struct {
	line int
	msg  string
}

func checkJSON(data []byte) *jsonError {
	if json.Valid(data) {
		return nil
	}
	var v any
	err := json.Unmarshal(data, &v) // only to learn where it breaks
	var se *json.SyntaxError
	offset := int64(len(data))
	if errors.As(err, &se) {
		offset = se.Offset
	}
	return &jsonError{line: 1 + bytes.Count(data[:offset], []byte("\n")), msg: err.Error()}
}
