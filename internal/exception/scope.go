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
// the exception's matchConditions, evaluated partially, once per kind of
// item the input holds: for each kind, apiVersion and namespace of its
// Kubernetes objects (and a Namespace's name), with the rest unknown; and, when the
// exception names Rego policies, for each type of its Terraform resources,
// with the rest of the resource unknown. Only a definite false, for every
// probe, puts the exception out of scope; a condition guard cannot compile
// or evaluate this way keeps it in.

// objectUnknown are the attributes of a Kubernetes object a probe leaves
// unknown: all but its kind, apiVersion and namespace.
var objectUnknown = attributes(
	[]string{"spec", "status", "data", "stringData", "binaryData", "type", "immutable", "roleRef", "subjects", "rules",
		"aggregationRule", "webhooks", "secrets", "imagePullSecrets", "automountServiceAccountToken", "provisioner",
		"parameters", "reclaimPolicy", "allowVolumeExpansion", "volumeBindingMode", "value", "globalDefault", "handler"},
	[]string{"name", "generateName", "labels", "annotations", "uid", "ownerReferences"})

// namespaceUnknown are the attributes of a Namespace a probe leaves unknown:
// as objectUnknown, but its name, which is to it what the namespace is to a
// namespaced object (an exception for one namespace's Namespace object is
// out of scope of a check of another's).
var namespaceUnknown = attributes(
	[]string{"spec", "status"},
	[]string{"generateName", "labels", "annotations", "uid", "ownerReferences"})

// resourceUnknown are the attributes of a Terraform resource a probe leaves
// unknown: all but its type.
var resourceUnknown = attributes(
	[]string{"id", "address", "name", "values", "module", "mode", "stack", "provider", "provider_name", "index",
		"config", "action", "references", "unknown", "sensitive", "source"}, nil)

func attributes(top, metadata []string) []*cel.AttributePatternType {
	var out []*cel.AttributePatternType
	for _, a := range top {
		out = append(out, cel.AttributePattern("object").QualString(a))
	}
	for _, m := range metadata {
		out = append(out, cel.AttributePattern("object").QualString("metadata").QualString(m))
	}
	return out
}

// probe is one kind of item: what is known of it, and what is not.
type probe struct {
	known   map[string]any
	unknown []*cel.AttributePatternType
}

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
	for _, p := range probes(in, slices.ContainsFunc(x.Spec.Spec.PolicyRefs, func(r policiesv1beta1.PolicyRef) bool { return r.Kind == RegoPolicyKind })) {
		if mayMatch(programs, p) {
			return true
		}
	}
	return false
}

// probes are one per kind, apiVersion and namespace of the input's
// objects, and, with terraform, one per type of its resources.
func probes(in *input.Input, terraform bool) []probe {
	var out []probe
	seen := map[[4]string]bool{}
	for _, o := range in.Kubernetes.Objects {
		apiVersion, _ := o.Object["apiVersion"].(string)
		name, unknown := "", objectUnknown
		if o.Kind() == "Namespace" {
			name, unknown = o.Name(), namespaceUnknown
		}
		key := [4]string{o.Kind(), apiVersion, o.AdmissionNamespace(), name}
		if seen[key] {
			continue
		}
		seen[key] = true
		// A cluster-scoped object's namespace is "" here, not absent: CEL
		// would fold the error of reading an absent one into the unknowns
		// beside it, and a condition on the namespace would keep every
		// exception in scope of every Namespace object.
		metadata := map[string]any{"namespace": key[2]}
		if name != "" {
			metadata["name"] = name
		}
		out = append(out, probe{known: map[string]any{"kind": key[0], "apiVersion": key[1], "metadata": metadata}, unknown: unknown})
	}
	if terraform {
		types := map[string]bool{}
		for _, r := range in.Terraform.Resources {
			if !types[r.Type] {
				types[r.Type] = true
				out = append(out, probe{known: map[string]any{"type": r.Type}, unknown: resourceUnknown})
			}
		}
	}
	return out
}

// mayMatch is false only when a condition is definitely false for p.
func mayMatch(programs []cel.Program, p probe) bool {
	vars, err := cel.PartialVars(map[string]any{"object": p.known}, p.unknown...)
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
