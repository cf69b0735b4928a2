package kyverno

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"
	apimatching "k8s.io/apiserver/pkg/admission/plugin/policy/matching"

	"github.com/kyverno/kyverno/pkg/cel/matching"
)

// cachedMatcher is Kyverno's matcher with its answers remembered. Kyverno
// parses a policy's namespaceSelector again for every object it matches; with
// every pod policy selecting by a list of namespaces, that was half of the
// engine's time at 10,000 objects. The answer depends only on the policy's
// constraints, the namespace and the request's kind, resource and
// operation, unless the constraints also select by object labels or by
// resource name: those are never cached. One engine (one cluster) uses it,
// from one goroutine.
type cachedMatcher struct {
	inner   matching.Matcher
	answers map[matchKey]matchAnswer
}

type matchKey struct {
	constraints                       *admissionregistrationv1.MatchResources
	namespace, kind, resource, subres string
	operation                         admission.Operation
}

type matchAnswer struct {
	ok  bool
	err error
}

func newCachedMatcher() *cachedMatcher {
	return &cachedMatcher{inner: matching.NewMatcher(), answers: map[matchKey]matchAnswer{}}
}

func (m *cachedMatcher) Match(criteria apimatching.MatchCriteria, attr admission.Attributes, ns runtime.Object) (bool, error) {
	c, ok := criteria.(*matching.MatchCriteria)
	if !ok || c.Constraints == nil || !cacheable(c.Constraints) {
		return m.inner.Match(criteria, attr, ns)
	}
	gvk, gvr := attr.GetKind(), attr.GetResource()
	key := matchKey{
		constraints: c.Constraints, namespace: attr.GetNamespace(),
		kind: gvk.String(), resource: gvr.String(), subres: attr.GetSubresource(), operation: attr.GetOperation(),
	}
	if a, ok := m.answers[key]; ok {
		return a.ok, a.err
	}
	matched, err := m.inner.Match(criteria, attr, ns)
	m.answers[key] = matchAnswer{matched, err}
	return matched, err
}

// cacheable: no object selector and no resource names, so the answer does
// not depend on the object itself.
func cacheable(mr *admissionregistrationv1.MatchResources) bool {
	if sel := mr.ObjectSelector; sel != nil && (len(sel.MatchLabels) > 0 || len(sel.MatchExpressions) > 0) {
		return false
	}
	for _, rules := range [][]admissionregistrationv1.NamedRuleWithOperations{mr.ResourceRules, mr.ExcludeResourceRules} {
		for _, r := range rules {
			if len(r.ResourceNames) > 0 {
				return false
			}
		}
	}
	return true
}
