package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/evidence"
	"github.com/acme/guard/internal/exception"
	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/kyverno"
	"github.com/acme/guard/internal/parameters"
	"github.com/acme/guard/internal/policydir"
	"github.com/acme/guard/internal/rego"
	"github.com/acme/guard/internal/report"
	"github.com/acme/guard/policies"
)

// Engine is a policy engine: Rego through OPA, Kyverno's policies through
// Kyverno's engine. Each evaluates its own policies on the whole input and
// knows nothing of the others; exceptions, selection, redaction and the
// baseline are later stages, the same for every engine.
type Engine interface {
	// Policies are the engine's loaded policies, sorted by ID.
	Policies() []finding.Policy
	// Evaluate returns the findings of every policy on the input. An engine
	// that matches exceptions itself (as Kyverno admission does) names them
	// in Finding.ExceptedBy; it never waives a finding.
	Evaluate(ctx context.Context, in *input.Input) ([]finding.Finding, error)
	// Notes are what the user should know about the input that is no
	// finding (stderr).
	Notes(in *input.Input) []string
}

// EngineOptions are what the engines are loaded with.
type EngineOptions struct {
	// Rego: --data, and a trace of each query's time.
	Rego rego.Options
	// Now decides which exceptions have expired; zero is the current time.
	Now time.Time
	// Parameters are the user's parameter values and profiles.
	Parameters parameters.Input
	// params are the parameters in effect (LoadPolicies reads them).
	params *parameters.Set
}

// engines load every engine from the policy directories, in the order
// their errors are reported. Adding an engine is its package and one line
// here.
var engines = []func(ctx context.Context, dirs []policydir.Dir, opts EngineOptions) (Engine, error){
	func(ctx context.Context, dirs []policydir.Dir, opts EngineOptions) (Engine, error) {
		return rego.Load(ctx, dirs, opts.params, opts.Rego)
	},
	func(_ context.Context, dirs []policydir.Dir, opts EngineOptions) (Engine, error) {
		return kyverno.Load(dirs, opts.params, opts.Now)
	},
}

// An exceptionSource is an engine that reads PolicyExceptions among its
// policies (Kyverno's): they go to the exception stage.
type exceptionSource interface {
	Exceptions() []exception.Exception
}

// A valueReleaser is an engine that releases the input's values as it
// consumes them (Rego hands them to OPA); it keeps those of the findings
// whose policy keep names.
type valueReleaser interface {
	KeepValues(keep func(policyID string) bool)
}

// Policies are the engines' compiled policies and the exceptions to them.
type Policies struct {
	engines    []Engine
	exceptions *exception.Stage
	params     *parameters.Set
	dirs       []policydir.Dir
}

// Parameters are the parameters in effect.
func (p *Policies) Parameters() *parameters.Set { return p.params }

// LoadPolicies compiles the policies in the named directories ("builtin",
// the default, is the library built into guard) with every engine; a
// missing directory or directories with no policy at all are an error,
// never an empty pass.
func LoadPolicies(ctx context.Context, names []string, opts EngineOptions) (*Policies, error) {
	if len(names) == 0 {
		names = []string{policydir.Builtin}
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	dirs, err := policydir.Resolve(names)
	if err != nil {
		return nil, err
	}
	if opts.params, err = parameters.Load(dirs, opts.Parameters); err != nil {
		return nil, err
	}
	// The engines compile independently, each on a CPU of its own.
	p := &Policies{engines: make([]Engine, len(engines)), dirs: dirs}
	errs := diag.Each(len(engines), len(engines), func(int) string { return "policy compiler" }, func(i int) (err error) {
		p.engines[i], err = engines[i](ctx, dirs, opts)
		return err
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	var exceptions []exception.Exception
	for _, e := range p.engines {
		if src, ok := e.(exceptionSource); ok {
			exceptions = append(exceptions, src.Exceptions()...)
		}
	}
	if p.exceptions, err = exception.New(exceptions, opts.Now); err != nil {
		return nil, err
	}
	for _, e := range p.engines {
		if r, ok := e.(valueReleaser); ok {
			r.KeepValues(p.exceptions.NeedsValues)
		}
	}
	// A reference to a Rego policy that is not loaded is a typo, unless no
	// Rego policy is loaded at all (a check of the Kyverno policies alone,
	// as the admission parity suite runs): then nothing can be told apart.
	ids := map[string]bool{}
	for _, pol := range p.List() {
		if pol.Engine == rego.EngineName {
			ids[pol.ID] = true
		}
	}
	for id, x := range p.exceptions.Refs() {
		if len(ids) > 0 && !ids[id] {
			return nil, fmt.Errorf("%s:%d: PolicyException %s refers to Rego policy %s, which is not loaded", x.File, x.Line, x.Name, id)
		}
	}
	// A profile that no loaded policy belongs to is a typo: it must not
	// leave a repository believing its architecture is checked.
	// (Without a policy chart in use, .guard.yaml's profiles are the
	// library's, which is not loaded.)
	if opts.params.HasCharts() {
		for _, profile := range opts.params.Profiles() {
			if !slices.ContainsFunc(p.List(), func(pol finding.Policy) bool { return pol.Profile == profile }) {
				return nil, fmt.Errorf("profile %s: no loaded policy belongs to it (see guard policies)", profile)
			}
		}
	}
	p.params = opts.params
	if len(p.List()) == 0 {
		return nil, fmt.Errorf("no policies (Rego packages with deny or warn rules, Kyverno ValidatingPolicies) found in %s", strings.Join(names, ", "))
	}
	return p, nil
}

// exceptionsByKey are the exceptions loaded as reports name them.
func (p *Policies) exceptionsByKey() map[string]report.Exception {
	out := map[string]report.Exception{}
	for _, x := range p.exceptions.List() {
		e := report.Exception{Owner: x.Owner, Reason: x.Reason, File: x.File, Line: x.Line}
		if !x.ExpiresAt.IsZero() {
			e.Expires = x.ExpiresAt.UTC().Format(time.DateOnly)
		}
		out[x.Key()] = e
	}
	return out
}

// evidence adds the policy directories' files (the built-in library as
// one tree) and the settings (files, or directories of --data documents)
// to the files the inputs' loading recorded, and digests them all.
func (p *Policies) evidence(files *evidence.Files, settings []string) ([]evidence.File, error) {
	cwd, _ := os.Getwd()
	record := func(name string) error { files.Read(filepath.FromSlash(name), diag.Shown(cwd, name)); return nil }
	for _, d := range p.dirs {
		if d.IsBuiltin() {
			if err := files.Tree(d.Name, policies.Library); err != nil {
				return nil, err
			}
			continue
		}
		if err := d.Walk(record, ""); err != nil { // every file: "" ends every name
			return nil, err
		}
	}
	for _, s := range settings {
		if s == "" {
			continue
		}
		if st, err := os.Stat(s); err == nil && st.IsDir() {
			if err := policydir.OnDisk(s)[0].Walk(record, ".json", ".yaml", ".yml"); err != nil {
				return nil, err
			}
			continue
		}
		record(s)
	}
	return files.Digests()
}

// List is every loaded policy, sorted by ID.
func (p *Policies) List() []finding.Policy {
	var all []finding.Policy
	for _, e := range p.engines {
		all = append(all, e.Policies()...)
	}
	all = append(all, p.exceptions.Policies()...)
	finding.SortPolicies(all)
	return all
}

// Evaluate runs every engine on the input, each on a goroutine of its own
// (Rego spreads its queries over every CPU; Kyverno admits the objects
// beside it), then applies the exceptions to all their findings.
func (p *Policies) Evaluate(ctx context.Context, in *input.Input) (findings []finding.Finding, notes []string, err error) {
	results := make([][]finding.Finding, len(p.engines))
	errs := diag.Each(len(p.engines), len(p.engines), func(i int) string {
		return engineName(p.engines[i]) + " engine"
	}, func(i int) (err error) {
		results[i], err = p.engines[i].Evaluate(ctx, in)
		return err
	})
	for i, e := range p.engines {
		if errs[i] != nil {
			return nil, nil, errs[i]
		}
		findings = append(findings, results[i]...)
		notes = append(notes, e.Notes(in)...)
	}
	findings, err = p.exceptions.Apply(in, findings)
	if err != nil {
		return nil, nil, err
	}
	return findings, notes, nil
}

// engineName names an engine in an internal error: as its policies do.
func engineName(e Engine) string {
	if ps := e.Policies(); len(ps) > 0 {
		return ps[0].Engine
	}
	return fmt.Sprintf("%T", e)
}
