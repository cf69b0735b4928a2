package exception

import (
	"slices"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	policiesv1beta1 "github.com/kyverno/api/api/policies.kyverno.io/v1beta1"

	"github.com/acme/guard/internal/input"
)

// An exception that matched nothing is stale only if something it could
// except was in the check: one for the monitoring release matches nothing
// in a check of the app chart alone, and saying so on every such check
// would teach users to ignore EXC-002. inScope answers the question from
// the exception's matchConditions, evaluated partially: for each namespace
// the input's objects land in, with everything but the namespace unknown,
// and once for a Terraform resource (no metadata) when the exception names
// Rego policies. Only a definite false, for every probe, puts the
// exception out of scope; a condition guard cannot compile or evaluate this
// way (other variables, attributes it does not mark unknown) keeps it in.

// unknownAttributes are the attributes of `object` a probe leaves unknown.
var unknownAttributes = func() []*cel.AttributePatternType {
	var out []*cel.AttributePatternType
	for _, top := range []string{"kind", "apiVersion", "spec", "status", "data", "stringData", "type",
		"address", "name", "values", "module", "mode", "stack", "id", "provider_name", "index", "references", "unknown"} {
		out = append(out, cel.AttributePattern("object").QualString(top))
	}
	for _, meta := range []string{"name", "generateName", "labels", "annotations", "uid", "ownerReferences"} {
		out = append(out, cel.AttributePattern("object").QualString("metadata").QualString(meta))
	}
	return out
}()

// inScope says whether the exception could have matched something in the
// input (see above).
func (x Exception) inScope(in *input.Input) bool {
	var programs []cel.Program
	for _, mc := range x.Spec.Spec.MatchConditions {
		ast, iss := celEnv.Compile(mc.Expression)
		if iss.Err() != nil {
			return true
		}
		prg, err := celEnv.Program(ast, cel.EvalOptions(cel.OptPartialEval))
		if err != nil {
			return true
		}
		programs = append(programs, prg)
	}
	if len(programs) == 0 {
		return true
	}
	var probes []map[string]any
	var namespaces []string
	for _, o := range in.Kubernetes.Objects {
		if ns := o.AdmissionNamespace(); ns != "" && !slices.Contains(namespaces, ns) {
			namespaces = append(namespaces, ns)
			probes = append(probes, map[string]any{"metadata": map[string]any{"namespace": ns}})
		}
	}
	regoRefs := slices.ContainsFunc(x.Spec.Spec.PolicyRefs, func(r policiesv1beta1.PolicyRef) bool { return r.Kind == RegoPolicyKind })
	if regoRefs && len(in.Terraform.Resources) > 0 {
		probes = append(probes, map[string]any{})
	}
	for _, probe := range probes {
		if mayMatch(programs, probe) {
			return true
		}
	}
	return false
}

// mayMatch is false only when a condition is definitely false for probe.
func mayMatch(programs []cel.Program, probe map[string]any) bool {
	vars, err := cel.PartialVars(map[string]any{"object": probe}, unknownAttributes...)
	if err != nil {
		return true
	}
	for _, prg := range programs {
		out, _, err := prg.Eval(vars)
		if err == nil && out == types.False {
			return false
		}
	}
	return true
}
