package loader

import (
	"path/filepath"

	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/limits"
)

// loadStack evaluates a Terraform root module from its HCL and renders the
// local charts of its helm_release resources.
func (l *Loader) loadStack(dir string) (*input.Input, error) {
	limits.Doing("evaluating the Terraform in " + l.display(dir))
	abs, _ := filepath.Abs(dir)
	vars, err := l.configs.RootVariables(abs, l.opts.VarFiles, l.opts.Vars)
	if err != nil {
		return nil, inputError(err)
	}
	resources, notes, err := l.configs.Evaluate(abs, vars)
	if err != nil {
		return nil, inputError(err)
	}
	for _, n := range notes {
		l.note("%s", n)
	}
	objs, err := l.renderReleases(resources, abs)
	if err != nil {
		return nil, err
	}
	return &input.Input{Terraform: input.Terraform{Resources: resources}, Kubernetes: input.Kubernetes{Objects: objs}}, nil
}
