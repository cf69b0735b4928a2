// Package rego evaluates Rego policies (OPA v1 syntax) against the input model.
//
// A policy is a package that defines `deny` and/or `warn` rules. Its METADATA
// annotations (package scope, or document/rule scope on its deny/warn rules)
// give the title, description, custom.id, custom.severity, custom.controls and
// custom.remediation. Policies compile once; each package's rules become one
// prepared query, evaluated against an input converted to OPA's AST once.
package rego

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/parameters"
	"github.com/acme/guard/internal/policydir"
)

// EngineName is how findings and policies name this engine.
const EngineName = "rego"

// Engine holds compiled policies ready to evaluate.
type Engine struct {
	policies []finding.Policy
	queries  []query
	trace    io.Writer
	keep     func(policyID string) bool
}

// Options are how an engine is loaded.
type Options struct {
	// Data are JSON/YAML files or directories loaded as the policies' data (--data).
	Data []string
	// Trace, when set, receives each query's evaluation time.
	Trace io.Writer
}

type query struct {
	policy int
	level  finding.Level
	pq     rego.PreparedEvalQuery
}

// Error is a broken policy: guard must stop with exit code 2.
type Error = diag.Error

// IsPolicyFile says whether a path is a Rego policy (not a test) file.
func IsPolicyFile(path string) bool {
	return strings.HasSuffix(path, ".rego") && !strings.HasSuffix(path, "_test.rego")
}

// Load parses and compiles every non-test .rego file under dirs, with the
// documents of opts.Data as the policies' data.
//
// The parameters in effect are data.guard.parameters; a policy of a profile
// that is not enabled (custom.profile) is not loaded.
func Load(ctx context.Context, dirs []policydir.Dir, params *parameters.Set, opts Options) (*Engine, error) {
	modules, err := ParseDirs(dirs, false)
	if err != nil {
		return nil, err
	}
	if err := annotatedOnce(modules); err != nil {
		return nil, err
	}
	store, err := loadData(opts.Data, params)
	if err != nil {
		return nil, err
	}
	compiler := ast.NewCompiler().WithEnablePrintStatements(false).WithCapabilities(Capabilities())
	compiler.Compile(modules)
	if compiler.Failed() {
		return nil, &Error{Msg: formatErrors(compiler.Errors)}
	}
	e := &Engine{trace: opts.Trace}
	if err := e.collect(compiler, modules); err != nil {
		return nil, err
	}
	e.policies = slices.DeleteFunc(e.policies, func(p finding.Policy) bool { return !params.Enabled(p.Profile) })
	for i, p := range e.policies {
		for _, level := range []finding.Level{finding.Deny, finding.Warn} {
			ref := p.Name + "." + string(level)
			if !definesRule(compiler, p.Name, string(level)) {
				continue
			}
			pq, err := rego.New(rego.Compiler(compiler), rego.Store(store), rego.Query(ref), rego.StrictBuiltinErrors(true)).PrepareForEval(ctx)
			if err != nil {
				return nil, &Error{File: p.File, Line: p.Line, Msg: err.Error()}
			}
			e.queries = append(e.queries, query{policy: i, level: level, pq: pq})
		}
	}
	return e, nil
}

// Capabilities are OPA's builtins without the non-deterministic ones:
// http.send and net.lookup_ip_addr reach the network, time.now_ns,
// rand.intn, uuid.rfc4122 and opa.runtime differ from run to run. A policy
// that calls one fails to compile (exit 2): a gate must give the same answer
// for the same input, offline.
func Capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	var kept []*ast.Builtin
	for _, b := range caps.Builtins {
		if !b.Nondeterministic {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	caps.AllowNet = []string{}
	return caps
}

// ParseDirs parses the .rego files under dirs (with tests when withTests),
// keyed by file name, with annotations processed. Parse errors name file:line.
func ParseDirs(dirs []policydir.Dir, withTests bool) (map[string]*ast.Module, error) {
	modules := map[string]*ast.Module{}
	opts := ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1}
	for _, dir := range dirs {
		err := dir.Walk(func(name string) error {
			if !withTests && !IsPolicyFile(name) {
				return nil
			}
			src, err := dir.ReadFile(name)
			if err != nil {
				return &Error{Msg: err.Error()}
			}
			m, err := ast.ParseModuleWithOpts(name, string(src), opts)
			if err != nil {
				return &Error{Msg: formatLoadError(err)}
			}
			if m == nil { // a file of comments only
				return nil
			}
			modules[name] = m
			return nil
		}, ".rego")
		if err != nil {
			return nil, asError(err)
		}
	}
	return modules, nil
}

// annotatedOnce refuses a policy package annotated in two files: the same
// policy loaded twice (the built-in library beside a copy of it), which
// OPA would report once per file.
func annotatedOnce(modules map[string]*ast.Module) error {
	first := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(modules)) {
		m := modules[name]
		for _, a := range m.Annotations {
			if a.Scope != "package" {
				continue
			}
			pkg := m.Package.Path.String()
			if prev, ok := first[pkg]; ok {
				return &Error{File: name, Line: a.Location.Row, Msg: fmt.Sprintf("package %s is already annotated in %s: one policy loaded twice? (--policy builtin is the library built into guard)", strings.TrimPrefix(pkg, "data."), prev)}
			}
			first[pkg] = fmt.Sprintf("%s:%d", name, a.Location.Row)
		}
	}
	return nil
}

// asError keeps a diag error as it is and makes any other (a directory
// that cannot be walked) one.
func asError(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Msg: err.Error()}
}

// collect turns every package with deny or warn rules into a Policy.
func (e *Engine) collect(c *ast.Compiler, modules map[string]*ast.Module) error {
	names := slices.Sorted(maps.Keys(modules))
	annotations := c.GetAnnotationSet()
	seen := map[string]int{} // package -> policy index
	ids := map[string]string{}
	for _, file := range names {
		m := modules[file]
		pkg := m.Package.Path.String()
		for _, r := range m.Rules {
			level := ruleLevel(r)
			if level == "" {
				continue
			}
			p := policyFromChain(annotations.Chain(r))
			p.Engine, p.Name, p.File, p.Line = EngineName, pkg, file, m.Package.Location.Row
			if i, ok := seen[pkg]; ok {
				if q := e.policies[i]; p.ID != "" && q.ID != "" && p.ID != q.ID {
					return &Error{File: file, Line: r.Location.Row, Msg: fmt.Sprintf("package %s declares two policy ids (%s and %s); use one package per policy", pkg, q.ID, p.ID)}
				}
				continue
			}
			if p.ID == "" {
				return &Error{File: file, Line: p.Line, Msg: fmt.Sprintf("policy %s has no custom.id in its METADATA", pkg)}
			}
			if p.Severity == 0 {
				return &Error{File: file, Line: p.Line, Msg: fmt.Sprintf("policy %s (%s) has no valid custom.severity (LOW, MEDIUM, HIGH or CRITICAL) in its METADATA", pkg, p.ID)}
			}
			if other, dup := ids[p.ID]; dup {
				return &Error{File: file, Line: p.Line, Msg: fmt.Sprintf("policy id %s is already used by %s", p.ID, other)}
			}
			ids[p.ID] = pkg
			seen[pkg] = len(e.policies)
			e.policies = append(e.policies, p)
		}
	}
	finding.SortPolicies(e.policies)
	return nil
}

func ruleLevel(r *ast.Rule) finding.Level {
	ref := r.Head.Ref()
	if len(ref) == 0 {
		return ""
	}
	name := ref[0].Value.String()
	switch name {
	case string(finding.Deny):
		return finding.Deny
	case string(finding.Warn):
		return finding.Warn
	}
	return ""
}

func definesRule(c *ast.Compiler, pkg, name string) bool {
	ref := ast.MustParseRef(pkg + "." + name)
	return len(c.GetRulesExact(ref)) > 0 || len(c.GetRulesForVirtualDocument(ref)) > 0
}

// policyFromChain reads metadata from the annotations nearest the rule first.
func policyFromChain(chain ast.AnnotationsRefSet) finding.Policy {
	var p finding.Policy
	for _, ref := range chain {
		a := ref.Annotations
		if a == nil {
			continue
		}
		if p.Title == "" {
			p.Title = a.Title
		}
		if p.Description == "" {
			p.Description = strings.TrimSpace(a.Description)
		}
		if p.ID == "" {
			p.ID, _ = a.Custom["id"].(string)
		}
		if p.Severity == 0 {
			if s, ok := a.Custom["severity"].(string); ok {
				p.Severity, _ = finding.ParseSeverity(s)
			}
		}
		if p.Remediation == "" {
			p.Remediation, _ = a.Custom["remediation"].(string)
		}
		if p.Controls == nil {
			if list, ok := a.Custom["controls"].([]any); ok {
				p.Controls = []string{}
				for _, c := range list {
					p.Controls = append(p.Controls, fmt.Sprint(c))
				}
			}
		}
		if p.Peers == nil {
			if list, ok := a.Custom["peers"].([]any); ok {
				for _, c := range list {
					p.Peers = append(p.Peers, fmt.Sprint(c))
				}
			}
		}
		if p.Profile == "" {
			p.Profile, _ = a.Custom["profile"].(string)
		}
		if p.Parameters == nil {
			if list, ok := a.Custom["parameters"].([]any); ok {
				for _, c := range list {
					p.Parameters = append(p.Parameters, fmt.Sprint(c))
				}
			}
		}
	}
	if p.Controls == nil {
		p.Controls = []string{}
	}
	return p
}

// Policies lists the loaded policies, sorted by ID.
func (e *Engine) Policies() []finding.Policy { return e.policies }

// KeepValues names the policies whose findings' resources keep their values
// in the Go input after Evaluate (the exception stage matches them).
func (e *Engine) KeepValues(keep func(policyID string) bool) { e.keep = keep }

// Evaluate runs every policy against the input once and returns its findings,
// located at the source of the resource each result names. The input's
// Terraform values are handed over to OPA as they are converted (see
// inputValue): afterwards only ids and sources remain in the Go input, but
// for the resources that findings of the policies KeepValues names, which
// are put back.
func (e *Engine) Evaluate(ctx context.Context, in *input.Input) ([]finding.Finding, error) {
	value, resources, err := inputValue(in)
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	locate := input.NewIndex(in)
	// Queries are independent: evaluate them on every CPU, then gather the
	// results in query order so the output does not depend on scheduling.
	results := make([][]finding.Finding, len(e.queries))
	errs := diag.Each(len(e.queries), runtime.GOMAXPROCS(0), func(i int) string {
		p := e.policies[e.queries[i].policy]
		return fmt.Sprintf("%s:%d: %s: while evaluating it", p.File, p.Line, p.ID)
	}, func(i int) (err error) {
		start := time.Now()
		results[i], err = e.evalQuery(ctx, e.queries[i], value, locate)
		if e.trace != nil {
			fmt.Fprintf(e.trace, "rego: %s %s: %s\n", e.policies[e.queries[i].policy].ID, e.queries[i].level, time.Since(start).Round(time.Millisecond))
		}
		return err
	})
	var out []finding.Finding
	for i := range e.queries {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, results[i]...)
	}
	if e.keep != nil {
		if err := restoreNamed(in, resources, out, e.keep); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// restoreNamed puts back the values of the resources that findings of the
// kept policies name.
func restoreNamed(in *input.Input, resources []*ast.Term, fs []finding.Finding, keep func(policyID string) bool) error {
	var index map[string]int
	for _, f := range fs {
		if !keep(f.PolicyID) {
			continue
		}
		if index == nil {
			index = make(map[string]int, len(in.Terraform.Resources))
			for i, r := range in.Terraform.Resources {
				index[r.ID] = i
			}
		}
		i, ok := index[f.Resource]
		if !ok || in.Terraform.Resources[i].Values != nil {
			continue
		}
		if err := restore(&in.Terraform.Resources[i], resources[i]); err != nil {
			return fmt.Errorf("input: %s: %w", f.Resource, err)
		}
	}
	return nil
}

// evalQuery evaluates one policy's deny or warn rules and locates each result.
func (e *Engine) evalQuery(ctx context.Context, q query, value ast.Value, locate *input.Index) ([]finding.Finding, error) {
	p := e.policies[q.policy]
	rs, err := q.pq.Eval(ctx, rego.EvalParsedInput(value))
	if err != nil {
		return nil, evalError(p, err)
	}
	var out []finding.Finding
	for _, r := range rs {
		for _, expr := range r.Expressions {
			results, ok := expr.Value.([]any)
			if !ok {
				return nil, &Error{File: p.File, Line: p.Line, Msg: fmt.Sprintf("%s: %s must be a set (write `%s contains result if {...}`)", p.ID, q.level, q.level)}
			}
			for _, res := range results {
				f, err := resultFinding(p, q.level, res)
				if err != nil {
					return nil, err
				}
				if src, ok := locate.Source(f.Resource); ok {
					f.File, f.Line = src.File, src.Line
					for _, c := range src.Via {
						f.Via = append(f.Via, finding.Call(c))
					}
				}
				out = append(out, f)
			}
		}
	}
	return out, nil
}

// resultFinding reads one rule result: a message string, or an object with
// at least msg, and usually resource (an input item's id).
func resultFinding(p finding.Policy, level finding.Level, res any) (finding.Finding, error) {
	f := finding.Finding{
		PolicyID: p.ID, Title: p.Title, Severity: p.Severity, Controls: p.Controls,
		Engine: EngineName, Level: level,
	}
	switch v := res.(type) {
	case string:
		f.Message = v
	case map[string]any:
		msg, ok := v["msg"].(string)
		if !ok {
			return f, &Error{File: p.File, Line: p.Line, Msg: fmt.Sprintf("%s: a %s result must have a string msg, got %v", p.ID, level, res)}
		}
		f.Message = msg
		if r, ok := v["resource"].(string); ok {
			f.Resource = r
		}
	default:
		return f, &Error{File: p.File, Line: p.Line, Msg: fmt.Sprintf("%s: a %s result must be a string or an object with msg, got %v", p.ID, level, res)}
	}
	return f, nil
}

func formatErrors(errs ast.Errors) string {
	lines := make([]string, 0, len(errs))
	for _, e := range errs {
		loc := ""
		if e.Location != nil {
			loc = fmt.Sprintf("%s:%d: ", e.Location.File, e.Location.Row)
		}
		lines = append(lines, loc+e.Code+": "+e.Message)
	}
	return strings.Join(lines, "\n")
}

func formatLoadError(err error) string {
	switch e := err.(type) {
	case ast.Errors:
		return formatErrors(e)
	case *ast.Error:
		return formatErrors(ast.Errors{e})
	}
	return err.Error()
}

// evalError names where a policy failed at run time: the expression's file
// and line when OPA knows it (a builtin called with the wrong type, a
// division by zero), else the policy's.
func evalError(p finding.Policy, err error) error {
	var te *topdown.Error
	if errors.As(err, &te) && te.Location != nil {
		return &Error{File: te.Location.File, Line: te.Location.Row, Msg: fmt.Sprintf("%s: evaluation failed: %s", p.ID, te.Message)}
	}
	return &Error{File: p.File, Line: p.Line, Msg: fmt.Sprintf("%s: evaluation failed: %v", p.ID, err)}
}

// Notes are none: a Rego policy says what it has to say in findings.
func (e *Engine) Notes(*input.Input) []string { return nil }
