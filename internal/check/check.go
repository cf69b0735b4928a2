// Package check runs one `guard check`: load the inputs, evaluate every
// policy engine, and gather the findings into a report.
package check

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/loader"
	"github.com/acme/guard/internal/rego"
	"github.com/acme/guard/internal/report"
)

// Options are everything a check depends on.
type Options struct {
	Paths      []string
	PolicyDirs []string
	Threshold  finding.Severity
	Loader     loader.Options
	Version    string
}

// Result is a finished check: its report, and notes for the user (stderr).
type Result struct {
	Report *report.Report
	Notes  []string
	Input  *input.Input
}

// LoadPolicies compiles the policies in dirs; a missing directory or a
// directory with no policy at all is an error, never an empty pass.
func LoadPolicies(ctx context.Context, dirs []string) (*rego.Engine, error) {
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil {
			return nil, fmt.Errorf("%s: policy directory not found (pass --policy DIR)", d)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("%s: --policy must be a directory", d)
		}
	}
	engine, err := rego.Load(ctx, dirs)
	if err != nil {
		return nil, err
	}
	if len(engine.Policies()) == 0 {
		return nil, fmt.Errorf("no policies (packages with deny or warn rules) found in %v", dirs)
	}
	return engine, nil
}

// LoadInput reads the inputs; policy directories are never read as inputs.
func LoadInput(paths []string, opts loader.Options, policyDirs []string) (*input.Input, []string, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	opts.Skip = append(append([]string{}, opts.Skip...), policyDirs...)
	l, err := loader.New(opts)
	if err != nil {
		return nil, nil, err
	}
	in, err := l.Load(paths)
	if err != nil {
		return nil, nil, err
	}
	if len(in.Terraform.Resources) == 0 && len(in.Kubernetes.Objects) == 0 {
		// Nothing read is not the same as nothing wrong: a mistyped path must not pass.
		return nil, nil, fmt.Errorf("no Terraform, Helm or Kubernetes input found in %s", strings.Join(paths, ", "))
	}
	return in, l.Notes(), nil
}

// Run loads policies and inputs, evaluates, and returns the report.
func Run(ctx context.Context, opts Options) (*Result, error) {
	engine, err := LoadPolicies(ctx, opts.PolicyDirs)
	if err != nil {
		return nil, err
	}
	in, notes, err := LoadInput(opts.Paths, opts.Loader, opts.PolicyDirs)
	if err != nil {
		return nil, err
	}
	findings, err := engine.Evaluate(ctx, in)
	if err != nil {
		return nil, err
	}
	finding.Sort(findings)
	rep := &report.Report{
		Version: opts.Version, Threshold: opts.Threshold, Findings: findings, Policies: engine.Policies(),
		Resources: len(in.Terraform.Resources), Objects: len(in.Kubernetes.Objects),
	}
	return &Result{Report: rep, Notes: notes, Input: in}, nil
}
