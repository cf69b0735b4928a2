package kyverno

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"
	apimatching "k8s.io/apiserver/pkg/admission/plugin/policy/matching"

	"github.com/kyverno/kyverno/pkg/cel/matching"
)

// parsingOnceMatcher is Kyverno's matcher with each policy's label
// selectors parsed once. Kyverno parses a policy's namespaceSelector again
// for every object it matches (validating every label value with a regular
// expression); with every pod policy selecting by a list of namespaces, that
// was about 40% of the engine's time at 10,000 objects. The matching itself
// is still Kyverno's, on every object: only the parse is shared. One engine
// run uses it, from one goroutine.
type parsingOnceMatcher struct {
	inner  matching.Matcher
	parsed map[*admissionregistrationv1.MatchResources]*parsedCriteria
}

// parsedCriteria are Kyverno's match criteria with their selectors parsed.
type parsedCriteria struct {
	*matching.MatchCriteria
	namespace, object       labels.Selector
	namespaceErr, objectErr error
}

func (c *parsedCriteria) GetParsedNamespaceSelector() (labels.Selector, error) {
	return c.namespace, c.namespaceErr
}

func (c *parsedCriteria) GetParsedObjectSelector() (labels.Selector, error) {
	return c.object, c.objectErr
}

func newParsingOnceMatcher() *parsingOnceMatcher {
	return &parsingOnceMatcher{inner: matching.NewMatcher(), parsed: map[*admissionregistrationv1.MatchResources]*parsedCriteria{}}
}

func (m *parsingOnceMatcher) Match(criteria apimatching.MatchCriteria, attr admission.Attributes, ns runtime.Object) (bool, error) {
	c, ok := criteria.(*matching.MatchCriteria)
	if !ok || c.Constraints == nil {
		return m.inner.Match(criteria, attr, ns)
	}
	p, ok := m.parsed[c.Constraints]
	if !ok {
		p = &parsedCriteria{MatchCriteria: c}
		p.namespace, p.namespaceErr = c.GetParsedNamespaceSelector()
		p.object, p.objectErr = c.GetParsedObjectSelector()
		m.parsed[c.Constraints] = p
	}
	return m.inner.Match(p, attr, ns)
}
