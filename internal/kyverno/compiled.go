package kyverno

import (
	"time"

	policiesv1beta1 "github.com/kyverno/api/api/policies.kyverno.io/v1beta1"
	kyvernov1 "github.com/kyverno/kyverno/api/kyverno/v1"
	kyvernov2 "github.com/kyverno/kyverno/api/kyverno/v2"
	vpolengine "github.com/kyverno/kyverno/pkg/cel/policies/vpol/engine"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
)

// Compiled is what an engine read and compiled, for a runner that applies
// the policies the way the Kyverno CLI does (guard test's Kyverno suites,
// internal/policytest/kyvernosuite) rather than as admission does.
type Compiled struct {
	// Provider serves the compiled ValidatingPolicies with their exceptions.
	Provider vpolengine.Provider
	// ValidatingPolicies and CELExceptions are what Provider compiled.
	ValidatingPolicies []policiesv1beta1.ValidatingPolicyLike
	CELExceptions      []*policiesv1beta1.PolicyException
	// PayloadPolicies are the ValidatingPolicies for JSON, HTTP and Envoy
	// payloads, which guard check has nothing to give.
	PayloadPolicies []*policiesv1beta1.ValidatingPolicy
	// Legacy are the kyverno.io ClusterPolicies and Policies, with their exceptions.
	Legacy           []kyvernov1.PolicyInterface
	LegacyExceptions []*kyvernov2.PolicyException
	// VAPs are the ValidatingAdmissionPolicies, with their bindings.
	VAPs        []admissionregistrationv1.ValidatingAdmissionPolicy
	VAPBindings []admissionregistrationv1.ValidatingAdmissionPolicyBinding
	// Names are the evaluated policies' names.
	Names []string
	// Unevaluated are the policies read and not evaluated; UnevaluatedRules
	// the rules of evaluated legacy policies that are not, by
	// "policy/rule", with the reason.
	Unevaluated      []Unevaluated
	UnevaluatedRules map[string]string
}

// Compiled exposes what the engine compiled (read only).
func (e *Engine) Compiled() Compiled {
	c := Compiled{
		Provider: e.provider, ValidatingPolicies: e.vpols, CELExceptions: e.celExceptions,
		PayloadPolicies: e.payloadPolicies, VAPs: e.vaps, VAPBindings: e.vapBindings,
		Unevaluated: e.unevaluated, UnevaluatedRules: e.unevaluatedRules,
	}
	if e.legacy != nil {
		c.Legacy, c.LegacyExceptions = e.legacy.policies, e.legacy.polexes
	}
	for name := range e.byName {
		c.Names = append(c.Names, name)
	}
	return c
}

// LoadFiles reads the policies and exceptions of the named YAML files (a
// test suite's), as Load reads those of directories.
func LoadFiles(paths []string, now time.Time) (*Engine, error) {
	var docs []document
	for _, path := range paths {
		ds, err := decodeFile(path)
		if err != nil {
			return nil, err
		}
		docs = append(docs, ds...)
	}
	return build(docs, now)
}
