package kyverno

import (
	"fmt"
	"slices"

	"github.com/kyverno/kyverno/pkg/admissionpolicy"
	"github.com/kyverno/kyverno/pkg/cel/matching"
	engineapi "github.com/kyverno/kyverno/pkg/engine/api"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"

	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/input"
)

// The ValidatingAdmissionPolicy family (admissionregistration.k8s.io): read
// with their bindings, evaluated by Kyverno's engine for them
// (pkg/admissionpolicy), as the Kyverno CLI does, matched as the API server
// matches them.

// addVAP reads a ValidatingAdmissionPolicy.
func (e *Engine) addVAP(d document) error {
	var vap admissionregistrationv1.ValidatingAdmissionPolicy
	if err := d.decode(&vap); err != nil {
		return err
	}
	p, err := policyMetadata(d.kind(), vap.Name, vap.GetAnnotations(), d)
	if err != nil {
		return err
	}
	if err := e.addPolicy(p, d); err != nil {
		return err
	}
	e.vaps = append(e.vaps, vap)
	return nil
}

// addVAPBinding reads a ValidatingAdmissionPolicyBinding.
func (e *Engine) addVAPBinding(d document) error {
	var b admissionregistrationv1.ValidatingAdmissionPolicyBinding
	if err := d.decode(&b); err != nil {
		return err
	}
	e.vapBindings = append(e.vapBindings, b)
	return nil
}

// vapData is each ValidatingAdmissionPolicy with its bindings and, as
// parameters, the input's objects of its paramKind: built once per check,
// read by every object's evaluation.
func (e *Engine) vapData(objects []input.Object) []*engineapi.ValidatingAdmissionPolicyData {
	out := make([]*engineapi.ValidatingAdmissionPolicyData, len(e.vaps))
	for i := range e.vaps {
		vap := &e.vaps[i]
		data := engineapi.NewValidatingAdmissionPolicyData(vap)
		for _, b := range e.vapBindings {
			if b.Spec.PolicyName == vap.Name {
				data.AddBinding(b)
			}
		}
		if pk := vap.Spec.ParamKind; pk != nil {
			for _, p := range objects {
				if apiVersion, _ := p.Object["apiVersion"].(string); apiVersion == pk.APIVersion && p.Kind() == pk.Kind {
					data.AddParam(&unstructured.Unstructured{Object: p.Object})
				}
			}
		}
		out[i] = data
	}
	return out
}

// vapFindings evaluates the ValidatingAdmissionPolicies (vapData) on o with
// Kyverno's engine for them (pkg/admissionpolicy, as the Kyverno CLI does). A
// failure is a warning when its binding's validationActions are only Warn or
// Audit, else a deny finding (a binding without validationActions, which the
// API server refuses, fails closed). A policy without a binding is evaluated
// as the Kyverno CLI evaluates it: on its own.
func (e *Engine) vapFindings(o input.Object, vaps []*engineapi.ValidatingAdmissionPolicyData, namespaces map[string]*corev1.Namespace) ([]finding.Finding, error) {
	if len(vaps) == 0 {
		return nil, nil
	}
	u := admittedObject(o)
	gvk := u.GroupVersionKind()
	gvr, _ := meta.UnsafeGuessKindToResource(gvk)
	nsLabels := map[string]map[string]string{}
	for name, ns := range namespaces {
		nsLabels[name] = ns.Labels
	}
	// Kyverno's client-less path (the one the CLI takes) does not apply the
	// policy's matchConstraints; the API server always does, so guard does
	// first, with Kyverno's matcher, as admission would on CREATE.
	attrs := admission.NewAttributesRecord(u, nil, gvk, u.GetNamespace(), u.GetName(), gvr, "", admission.Create, nil, false,
		admissionpolicy.ResolveUser(&authenticationv1.UserInfo{}))
	var nsObject runtime.Object = &corev1.Namespace{}
	if u.GetNamespace() != "" {
		nsObject = namespaceOrBare(namespaces, u.GetNamespace())
	}
	matcher := matching.NewMatcher()
	var out []finding.Finding
	for _, data := range vaps {
		vap := data.GetDefinition()
		if vap.Spec.MatchConstraints != nil {
			match, err := matcher.Match(&matching.MatchCriteria{Constraints: vap.Spec.MatchConstraints}, attrs, nsObject)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %s: ValidatingAdmissionPolicy %s: %w", o.Source.File, o.Source.Line, o.ID, vap.Name, err)
			}
			if !match {
				continue
			}
		}
		resp, err := admissionpolicy.Validate(data, *u, gvk, gvr, nsLabels, nil, &authenticationv1.UserInfo{}, true)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %s: ValidatingAdmissionPolicy %s: %w", o.Source.File, o.Source.Line, o.ID, vap.Name, err)
		}
		p := e.byName[vap.Name]
		for j := range resp.PolicyResponse.Rules {
			rule := &resp.PolicyResponse.Rules[j]
			lvl := finding.Deny
			if b := rule.ValidatingAdmissionPolicyBinding(); b != nil && len(b.Spec.ValidationActions) > 0 && !slices.Contains(b.Spec.ValidationActions, admissionregistrationv1.Deny) {
				lvl = finding.Warn
			}
			if f, ok := ruleFinding(p, lvl, o, rule, ""); ok {
				out = append(out, f)
			}
		}
	}
	return out, nil
}
