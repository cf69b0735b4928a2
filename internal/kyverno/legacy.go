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
