package kyverno

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
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

	"github.com/acme/guard/internal/input"
)

// SuiteFile is the file name of a Kyverno test suite, as `kyverno test` looks for it.
const SuiteFile = "kyverno-test.yaml"

// CaseResult is one expected result of a suite, checked.
type CaseResult struct {
	Suite    string // the suite file
	Policy   string
	Resource string // kind/namespace/name
	Want     string // pass, fail or skip
	Got      string
	Message  string // why it failed or what the policy said
	// Skipped: the policy is one guard does not evaluate (Message says why).
	Skipped bool
}

// OK says whether guard reached the expected result.
func (c CaseResult) OK() bool { return c.Want == c.Got }

// FindSuites lists the kyverno-test.yaml files under dirs, sorted; a file
// named in dirs is a suite whatever its name.
func FindSuites(dirs []string) ([]string, error) {
	var out []string
	for _, dir := range dirs {
		if st, err := os.Stat(dir); err == nil && st.Mode().IsRegular() {
			out = append(out, dir)
			continue
		}
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && d.Name() == SuiteFile {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, &Error{File: dir, Msg: fmt.Sprintf("%v", err)}
		}
	}
	sort.Strings(out)
	return out, nil
}

// RunSuite runs the Kyverno test suites of one file with guard's engine:
// each suite's policies and exceptions, its resources (as CREATE requests),
// its namespace labels, and compares each result it declares. The file is
// read with Kyverno's own loader and test types (cli.kyverno.io/v1alpha1
// Test), strictly, as `kyverno test` reads it. What a suite asks that guard
// does not do yet (user info, mocked context, payloads, operations other than
// CREATE, variable values) makes the results it affects skipped, with the
// reason: never a verdict guard could not reach. A suite that cannot be read,
// or that names a policy or resource it does not load, is an error.
func RunSuite(ctx context.Context, path string, now time.Time) ([]CaseResult, error) {
	if _, err := readFile(path); err != nil { // a regular file within the limits
		return nil, err
	}
	var out []CaseResult
	for _, tc := range kyvernotest.LoadTest(nil, path) {
		if tc.Err != nil {
			return nil, &Error{File: path, Msg: fmt.Sprintf("not a Kyverno test suite: %v", oneLine(tc.Err.Error()))}
		}
		results, err := runTest(ctx, path, tc.Test, now)
		if err != nil {
			return nil, err
		}
		out = append(out, results...)
	}
	return out, nil
}

func runTest(ctx context.Context, path string, s *clitest.Test, now time.Time) ([]CaseResult, error) {
	dir := filepath.Dir(path)
	var docs []document
	for _, f := range append(append([]string{}, s.Policies...), s.PolicyExceptions...) {
		ds, err := decodeFile(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		docs = append(docs, ds...)
	}
	e, err := build(docs, now)
	if err != nil {
		return nil, err
	}
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
	env, err := newSuiteEnv(dir, s, vals)
	if err != nil {
		return nil, err
	}
	notRead := unsupportedSuite(s)
	// One evaluation with the suite's operation (its values' request.operation,
	// else CREATE), and one per operation its results name, as kyverno test does.
	responses := map[string]map[string]map[string]*policyResponse{} // operation -> object ID -> policy name -> response
	for _, op := range suiteOperations(s) {
		responses[op], err = e.suiteResponses(ctx, objects, op, env)
		if err != nil {
			return nil, &Error{File: path, Msg: fmt.Sprintf("%v", err)}
		}
	}
	payloads, err := e.payloadResponses(dir, s, env, responses[""])
	if err != nil {
		return nil, err
	}
	objects = append(objects, payloads...)
	skipped := map[string]string{}
	for _, u := range e.unevaluated {
		skipped[u.Name] = fmt.Sprintf("%s %s is not evaluated: %s", u.Kind, u.Name, u.Reason)
	}
	if len(payloads) > 0 {
		for _, p := range e.payloadPolicies {
			delete(skipped, p.Name)
		}
	}
	var out []CaseResult
	for _, r := range s.Results {
		reason, ok := skipped[r.Policy]
		if !ok {
			reason, ok = skipped[r.Policy[strings.LastIndex(r.Policy, "/")+1:]]
		}
		if !ok && r.Rule != "" {
			reason, ok = e.unevaluatedRules[r.Policy+"/"+r.Rule]
		}
		if !ok {
			if what := unsupportedResult(r, notRead); what != "" {
				reason, ok = "guard does not read "+what+" yet", true
			}
		}
		if ok {
			if len(r.Resources) == 0 { // a result about a payload, not a resource
				out = append(out, CaseResult{Suite: path, Policy: r.Policy, Resource: r.Kind, Want: string(r.Result), Got: "not evaluated", Message: reason, Skipped: true})
			}
			for _, ref := range r.Resources {
				out = append(out, CaseResult{Suite: path, Policy: r.Policy, Resource: r.Kind + "/" + ref, Want: string(r.Result), Got: "not evaluated", Message: reason, Skipped: true})
			}
			continue
		}
		name := r.Policy
		if _, ok := e.byName[name]; !ok && !e.isPayloadPolicy(name) {
			name = r.Policy[strings.LastIndex(r.Policy, "/")+1:]
		}
		// A policy the suite does not load gives "not found" failures, as in kyverno test.
		byObject := responses[r.Operation]
		for _, o := range resultObjects(r, objects, byObject) {
			v := checkResult(r, byObject[o.ID][name])
			if _, ok := e.byName[name]; !ok && !e.isPayloadPolicy(name) {
				v.message = "the suite loads no policy " + r.Policy
			}
			out = append(out, CaseResult{Suite: path, Policy: r.Policy, Resource: o.ID, Want: string(r.Result), Got: v.status, Message: v.message})
		}
	}
	return out, nil
}

// policyResponse is what one policy said about one resource: its rule
// responses (none when it matched but had nothing to check).
type policyResponse struct {
	policy   engineapi.GenericPolicy
	rules    []engineapi.RuleResponse
	ruleless bool // a CEL policy: its one result answers for any rule name
}

// celResponses keeps the ValidatingPolicies' responses as the Kyverno CLI's
// processor keeps them: a policy that produced no rule response is dropped
// when it selects resources by a single plain resource rule (so a result
// about it reads "not found"), and kept (an excluded resource) otherwise.
func celResponses(resp celengine.EngineResponse) map[string]*policyResponse {
	out := map[string]*policyResponse{}
	for _, pr := range resp.Policies {
		if len(pr.Rules) == 0 && plainMatch(pr.Policy.GetSpec().MatchConstraints) {
			continue
		}
		addResponse(out, pr.Policy.GetName(), engineapi.NewValidatingPolicyFromLike(pr.Policy), pr.Rules, true)
	}
	return out
}

// addResponse records a policy's response about a resource. A policy's
// autogen variants respond under its name too: one response, their rules
// together (kyverno test checks every one).
func addResponse(m map[string]*policyResponse, name string, policy engineapi.GenericPolicy, rules []engineapi.RuleResponse, ruleless bool) {
	if prev, ok := m[name]; ok {
		prev.rules = append(prev.rules, rules...)
		return
	}
	m[name] = &policyResponse{policy: policy, rules: rules, ruleless: ruleless}
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

// resultObjects are the resources a result is checked against, chosen as
// `kyverno test` chooses them: each of its names ("name" or
// "namespace/name") picks every resource of that name, of any kind; when
// none is found (or none is named) every resource is checked.
func resultObjects(r clitest.TestResult, objects []input.Object, responses map[string]map[string]*policyResponse) []input.Object {
	var out []input.Object
	for _, ref := range r.Resources {
		for _, o := range objects {
			if _, ok := responses[o.ID]; ok && refersTo(ref, o) {
				out = append(out, o)
			}
		}
	}
	if len(out) == 0 {
		for _, o := range objects {
			if _, ok := responses[o.ID]; ok {
				out = append(out, o)
			}
		}
	}
	return out
}

// checkResult compares a result with a policy's response about a resource,
// as `kyverno test` does: every rule response it names (all of them when it
// names no rule or the policy has no rules; a rule's autogen variants count
// as the rule) must have the expected result, as a policy report states it
// (Kyverno's own conversion: a failure of an unscored policy is a warning). A policy that responded with no
// such rule excluded the resource: kyverno test counts that as a pass, and so
// does guard (the message says so). A policy that did not respond is "not
// found", a failure.
func checkResult(r clitest.TestResult, pr *policyResponse) verdict {
	if pr == nil {
		return verdict{status: "not found", message: "the policy gave no result for the resource"}
	}
	want := string(r.Result)
	checked := false
	for i := range pr.rules {
		rule := &pr.rules[i]
		if r.Rule != "" && !pr.ruleless && rule.Name() != r.Rule && rule.Name() != "autogen-"+r.Rule && rule.Name() != "autogen-cronjob-"+r.Rule {
			continue
		}
		checked = true
		if got := string(reportutils.ToPolicyReportResult(pr.policy, *rule, nil).Result); got != want {
			return verdict{status: got, message: rule.Message()}
		}
	}
	if !checked {
		return verdict{status: want, message: "excluded: no rule of the policy applies to the resource (kyverno test counts this as a pass)"}
	}
	return verdict{status: want}
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
	for _, d := range docs {
		o := input.Object{Object: floatNumbers(d.obj).(map[string]any), Source: input.Source{File: d.file, Line: d.line}}
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

func refersTo(ref string, o input.Object) bool {
	if o.Kind() == "" { // a payload, named by its file
		return ref == o.ID
	}
	if ns, name, ok := strings.Cut(ref, "/"); ok {
		return ns == o.Namespace() && name == o.Name()
	}
	return ref == o.Name()
}

type verdict struct{ status, message string }

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
		return nil, &Error{File: path, Msg: fmt.Sprintf("not Kyverno test values: %v", oneLine(err.Error()))}
	}
	return &v.ValuesSpec, nil
}

// unsupportedSuite names what a suite asks that guard's runner does not do
// yet ("" when nothing): every result of the suite is then skipped.
func unsupportedSuite(s *clitest.Test) string {
	var what []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"targetResources", len(s.TargetResources) > 0},
	} {
		if f.set {
			what = append(what, f.name)
		}
	}
	return strings.Join(what, ", ")
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

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func stringMap(obj map[string]any) map[string]string {
	out := map[string]string{}
	metadata, _ := obj["metadata"].(map[string]any)
	labels, _ := metadata["labels"].(map[string]any)
	for k, v := range labels {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}
