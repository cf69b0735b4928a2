// Package kyvernosuite runs Kyverno test suites (kyverno-test.yaml) the way
// `kyverno test` runs them: a suite's policies compiled by guard's Kyverno
// engine, applied with the Kyverno CLI's own processor, values, user info,
// mocked cluster and payloads. It is guard test's, never guard check's: the
// check engine stays free of the CLI.
package kyvernosuite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	clitest "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/apis/v1alpha1"
	clidata "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/data"
	kyvernotest "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/test"
	celengine "github.com/kyverno/kyverno/pkg/cel/engine"
	engineapi "github.com/kyverno/kyverno/pkg/engine/api"
	reportutils "github.com/kyverno/kyverno/pkg/utils/report"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"sigs.k8s.io/yaml"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/kyverno"
	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/manifest"
)

// Suite is one test of a kyverno-test.yaml file, evaluated: what it expects
// and what each policy said about each of its resources and payloads, in
// guard's own terms, for the test runner (internal/policytest) to judge the
// way `kyverno test` judges.
type Suite struct {
	Path     string
	Expected []Expected
	// Subjects are the suite's resources, then its payloads.
	Subjects []Subject
	// Responses: operation ("" for the suite's own) -> subject ID -> policy
	// name -> what the policy said.
	Responses map[string]map[string]map[string]*Response
	// Loaded are the names of the policies the suite loads and guard evaluates.
	Loaded map[string]bool
}

// Expected is one result a suite declares.
type Expected struct {
	Policy, Rule, Kind string
	Resources          []string // "name" or "namespace/name"; none: every subject
	Result             string   // pass, fail, warn, error or skip
	Operation          string
	// Skip says why guard does not evaluate this result ("" when it does).
	Skip string
}

// Subject is a resource (Kind/namespace/name) or a payload (its file) a
// suite's policies were applied to.
type Subject struct {
	ID, Namespace, Name string
	Payload             bool
}

// Response is what one policy said about one subject: its rule results
// (none when it matched but had nothing to check).
type Response struct {
	Rules    []Rule
	Ruleless bool // a CEL policy: its one result answers for any rule name
}

// Rule is one rule's result, as a policy report states it (Kyverno's own
// conversion: a failure of an unscored policy is a warning).
type Rule struct{ Name, Result, Message string }

// LoadSuites reads and evaluates the tests of one kyverno-test.yaml file
// with guard's engine: each test's policies and exceptions on its resources
// and payloads. The file is read with Kyverno's own loader and test types
// (cli.kyverno.io/v1alpha1 Test), strictly, as `kyverno test` reads it. A
// suite that cannot be read is an error.
func LoadSuites(ctx context.Context, path string, now time.Time) ([]*Suite, error) {
	if _, err := readFile(path); err != nil { // a regular file within the limits
		return nil, err
	}
	var out []*Suite
	for _, tc := range kyvernotest.LoadTest(nil, path) {
		if tc.Err != nil {
			return nil, &diag.Error{File: path, Msg: fmt.Sprintf("not a Kyverno test suite: %v", diag.OneLine(tc.Err.Error()))}
		}
		s, err := loadSuite(ctx, path, tc.Test, now)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func loadSuite(ctx context.Context, path string, s *clitest.Test, now time.Time) (*Suite, error) {
	dir := filepath.Dir(path)
	var files []string
	for _, f := range append(append([]string{}, s.Policies...), s.PolicyExceptions...) {
		files = append(files, filepath.Join(dir, f))
	}
	e, err := kyverno.LoadFiles(files, now)
	if err != nil {
		return nil, err
	}
	compiled := e.Compiled()
	var objects []input.Object
	for _, f := range s.Resources {
		objs, err := suiteResources(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		objects = append(objects, objs...)
	}
	vals, err := suiteValues(dir, s)
	if err != nil {
		return nil, err
	}
	env, err := newSuiteEnv(dir, s, vals, objects)
	if err != nil {
		return nil, err
	}
	suite := &Suite{Path: path, Responses: map[string]map[string]map[string]*Response{}, Loaded: map[string]bool{}}
	// One evaluation with the suite's operation (its values' request.operation,
	// else CREATE), and one per operation its results name, as kyverno test does.
	for _, op := range suiteOperations(s) {
		suite.Responses[op], err = suiteResponses(compiled, ctx, objects, op, env)
		if err != nil {
			return nil, &diag.Error{File: path, Msg: err.Error()}
		}
	}
	payloads, err := payloadResponses(compiled, dir, s, env, suite.Responses[""])
	if err != nil {
		return nil, err
	}
	for _, o := range objects {
		suite.Subjects = append(suite.Subjects, Subject{ID: o.ID, Namespace: o.Namespace(), Name: o.Name()})
	}
	for _, p := range payloads {
		suite.Subjects = append(suite.Subjects, Subject{ID: p, Name: p, Payload: true})
	}
	for _, name := range compiled.Names {
		suite.Loaded[name] = true
	}
	skipped := map[string]string{}
	for _, u := range compiled.Unevaluated {
		skipped[u.Name] = fmt.Sprintf("%s %s is not evaluated: %s", u.Kind, u.Name, u.Reason)
	}
	if len(payloads) > 0 {
		for _, p := range compiled.PayloadPolicies {
			delete(skipped, p.Name)
			suite.Loaded[p.Name] = true
		}
	}
	notRead := unsupportedSuite(s)
	for _, r := range s.Results {
		x := Expected{Policy: r.Policy, Rule: r.Rule, Kind: r.Kind, Resources: r.Resources, Result: string(r.Result), Operation: r.Operation}
		reason, ok := skipped[r.Policy]
		if !ok {
			reason, ok = skipped[r.Policy[strings.LastIndex(r.Policy, "/")+1:]]
		}
		if !ok && r.Rule != "" {
			reason, ok = compiled.UnevaluatedRules[r.Policy+"/"+r.Rule]
		}
		if !ok {
			if what := unsupportedResult(r, notRead); what != "" {
				reason = "guard does not read " + what + " yet"
			}
		}
		x.Skip = reason
		suite.Expected = append(suite.Expected, x)
	}
	return suite, nil
}

// celResponses keeps the ValidatingPolicies' responses as the Kyverno CLI's
// processor keeps them: a policy that produced no rule response is dropped
// when it selects resources by a single plain resource rule (so a result
// about it reads "not found"), and kept (an excluded resource) otherwise.
func celResponses(resp celengine.EngineResponse) map[string]*Response {
	out := map[string]*Response{}
	for _, pr := range resp.Policies {
		if len(pr.Rules) == 0 && plainMatch(pr.Policy.GetSpec().MatchConstraints) {
			continue
		}
		addResponse(out, pr.Policy.GetName(), engineapi.NewValidatingPolicyFromLike(pr.Policy), pr.Rules, true)
	}
	return out
}

// addResponse records a policy's response about a subject, its rules'
// results as a policy report states them. A policy's autogen variants
// respond under its name too: one response, their rules together (kyverno
// test checks every one).
func addResponse(m map[string]*Response, name string, policy engineapi.GenericPolicy, rules []engineapi.RuleResponse, ruleless bool) {
	r, ok := m[name]
	if !ok {
		r = &Response{Ruleless: ruleless}
		m[name] = r
	}
	for _, rule := range rules {
		r.Rules = append(r.Rules, Rule{Name: rule.Name(), Result: string(reportutils.ToPolicyReportResult(policy, rule, nil).Result), Message: rule.Message()})
	}
}

// plainMatch is the Kyverno CLI processor's hasSelector: match constraints
// with one resource rule, no resource names, no exclusions and no selectors.
func plainMatch(match *admissionregistrationv1.MatchResources) bool {
	if match == nil {
		return false
	}
	if sel := match.NamespaceSelector; sel != nil && (len(sel.MatchLabels) > 0 || len(sel.MatchExpressions) > 0) {
		return false
	}
	if sel := match.ObjectSelector; sel != nil && (len(sel.MatchLabels) > 0 || len(sel.MatchExpressions) > 0) {
		return false
	}
	return len(match.ExcludeResourceRules) == 0 && len(match.ResourceRules) == 1 && len(match.ResourceRules[0].ResourceNames) == 0
}

// suiteResources reads a suite's resource file as the Kyverno CLI's
// resource loader does for `kyverno test`: a namespaced object without a
// namespace is in "default", and every number is a float64 (the CLI's
// ProcessResources), which CEL then sees as a double.
func suiteResources(path string) ([]input.Object, error) {
	docs, err := decodeFile(path)
	if err != nil {
		return nil, err
	}
	objects := make([]input.Object, 0, len(docs))
	for _, o := range docs {
		o.Object = floatNumbers(o.Object).(map[string]any)
		if o.Namespace() == "" && !cliClusterScoped(o) {
			metadata, _ := o.Object["metadata"].(map[string]any)
			if metadata == nil {
				metadata = map[string]any{}
				o.Object["metadata"] = metadata
			}
			metadata["namespace"] = "default"
		}
		o.ID = o.Kind() + "/" + o.Namespace() + "/" + o.Name()
		objects = append(objects, o)
	}
	return objects, nil
}

// cliClusterScoped says whether the Kyverno CLI takes o's kind to be
// cluster-scoped: from the API resources it embeds (its resource loader's
// isClusterScopedKind), else guard's own list.
func cliClusterScoped(o input.Object) bool {
	apiVersion, _ := o.Object["apiVersion"].(string)
	group, _, found := strings.Cut(apiVersion, "/")
	if !found {
		group = ""
	}
	groups, err := clidata.APIGroupResources()
	if err == nil {
		for _, g := range groups {
			if g.Group.Name != group {
				continue
			}
			for _, resources := range g.VersionedResources {
				for _, r := range resources {
					if r.Kind == o.Kind() {
						return !r.Namespaced
					}
				}
			}
		}
	}
	return input.ClusterScoped(o.Kind())
}

// floatNumbers converts every integer in a decoded object to float64, in
// place, as the Kyverno CLI does with a suite's resources.
func floatNumbers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = floatNumbers(e)
		}
	case []any:
		for i, e := range v {
			v[i] = floatNumbers(e)
		}
	case int64:
		return float64(v)
	case int:
		return float64(v)
	}
	return v
}

// suiteValues reads a suite's values: inline, else its variables file (a
// cli.kyverno.io/v1alpha1 Values, read strictly), as the Kyverno CLI does.
func suiteValues(dir string, s *clitest.Test) (*clitest.ValuesSpec, error) {
	if s.Values != nil {
		return s.Values, nil
	}
	if s.Variables == "" {
		return nil, nil
	}
	path := filepath.Join(dir, s.Variables)
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	var v clitest.Values
	if err := yaml.UnmarshalStrict(data, &v); err != nil {
		return nil, &diag.Error{File: path, Msg: fmt.Sprintf("not Kyverno test values: %v", diag.OneLine(err.Error()))}
	}
	return &v.ValuesSpec, nil
}

// unsupportedSuite names what a suite asks that guard's runner does not do
// yet ("" when nothing): every result of the suite is then skipped.
func unsupportedSuite(s *clitest.Test) string {
	if len(s.TargetResources) > 0 {
		return "targetResources"
	}
	return ""
}

// unsupportedResult names what one result asks that guard does not do yet,
// given what the whole suite asks (suite).
func unsupportedResult(r clitest.TestResult, suite string) string {
	switch {
	case suite != "":
		return "the suite's " + suite
	case len(r.ResourceSpecs) > 0:
		return "resourceSpecs"
	case r.PatchedResources != "" || r.GeneratedResource != "" || r.CloneSourceResource != "":
		return "patched or generated resources"
	}
	return ""
}

// decodeFile reads the Kubernetes objects of a suite's YAML file.
func decodeFile(path string) ([]input.Object, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return manifest.Decode(filepath.ToSlash(path), data, manifest.Walked, limits.Default)
}

// readFile reads a regular file within the default limits: a FIFO or a
// device named by a suite would block or never end.
func readFile(path string) ([]byte, error) {
	data, err := limits.ReadFile(path, limits.Default, filepath.ToSlash)
	if err != nil {
		return nil, &diag.Error{Msg: err.Error()}
	}
	return data, nil
}
