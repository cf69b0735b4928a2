package kyverno

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"

	"github.com/kyverno/kyverno/pkg/cel/matching"
)

// The cache answers as Kyverno's matcher does: per namespace (its labels),
// and per object where the constraints select by object labels.
func TestCachedMatcherAnswersAsKyverno(t *testing.T) {
	pods := []admissionregistrationv1.NamedRuleWithOperations{{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
		Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
		Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}},
	}}}
	byNamespace := &admissionregistrationv1.MatchResources{ResourceRules: pods, NamespaceSelector: &metav1.LabelSelector{
		MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"kube-system"}}},
	}}
	byLabel := &admissionregistrationv1.MatchResources{ResourceRules: pods, ObjectSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}
	request := func(ns string, labels map[string]string) (admission.Attributes, *corev1.Namespace) {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Pod"}}
		u.SetName("p")
		u.SetNamespace(ns)
		u.SetLabels(labels)
		gvk := schema.GroupVersionKind{Version: "v1", Kind: "Pod"}
		attr := admission.NewAttributesRecord(u, nil, gvk, ns, "p", gvk.GroupVersion().WithResource("pods"), "", admission.Create, nil, false, nil)
		return attr, namespaceOrBare(nil, ns)
	}
	m, plain := newCachedMatcher(), matching.NewMatcher()
	for _, tt := range []struct {
		constraints *admissionregistrationv1.MatchResources
		ns          string
		labels      map[string]string
		want        bool
	}{
		{byNamespace, "app", nil, true},
		{byNamespace, "kube-system", nil, false},
		{byNamespace, "app", map[string]string{"app": "other"}, true},
		{byLabel, "app", map[string]string{"app": "web"}, true},
		{byLabel, "app", map[string]string{"app": "other"}, false},
		{byLabel, "app", map[string]string{"app": "web"}, true},
	} {
		attr, ns := request(tt.ns, tt.labels)
		got, err := m.Match(&matching.MatchCriteria{Constraints: tt.constraints}, attr, ns)
		want, _ := plain.Match(&matching.MatchCriteria{Constraints: tt.constraints}, attr, ns)
		if err != nil || got != tt.want || got != want {
			t.Errorf("%s %v: cached %v (%v), Kyverno %v, want %v", tt.ns, tt.labels, got, err, want, tt.want)
		}
	}
	if len(m.answers) != 2 {
		t.Errorf("%d answers cached, want 2 (one per namespace; none by object labels)", len(m.answers))
	}
}
