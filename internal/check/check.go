// Package check runs one `guard check`: load the inputs, evaluate every
// policy engine, and gather the findings into a report.
package check

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/evidence"
	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/loader"
	"github.com/acme/guard/internal/policydir"
	"github.com/acme/guard/internal/redact"
	"github.com/acme/guard/internal/report"
	"github.com/acme/guard/internal/suppress"
)

// Options are everything a check depends on.
type Options struct {
	Paths []string
	// PolicyDirs are policy directories, "builtin" the library built into
	// guard (the default).
	PolicyDirs []string
	// Engines are the engines' options.
	Engines EngineOptions
	// Only and Skip select policies by id: only those, and not these.
	Only, Skip []string
	// Baseline is an earlier JSON report whose findings do not fail the run.
	Baseline  string
	Threshold finding.Severity
	Loader    loader.Options
	Version   string
	// Suppress are the repository's rules for inline suppressions.
	Suppress suppress.Options
	// Audit asks for what the HTML report shows beside the findings: the
	// stack and region of each input item, and the digest of every file
	// the check reads; Settings are the configuration files read before
	// the check (.guard.yaml), digested too.
	Audit    bool
	Settings []string
}

// Result is a finished check: its report, and notes for the user (stderr).
type Result struct {
	Report *report.Report
	Notes  []string
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
	if opts.Engines.Now.IsZero() {
		opts.Engines.Now = time.Now()
	}
	var files *evidence.Files
	if opts.Audit {
		files = &evidence.Files{}
		opts.Loader.Evidence = files
	}
	// Policies compile while the inputs load: neither needs the other until
	// evaluation. A broken policy is reported before a broken input, as
	// when one followed the other.
	var engine *Policies
	perr := diag.InBackground("policy compiler", func() (err error) {
		engine, err = LoadPolicies(ctx, opts.PolicyDirs, opts.Engines)
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
	// reach a report. (Collected first, as the report's scopes are:
	// evaluation hands the values to OPA.)
	red := redact.New(in)
	var scopes report.Scopes
	if opts.Audit {
		scopes = report.ScopesOf(in)
	}
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
	findings, suppressed, err := suppressInline(in, engine, findings, opts.Suppress, opts.Engines.Now)
	if err != nil {
		return nil, err
	}
	findings = slices.DeleteFunc(findings, func(f finding.Finding) bool { return !selected(f.PolicyID) })
	finding.Sort(findings)
	if baseline != nil {
		baseline.Mark(findings)
	}
	policies := slices.DeleteFunc(engine.List(), func(p finding.Policy) bool { return !selected(p.ID) })
	if suppressed {
		// guard's own check of the inline suppressions (SUP-001), where
		// the check read any.
		policies = append(policies, suppress.Policy)
		finding.SortPolicies(policies)
	}
	rep := &report.Report{
		Version: opts.Version, Threshold: opts.Threshold, Findings: findings, Policies: policies,
		Resources: len(in.Terraform.Resources), Objects: len(in.Kubernetes.Objects), HasBaseline: baseline != nil,
		Unread: unread,
		Date:   opts.Engines.Now.UTC().Format(time.DateOnly), Scopes: scopes, Exceptions: engine.exceptionsByKey(),
	}
	if params := engine.Parameters(); params.HasCharts() {
		rep.Profiles = params.Profiles()
		rep.Parameters = params.Describe(slices.Sorted(maps.Keys(params.Values())))
	}
	if files != nil {
		// Every file the verdict depends on beside the inputs and policies:
		// settings, parameters, --data, --provider-schema.
		settings := slices.Concat(opts.Settings, []string{opts.Engines.Parameters.File}, opts.Engines.Rego.Data, opts.Loader.ProviderSchemas)
		if rep.Inputs, err = engine.evidence(files, settings); err != nil {
			return nil, err
		}
	}
	return &Result{Report: rep, Notes: notes}, nil
}

// suppressInline reads the guard:ignore comments of every file the input's
// resources and objects come from, and marks the findings they cover. A
// file guard cannot read again (a template inside a chart archive) holds
// none a user could have written.
func suppressInline(in *input.Input, engine *Policies, fs []finding.Finding, opts suppress.Options, now time.Time) ([]finding.Finding, bool, error) {
	files := map[string]bool{}
	for _, r := range in.Terraform.Resources {
		files[r.Source.File] = true
	}
	for _, o := range in.Kubernetes.Objects {
		files[o.Source.File] = true
	}
	known := map[string]bool{}
	for _, p := range engine.List() {
		known[p.ID] = true
	}
	opts.Now = now
	var sups []suppress.Suppression
	spans := map[string][]suppress.Span{}
	for _, file := range slices.Sorted(maps.Keys(files)) {
		if file == "" {
			continue
		}
		data, err := limits.ReadFile(file, limits.Default, filepath.ToSlash)
		if err != nil || !bytes.Contains(data, []byte("guard:ignore")) {
			continue
		}
		s, err := suppress.Parse(file, data, func(id string) bool { return known[id] }, opts)
		if err != nil {
			return nil, false, err
		}
		sups = append(sups, s...)
		spans[file] = suppress.Spans(file, data)
	}
	if len(sups) == 0 {
		return fs, false, nil
	}
	return suppress.Apply(fs, sups, func(file string) []suppress.Span { return spans[file] }, now), true, nil
}
