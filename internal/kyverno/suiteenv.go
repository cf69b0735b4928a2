package kyverno

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	kyvernov2 "github.com/kyverno/kyverno/api/kyverno/v2"
	clitest "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/apis/v1alpha1"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/processor"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/store"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/userinfo"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/variables"
	celengine "github.com/kyverno/kyverno/pkg/cel/engine"
	"github.com/kyverno/kyverno/pkg/cel/libs"
	"github.com/kyverno/kyverno/pkg/cel/matching"
	vpolengine "github.com/kyverno/kyverno/pkg/cel/policies/vpol/engine"
	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/acme/guard/internal/input"
)

// suiteEnv is what a suite sets around its resources, read with the Kyverno
// CLI's own packages: its variable values (global, per policy and resource,
// per rule), the user making the requests, and the parameter resources of
// its ValidatingAdmissionPolicies.
type suiteEnv struct {
	vars   *variables.Variables
	store  *store.Store
	user   *kyvernov2.RequestInfo
	params []runtime.Object
}

func newSuiteEnv(dir string, s *clitest.Test, vals *clitest.ValuesSpec) (*suiteEnv, error) {
	vars, err := variables.New(io.Discard, nil, dir, "", vals)
	if err != nil {
		return nil, &Error{Msg: fmt.Sprintf("%s: %v", dir, err)}
	}
	env := &suiteEnv{vars: vars, store: &store.Store{}}
	env.store.SetLocal(true)
	vars.SetInStore(env.store)
	if s.UserInfo != "" {
		path := filepath.Join(dir, s.UserInfo)
		if _, err := readFile(path); err != nil {
			return nil, err
		}
		info, err := userinfo.Load(nil, s.UserInfo, dir)
		if err != nil {
			return nil, &Error{Msg: fmt.Sprintf("%s: not Kyverno user info: %v", path, oneLine(err.Error()))}
		}
		env.user = &info.RequestInfo
	}
	for _, f := range s.ParamResources {
		docs, err := decodeFile(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			env.params = append(env.params, &unstructured.Unstructured{Object: d.obj})
		}
	}
	return env, nil
}

// suiteOperations are the evaluations a suite needs: "" (its default
// operation) and each operation one of its results names.
func suiteOperations(s *clitest.Test) []string {
	ops := []string{""}
	seen := map[string]bool{"": true}
	for _, r := range s.Results {
		if !seen[r.Operation] {
			seen[r.Operation] = true
			ops = append(ops, r.Operation)
		}
	}
	return ops
}

// suiteResponses evaluates every policy of a suite on its objects as
// operation op ("": the values' request.operation, else CREATE): the
// ValidatingPolicies with guard's compiled engine, the legacy policies and
// ValidatingAdmissionPolicies with the Kyverno CLI's policy processor, the
// code `kyverno test` runs (variables, user info, operations and
// subresources as it applies them).
func (e *Engine) suiteResponses(ctx context.Context, objects []input.Object, op string, env *suiteEnv) (map[string]map[string]*policyResponse, error) {
	if op == "" {
		if global, err := processor.NormalizeOperation(env.vars.GlobalOperation()); err == nil {
			op = global
		}
	}
	out := map[string]map[string]*policyResponse{}
	eng := vpolengine.NewEngine(e.provider, env.vars.Namespace, matching.NewMatcher())
	var user authenticationv1.UserInfo
	if env.user != nil {
		user = env.user.AdmissionUserInfo
	}
	for _, o := range objects {
		// the object as suiteResources read it: namespaced or not as the CLI decides
		u := &unstructured.Unstructured{Object: runtime.DeepCopyJSON(o.Object)}
		gvk := u.GroupVersionKind()
		gvr, _ := meta.UnsafeGuessKindToResource(gvk)
		operation, object, oldObject := processor.AdmissionRequestShape(op, u)
		req := celengine.Request(libs.NewFakeContextProvider(), gvk, gvr, "", u.GetName(), u.GetNamespace(),
			operation, user, object, oldObject, false, nil)
		resp, err := eng.Handle(ctx, req, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: Kyverno: %w", o.ID, err)
		}
		out[o.ID] = celResponses(resp)
		if e.legacy == nil && len(e.vaps) == 0 {
			continue
		}
		pp := processor.PolicyProcessor{
			Store: env.store, ValidatingAdmissionPolicies: e.vaps, ValidatingAdmissionPolicyBindings: e.vapBindings,
			Resource: *u, Operation: op, Variables: env.vars, ParameterResources: env.params, UserInfo: env.user,
			NamespaceSelectorMap: env.vars.NamespaceSelectors(), Subresources: env.vars.Subresources(),
			Rc: &processor.ResultCounts{}, Out: io.Discard,
		}
		if e.legacy != nil {
			pp.Policies, pp.PolicyExceptions = e.legacy.policies, e.legacy.polexes
		}
		resps, err := pp.ApplyPoliciesOnResource()
		if err != nil {
			return nil, fmt.Errorf("%s: Kyverno: %s", o.ID, oneLine(err.Error()))
		}
		for _, r := range resps {
			pol := r.Policy()
			if lp := pol.AsKyvernoPolicy(); lp != nil {
				out[o.ID][legacyName(lp)] = &policyResponse{policy: pol, rules: r.PolicyResponse.Rules}
			} else {
				out[o.ID][pol.GetName()] = &policyResponse{policy: pol, rules: r.PolicyResponse.Rules, ruleless: true}
			}
		}
	}
	return out, nil
}

