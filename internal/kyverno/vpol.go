package kyverno

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	goruntime "runtime"
	"slices"
	"strings"

	policieskyvernoio "github.com/kyverno/api/api/policies.kyverno.io"
	policiesv1beta1 "github.com/kyverno/api/api/policies.kyverno.io/v1beta1"
	celengine "github.com/kyverno/kyverno/pkg/cel/engine"
	"github.com/kyverno/kyverno/pkg/cel/libs"
	vpolcompiler "github.com/kyverno/kyverno/pkg/cel/policies/vpol/compiler"
	vpolengine "github.com/kyverno/kyverno/pkg/cel/policies/vpol/engine"
	engineapi "github.com/kyverno/kyverno/pkg/engine/api"
	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/exception"
	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/input"
)

// The ValidatingPolicy family (policies.kyverno.io, CEL): read, compiled
// with its exceptions by Kyverno's provider, admitted object by object as
// the admission controller does.

// addValidatingPolicy reads a ValidatingPolicy: one for Kubernetes objects
// is compiled with the others (compileValidatingPolicies); one for JSON,
// HTTP or Envoy payloads is kept for guard test's suites, and noted.
func (e *Engine) addValidatingPolicy(d document) error {
	var vp policiesv1beta1.ValidatingPolicy
	if err := d.decode(&vp); err != nil {
		return err
	}
	if mode := vp.Spec.EvaluationMode(); mode != policieskyvernoio.EvaluationModeKubernetes {
		e.payloadPolicies = append(e.payloadPolicies, &vp)
		e.unevaluated = append(e.unevaluated, Unevaluated{
			Kind: d.kind(), Name: vp.Name, File: d.file, Line: d.line,
			Reason: fmt.Sprintf("its evaluation mode is %s; guard evaluates Kubernetes objects", mode),
		})
		return nil
	}
	p, err := policyMetadata("ValidatingPolicy", vp.Name, vp.GetAnnotations(), d)
	if err != nil {
		return err
	}
	if err := e.addPolicy(p, d); err != nil {
		return err
	}
	e.actions[vp.Name] = level(vp.Spec.ValidationActions())
	e.vpols = append(e.vpols, &vp)
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
	return nil
}

// addException reads a PolicyException (policies.kyverno.io): every one goes
// to the exception stage; Kyverno's engine matches the unexpired ones.
// guard decides expiry with its own clock, so a check is reproducible at a
// given time; Kyverno in the clusters drops it at the same instant.
func (e *Engine) addException(d document) error {
	var px policiesv1beta1.PolicyException
	if err := d.decode(&px); err != nil {
		return err
	}
	x := exception.FromSpec(&px, d.file, d.line)
	e.exceptions = append(e.exceptions, x)
	if !x.Expired(e.now) {
		e.celExceptions = append(e.celExceptions, &px)
	}
	return nil
}

// compileValidatingPolicies compiles the ValidatingPolicies with their
// exceptions into the provider admission evaluates.
func (e *Engine) compileValidatingPolicies() error {
	provider, err := compileInParallel(e.vpols, e.celExceptions)
	if err != nil {
		return e.compileError(e.vpols, err)
	}
	e.provider = provider
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
		// A chart checked on its own lands where its installer says
		// (helm install -n); the namespace named after it stands for that
		// choice, whose labels no manifest could give.
		if r := o.Release; r != nil && r.Resource == "" && ns == r.Namespace {
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

// admit evaluates each object as an admission request, with the namespaces
// (by name) its cluster has, and hands each response to visit, with, for
// each policy an exception spared, what the policy says without the
// exception (see unexcepted).
func (e *Engine) admit(ctx context.Context, objects []input.Object, namespaces func(input.Object) map[string]*corev1.Namespace, visit func(input.Object, celengine.EngineResponse, map[string][]engineapi.RuleResponse)) error {
	// Engines per cluster (context), which resolve its namespaces; all
	// share one matcher, which parses each policy's selectors once.
	type engines struct{ excepted, unexcepted vpolengine.Engine }
	matcher := newParsingOnceMatcher()
	byContext := map[string]*engines{}
	for _, o := range objects {
		key := contextOf(o)
		nsByName := namespaces(o)
		resolve := func(name string) *corev1.Namespace { return namespaceOrBare(nsByName, name) }
		eng, ok := byContext[key]
		if !ok {
			eng = &engines{excepted: vpolengine.NewEngine(e.provider, resolve, matcher)}
			byContext[key] = eng
		}
		resp, err := eng.excepted.Handle(ctx, admissionRequest(o), nil)
		if err != nil {
			return fmt.Errorf("%s: %s: Kyverno: %w", o.Source.File, o.ID, err)
		}
		var spared map[string][]engineapi.RuleResponse
		for _, pr := range resp.Policies {
			if !slices.ContainsFunc(pr.Rules, func(r engineapi.RuleResponse) bool { return r.IsException() }) {
				continue
			}
			if eng.unexcepted == nil {
				provider, err := e.unexcepted()
				if err != nil {
					return err
				}
				eng.unexcepted = vpolengine.NewEngine(provider, resolve, matcher)
			}
			name := pr.Policy.GetName()
			alone, err := eng.unexcepted.Handle(ctx, admissionRequest(o), func(p policiesv1beta1.ValidatingPolicyLike) bool { return p.GetName() == name })
			if err != nil {
				return fmt.Errorf("%s: %s: Kyverno: %w", o.Source.File, o.ID, err)
			}
			if spared == nil {
				spared = map[string][]engineapi.RuleResponse{}
			}
			for _, apr := range alone.Policies {
				if apr.Policy.GetName() == name {
					spared[name] = append(spared[name], apr.Rules...)
				}
			}
		}
		visit(o, resp, spared)
	}
	return nil
}

// unexcepted is the provider of the policies that exceptions name,
// compiled without them, once per check and only when an exception spared
// an object: a waived finding says what the policy would have denied, and
// an object the policy passes anyway is not counted as waived.
func (e *Engine) unexcepted() (vpolengine.Provider, error) {
	if e.unexceptedProvider != nil {
		return e.unexceptedProvider, nil
	}
	named := map[string]bool{}
	for _, x := range e.celExceptions {
		for _, ref := range x.Spec.PolicyRefs {
			named[ref.Name] = true
		}
	}
	var vpols []policiesv1beta1.ValidatingPolicyLike
	for _, vp := range e.vpols {
		if named[vp.GetName()] {
			vpols = append(vpols, vp)
		}
	}
	provider, err := compileInParallel(vpols, nil)
	if err != nil {
		return nil, e.compileError(vpols, err)
	}
	e.unexceptedProvider = provider
	return provider, nil
}

// admissionRequest is the request the API server would send for creating o.
func admissionRequest(o input.Object) celengine.EngineRequest {
	u := admittedObject(o)
	gvk := u.GroupVersionKind()
	gvr, _ := meta.UnsafeGuessKindToResource(gvk)
	return celengine.Request(libs.NewFakeContextProvider(), gvk, gvr, "", u.GetName(), u.GetNamespace(),
		admissionv1.Create, authenticationv1.UserInfo{}, u, nil, false, nil)
}

// findings are an admission response's findings: failures and errors;
// for a policy an exception spared, its failures without the exception
// (spared), each naming the exceptions that cover it.
func (e *Engine) findings(o input.Object, resp celengine.EngineResponse, spared map[string][]engineapi.RuleResponse) []finding.Finding {
	var out []finding.Finding
	for _, pr := range resp.Policies {
		p, ok := e.byName[pr.Policy.GetName()]
		if !ok {
			continue
		}
		level := finding.Level(e.actions[p.Name])
		var exceptions []string
		for i := range pr.Rules {
			if pr.Rules[i].IsException() {
				for _, x := range pr.Rules[i].Exceptions() {
					exceptions = append(exceptions, x.GetNamespace()+"/"+x.GetName())
				}
				continue
			}
			if f, ok := ruleFinding(p, level, o, &pr.Rules[i], ""); ok {
				out = append(out, f)
			}
		}
		if len(exceptions) == 0 {
			continue
		}
		slices.Sort(exceptions)
		exceptions = slices.Compact(exceptions)
		for i := range spared[p.Name] {
			if f, ok := ruleFinding(p, level, o, &spared[p.Name][i], ""); ok {
				f.ExceptedBy = exceptions
				f.Message += " (excepted by PolicyException " + strings.Join(exceptions, ", ") + ")"
				out = append(out, f)
			}
		}
	}
	return out
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
