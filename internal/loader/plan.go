package loader

import (
	"path/filepath"
	"strings"

	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/terraform"
)

// loadPlan reads a plan: every resource change at every module level, its
// action, values from `after`, unknowns from `after_unknown`, sensitive marks
// from `after_sensitive`; then locates each resource in the sources of the
// stack it was planned from and renders the local charts of its helm_release
// resources.
func (l *Loader) loadPlan(path string, plan *terraform.Plan) (*input.Input, error) {
	limits.Doing(l.ctx, "reading the plan "+l.display(path))
	sourceDir, err := l.sourceOf(path, plan)
	if err != nil {
		return nil, err
	}
	stack := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if sourceDir != "" {
		abs, _ := filepath.Abs(sourceDir)
		stack = filepath.Base(abs)
	}
	providers := terraform.ProviderKeys(plan.Config)
	in := &input.Input{}
	in.Terraform.Resources = plan.Resources
	for i := range in.Terraform.Resources {
		r := &in.Terraform.Resources[i]
		r.Stack = stack
		r.Provider = providers[r.Config]
		r.Source = input.Source{File: l.display(path)}
	}
	terraform.PlanReferences(plan.Config, in.Terraform.Resources)
	if sourceDir != "" {
		for i := range in.Terraform.Resources {
			r := &in.Terraform.Resources[i]
			src, ok, err := l.configs.Locate(sourceDir, r.Module, r.Mode, r.Type, r.Name)
			if err != nil {
				return nil, inputError(err)
			}
			if ok {
				r.Source = src
			}
		}
	}
	baseDir := sourceDir
	if baseDir == "" {
		baseDir = filepath.Dir(path)
	}
	objs, err := l.renderReleases(in.Terraform.Resources, baseDir)
	if err != nil {
		return nil, err
	}
	in.Kubernetes.Objects = objs
	return in, nil
}

// sourceOf picks the Terraform sources a plan was planned from: of the
// --source directories, the one that declares the most of the plan's
// resources (the first given wins a tie); with no --source, the plan's own
// directory if it holds *.tf files.
func (l *Loader) sourceOf(path string, plan *terraform.Plan) (string, error) {
	if len(l.opts.Sources) == 0 {
		if terraform.IsStack(filepath.Dir(path)) {
			return filepath.Dir(path), nil
		}
		return "", nil
	}
	if len(l.opts.Sources) == 1 {
		return l.opts.Sources[0], nil
	}
	best, bestCount := "", 0
	for _, dir := range l.opts.Sources {
		n := 0
		for _, r := range plan.Resources {
			_, ok, err := l.configs.Locate(dir, r.Module, r.Mode, r.Type, r.Name)
			if err != nil {
				return "", inputError(err)
			}
			if ok {
				n++
			}
		}
		if n > bestCount {
			best, bestCount = dir, n
		}
	}
	if best == "" {
		l.note("%s: none of the --source directories declares its resources; findings point at the plan file", l.display(path))
	}
	return best, nil
}
