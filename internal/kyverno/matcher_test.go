package kyverno

import (
	"fmt"
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"

	"github.com/kyverno/kyverno/pkg/cel/matching"
)

// With its selectors parsed once, the matcher answers as Kyverno's does,
// object by object: per namespace (its labels), per object labels, for a
// Namespace by its own labels, and a selector Kubernetes refuses is the
// same error.
func TestParsingOnceMatcherAnswersAsKyverno(t *testing.T) {
	pods := []admissionregistrationv1.NamedRuleWithOperations{{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
		Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
		Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}},
	}}}
	byNamespace := &admissionregistrationv1.MatchResources{ResourceRules: pods, NamespaceSelector: &metav1.LabelSelector{
		MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"kube-system"}}},
	}}
	byLabel := &admissionregistrationv1.MatchResources{ResourceRules: pods, ObjectSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}
	namespaces := &admissionregistrationv1.MatchResources{
		ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
			Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
			Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"namespaces"}},
		}}},
		NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "a"}},
	}
	broken := &admissionregistrationv1.MatchResources{ResourceRules: pods, NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "not a label value!"}}}
	request := func(kind, ns string, labels map[string]string) (admission.Attributes, *corev1.Namespace) {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": kind}}
		u.SetName("p")
		u.SetNamespace(ns)
		u.SetLabels(labels)
		gvk := schema.GroupVersionKind{Version: "v1", Kind: kind}
		resource := map[string]string{"Pod": "pods", "Namespace": "namespaces"}[kind]
		attr := admission.NewAttributesRecord(u, nil, gvk, ns, "p", gvk.GroupVersion().WithResource(resource), "", admission.Create, nil, false, nil)
		return attr, namespaceOrBare(nil, ns)
	}
	m, plain := newParsingOnceMatcher(), matching.NewMatcher()
	for _, tt := range []struct {
		constraints *admissionregistrationv1.MatchResources
		kind, ns    string
		labels      map[string]string
		want        bool
		err         bool
	}{
		{byNamespace, "Pod", "app", nil, true, false},
		{byNamespace, "Pod", "kube-system", nil, false, false},
		{byNamespace, "Pod", "app", map[string]string{"app": "other"}, true, false},
		{byLabel, "Pod", "app", map[string]string{"app": "web"}, true, false},
		{byLabel, "Pod", "app", map[string]string{"app": "other"}, false, false},
		{byLabel, "Pod", "app", map[string]string{"app": "web"}, true, false},
		{namespaces, "Namespace", "", map[string]string{"team": "a"}, true, false},
		{namespaces, "Namespace", "", map[string]string{"team": "b"}, false, false},
		{broken, "Pod", "app", nil, false, true},
	} {
		attr, ns := request(tt.kind, tt.ns, tt.labels)
		got, err := m.Match(&matching.MatchCriteria{Constraints: tt.constraints}, attr, ns)
		want, werr := plain.Match(&matching.MatchCriteria{Constraints: tt.constraints}, attr, ns)
		if got != tt.want || got != want || (err != nil) != tt.err || fmt.Sprint(err) != fmt.Sprint(werr) {
			t.Errorf("%s %s %v: %v (%v), Kyverno %v (%v), want %v", tt.kind, tt.ns, tt.labels, got, err, want, werr, tt.want)
		}
	}
	if len(m.parsed) != 4 {
		t.Errorf("%d criteria parsed, want 4 (one per policy's constraints)", len(m.parsed))
	}
}
