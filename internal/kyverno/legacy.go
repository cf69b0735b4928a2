package kyverno

import (
	"context"
	"fmt"
	"strings"

	kyvernov1 "github.com/kyverno/kyverno/api/kyverno/v1"
	kyvernov2 "github.com/kyverno/kyverno/api/kyverno/v2"
	"github.com/kyverno/kyverno/pkg/config"
	kengine "github.com/kyverno/kyverno/pkg/engine"
	"github.com/kyverno/kyverno/pkg/engine/adapters"
	engineapi "github.com/kyverno/kyverno/pkg/engine/api"
	"github.com/kyverno/kyverno/pkg/engine/factories"
	"github.com/kyverno/kyverno/pkg/engine/jmespath"
	"github.com/kyverno/kyverno/pkg/exceptions"
	imageverifycache "github.com/kyverno/kyverno/pkg/image/verification/cache"
	"github.com/kyverno/sdk/extensions/registryclient"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/input"
)

// legacy evaluates kyverno.io/v1 ClusterPolicies and Policies (deprecated in
// Kyverno 1.19, still widely used) with Kyverno's rule engine, autogen
// included, and their kyverno.io/v2 PolicyExceptions.
type legacy struct {
	policies []kyvernov1.PolicyInterface
	polexes  []*kyvernov2.PolicyException
	engine   engineapi.Engine
	jp       jmespath.Interface
	cfg      config.Configuration
}

type exceptionLister []*kyvernov2.PolicyException

func (l exceptionLister) List(sel labels.Selector) ([]*kyvernov2.PolicyException, error) {
	var out []*kyvernov2.PolicyException
	for _, x := range l {
		if sel.Matches(labels.Set(x.GetLabels())) {
			out = append(out, x)
		}
	}
	return out, nil
}

func newLegacy(policies []kyvernov1.PolicyInterface, polexes []*kyvernov2.PolicyException) *legacy {
	cfg := config.NewDefaultConfiguration(false)
	jp := jmespath.New(cfg)
	isCluster := false // no API server: context entries that need one fail the rule, closed
	eng := kengine.NewEngine(cfg, jp, nil,
		factories.DefaultRegistryClientFactory(adapters.RegistryClient(registryclient.New()), nil),
		imageverifycache.DisabledImageVerifyCache(),
		factories.DefaultContextLoaderFactory(nil),
		exceptions.New(exceptionLister(polexes)),
		&isCluster)
	return &legacy{policies: policies, polexes: polexes, engine: eng, jp: jp, cfg: cfg}
}

// validate runs every legacy policy's validate rules on o as a CREATE.
func (l *legacy) validate(ctx context.Context, o input.Object, nsLabels map[string]string) ([]engineapi.EngineResponse, error) {
	u := *admittedObject(o)
	var out []engineapi.EngineResponse
	for _, p := range l.policies {
		if !p.GetSpec().HasValidate() {
			continue
		}
		pc, err := kengine.NewPolicyContext(l.jp, u, kyvernov1.Create, nil, l.cfg)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: Kyverno: %w", o.Source.File, o.ID, err)
		}
		pc = pc.WithPolicy(p).WithNamespaceLabels(nsLabels).WithResourceKind(u.GroupVersionKind(), "")
		out = append(out, l.engine.Validate(ctx, pc))
	}
	return out, nil
}

// LegacyName keys a legacy policy: namespaced Policies by namespace/name.
func LegacyName(p kyvernov1.PolicyInterface) string {
	if p.GetNamespace() != "" {
		return p.GetNamespace() + "/" + p.GetName()
	}
	return p.GetName()
}

// legacyLevel says whether a failing rule blocks admission (Enforce) or only
// reports (Audit), rule-level action first.
func legacyLevel(p kyvernov1.PolicyInterface, ruleName string) finding.Level {
	action := p.GetSpec().ValidationFailureAction
	for _, r := range p.GetSpec().Rules {
		if strings.TrimPrefix(strings.TrimPrefix(ruleName, "autogen-cronjob-"), "autogen-") == r.Name && r.Validation != nil && r.Validation.FailureAction != nil {
			action = *r.Validation.FailureAction
		}
	}
	if action.Enforce() {
		return finding.Deny
	}
	return finding.Warn
}

// addLegacyPolicy reads a kyverno.io ClusterPolicy or Policy: one without a
// validate rule is noted and not evaluated, as are its rules that do not
// validate.
func (e *Engine) addLegacyPolicy(d document) error {
	var lp kyvernov1.PolicyInterface
	if d.kind() == "ClusterPolicy" {
		var cp kyvernov1.ClusterPolicy
		if err := d.decode(&cp); err != nil {
			return err
		}
		lp = &cp
	} else {
		var np kyvernov1.Policy
		if err := d.decode(&np); err != nil {
			return err
		}
		lp = &np
	}
	if !hasValidateRule(lp) {
		e.unevaluated = append(e.unevaluated, Unevaluated{
			Kind: d.kind(), Name: LegacyName(lp), File: d.file, Line: d.line,
			Reason: "it has no validate rule (guard evaluates validation; mutate, generate and verifyImages rules are Kyverno's at admission)",
		})
		return nil
	}
	p, err := policyMetadata(d.kind(), LegacyName(lp), lp.GetAnnotations(), d)
	if err != nil {
		return err
	}
	for _, r := range lp.GetSpec().Rules {
		if !r.HasValidate() {
			e.unevaluatedRules[LegacyName(lp)+"/"+r.Name] = fmt.Sprintf("rule %s of %s %s is not evaluated: it is not a validate rule", r.Name, d.kind(), LegacyName(lp))
		}
	}
	if err := e.addPolicy(p, d); err != nil {
		return err
	}
	e.legacyPolicies = append(e.legacyPolicies, lp)
	return nil
}

// addLegacyException reads a kyverno.io PolicyException.
func (e *Engine) addLegacyException(d document) error {
	var px kyvernov2.PolicyException
	if err := d.decode(&px); err != nil {
		return err
	}
	e.legacyExceptions = append(e.legacyExceptions, &px)
	return nil
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

// hasValidateRule says whether a legacy policy has a rule guard evaluates.
func hasValidateRule(p kyvernov1.PolicyInterface) bool {
	for _, r := range p.GetSpec().Rules {
		if r.HasValidate() {
			return true
		}
	}
	return false
}
