// Package kyverno evaluates Kyverno ValidatingPolicies (policies.kyverno.io)
// against the Kubernetes objects of the input with Kyverno's own CEL engine,
// as the admission controller in the clusters does: autogen for pod
// controllers, namespace labels from the Namespace objects in the same input,
// operation CREATE, and the PolicyExceptions of the policy directories.
//
// With guard test's suite runner (internal/policytest/kyvernosuite), it is
// the only package that imports Kyverno: Kyverno is heavy to build, and
// keeping it here keeps every other package's test binary small.
package kyverno

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	goruntime "runtime"
	"slices"
	"strings"
	"time"

	policieskyvernoio "github.com/kyverno/api/api/policies.kyverno.io"
	policiesv1beta1 "github.com/kyverno/api/api/policies.kyverno.io/v1beta1"
	kyvernov1 "github.com/kyverno/kyverno/api/kyverno/v1"
	kyvernov2 "github.com/kyverno/kyverno/api/kyverno/v2"
	"github.com/kyverno/kyverno/pkg/admissionpolicy"
	celengine "github.com/kyverno/kyverno/pkg/cel/engine"
	"github.com/kyverno/kyverno/pkg/cel/libs"
	"github.com/kyverno/kyverno/pkg/cel/matching"
	vpolcompiler "github.com/kyverno/kyverno/pkg/cel/policies/vpol/compiler"
	vpolengine "github.com/kyverno/kyverno/pkg/cel/policies/vpol/engine"
	engineapi "github.com/kyverno/kyverno/pkg/engine/api"
	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/admission"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/exception"
	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/policydir"
)

// EngineName is how findings and policies name this engine.
const EngineName = "kyverno"

// Annotations guard reads on policies and exceptions.
const (
	AnnotationID          = "guard.acme.example/id"
	AnnotationOwner       = exception.AnnotationOwner
	AnnotationReason      = exception.AnnotationReason
	annotationRemediation = "guard.acme.example/remediation"
	annotationTitle       = "policies.kyverno.io/title"
	annotationDescription = "policies.kyverno.io/description"
	annotationSeverity    = "policies.kyverno.io/severity"
	annotationControls    = "policies.kyverno.io/controls"
	annotationPeers       = "guard.acme.example/peers"
	annotationCategory    = "policies.kyverno.io/category"
)

// DefaultSeverity is the severity of a policy without the
// policies.kyverno.io/severity annotation.
const DefaultSeverity = finding.Medium

// Error is a broken policy or exception: guard must stop with exit code 2.
type Error = diag.Error

// Engine holds compiled policies and exceptions.
type Engine struct {
	policies   []finding.Policy
	byName     map[string]finding.Policy
	actions    map[string]string // policy name -> "deny" or "warn"
	exceptions []exception.Exception
	provider   vpolengine.Provider
	legacy     *legacy
	// unevaluated are the policies read and not evaluated (see Unevaluated);
	// unevaluatedRules the rules of evaluated legacy policies that are not
	// (mutate, generate...), by "policy/rule", with the reason.
	unevaluated      []Unevaluated
	unevaluatedRules map[string]string
	// selectNamespaces are the policies that select namespaces by label:
	// they need the objects' Namespace manifests to judge as the cluster does;
	// selectedResources are the resources (plural, "*" for any) they match.
	selectNamespaces  []string
	selectedResources map[string]bool
	// vpols and celExceptions are what the provider compiled, for a suite
	// that needs them evaluated by the Kyverno CLI's processor (Compiled; internal/policytest/kyvernosuite).
	vpols         []policiesv1beta1.ValidatingPolicyLike
	celExceptions []*policiesv1beta1.PolicyException
	// payloadPolicies are the ValidatingPolicies for JSON, HTTP and Envoy
	// payloads: guard check has none to give them, a suite may (guard test).
	payloadPolicies []*policiesv1beta1.ValidatingPolicy
	// vaps are the ValidatingAdmissionPolicies, evaluated with their
	// bindings by Kyverno's engine for them (pkg/admissionpolicy).
	vaps        []admissionregistrationv1.ValidatingAdmissionPolicy
	vapBindings []admissionregistrationv1.ValidatingAdmissionPolicyBinding
	now         time.Time
}

// Load reads every ValidatingPolicy and PolicyException (policies.kyverno.io)
// in the YAML files under dirs, compiles each policy once (with its autogen
// variants for pod controllers), and checks their metadata. Other documents
// (test suites, test resources, values) are not policies and are skipped.
func Load(dirs []policydir.Dir, now time.Time) (*Engine, error) {
	var docs []document
	for _, dir := range dirs {
		ds, err := readDocuments(dir)
		if err != nil {
			return nil, err
		}
		docs = append(docs, ds...)
	}
	return build(docs, now)
}

// build compiles the policies and exceptions among docs.
func build(docs []document, now time.Time) (*Engine, error) {
	e := &Engine{byName: map[string]finding.Policy{}, actions: map[string]string{}, now: now, unevaluatedRules: map[string]string{}}
	var vpols []policiesv1beta1.ValidatingPolicyLike
	var celExceptions []*policiesv1beta1.PolicyException
	var legacyPolicies []kyvernov1.PolicyInterface
	var legacyExceptions []*kyvernov2.PolicyException
	{
		for _, d := range docs {
			switch {
			case d.group() == "policies.kyverno.io" && d.kind() == "ValidatingPolicy":
				var vp policiesv1beta1.ValidatingPolicy
				if err := d.decode(&vp); err != nil {
					return nil, err
				}
				if mode := vp.Spec.EvaluationMode(); mode != policieskyvernoio.EvaluationModeKubernetes {
					e.payloadPolicies = append(e.payloadPolicies, &vp)
					e.unevaluated = append(e.unevaluated, Unevaluated{
						Kind: d.kind(), Name: vp.Name, File: d.file, Line: d.line,
						Reason: fmt.Sprintf("its evaluation mode is %s; guard evaluates Kubernetes objects", mode),
					})
					continue
				}
				p, err := policyMetadata("ValidatingPolicy", vp.Name, vp.GetAnnotations(), d)
				if err != nil {
					return nil, err
				}
				if err := e.addPolicy(p, d); err != nil {
					return nil, err
				}
				e.actions[vp.Name] = level(vp.Spec.ValidationActions())
				vpols = append(vpols, &vp)
				if mc := vp.Spec.MatchConstraints; mc != nil && mc.NamespaceSelector != nil &&
					(len(mc.NamespaceSelector.MatchLabels) > 0 || len(mc.NamespaceSelector.MatchExpressions) > 0) {
					e.selectNamespaces = append(e.selectNamespaces, vp.Name)
					for _, rule := range mc.ResourceRules {
						for _, r := range rule.Resources {
							if e.selectedResources == nil {
								e.selectedResources = map[string]bool{}
							}
							e.selectedResources[r] = true
						}
					}
				}
			case d.group() == "kyverno.io" && (d.kind() == "ClusterPolicy" || d.kind() == "Policy"):
				var lp kyvernov1.PolicyInterface
				if d.kind() == "ClusterPolicy" {
					var cp kyvernov1.ClusterPolicy
					if err := d.decode(&cp); err != nil {
						return nil, err
					}
					lp = &cp
				} else {
					var np kyvernov1.Policy
					if err := d.decode(&np); err != nil {
						return nil, err
					}
					lp = &np
				}
				if !hasValidateRule(lp) {
					e.unevaluated = append(e.unevaluated, Unevaluated{
						Kind: d.kind(), Name: LegacyName(lp), File: d.file, Line: d.line,
						Reason: "it has no validate rule (guard evaluates validation; mutate, generate and verifyImages rules are Kyverno's at admission)",
					})
					continue
				}
				p, err := policyMetadata(d.kind(), LegacyName(lp), lp.GetAnnotations(), d)
				if err != nil {
					return nil, err
				}
				for _, r := range lp.GetSpec().Rules {
					if !r.HasValidate() {
						e.unevaluatedRules[LegacyName(lp)+"/"+r.Name] = fmt.Sprintf("rule %s of %s %s is not evaluated: it is not a validate rule", r.Name, d.kind(), LegacyName(lp))
					}
				}
				if err := e.addPolicy(p, d); err != nil {
					return nil, err
				}
				legacyPolicies = append(legacyPolicies, lp)
			case d.group() == "admissionregistration.k8s.io" && d.kind() == "ValidatingAdmissionPolicy":
				var vap admissionregistrationv1.ValidatingAdmissionPolicy
				if err := d.decode(&vap); err != nil {
					return nil, err
				}
				p, err := policyMetadata(d.kind(), vap.Name, vap.GetAnnotations(), d)
				if err != nil {
					return nil, err
				}
				if err := e.addPolicy(p, d); err != nil {
					return nil, err
				}
				e.vaps = append(e.vaps, vap)
			case d.group() == "admissionregistration.k8s.io" && d.kind() == "ValidatingAdmissionPolicyBinding":
				var b admissionregistrationv1.ValidatingAdmissionPolicyBinding
				if err := d.decode(&b); err != nil {
					return nil, err
				}
				e.vapBindings = append(e.vapBindings, b)
			case unevaluatedKinds[d.group()+"/"+d.kind()] != "":
				e.unevaluated = append(e.unevaluated, Unevaluated{
					Kind: d.kind(), Name: documentName(d), File: d.file, Line: d.line, Reason: unevaluatedKinds[d.group()+"/"+d.kind()],
				})
			case d.group() == "kyverno.io" && d.kind() == "PolicyException":
				var px kyvernov2.PolicyException
				if err := d.decode(&px); err != nil {
					return nil, err
				}
				legacyExceptions = append(legacyExceptions, &px)
			case d.group() == "policies.kyverno.io" && d.kind() == "PolicyException":
				var px policiesv1beta1.PolicyException
				if err := d.decode(&px); err != nil {
					return nil, err
				}
				x := exception.FromSpec(&px, d.file, d.line)
				e.exceptions = append(e.exceptions, x)
				// guard decides expiry with its own clock, so a check is reproducible
				// at a given time; Kyverno in the clusters drops it at the same instant.
				if !x.Expired(now) {
					celExceptions = append(celExceptions, &px)
				}
			}
		}
	}
	ids := map[string]string{}
	for _, p := range e.policies {
		if other, dup := ids[p.ID]; dup {
			return nil, &Error{File: p.File, Line: p.Line, Msg: fmt.Sprintf("policy id %s is already used by %s", p.ID, other)}
		}
		ids[p.ID] = p.Name
	}
	unevaluated := map[string]bool{}
	for _, u := range e.unevaluated {
		unevaluated[u.Name] = true
	}
	for _, x := range e.exceptions {
		for _, ref := range x.Spec.Spec.PolicyRefs {
			if _, ok := e.byName[ref.Name]; !ok && ref.Kind != exception.RegoPolicyKind && !unevaluated[ref.Name] {
				return nil, &Error{File: x.File, Line: x.Line, Msg: fmt.Sprintf("PolicyException %s refers to %s %s, which is not loaded", x.Name, ref.Kind, ref.Name)}
			}
		}
	}
	finding.SortPolicies(e.policies)
	provider, err := compileInParallel(vpols, celExceptions)
	if err != nil {
		return nil, e.compileError(vpols, err)
	}
	e.provider, e.vpols, e.celExceptions = provider, vpols, celExceptions
	if len(legacyPolicies) > 0 {
		e.legacy = newLegacy(legacyPolicies, legacyExceptions)
	}
	return e, nil
}

// addPolicy registers a policy read from d; two policies of one name (of
// any kind) are an error.
func (e *Engine) addPolicy(p finding.Policy, d document) error {
	if other, dup := e.byName[p.Name]; dup {
		return &Error{File: d.file, Line: d.line, Msg: fmt.Sprintf("%s %s is also defined in %s:%d", d.kind(), p.Name, other.File, other.Line)}
	}
	e.byName[p.Name] = p
	e.policies = append(e.policies, p)
	return nil
}

func level(actions []admissionregistrationv1.ValidationAction) string {
	for _, a := range actions {
		if a == admissionregistrationv1.Deny {
			return string(finding.Deny)
		}
	}
	return string(finding.Warn)
}

// policyMetadata reads the guard and policies.kyverno.io annotations of a
// policy (ValidatingPolicy or legacy ClusterPolicy/Policy). A policy without a
// guard id is known by its name; a severity is required.
func policyMetadata(kind, name string, ann map[string]string, d document) (finding.Policy, error) {
	p := finding.Policy{
		ID: ann[AnnotationID], Engine: EngineName, Name: name,
		Title: ann[annotationTitle], Description: strings.TrimSpace(ann[annotationDescription]),
		Remediation: ann[annotationRemediation], Controls: []string{}, File: d.file, Line: d.line,
	}
	short := name[strings.LastIndex(name, "/")+1:]
	if p.ID == "" {
		p.ID = short
	}
	if p.Title == "" {
		p.Title = short
	}
	// A policy from elsewhere (Kyverno's library, a user's own) need not
	// carry guard's annotations: without a severity it is MEDIUM. The
	// project's own library is held to them by a lint (TestLibraryAnnotations).
	p.Severity = DefaultSeverity
	if s, ok := ann[annotationSeverity]; ok {
		sev, err := finding.ParseSeverity(s)
		if err != nil {
			return p, &Error{File: d.file, Line: d.line, Msg: fmt.Sprintf("%s %s: annotation %s is %q, want low, medium, high or critical", kind, short, annotationSeverity, s)}
		}
		p.Severity = sev
	}
	for _, c := range strings.Split(ann[annotationControls], ",") {
		if c = strings.TrimSpace(c); c != "" {
			p.Controls = append(p.Controls, c)
		}
	}
	for _, c := range strings.Split(ann[annotationPeers], ",") {
		if c = strings.TrimSpace(c); c != "" {
			p.Peers = append(p.Peers, c)
		}
	}
	if cat := ann[annotationCategory]; cat != "" && p.Description != "" {
		p.Description = cat + ": " + p.Description
	}
	return p, nil
}

// Policies lists the loaded policies, sorted by ID.
func (e *Engine) Policies() []finding.Policy { return e.policies }

// Exceptions are the PolicyExceptions (policies.kyverno.io) read, expired
// ones included: the exception stage reports those and waives the findings
// the others cover.
func (e *Engine) Exceptions() []exception.Exception { return e.exceptions }

// Evaluate runs every policy on every object of the input, as admission would
// on CREATE, and returns the findings: failures as deny (or warn, for Audit
// and Warn policies). A failure an unexpired exception covers is a finding
// that names the exceptions in ExceptedBy (Kyverno's engine matches them, as
// in the clusters); the exception stage waives it.
func (e *Engine) Evaluate(ctx context.Context, in *input.Input) ([]finding.Finding, error) {
	if len(e.policies) == 0 {
		return nil, nil
	}
	namespaces := namespacesByContext(in)
	var out []finding.Finding
	err := e.admit(ctx, in.Kubernetes.Objects, func(o input.Object) map[string]*corev1.Namespace {
		return namespaces[contextOf(o)]
	}, func(o input.Object, resp celengine.EngineResponse) {
		out = append(out, e.findings(o, resp)...)
	})
	if err != nil {
		return nil, err
	}
	if e.legacy != nil {
		for _, o := range in.Kubernetes.Objects {
			resps, err := e.legacy.validate(ctx, o, namespaceLabels(namespaces[contextOf(o)], o))
			if err != nil {
				return nil, err
			}
			out = append(out, e.legacyFindings(o, resps)...)
		}
	}
	vaps := e.vapData(in.Kubernetes.Objects)
	for _, o := range in.Kubernetes.Objects {
		fs, err := e.vapFindings(o, vaps, namespaces[contextOf(o)])
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

// Notes are what the user should know about a check of in with these
// policies: namespaces the objects land in without their Namespace
// manifest, and the policies read but not evaluated.
func (e *Engine) Notes(in *input.Input) []string {
	notes := e.missingNamespaces(in, namespacesByContext(in))
	for _, u := range e.unevaluated {
		notes = append(notes, u.String())
	}
	return notes
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

// missingNamespaces notes each namespace (but "default") that objects land in
// while the input holds no Namespace manifest for it: policies that select
// namespaces by label see it with its name label alone, which the cluster may not. A pod
// checked without its restricted namespace would otherwise pass in silence.
func (e *Engine) missingNamespaces(in *input.Input, namespaces map[string]map[string]*corev1.Namespace) []string {
	if len(e.selectNamespaces) == 0 {
		return nil
	}
	count := map[string]int{}
	for _, o := range in.Kubernetes.Objects {
		ns := o.AdmissionNamespace()
		if ns == "" || ns == "default" || o.Kind() == "Namespace" || namespaces[contextOf(o)][ns] != nil || !e.selectsKind(o) {
			continue
		}
		count[ns]++
	}
	var notes []string
	for _, ns := range slices.Sorted(maps.Keys(count)) {
		objects := "objects land"
		if count[ns] == 1 {
			objects = "object lands"
		}
		notes = append(notes, fmt.Sprintf("%d %s in namespace %q, whose Namespace manifest is not in the input: %s saw it with no label but its name; add the manifest to check as the cluster would",
			count[ns], objects, ns, strings.Join(e.selectNamespaces, ", ")))
	}
	return notes
}

// selectsKind says whether a namespace-selecting policy matches objects of
// o's kind: its resource, or (autogen) a pod controller for a pod policy.
func (e *Engine) selectsKind(o input.Object) bool {
	apiVersion, _ := o.Object["apiVersion"].(string)
	gvr, _ := meta.UnsafeGuessKindToResource(schema.FromAPIVersionAndKind(apiVersion, o.Kind()))
	return e.selectedResources["*"] || e.selectedResources[gvr.Resource] ||
		e.selectedResources["pods"] && slices.Contains(podControllers, o.Kind())
}

// podControllers are the kinds Kyverno's autogen applies pod policies to.
var podControllers = []string{"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"}

// namespaceLabels are the labels of the namespace o lands in, if the input has it.
func namespaceLabels(namespaces map[string]*corev1.Namespace, o input.Object) map[string]string {
	if ns := o.AdmissionNamespace(); ns != "" {
		return namespaceOrBare(namespaces, ns).Labels
	}
	return nil
}

// namespaceOrBare is the named namespace of the input or, when the input has
// no manifest for it, the namespace as the cluster has it at the least: with
// the name label the API server sets on every namespace (so that selectors
// on kubernetes.io/metadata.name, like the pod policies' list of system
// namespaces, match as they do at admission).
func namespaceOrBare(namespaces map[string]*corev1.Namespace, name string) *corev1.Namespace {
	if ns, ok := namespaces[name]; ok {
		return ns
	}
	if name == "" {
		return nil
	}
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/metadata.name": name}}}
}

func (e *Engine) legacyFindings(o input.Object, resps []engineapi.EngineResponse) []finding.Finding {
	var out []finding.Finding
	for _, resp := range resps {
		lp := resp.Policy().AsKyvernoPolicy()
		p := e.byName[LegacyName(lp)]
		for i := range resp.PolicyResponse.Rules {
			rule := &resp.PolicyResponse.Rules[i]
			if f, ok := ruleFinding(p, legacyLevel(lp, rule.Name()), o, rule, "rule "+rule.Name()); ok {
				out = append(out, f)
			}
		}
	}
	return out
}

// admit evaluates each object as an admission request, with the namespaces
// (by name) its cluster has, and hands each response to visit.
func (e *Engine) admit(ctx context.Context, objects []input.Object, namespaces func(input.Object) map[string]*corev1.Namespace, visit func(input.Object, celengine.EngineResponse)) error {
	// One engine per cluster (context), which resolves its namespaces; all
	// share one matcher, which parses each policy's selectors once.
	matcher := newParsingOnceMatcher()
	byContext := map[string]vpolengine.Engine{}
	for _, o := range objects {
		key := contextOf(o)
		eng, ok := byContext[key]
		if !ok {
			nsByName := namespaces(o)
			eng = vpolengine.NewEngine(e.provider, func(name string) *corev1.Namespace { return namespaceOrBare(nsByName, name) }, matcher)
			byContext[key] = eng
		}
		resp, err := eng.Handle(ctx, admissionRequest(o), nil)
		if err != nil {
			return fmt.Errorf("%s: %s: Kyverno: %w", o.Source.File, o.ID, err)
		}
		visit(o, resp)
	}
	return nil
}

// admittedObject is o as the API server would admit it: a copy, in the
// "default" namespace when it is namespaced and names none (as kubectl does).
func admittedObject(o input.Object) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: runtime.DeepCopyJSON(o.Object)}
	if ns := o.AdmissionNamespace(); ns != u.GetNamespace() {
		u.SetNamespace(ns)
	}
	return u
}

// admissionRequest is the request the API server would send for creating o.
func admissionRequest(o input.Object) celengine.EngineRequest {
	u := admittedObject(o)
	gvk := u.GroupVersionKind()
	gvr, _ := meta.UnsafeGuessKindToResource(gvk)
	return celengine.Request(libs.NewFakeContextProvider(), gvk, gvr, "", u.GetName(), u.GetNamespace(),
		admissionv1.Create, authenticationv1.UserInfo{}, u, nil, false, nil)
}

func (e *Engine) findings(o input.Object, resp celengine.EngineResponse) []finding.Finding {
	var out []finding.Finding
	for _, pr := range resp.Policies {
		p, ok := e.byName[pr.Policy.GetName()]
		if !ok {
			continue
		}
		for i := range pr.Rules {
			if f, ok := ruleFinding(p, finding.Level(e.actions[p.Name]), o, &pr.Rules[i], ""); ok {
				out = append(out, f)
			}
		}
	}
	return out
}

// ruleFinding turns a failing, erroring or excepted rule response into a
// finding (ok is false for a pass or a plain skip). rule names the rule in
// messages ("" for a ValidatingPolicy, whose validations have no names).
func ruleFinding(p finding.Policy, level finding.Level, o input.Object, resp *engineapi.RuleResponse, rule string) (finding.Finding, bool) {
	f := finding.Finding{
		PolicyID: p.ID, Title: p.Title, Severity: p.Severity, Controls: p.Controls, Engine: EngineName,
		Level: level, Resource: o.ID, File: o.Source.File, Line: o.Source.Line,
	}
	subject, prefix := "the policy", ""
	if rule != "" {
		subject, prefix = rule, rule+": "
	}
	switch {
	case resp.Status() == engineapi.RuleStatusFail:
		f.Message = fmt.Sprintf("%s %s: %s%s", o.Kind(), o.Name(), prefix, strings.TrimSpace(resp.Message()))
	case resp.Status() == engineapi.RuleStatusError:
		f.Level = finding.Deny // fail closed, as failurePolicy Fail does at admission
		f.Message = fmt.Sprintf("%s %s: %s could not be evaluated: %s", o.Kind(), o.Name(), subject, resp.Message())
	case resp.IsException():
		var names []string
		for _, x := range resp.Exceptions() {
			names = append(names, x.GetNamespace()+"/"+x.GetName())
		}
		f.ExceptedBy = names
		f.Message = fmt.Sprintf("%s %s: %sexcepted by PolicyException %s", o.Kind(), o.Name(), prefix, strings.Join(names, ", "))
	default:
		return f, false
	}
	return f, true
}

// contextOf names the cluster an object lands in, so namespaces resolve to
// the Namespace objects deployed next to it: the release's region, else the
// chart, else "" (plain manifests: one cluster).
func contextOf(o input.Object) string {
	switch {
	case o.Release != nil && o.Release.Region != "":
		return o.Release.Region
	case o.Release != nil:
		return o.Release.Chart
	}
	return ""
}

func namespacesByContext(in *input.Input) map[string]map[string]*corev1.Namespace {
	out := map[string]map[string]*corev1.Namespace{}
	for _, o := range in.Kubernetes.Objects {
		if o.Kind() != "Namespace" {
			continue
		}
		var ns corev1.Namespace
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &ns); err != nil {
			continue
		}
		if ns.Labels == nil {
			ns.Labels = map[string]string{}
		}
		ns.Labels["kubernetes.io/metadata.name"] = ns.Name // the API server sets it on every namespace
		c := contextOf(o)
		if out[c] == nil {
			out[c] = map[string]*corev1.Namespace{}
		}
		out[c][ns.Name] = &ns
	}
	return out
}

// readDocuments decodes every YAML document of the .yaml/.yml files under dir.
func readDocuments(dir policydir.Dir) ([]document, error) {
	var docs []document
	err := dir.Walk(func(name string) error {
		data, err := dir.ReadFile(name)
		if err != nil {
			return &Error{Msg: err.Error()}
		}
		ds, err := decodeDocuments(name, data)
		if err != nil {
			return err
		}
		docs = append(docs, ds...)
		return nil
	}, ".yaml", ".yml")
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		return nil, &Error{Msg: err.Error()}
	}
	return docs, nil
}

// compileInParallel compiles the policies (and their autogen variants) with
// Kyverno's provider, a share of them on each CPU: its compiler builds a
// CEL environment for every policy and variant (most of the compile time),
// one after the other. The shares keep the policies' order.
func compileInParallel(vpols []policiesv1beta1.ValidatingPolicyLike, exceptions []*policiesv1beta1.PolicyException) (vpolengine.ProviderFunc, error) {
	n := min(goruntime.GOMAXPROCS(0), len(vpols))
	if n <= 1 {
		return vpolengine.NewProvider(vpolcompiler.NewCompiler(), vpols, exceptions)
	}
	compiled := make([][]vpolengine.Policy, n)
	errs := diag.Each(n, n, func(int) string { return "Kyverno's compiler" }, func(i int) error {
		share := vpols[i*len(vpols)/n : (i+1)*len(vpols)/n]
		p, err := vpolengine.NewProvider(vpolcompiler.NewCompiler(), share, exceptions)
		if err == nil {
			compiled[i], err = p.Fetch(context.Background())
		}
		return err
	})
	var all []vpolengine.Policy
	for i := range n {
		if errs[i] != nil {
			return nil, errs[i]
		}
		all = append(all, compiled[i]...)
	}
	return func(context.Context) ([]vpolengine.Policy, error) { return all, nil }, nil
}

// compileError says which file holds the expression Kyverno's compiler
// refused: it compiles each policy alone, then with each exception that
// refers to it, and reports the first that fails, in one line. (The
// provider compiles them all at once and names only the policy.)
func (e *Engine) compileError(vpols []policiesv1beta1.ValidatingPolicyLike, err error) error {
	c := vpolcompiler.NewCompiler()
	for _, vp := range vpols {
		p := e.byName[vp.GetName()]
		if _, errs := c.Compile(vp, nil); len(errs) > 0 {
			return &Error{File: p.File, Line: p.Line, Msg: fmt.Sprintf("ValidatingPolicy %s: %s", vp.GetName(), celErrors(errs))}
		}
		for _, x := range e.exceptions {
			for _, ref := range x.Spec.Spec.PolicyRefs {
				if ref.Name != vp.GetName() {
					continue
				}
				if _, errs := c.Compile(vp, []*policiesv1beta1.PolicyException{x.Spec}); len(errs) > 0 {
					return &Error{File: x.File, Line: x.Line, Msg: fmt.Sprintf("PolicyException %s: %s", x.Name, celErrors(errs))}
				}
			}
		}
	}
	return &Error{Msg: fmt.Sprintf("compiling Kyverno policies: %v", err)}
}

var celSyntax = regexp.MustCompile(`ERROR: <input>:(\d+):(\d+): ([^|\n]*)`)

// celErrors is the first compile error as one line: the field, and CEL's
// message with its position in the expression (without the source excerpt).
func celErrors(errs field.ErrorList) string {
	for _, fe := range errs {
		if fe.Type == field.ErrorTypeInternal && strings.Contains(fe.Detail, "failed to compile policy") && len(errs) > 1 {
			continue // the compiler's summary of the errors that follow
		}
		msg := fe.Detail
		if m := celSyntax.FindStringSubmatch(fe.Detail); m != nil {
			msg = fmt.Sprintf("%s (expression line %s, column %s)", strings.TrimSpace(m[3]), m[1], m[2])
		}
		if f := fe.Field; f != "" && f != "<nil>" {
			return f + ": " + strings.Join(strings.Fields(msg), " ")
		}
		return strings.Join(strings.Fields(msg), " ")
	}
	return errs.ToAggregate().Error()
}

// Unevaluated is a policy guard reads but does not evaluate: a kind that
// changes or creates objects rather than admitting them, or one whose
// engine guard does not run. guard check notes each once; a test suite's
// results for it are skipped (failed with guard test --strict).
type Unevaluated struct {
	Kind, Name, File string
	Line             int
	Reason           string
}

func (u Unevaluated) String() string {
	return fmt.Sprintf("%s:%d: %s %s is not evaluated: %s", u.File, u.Line, u.Kind, u.Name, u.Reason)
}

// unevaluatedKinds are the policy kinds guard does not evaluate, and why.
var unevaluatedKinds = map[string]string{
	"policies.kyverno.io/MutatingPolicy":                   "it mutates objects; guard evaluates validation",
	"policies.kyverno.io/NamespacedMutatingPolicy":         "it mutates objects; guard evaluates validation",
	"policies.kyverno.io/GeneratingPolicy":                 "it generates objects; guard evaluates validation",
	"policies.kyverno.io/NamespacedGeneratingPolicy":       "it generates objects; guard evaluates validation",
	"policies.kyverno.io/DeletingPolicy":                   "it deletes objects on a schedule; guard evaluates validation",
	"policies.kyverno.io/NamespacedDeletingPolicy":         "it deletes objects on a schedule; guard evaluates validation",
	"policies.kyverno.io/ImageValidatingPolicy":            "image verification needs the registries; guard never touches the network",
	"policies.kyverno.io/NamespacedImageValidatingPolicy":  "image verification needs the registries; guard never touches the network",
	"policies.kyverno.io/NamespacedValidatingPolicy":       "guard evaluates cluster-wide ValidatingPolicies only",
	"kyverno.io/CleanupPolicy":                             "it deletes objects on a schedule; guard evaluates validation",
	"kyverno.io/ClusterCleanupPolicy":                      "it deletes objects on a schedule; guard evaluates validation",
	"admissionregistration.k8s.io/MutatingAdmissionPolicy": "it mutates objects; guard evaluates validation",
}

func documentName(d document) string {
	meta, _ := d.obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	return name
}

// hasValidateRule says whether a legacy policy has a rule guard evaluates.
func hasValidateRule(p kyvernov1.PolicyInterface) bool {
	for _, r := range p.GetSpec().Rules {
		if r.HasValidate() {
			return true
		}
	}
	return false
}

// Unevaluated lists the policies guard read and does not evaluate.
func (e *Engine) Unevaluated() []Unevaluated { return e.unevaluated }
