package loader

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// moduleConfig is one Terraform module directory, parsed but not evaluated.
type moduleConfig struct {
	dir       string
	variables []*hclsyntax.Block
	locals    []*hclsyntax.Attribute
	outputs   []*hclsyntax.Block
	resources []*hclsyntax.Block // "resource" and "data" blocks
	modules   []*hclsyntax.Block
	providers []*hclsyntax.Block
}

// rootBlockTypes are the top-level blocks of a Terraform module; the ones guard
// does not evaluate (terraform, moved, import, check, removed) are parsed and skipped.
var rootBlockTypes = map[string]bool{
	"terraform": true, "provider": true, "variable": true, "locals": true, "output": true,
	"module": true, "resource": true, "data": true, "moved": true, "import": true,
	"check": true, "removed": true, "ephemeral": true,
}

// hasTerraformFiles reports whether dir directly holds .tf files.
func hasTerraformFiles(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	return len(m) > 0
}

// configCache parses each module directory once per run.
type configCache struct {
	mu      sync.Mutex // paths load concurrently; the parser is not safe for that
	parser  *hclparse.Parser
	modules map[string]*moduleConfig
	display func(string) string
}

func newConfigCache(display func(string) string) *configCache {
	return &configCache{parser: hclparse.NewParser(), modules: map[string]*moduleConfig{}, display: display}
}

// load parses every *.tf file of dir (sorted, so evaluation order is stable).
// Override files and .tf.json files are not read.
func (c *configCache) load(dir string) (*moduleConfig, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m, ok := c.modules[dir]; ok {
		return m, nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no Terraform files (*.tf)", c.display(dir))
	}
	sort.Strings(files)
	m := &moduleConfig{dir: dir}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.display(f), unwrapPathError(err))
		}
		file, diags := hclsyntax.ParseConfig(src, c.display(f), hcl.Pos{Line: 1, Column: 1})
		if diags.HasErrors() {
			return nil, diagError(diags)
		}
		c.parser.AddFile(f, file)
		body := file.Body.(*hclsyntax.Body)
		if len(body.Attributes) > 0 {
			for _, a := range sortedAttributes(body.Attributes) {
				return nil, fmt.Errorf("%s:%d: unexpected attribute %q at the top level of a Terraform file", c.display(f), a.SrcRange.Start.Line, a.Name)
			}
		}
		for _, b := range body.Blocks {
			if !rootBlockTypes[b.Type] {
				return nil, fmt.Errorf("%s:%d: unsupported block type %q", c.display(f), b.TypeRange.Start.Line, b.Type)
			}
			switch b.Type {
			case "variable":
				m.variables = append(m.variables, b)
			case "locals":
				m.locals = append(m.locals, sortedAttributes(b.Body.Attributes)...)
			case "output":
				m.outputs = append(m.outputs, b)
			case "resource", "data":
				if len(b.Labels) != 2 {
					return nil, fmt.Errorf("%s:%d: a %s block needs two labels", c.display(f), b.TypeRange.Start.Line, b.Type)
				}
				m.resources = append(m.resources, b)
			case "module":
				m.modules = append(m.modules, b)
			case "provider":
				m.providers = append(m.providers, b)
			}
		}
	}
	c.modules[dir] = m
	return m, nil
}

// sortedAttributes returns a body's attributes in source order.
func sortedAttributes(attrs hclsyntax.Attributes) []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].SrcRange, out[j].SrcRange
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
	return out
}

// moduleSourceDir resolves a module call's source to a directory: a local path
// ("./x", "../x") relative to the calling module, or, for a registry or remote
// source, the copy `terraform init` recorded in .terraform/modules/modules.json.
func moduleSourceDir(rootDir, callerDir, key, source string) (string, error) {
	if strings.HasPrefix(source, "./") || strings.HasPrefix(source, "../") {
		return filepath.Join(callerDir, filepath.FromSlash(source)), nil
	}
	manifest := filepath.Join(rootDir, ".terraform", "modules", "modules.json")
	data, err := os.ReadFile(manifest)
	if err == nil {
		var mf struct {
			Modules []struct{ Key, Source, Dir string }
		}
		if json.Unmarshal(data, &mf) == nil {
			for _, m := range mf.Modules {
				if m.Key == key {
					return filepath.Join(rootDir, filepath.FromSlash(m.Dir)), nil
				}
			}
		}
	}
	return "", fmt.Errorf("module source %q is not a local path and no copy is recorded in .terraform/modules (run `terraform init`, or check a plan instead)", source)
}

// diagError turns HCL diagnostics into one error line per diagnostic, each
// starting with file:line.
func diagError(diags hcl.Diagnostics) error {
	var lines []string
	seen := map[string]bool{}
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		if d.Subject != nil {
			msg = fmt.Sprintf("%s:%d: %s", d.Subject.Filename, d.Subject.Start.Line, msg)
		}
		if !seen[msg] { // the same block fails once per module instance
			seen[msg] = true
			lines = append(lines, msg)
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(lines, "\n"))
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
