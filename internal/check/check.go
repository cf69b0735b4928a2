// Package check runs one `guard check`: load the inputs, evaluate every
// policy engine, and gather the findings into a report.
package check

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/exception"
	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/kyverno"
	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/loader"
	"github.com/acme/guard/internal/policydir"
	"github.com/acme/guard/internal/redact"
	"github.com/acme/guard/internal/rego"
	"github.com/acme/guard/internal/report"
)

// Options are everything a check depends on.
type Options struct {
	Paths []string
	// PolicyDirs are policy directories, "builtin" the library built into
	// guard (the default).
	PolicyDirs []string
	// Rego are the Rego engine's options: --data, and a trace of each
	// query's time.
	Rego rego.Options
	// Only and Skip select policies by id: only those, and not these.
	Only, Skip []string
	// Baseline is an earlier JSON report whose findings do not fail the run.
	Baseline  string
	Threshold finding.Severity
	Loader    loader.Options
	Version   string
	// Now is when the check runs (exception expiry); zero means the current time.
	Now time.Time
}

// Result is a finished check: its report, and notes for the user (stderr).
type Result struct {
	Report *report.Report
	Notes  []string
}

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

// Policies are the engines' compiled policies and the exceptions to them.
type Policies struct {
	engines    []Engine
	exceptions *exception.Stage
}

// LoadPolicies compiles the Rego and Kyverno policies in the named
// directories ("builtin", the default, is the library built into guard); a missing
// directory or directories with no policy at all are an error, never an
// empty pass. now decides which exceptions have expired.
func LoadPolicies(ctx context.Context, names []string, opts rego.Options, now time.Time) (*Policies, error) {
	if len(names) == 0 {
		names = []string{policydir.Builtin}
	}
	dirs, err := policydir.Resolve(names)
	if err != nil {
		return nil, err
	}
	// The two engines compile independently: OPA's compiler on one CPU,
	// Kyverno's on the other. The Rego error is reported first, as before.
	var r *rego.Engine
	rerr := diag.InBackground("Rego compiler", func() (err error) {
		r, err = rego.Load(ctx, dirs, opts)
		return err
	})
	k, err := kyverno.Load(dirs, now)
	if err := <-rerr; err != nil {
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	stage, err := exception.New(k.Exceptions(), now)
	if err != nil {
		return nil, err
	}
	// Rego hands the input's Terraform values over to OPA; the exceptions
	// that name Rego policies match the values of their findings' resources.
	r.KeepValues(stage.NeedsValues)
	p := &Policies{engines: []Engine{r, k}, exceptions: stage}
	ids := map[string]bool{}
	for _, rp := range r.Policies() {
		ids[rp.ID] = true
	}
	// A reference to a Rego policy that is not loaded is a typo, unless no
	// Rego policy is loaded at all (a check of the Kyverno policies alone,
	// as the admission parity suite runs): then nothing can be told apart.
	for id, x := range stage.Refs() {
		if len(ids) > 0 && !ids[id] {
			return nil, fmt.Errorf("%s:%d: PolicyException %s refers to Rego policy %s, which is not loaded", x.File, x.Line, x.Name, id)
		}
	}
	if len(p.List()) == 0 {
		return nil, fmt.Errorf("no policies (Rego packages with deny or warn rules, Kyverno ValidatingPolicies) found in %s", strings.Join(names, ", "))
	}
	return p, nil
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

// Evaluate runs every engine on the input, each on its own goroutine (Rego
// spreads its queries over every CPU; Kyverno admits the objects beside
// it), then applies the exceptions to their findings together.
func (p *Policies) Evaluate(ctx context.Context, in *input.Input) (findings []finding.Finding, notes []string, err error) {
	results := make([][]finding.Finding, len(p.engines))
	done := make([]<-chan error, len(p.engines))
	for i, e := range p.engines[1:] {
		done[i+1] = diag.InBackground(engineName(e)+" engine", func() (err error) {
			results[i+1], err = e.Evaluate(ctx, in)
			return err
		})
	}
	results[0], err = p.engines[0].Evaluate(ctx, in)
	for _, d := range done[1:] {
		if e := <-d; err == nil {
			err = e
		}
	}
	if err != nil {
		return nil, nil, err
	}
	for i, e := range p.engines {
		findings = append(findings, results[i]...)
		notes = append(notes, e.Notes(in)...)
	}
	findings, err = p.exceptions.Apply(in, findings)
	if err != nil {
		return nil, nil, err
	}
	return findings, notes, nil
}

// engineName names an engine in an internal error.
func engineName(e Engine) string {
	if ps := e.Policies(); len(ps) > 0 {
		return ps[0].Engine
	}
	return fmt.Sprintf("%T", e)
}

// selection says which policies' findings a check reports: with only, those
// alone; never those in skip. An id that names no loaded policy is an error
// (a typo must not switch a policy off unnoticed, nor leave nothing to run).
func (p *Policies) selection(only, skip []string) (func(id string) bool, error) {
	known := map[string]bool{}
	for _, pol := range p.List() {
		known[pol.ID] = true
	}
	for _, list := range []struct {
		flag string
		ids  []string
	}{{"--only-policy", only}, {"--skip-policy", skip}} {
		for _, id := range list.ids {
			if !known[id] {
				return nil, fmt.Errorf("%s %s: no policy with this id is loaded (see guard policies)", list.flag, id)
			}
		}
	}
	return func(id string) bool {
		if slices.Contains(skip, id) {
			return false
		}
		// Findings of guard's own checks (an exception that matches
		// nothing) have no policy of their own: kept unless skipped.
		return len(only) == 0 || slices.Contains(only, id) || !known[id]
	}, nil
}

// LoadInput reads the inputs; policy directories are never read as inputs.
// unread names each input that could not be read while others were: the
// check goes on with the rest, and ends with exit 2. When nothing could be
// read, the error is the reason.
func LoadInput(ctx context.Context, paths []string, opts loader.Options, policyDirs []string) (in *input.Input, notes, unread []string, err error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	opts.Skip = append(append([]string{}, opts.Skip...), policydir.OnDiskNames(policyDirs)...)
	l, err := loader.New(opts)
	if err != nil {
		return nil, nil, nil, err
	}
	in, err = l.Load(ctx, paths)
	var incomplete *loader.Incomplete
	if err != nil && !errors.As(err, &incomplete) {
		return nil, nil, nil, err
	}
	if incomplete != nil && len(in.Terraform.Resources) == 0 && len(in.Kubernetes.Objects) == 0 {
		return nil, nil, nil, incomplete
	}
	if l.ReadNothing(in) {
		if incomplete != nil {
			return nil, nil, nil, incomplete
		}
		// Nothing read is not the same as nothing wrong: a mistyped path must not pass.
		return nil, nil, nil, fmt.Errorf("no Terraform, Helm or Kubernetes input found in %s", strings.Join(paths, ", "))
	}
	if incomplete != nil {
		unread = incomplete.Messages()
	}
	return in, l.Notes(), unread, nil
}

// Run loads policies and inputs, evaluates, and returns the report.
func Run(ctx context.Context, opts Options) (*Result, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	// Policies compile while the inputs load: neither needs the other until
	// evaluation. A broken policy is reported before a broken input, as
	// when one followed the other.
	var engine *Policies
	perr := diag.InBackground("policy compiler", func() (err error) {
		engine, err = LoadPolicies(ctx, opts.PolicyDirs, opts.Rego, now)
		return err
	})
	in, notes, unread, err := LoadInput(ctx, opts.Paths, opts.Loader, opts.PolicyDirs)
	if err := <-perr; err != nil {
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	selected, err := engine.selection(opts.Only, opts.Skip)
	if err != nil {
		return nil, err
	}
	var baseline *report.Baseline
	if opts.Baseline != "" {
		if baseline, err = report.ReadBaseline(opts.Baseline); err != nil {
			return nil, err
		}
	}
	// A policy may quote any value in its message; sensitive ones never
	// reach a report. (Collected first: evaluation hands the values to OPA.)
	red := redact.New(in)
	limits.Doing(ctx, "evaluating the policies")
	findings, evalNotes, err := engine.Evaluate(ctx, in)
	if err != nil {
		return nil, err
	}
	notes = append(notes, evalNotes...)
	for i := range findings {
		findings[i].Message = red.String(findings[i].Message)
	}
	for i := range notes {
		notes[i] = red.String(notes[i])
	}
	findings = slices.DeleteFunc(findings, func(f finding.Finding) bool { return !selected(f.PolicyID) })
	finding.Sort(findings)
	if baseline != nil {
		baseline.Mark(findings)
	}
	policies := slices.DeleteFunc(engine.List(), func(p finding.Policy) bool { return !selected(p.ID) })
	rep := &report.Report{
		Version: opts.Version, Threshold: opts.Threshold, Findings: findings, Policies: policies,
		Resources: len(in.Terraform.Resources), Objects: len(in.Kubernetes.Objects), HasBaseline: baseline != nil,
		Unread: unread,
	}
	return &Result{Report: rep, Notes: notes}, nil
}
