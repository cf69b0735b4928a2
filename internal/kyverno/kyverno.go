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
	"slices"
	"strings"
	"time"

	policiesv1beta1 "github.com/kyverno/api/api/policies.kyverno.io/v1beta1"
	kyvernov1 "github.com/kyverno/kyverno/api/kyverno/v1"
	kyvernov2 "github.com/kyverno/kyverno/api/kyverno/v2"
	celengine "github.com/kyverno/kyverno/pkg/cel/engine"
	vpolengine "github.com/kyverno/kyverno/pkg/cel/policies/vpol/engine"
	engineapi "github.com/kyverno/kyverno/pkg/engine/api"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/exception"
	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/parameters"
	"github.com/acme/guard/internal/policydir"
)

// EngineName is how findings and policies name this engine.
const EngineName = "kyverno"

// Annotations guard reads on policies and exceptions.
const (
	AnnotationID = "guard.acme.example/id"
	// AnnotationProfile names the profile a policy belongs to (none: the
	// default set); annotationParameters the parameters it reads.
	AnnotationProfile     = "guard.acme.example/profile"
	annotationParameters  = "guard.acme.example/parameters"
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
	// unexceptedProvider compiles the policies exceptions name without
	// them (see unexcepted): built when an exception first spares an object.
	unexceptedProvider vpolengine.Provider
	legacy             *legacy
	// legacyPolicies and legacyExceptions are the kyverno.io documents read,
	// compiled into legacy once all are.
	legacyPolicies   []kyvernov1.PolicyInterface
	legacyExceptions []*kyvernov2.PolicyException
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
//
// A directory that is a policy chart (guard's library) gives the policies
// its chart renders with the parameters, as the cluster installs them; a
// policy of a profile that is not enabled is not loaded.
func Load(dirs []policydir.Dir, params *parameters.Set, now time.Time) (*Engine, error) {
	var docs []document
	for _, dir := range dirs {
		var ds []document
		var err error
		if params.IsChart(dir) {
			ds, err = renderedDocuments(dir, params)
		} else {
			ds, err = readDocuments(dir)
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, ds...)
	}
	docs = slices.DeleteFunc(docs, func(d document) bool {
		meta, _ := d.obj["metadata"].(map[string]any)
		ann, _ := meta["annotations"].(map[string]any)
		profile, _ := ann[AnnotationProfile].(string)
		return !params.Enabled(profile)
	})
	return build(docs, now)
}

// renderedDocuments are the policies of a policy chart, rendered with the
// parameters; each is placed at its policy file's kind line.
func renderedDocuments(dir policydir.Dir, params *parameters.Set) ([]document, error) {
	rendered, err := params.Render(dir)
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	var docs []document
	for _, r := range rendered {
		ds, err := decodeDocuments(r.File, r.Data)
		if err != nil {
			return nil, err
		}
		for i := range ds {
			ds[i].line = r.Line
		}
		docs = append(docs, ds...)
	}
	return docs, nil
}

// build compiles the policies and exceptions among docs.
func build(docs []document, now time.Time) (*Engine, error) {
	e := &Engine{byName: map[string]finding.Policy{}, actions: map[string]string{}, now: now, unevaluatedRules: map[string]string{}}
	for _, d := range docs {
		var err error
		switch {
		case d.group() == "policies.kyverno.io" && d.kind() == "ValidatingPolicy":
			err = e.addValidatingPolicy(d)
		case d.group() == "policies.kyverno.io" && d.kind() == "PolicyException":
			err = e.addException(d)
		case d.group() == "kyverno.io" && (d.kind() == "ClusterPolicy" || d.kind() == "Policy"):
			err = e.addLegacyPolicy(d)
		case d.group() == "kyverno.io" && d.kind() == "PolicyException":
			err = e.addLegacyException(d)
		case d.group() == "admissionregistration.k8s.io" && d.kind() == "ValidatingAdmissionPolicy":
			err = e.addVAP(d)
		case d.group() == "admissionregistration.k8s.io" && d.kind() == "ValidatingAdmissionPolicyBinding":
			err = e.addVAPBinding(d)
		case unevaluatedKinds[d.group()+"/"+d.kind()] != "":
			e.unevaluated = append(e.unevaluated, Unevaluated{
				Kind: d.kind(), Name: documentName(d), File: d.file, Line: d.line, Reason: unevaluatedKinds[d.group()+"/"+d.kind()],
			})
		}
		if err != nil {
			return nil, err
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
	if err := e.compileValidatingPolicies(); err != nil {
		return nil, err
	}
	if len(e.legacyPolicies) > 0 {
		e.legacy = newLegacy(e.legacyPolicies, e.legacyExceptions)
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
	p.Profile = ann[AnnotationProfile]
	for _, c := range strings.Split(ann[annotationParameters], ",") {
		if c = strings.TrimSpace(c); c != "" {
			p.Parameters = append(p.Parameters, c)
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
	}, func(o input.Object, resp celengine.EngineResponse, spared map[string][]engineapi.RuleResponse) {
		out = append(out, e.findings(o, resp, spared)...)
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

// admittedObject is o as the API server would admit it: a copy, in the
// "default" namespace when it is namespaced and names none (as kubectl does).
func admittedObject(o input.Object) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: runtime.DeepCopyJSON(o.Object)}
	if ns := o.AdmissionNamespace(); ns != u.GetNamespace() {
		u.SetNamespace(ns)
	}
	return u
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
