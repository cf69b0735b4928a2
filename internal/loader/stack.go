package loader

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/acme/guard/internal/input"
)

// loadStack evaluates a Terraform root module from its HCL and renders the
// local charts of its helm_release resources.
func (l *Loader) loadStack(dir string) (*input.Input, error) {
	abs, _ := filepath.Abs(dir)
	vars, err := l.rootVariables(abs)
	if err != nil {
		return nil, err
	}
	s := &hclStack{
		cache: l.cache, rootDir: abs, stack: filepath.Base(abs), rootVars: vars,
		funcs: map[string]map[string]function.Function{}, refNames: map[*moduleConfig]map[string]bool{},
	}
	resources, err := s.evaluate()
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	objs, err := l.renderReleases(resources, abs)
	if err != nil {
		return nil, err
	}
	return &input.Input{Terraform: input.Terraform{Resources: resources}, Kubernetes: input.Kubernetes{Objects: objs}}, nil
}

// rootVariables collects root variable values in Terraform's order of
// precedence: terraform.tfvars(.json), *.auto.tfvars(.json) in name order,
// then --var-file files, then --var flags; later ones win.
func (l *Loader) rootVariables(dir string) (map[string]rootValue, error) {
	vars := map[string]rootValue{}
	var files []string
	for _, name := range []string{"terraform.tfvars", "terraform.tfvars.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			files = append(files, filepath.Join(dir, name))
		}
	}
	auto, _ := filepath.Glob(filepath.Join(dir, "*.auto.tfvars"))
	autoJSON, _ := filepath.Glob(filepath.Join(dir, "*.auto.tfvars.json"))
	auto = append(auto, autoJSON...)
	sort.Strings(auto)
	files = append(files, auto...)
	files = append(files, l.opts.VarFiles...)
	parser := hclparse.NewParser()
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, errorf("%s: %v", l.display(f), unwrapPathError(err))
		}
		var file *hcl.File
		var diags hcl.Diagnostics
		if strings.HasSuffix(f, ".json") {
			file, diags = parser.ParseJSON(src, l.display(f))
		} else {
			file, diags = parser.ParseHCL(src, l.display(f))
		}
		if diags.HasErrors() {
			return nil, &Error{Msg: diagError(diags).Error()}
		}
		attrs, diags := file.Body.JustAttributes()
		if diags.HasErrors() {
			return nil, &Error{Msg: diagError(diags).Error()}
		}
		for name, a := range attrs {
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() {
				return nil, &Error{Msg: diagError(diags).Error()}
			}
			vars[name] = rootValue{val: v}
		}
	}
	for _, kv := range l.opts.Vars {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, errorf("--var %q: expected name=value", kv)
		}
		raw := value
		vars[name] = rootValue{val: cty.NilVal, raw: &raw}
	}
	return vars, nil
}
