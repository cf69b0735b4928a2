package loader

import (
	"path/filepath"
	"strings"

	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/terraform"
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

// terraformReader records each directory of Terraform files as a module,
// read with its module once the walk is over (see roots); a plan JSON
// beside the files stands for them.
var terraformReader = reader{
	enter: func(l *Loader, dir string, explicit bool) (*input.Input, []string, bool, error) {
		if !terraform.IsStack(dir) {
			return nil, nil, false, nil
		}
		plans, err := l.plansIn(dir)
		if err != nil {
			return nil, nil, false, err
		}
		in := &input.Input{}
		var taken []string
		for _, p := range plans {
			part, err := l.loadPlan(p.path, p.plan)
			if err != nil {
				l.fail(err)
				continue
			}
			in.Merge(part)
			taken = append(taken, p.path)
		}
		l.addModule(dir, explicit, len(plans) > 0)
		return in, taken, false, nil
	},
	claims: func(name string) bool { return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json") },
	read: func(l *Loader, path string, explicit bool) (*input.Input, error) {
		l.addModule(filepath.Dir(path), explicit, false)
		return &input.Input{}, nil
	},
}

// tfvarsReader: a variables file is read with its root module; one that
// Terraform would not load by itself is named in a note.
var tfvarsReader = reader{
	claims: func(name string) bool {
		return strings.HasSuffix(name, ".tfvars") || strings.HasSuffix(name, ".tfvars.json")
	},
	read: func(l *Loader, path string, _ bool) (*input.Input, error) {
		if !autoLoaded(filepath.Base(path)) || !terraform.IsStack(filepath.Dir(path)) {
			l.note("%s: skipped: Terraform reads a variables file by this name only when it is given (--var-file)", l.display(path))
		}
		return &input.Input{}, nil
	},
}
