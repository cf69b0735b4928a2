package terraform

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/providerschema"
)

// Module is one Terraform module directory, parsed but not evaluated: its
// primary files (*.tf, *.tf.json) with its override files merged in, as
// Terraform reads a module.
type Module struct {
	Dir       string
	Variables []*hcl.Block
	Locals    []*hcl.Attribute // in source order
	Outputs   []*hcl.Block
	Resources []*hcl.Block // "resource" and "data" blocks
	Calls     []*hcl.Block // "module" blocks
}

// fileSchema is the top level of a Terraform configuration file, as
// Terraform's own parser declares it: decoding with it gives Terraform's
// diagnostics for unknown blocks, stray attributes and missing labels.
var fileSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "terraform"},
	{Type: "provider", LabelNames: []string{"name"}},
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "output", LabelNames: []string{"name"}},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
	{Type: "ephemeral", LabelNames: []string{"type", "name"}},
	{Type: "moved"},
	{Type: "import"},
	{Type: "check", LabelNames: []string{"name"}},
	{Type: "removed"},
}}

// IsStack reports whether dir directly holds Terraform files.
func IsStack(dir string) bool {
	for _, pattern := range []string{"*.tf", "*.tf.json"} {
		if m, _ := filepath.Glob(filepath.Join(dir, pattern)); len(m) > 0 {
			return true
		}
	}
	return false
}

// isOverride says whether a file is an override file (override.tf,
// x_override.tf, and their .tf.json forms), which Terraform merges into the
// blocks of the primary files instead of reading as more blocks.
func isOverride(name string) bool {
	base := strings.TrimSuffix(strings.TrimSuffix(name, ".json"), ".tf")
	return base == "override" || strings.HasSuffix(base, "_override")
}

// Configs parses each module directory once per run; safe for concurrent use.
type Configs struct {
	mu      sync.Mutex
	modules map[string]*Module
	errs    map[string]error
	display func(string) string
	limits  limits.Limits
	schemas *providerschema.Schemas
	// Read, when set, is told each file read: configuration and variables
	// files, and the files that file functions read.
	Read func(path string)
}

// NewConfigs returns an empty cache, with the built-in provider schemas.
// display turns a path into what messages show.
func NewConfigs(display func(string) string, lim limits.Limits) *Configs {
	schemas, _ := providerschema.New(nil) // no files: cannot fail
	return &Configs{modules: map[string]*Module{}, errs: map[string]error{}, display: display, limits: lim, schemas: schemas}
}

func (c *Configs) read(path string) {
	if c.Read != nil {
		c.Read(path)
	}
}

// UseSchemas replaces the provider schemas (the user's own, see providerschema.New).
func (c *Configs) UseSchemas(s *providerschema.Schemas) { c.schemas = s }

// Module parses every Terraform file of dir, in Terraform's order: primary
// files by name, then override files by name merged into them.
func (c *Configs) Module(dir string) (*Module, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m, ok := c.modules[dir]; ok {
		return m, c.errs[dir]
	}
	m, err := c.parseModule(dir)
	c.modules[dir], c.errs[dir] = m, err
	return m, err
}

func (c *Configs) parseModule(dir string) (*Module, error) {
	var files []string
	for _, pattern := range []string{"*.tf", "*.tf.json"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no Terraform files (*.tf, *.tf.json)", c.display(dir))
	}
	sort.Strings(files)
	var primary, override []*hcl.Block
	for _, f := range files {
		blocks, err := c.parseFile(f)
		if err != nil {
			return nil, err
		}
		if isOverride(filepath.Base(f)) {
			override = append(override, blocks...)
		} else {
			primary = append(primary, blocks...)
		}
	}
	m := &Module{Dir: dir}
	var diags hcl.Diagnostics
	locals := map[string]*hcl.Attribute{}
	for _, b := range primary {
		switch b.Type {
		case "variable":
			m.Variables = append(m.Variables, b)
		case "output":
			m.Outputs = append(m.Outputs, b)
		case "resource", "data":
			m.Resources = append(m.Resources, b)
		case "module":
			m.Calls = append(m.Calls, b)
		case "locals":
			attrs, d := b.Body.JustAttributes()
			diags = append(diags, d...)
			for _, a := range sortedAttributes(attrs) {
				if prev, dup := locals[a.Name]; dup {
					diags = append(diags, duplicate("Duplicate local value definition", fmt.Sprintf("A local value named %q was already defined at %s. Local value names must be unique within a module.", a.Name, at(prev.Range)), a.NameRange))
					continue
				}
				locals[a.Name] = a
				m.Locals = append(m.Locals, a)
			}
		}
	}
	diags = append(diags, c.checkUnique(m)...)
	if diags.HasErrors() {
		return nil, diagError(diags)
	}
	if err := c.applyOverrides(m, override, locals); err != nil {
		return nil, err
	}
	return m, nil
}

// readHCL reads a file in HCL's native syntax, or its JSON syntax when the
// name ends in .json, within the limits (.tf, .tf.json, .tfvars files).
func (c *Configs) readHCL(path string) (*hcl.File, error) {
	src, err := limits.ReadFile(path, c.limits, c.display)
	if err != nil {
		return nil, err
	}
	c.read(path)
	name := c.display(path)
	var file *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(path, ".json") {
		file, diags = hcljson.Parse(src, name)
	} else {
		if err := limits.CheckText(src, name); err != nil {
			return nil, err
		}
		if err := c.limits.CheckNesting(src, name); err != nil {
			return nil, err
		}
		file, diags = hclsyntax.ParseConfig(src, name, hcl.Pos{Line: 1, Column: 1})
	}
	if diags.HasErrors() {
		return nil, diagError(diags)
	}
	return file, nil
}

// parseFile reads one .tf or .tf.json file into its top-level blocks.
func (c *Configs) parseFile(path string) ([]*hcl.Block, error) {
	file, err := c.readHCL(path)
	if err != nil {
		return nil, err
	}
	content, diags := file.Body.Content(fileSchema)
	if diags.HasErrors() {
		return nil, diagError(diags)
	}
	return content.Blocks, nil
}

// checkUnique refuses two blocks with one address, as Terraform does.
func (c *Configs) checkUnique(m *Module) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]*hcl.Block{}
	check := func(b *hcl.Block, key, summary, detail string) {
		if prev, dup := seen[key]; dup {
			diags = append(diags, duplicate(summary, fmt.Sprintf(detail, at(prev.DefRange)), b.DefRange))
			return
		}
		seen[key] = b
	}
	for _, b := range m.Variables {
		check(b, "var."+b.Labels[0], "Duplicate variable declaration", "A variable named "+strconv.Quote(b.Labels[0])+" was already declared at %s. Variable names must be unique within a module.")
	}
	for _, b := range m.Outputs {
		check(b, "output."+b.Labels[0], "Duplicate output definition", "An output named "+strconv.Quote(b.Labels[0])+" was already defined at %s. Output names must be unique within a module.")
	}
	for _, b := range m.Calls {
		check(b, "module."+b.Labels[0], "Duplicate module call", "A module call named "+strconv.Quote(b.Labels[0])+" was already defined at %s. Module calls must have unique names within a module.")
	}
	for _, b := range m.Resources {
		kind := "resource"
		if b.Type == "data" {
			kind = "data resource"
		}
		check(b, b.Type+"."+b.Labels[0]+"."+b.Labels[1], fmt.Sprintf("Duplicate %s %q configuration", b.Type, b.Labels[0]),
			fmt.Sprintf("A %s %s named %q was already declared at %%s. Resource names must be unique per type in each module.", b.Labels[0], kind, b.Labels[1]))
	}
	return diags
}

// applyOverrides merges override files' blocks into the primary blocks they
// name: an attribute replaces the attribute of that name, nested blocks of a
// type replace all nested blocks of that type. An override of a block no
// primary file declares is an error, as in Terraform.
func (c *Configs) applyOverrides(m *Module, override []*hcl.Block, locals map[string]*hcl.Attribute) error {
	var diags hcl.Diagnostics
	find := func(list []*hcl.Block, b *hcl.Block) int {
		for i, p := range list {
			if p.Type == b.Type && strings.Join(p.Labels, "\x00") == strings.Join(b.Labels, "\x00") {
				return i
			}
		}
		return -1
	}
	merge := func(list []*hcl.Block, b *hcl.Block, summary, detail string) {
		i := find(list, b)
		if i < 0 {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: b.DefRange.Ptr()})
			return
		}
		merged := *list[i]
		merged.Body = mergedBody{base: list[i].Body, override: b.Body}
		list[i] = &merged
	}
	for _, b := range override {
		switch b.Type {
		case "variable":
			merge(m.Variables, b, "Missing base variable declaration to override", fmt.Sprintf("There is no variable named %q. An override file can only override a variable that was already declared in a primary configuration file.", b.Labels[0]))
		case "output":
			merge(m.Outputs, b, "Missing base output definition to override", fmt.Sprintf("There is no output named %q. An override file can only override an output that was already defined in a primary configuration file.", b.Labels[0]))
		case "module":
			merge(m.Calls, b, "Missing module call to override", fmt.Sprintf("There is no module call named %q. An override file can only override a module call that was defined in a primary configuration file.", b.Labels[0]))
		case "resource", "data":
			merge(m.Resources, b, fmt.Sprintf("Missing %s to override", b.Type), fmt.Sprintf("There is no %s %s named %q. An override file can only override a %s block defined in a primary configuration file.", b.Labels[0], b.Type, b.Labels[1], b.Type))
		case "locals":
			attrs, d := b.Body.JustAttributes()
			diags = append(diags, d...)
			for _, a := range sortedAttributes(attrs) {
				prev, ok := locals[a.Name]
				if !ok {
					diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing base local value definition to override", Detail: fmt.Sprintf("There is no local value named %q. An override file can only override a local value that was already defined in a primary configuration file.", a.Name), Subject: a.NameRange.Ptr()})
					continue
				}
				// The value is the override's; the block stays where the
				// primary file declares it.
				repl := *a
				repl.NameRange = prev.NameRange
				for i, l := range m.Locals {
					if l == prev {
						m.Locals[i] = &repl
					}
				}
				locals[a.Name] = &repl
			}
		}
	}
	return diagError(diags)
}

func duplicate(summary, detail string, r hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: r.Ptr()}
}

// at is a range as Terraform's messages show it: file:line.
func at(r hcl.Range) string {
	return fmt.Sprintf("%s:%d", r.Filename, r.Start.Line)
}

// sortedAttributes returns attributes in source order.
func sortedAttributes(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Range, out[j].Range
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

// diagError turns HCL diagnostics into one line: the first error, at its
// file:line, as `terraform validate` reports it first; later errors are
// mostly consequences of it, so only their number is added.
func diagError(diags hcl.Diagnostics) error {
	var first *hcl.Diagnostic
	more := 0
	seen := map[string]bool{}
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		key := d.Summary + d.Detail
		if d.Subject != nil {
			key += d.Subject.String()
		}
		if seen[key] { // the same block fails once per module instance
			continue
		}
		seen[key] = true
		if first == nil {
			first = d
		} else {
			more++
		}
	}
	if first == nil {
		return nil
	}
	msg := first.Summary
	if first.Detail != "" {
		msg += ": " + diag.OneLine(first.Detail)
	}
	if first.Subject != nil {
		msg = fmt.Sprintf("%s:%d: %s", first.Subject.Filename, first.Subject.Start.Line, msg)
	}
	if more > 0 {
		msg += fmt.Sprintf(" (and %d more %s)", more, plural(more, "error", "errors"))
	}
	return &Error{Msg: msg}
}

// Error is a configuration Terraform would refuse: guard stops (exit 2).
type Error = diag.Error

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// LocalCalls are the directories that dir's module calls name by a local
// path ("./x", "../x"), with links resolved: the modules that, met in the
// same directory walk, are evaluated through dir rather than as roots of
// their own. A module that cannot be parsed calls nothing here; evaluating
// it reports why.
func (c *Configs) LocalCalls(dir string) []string {
	m, err := c.Module(dir)
	if err != nil {
		return nil
	}
	var dirs []string
	for _, b := range m.Calls {
		meta, _, _ := b.Body.PartialContent(moduleCallSchema)
		a, ok := meta.Attributes["source"]
		if !ok {
			continue
		}
		v, d := a.Expr.Value(nil)
		if d.HasErrors() || v.Type() != cty.String || v.IsNull() || !v.IsKnown() {
			continue
		}
		src := v.AsString()
		if !strings.HasPrefix(src, "./") && !strings.HasPrefix(src, "../") {
			continue
		}
		called := filepath.Join(dir, filepath.FromSlash(src))
		if real, err := filepath.EvalSymlinks(called); err == nil {
			called = real
		}
		dirs = append(dirs, called)
	}
	return dirs
}
