package terraform

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// RootVariables collects root variable values in Terraform's order of
// precedence: terraform.tfvars(.json), *.auto.tfvars(.json) in name order,
// then varFiles, then vars ("name=value"); later ones win.
func (c *Configs) RootVariables(dir string, varFiles, vars []string) (map[string]RootValue, error) {
	out := map[string]RootValue{}
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
	files = append(files, varFiles...)
	for _, f := range files {
		file, err := c.readHCL(f)
		if err != nil {
			return nil, err
		}
		attrs, diags := file.Body.JustAttributes()
		if diags.HasErrors() {
			return nil, diagError(diags)
		}
		for name, a := range attrs {
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() {
				return nil, diagError(diags)
			}
			out[name] = RootValue{val: v}
		}
	}
	for _, kv := range vars {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, &Error{Msg: "--var " + strconv.Quote(kv) + ": expected name=value"}
		}
		raw := value
		out[name] = RootValue{val: cty.NilVal, raw: &raw}
	}
	return out, nil
}
