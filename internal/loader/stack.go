package loader

import (
	"path/filepath"

	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/limits"
)

// loadStack evaluates a Terraform root module from its HCL and renders the
// local charts of its helm_release resources.
func (l *Loader) loadStack(dir string) (*input.Input, error) {
	limits.Doing(l.ctx, "evaluating the Terraform in "+l.display(dir))
	abs, _ := filepath.Abs(dir)
	vars, err := l.configs.RootVariables(abs, l.opts.VarFiles, l.opts.Vars)
	if err != nil {
		return nil, inputError(err)
	}
	resources, notes, err := l.configs.Evaluate(abs, vars)
	for _, n := range notes {
		l.note("%s", n)
	}
	if err != nil && resources == nil {
		return nil, inputError(err)
	}
	// A module that is not installed: the root's own resources are still
	// checked, and the error is reported (exit 2).
	objs, rerr := l.renderReleases(resources, abs)
	if rerr != nil {
		return nil, rerr
	}
	in := &input.Input{Terraform: input.Terraform{Resources: resources}, Kubernetes: input.Kubernetes{Objects: objs}}
	if err != nil {
		return in, inputError(err)
	}
	return in, nil
}
